// A fake Stash on a loopback port that executes Stash's real GraphQL schema
// (graphql-js over the reference SDL), so a query Stash would reject is
// rejected here too. Tests change the library through the JS API below.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, type GraphQLError, execute, parse, validate } from 'graphql';
import { loadStashSchema } from '../helpers/stash-schema.ts';
import { type FakeScene, type FakeSceneInput, FakeStore, type RelatedKind, stashTime } from './stash-server-store.ts';

export type { FakeSceneInput } from './stash-server-store.ts';

export interface FakeStashOptions {
  /** Require this session cookie value; false: no credentials (Stash without a password). Default: a random value. */
  session?: string | false;
  /** Also accept this key in the ApiKey header. */
  apiKey?: string;
  /**
   * Give a new session value in Set-Cookie on every answer and stop accepting
   * the old one. Real Stash keeps old cookies valid until they expire; the
   * strict version proves a client follows the refresh.
   */
  rotateSession?: boolean;
  /** The clock behind created_at/updated_at. */
  now?: () => Date;
  pluginDir?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  /** The session cookie value sent, if any. */
  session: string | undefined;
  apiKey: string | undefined;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

export type DownMode = false | 'reset' | 503;

const COOKIE_NAME = 'session';
const MAX_BODY = 1024 * 1024;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeStash(options: FakeStashOptions = {}) {
  const schema = loadStashSchema();
  const store = new FakeStore(options.now ?? (() => new Date()));
  const requests: FakeRequest[] = [];
  const hookEvents: { type: string; id: string; input: Record<string, unknown>; inputFields: string[] }[] = [];
  let session = options.session === false ? undefined : (options.session ?? randomBytes(24).toString('hex'));
  const settingsWrites: { pluginId: string; input: Record<string, unknown> }[] = [];
  let down: DownMode = false;
  let latencyMs = 0;
  let baseUrl = '';
  /** Resolver errors to answer instead of running queries (see failQueries). */
  const failing = { count: 0, message: '', operation: '' };

  const named = (kind: RelatedKind, id: string) => ({ id, name: store.names[kind].get(id) ?? `(missing ${kind} ${id})` });
  const studioView = (id: string): Record<string, unknown> => {
    const parent = store.studioParents.get(id);
    return { ...named('studio', id), parent_studio: parent ? studioView(parent) : null };
  };
  // Stash's urlbuilders: `/performer/{id}/image?t=<updated>` and
  // `/group/{id}/frontimage?t=<updated>`, with `&default=true` when none is set.
  const imagePath = (kind: 'performer' | 'group', id: string, route: string) => {
    const image = store.images.get(`${kind}:${id}`);
    return `${baseUrl}/${kind}/${id}/${route}?t=${image?.stamp ?? 0}${image ? '' : '&default=true'}`;
  };
  /** A performer's image or a group's front cover; each change moves the URL's `t=` stamp. */
  const setImage = (kind: 'performer' | 'group', id: string, bytes: Uint8Array, contentType = 'image/jpeg') =>
    store.images.set(`${kind}:${id}`, { bytes, contentType, stamp: (store.images.get(`${kind}:${id}`)?.stamp ?? 0) + 1 });
  const sceneView = (scene: FakeScene) => ({
    id: scene.id,
    title: scene.title,
    code: scene.code,
    details: scene.details,
    director: scene.director,
    date: scene.date,
    rating100: scene.rating100,
    organized: scene.organized,
    urls: [],
    created_at: stashTime(scene.createdAt),
    updated_at: stashTime(scene.updatedAt),
    studio: scene.studioId ? studioView(scene.studioId) : null,
    // Stash gives every performer an image_path (a default one when no photo was set).
    performers: scene.performerIds.map((id) => ({ ...named('performer', id), image_path: imagePath('performer', id, 'image') })),
    tags: scene.tagIds.map((id) => ({ ...named('tag', id), parents: (store.tagParents.get(id) ?? []).map((p) => named('tag', p)) })),
    groups: scene.groupIds.map((id) => ({
      group: { ...named('group', id), synopsis: store.synopses.get(id) ?? null, front_image_path: imagePath('group', id, 'frontimage') },
      scene_index: null,
    })),
    files: scene.files.map((f, i) => ({ id: `${scene.id}0${i}`, path: f.path, basename: f.path.split(/[\\/]/).pop(), size: f.size, duration: f.duration ?? 0 })),
    stash_ids: scene.stashIds.map((s) => ({ ...s, updated_at: stashTime(scene.updatedAt) })),
    play_count: scene.playHistory.length,
    play_history: scene.playHistory.map(stashTime),
    last_played_at: scene.playHistory.length > 0 ? stashTime(new Date(Math.max(...scene.playHistory.map((d) => d.getTime())))) : null,
    resume_time: scene.resumeTime,
    play_duration: scene.playDuration,
    // Stash always answers a screenshot URL (with a cache-busting t=), built from its own address.
    paths: { screenshot: `${baseUrl}/scene/${scene.id}/screenshot?t=${Math.floor(scene.updatedAt.getTime() / 1000)}` },
  });

  const rootValue = {
    findScene: ({ id }: { id: string }) => {
      // Stash parses the ID as an int before looking it up.
      if (!/^\d+$/.test(id)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(id)}: invalid syntax`);
      const scene = store.scenes.get(id);
      return scene ? sceneView(scene) : null;
    },
    findScenes: (args: Parameters<FakeStore['findScenes']>[0]) => {
      const { count, scenes } = store.findScenes(args);
      return { count, duration: 0, filesize: 0, scenes: scenes.map(sceneView) };
    },
    findGroup: ({ id }: { id: string }) => {
      const name = store.names.group.get(id);
      if (name === undefined) return null;
      return { id, name, synopsis: store.synopses.get(id) ?? null, date: null, front_image_path: store.images.has(`group:${id}`) ? imagePath('group', id, 'frontimage') : null };
    },
    // Stash's ConfigurePlugin sets the plugin's whole map to the input and answers it.
    configurePlugin: ({ plugin_id, input }: { plugin_id: string; input: Record<string, unknown> }) => {
      store.settings[plugin_id] = { ...input };
      settingsWrites.push({ pluginId: plugin_id, input: { ...input } });
      return input;
    },
    // sceneAddPlay and sceneSaveActivity run no post hooks in Stash
    // (resolver_mutation_scene.go; plex-findings.md A7).
    sceneAddPlay: ({ id, times }: { id: string; times?: string[] | null }) => store.addPlays(id, times),
    sceneSaveActivity: ({ id, resume_time, playDuration }: { id: string; resume_time?: number | null; playDuration?: number | null }) => {
      const scene = store.scenes.get(id);
      if (!scene) throw new Error(`scene with id ${id} not found`);
      if (resume_time !== undefined && resume_time !== null) scene.resumeTime = resume_time;
      if (playDuration !== undefined && playDuration !== null) scene.playDuration += playDuration;
      return true;
    },
    // sceneUpdate does run Scene.Update.Post: the hook Stash would start is
    // recorded in hookEvents for a test to run through the plugin.
    sceneUpdate: ({ input }: { input: Record<string, unknown> }) => {
      const id = String(input['id']);
      if (!store.scenes.has(id)) throw new Error(`scene with id ${id} not found`);
      const patch: Omit<FakeSceneInput, 'id'> = {};
      for (const key of ['title', 'details', 'director', 'date', 'code'] as const) if (key in input) patch[key] = input[key] as string | null;
      if ('rating100' in input) patch.rating100 = input['rating100'] as number | null;
      const unknown = Object.keys(input).filter((k) => k !== 'id' && !(k in patch));
      if (unknown.length > 0) throw new Error(`fake Stash does not implement sceneUpdate of ${unknown.join(', ')}`);
      store.updateScene(id, patch);
      hookEvents.push({ type: 'Scene.Update.Post', id, input: { ...input }, inputFields: Object.keys(input) });
      return sceneView(store.scenes.get(id)!);
    },
    ...Object.fromEntries(
      (['performer', 'studio', 'tag', 'group'] as const).map((kind) => [
        `find${kind[0]!.toUpperCase()}${kind.slice(1)}s`,
        (args: Parameters<FakeStore['findRelated']>[1]) => {
          const { count, items } = store.findRelated(kind, args);
          return { count, [`${kind}s`]: items.map((o) => ({ id: o.id, name: o.name, updated_at: stashTime(o.updatedAt) })) };
        },
      ]),
    ),
    configuration: () => ({
      // Stash leaves out plugins that have no settings stored.
      plugins: ({ include }: { include?: string[] | null }) =>
        Object.fromEntries(Object.entries(store.settings).filter(([id, map]) => (include ? include.includes(id) : true) && Object.keys(map).length > 0)),
    }),
  };

  const authorised = (req: IncomingMessage): boolean => {
    if (session === undefined && options.apiKey === undefined) return true;
    const apiKey = req.headers['apikey'];
    // Stash checks an ApiKey header before any session: a wrong key is refused
    // even next to a good cookie (pkg/session/session.go, Authenticate).
    if (typeof apiKey === 'string' && apiKey !== '') return apiKey === options.apiKey;
    return session !== undefined && cookieValue(req.headers.cookie, COOKIE_NAME) === session;
  };

  const refreshCookie = (res: ServerResponse) => {
    if (session === undefined) return;
    if (options.rotateSession) session = randomBytes(24).toString('hex');
    res.setHeader('Set-Cookie', `${COOKIE_NAME}=${session}; Path=/; Max-Age=3600; HttpOnly`);
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };

  const documents = new Map<string, { document: DocumentNode; invalid: readonly GraphQLError[] }>();
  const graphqlAnswer = (body: string): { status: number; body: unknown } => {
    let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    let document: DocumentNode;
    let invalid: readonly GraphQLError[];
    try {
      request = JSON.parse(body);
      // gqlgen keeps parsed and validated documents in an LRU cache (its
      // handler's default query cache, 1000 entries): a repeated document
      // costs only its execution, as here.
      const text = request.query ?? '';
      const cached = documents.get(text);
      if (cached) {
        ({ document, invalid } = cached);
      } else {
        document = parse(text);
        invalid = validate(schema, document);
        if (documents.size >= 1000) documents.clear();
        documents.set(text, { document, invalid });
      }
    } catch (err) {
      return { status: 422, body: { errors: [{ message: (err as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }], data: null } };
    }
    // gqlgen answers 422 for documents the schema rejects, 200 for resolver errors.
    if (invalid.length > 0) {
      return { status: 422, body: { errors: invalid.map((e) => ({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })), data: null } };
    }
    const result = execute({ schema, document, rootValue, variableValues: request.variables ?? {}, operationName: request.operationName ?? null });
    if (result instanceof Promise) throw new Error('fake Stash resolvers are synchronous');
    return { status: 200, body: { ...(result.errors ? { errors: result.errors.map((e: GraphQLError) => e.toJSON()) } : {}), data: result.data ?? null } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = req.method === 'POST' ? await readBody(req) : '';
    let parsed: { operationName?: string; variables?: Record<string, unknown> } = {};
    try {
      parsed = body ? JSON.parse(body) : {};
    } catch {
      // graphqlAnswer reports it.
    }
    const apiKeyHeader = req.headers['apikey'];
    requests.push({
      method: req.method ?? 'GET',
      path,
      session: cookieValue(req.headers.cookie, COOKIE_NAME),
      apiKey: typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined,
      operationName: parsed.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(String((parsed as { query?: unknown }).query ?? ''))?.[1],
      variables: parsed.variables,
    });
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (down === 'reset') {
      req.socket.destroy();
      return;
    }
    if (down === 503) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    // Stash's auth middleware answers 401 before reaching the API or images.
    if (!authorised(req)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized');
      return;
    }
    refreshCookie(res);
    const operation = requests.at(-1)?.operationName ?? '';
    if (req.method === 'POST' && path === '/graphql' && failing.count > 0 && (failing.operation === '' || failing.operation === operation)) {
      failing.count--;
      // gqlgen answers a resolver's error with 200, the message and a null field.
      sendJson(res, 200, { errors: [{ message: failing.message, path: ['findScene'] }], data: null });
      return;
    }
    if (req.method === 'POST' && path === '/graphql') {
      const answer = graphqlAnswer(body);
      sendJson(res, answer.status, answer.body);
      return;
    }
    const shot = /^\/scene\/(\d+)\/screenshot$/.exec(path);
    const other = /^\/(performer|group)\/(\d+)\/(?:image|frontimage)$/.exec(path);
    const image =
      req.method !== 'GET' ? undefined : shot ? store.screenshots.get(shot[1] ?? '') : other ? store.images.get(`${other[1]}:${other[2]}`) : undefined;
    if (image) {
      res.writeHead(200, { 'Content-Type': image.contentType, 'Content-Length': image.bytes.length }).end(image.bytes);
      return;
    }
    // Scenes without a stored screenshot, and unknown paths, get Go's plain 404.
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    requests,
    /** Hooks Stash would have run for mutations received (each plugin's Scene.Update.Post). */
    hookEvents,
    /** A scene's play state as Stash would answer it. */
    plays: (id: string) => {
      const scene = store.scenes.get(id);
      if (!scene) throw new Error(`no scene ${id}`);
      return { history: scene.playHistory.map((d) => Math.floor(d.getTime() / 1000)), resumeTime: scene.resumeTime, rating100: scene.rating100 };
    },
    /** The session value Stash currently accepts (changes with rotateSession). */
    get session(): string | undefined {
      return session;
    },
    addScene: (input: FakeSceneInput = {}) => store.addScene(input),
    /** Changes a scene and bumps its updated_at to the fake's clock. */
    updateScene: (id: string, patch: Omit<FakeSceneInput, 'id'>) => store.updateScene(id, patch),
    deleteScene: (id: string) => {
      store.scenes.delete(id);
      store.screenshots.delete(id);
    },
    addPerformer: (name: string, id?: string) => store.addRelated('performer', name, id),
    addStudio: (name: string, id?: string) => store.addRelated('studio', name, id),
    addTag: (name: string, id?: string) => store.addRelated('tag', name, id),
    addGroup: (name: string, id?: string) => store.addRelated('group', name, id),
    renamePerformer: (id: string, name: string) => store.rename('performer', id, name),
    renameStudio: (id: string, name: string) => store.rename('studio', id, name),
    renameTag: (id: string, name: string) => store.rename('tag', id, name),
    renameGroup: (id: string, name: string) => store.rename('group', id, name),
    /** Every configurePlugin call, oldest first. */
    settingsWrites,
    /** The plugin's stored settings as Stash holds them now. */
    settings: (pluginId = 'PlexSync') => ({ ...(store.settings[pluginId] ?? {}) }),
    /** The PlexSync plugin's stored settings; null removes them. */
    setSettings: (map: Record<string, unknown> | null, pluginId = 'PlexSync') => {
      if (map) store.settings[pluginId] = { ...map };
      else delete store.settings[pluginId];
    },
    setScreenshot: (id: string, bytes: Uint8Array, contentType = 'image/jpeg') => store.screenshots.set(id, { bytes, contentType }),
    setStudioParent: (id: string, parentId: string) => store.studioParents.set(id, parentId),
    setTagParents: (id: string, parentIds: string[]) => store.tagParents.set(id, parentIds),
    setImage,
    setSynopsis: (groupId: string, synopsis: string) => store.synopses.set(groupId, synopsis),
    setPerformerImage: (id: string, bytes: Uint8Array, contentType = 'image/jpeg') => setImage('performer', id, bytes, contentType),
    setGroupImage: (id: string, bytes: Uint8Array, contentType = 'image/jpeg') => setImage('group', id, bytes, contentType),
    /** Makes every issued session invalid, as when max_session_age passes. */
    expireSession: () => {
      if (session !== undefined) session = randomBytes(24).toString('hex');
    },
    setDown: (mode: DownMode) => {
      down = mode;
    },
    setLatency: (ms: number) => {
      latencyMs = ms;
    },
    /**
     * The next `count` GraphQL requests (of `operation` only, if given) fail
     * inside a 200 answer with `message`, as Stash's resolvers do while its
     * database is closed for a restart or backup ("sql: database is closed").
     */
    failQueries: (count: number, message: string, operation = '') => {
      Object.assign(failing, { count, message, operation });
    },
    /** What Stash writes to a raw plugin's stdin as `server_connection`. */
    serverConnection: () => ({
      Scheme: 'http',
      Host: '0.0.0.0',
      Port: port,
      SessionCookie:
        session === undefined
          ? null
          : // Go's http.Cookie marshalled as JSON.
            { Name: COOKIE_NAME, Value: session, Quoted: false, Path: '/', Domain: '', Expires: '0001-01-01T00:00:00Z', RawExpires: '', MaxAge: 3600, Secure: false, HttpOnly: true, SameSite: 0, Partitioned: false, Raw: '', Unparsed: null },
      Dir: '/root/.stash',
      PluginDir: options.pluginDir ?? '/root/.stash/plugins/PlexSync',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeStash = Awaited<ReturnType<typeof startFakeStash>>;
