// The operations behind the panel's first-run setup. Each value is saved to
// the plugin's settings in Stash (configurePlugin) by the backend; the token
// comes from plex.tv's PIN flow or the paste box and is never answered back:
// the page learns only whether one is set.
import { settingsProblems } from '../config/settings.ts';
import { type Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { argString } from '../entry/input.ts';
import { describeError, errorCode, PermanentError } from '../errors.ts';
import { detectPathMap } from '../match/detect-paths.ts';
import { PlexClient } from '../plex/client.ts';
import { type PlexConnection, PlexTvClient } from '../plex/plex-tv.ts';
import { registerSecret } from '../log/redact.ts';
import { loadSyncDeps, plexClientIdentifier, stashClientFor } from '../sync/worker-deps.ts';
import { collectFiles } from './detect-paths.ts';
import { withNextStep } from './next-step.ts';

const VERSION = '0.1.0';
/** Each of a server's addresses gets this long to answer /identity. */
const CONNECTION_TIMEOUT_MS = 4_000;

function plexTv(ctx: RunContext, db: Db): PlexTvClient {
  return new PlexTvClient({ baseUrl: ctx.env.plexTvUrl, clientIdentifier: plexClientIdentifier(db), version: VERSION });
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export async function setupState(ctx: RunContext) {
  const raw = await stashClientFor(ctx).pluginSettings();
  const plexUrl = text(raw.plexUrl).trim();
  const tokenSet = text(raw.plexToken).trim() !== '';
  return {
    configured: plexUrl !== '' && tokenSet,
    plexUrl,
    tokenSet,
    plexLibraries: text(raw.plexLibraries),
    pathMap: text(raw.pathMap),
    librariesSaved: raw.plexLibraries !== undefined || raw.pathMap !== undefined,
    serviceUrl: text(raw.serviceUrl),
  };
}

export async function pinStart(ctx: RunContext, db: Db) {
  const client = plexTv(ctx, db);
  const pin = await client.createPin();
  ctx.log.info('Plex sign-in started: waiting for the user to approve PlexSync at app.plex.tv');
  return { pinId: pin.id, code: pin.code, expiresAt: pin.expiresAt, authUrl: client.authUrl(pin) };
}

function pinIdArg(ctx: RunContext): number {
  const raw = argString(ctx.input, 'pinId');
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) throw new PermanentError('bad_input', 'args.pinId must be the number plex_pin_start answered');
  return Number(raw);
}

/** Whether the user approved; once they did, the token is saved as plexToken. */
export async function pinCheck(ctx: RunContext, db: Db) {
  const client = plexTv(ctx, db);
  const token = await client.checkPin(pinIdArg(ctx));
  if (token === 'expired') return { signedIn: false, expired: true };
  if (token === null) return { signedIn: false, expired: false };
  const account = await client.account(token).catch(() => '');
  await stashClientFor(ctx).savePluginSettings({ plexToken: token });
  ctx.log.info(`Signed in to Plex${account ? ` as ${account}` : ''}; the token is saved in the plugin settings`);
  return { signedIn: true, account };
}

/** A pasted token: checked with plex.tv when it can be reached, then saved. */
export async function tokenSave(ctx: RunContext, db: Db) {
  const token = (argString(ctx.input, 'token') ?? '').trim();
  registerSecret(token);
  if (token === '' || /\s/.test(token) || token.length > 400) throw new PermanentError('bad_input', 'the token must be one word without spaces: copy the X-Plex-Token value again');
  let account = '';
  let checked = true;
  try {
    account = await plexTv(ctx, db).account(token);
  } catch (err) {
    if (errorCode(err) === 'unauthorized') throw new PermanentError('unauthorized', 'plex.tv does not know this token: copy it again, or use Sign in with Plex');
    // Offline installs can still use a token: Plex itself checks it in Test connection.
    checked = false;
    ctx.log.warn(`could not check the token with plex.tv: ${describeError(err)}`);
  }
  await stashClientFor(ctx).savePluginSettings({ plexToken: token });
  ctx.log.info('Plex token saved in the plugin settings');
  return { saved: true, checked, account };
}

interface TestedConnection extends PlexConnection {
  ok: boolean;
  ms?: number;
  error?: string;
  version?: string;
}

async function testConnection(db: Db, c: PlexConnection): Promise<TestedConnection> {
  const started = performance.now();
  const plex = new PlexClient({ baseUrl: c.uri, token: '', clientIdentifier: plexClientIdentifier(db), timeoutMs: CONNECTION_TIMEOUT_MS, version: VERSION });
  try {
    const identity = await plex.identity(AbortSignal.timeout(CONNECTION_TIMEOUT_MS));
    return { ...c, ok: true, ms: Math.round(performance.now() - started), version: identity.version };
  } catch (err) {
    return { ...c, ok: false, error: describeError(err) };
  } finally {
    plex.close();
  }
}

/** Local addresses first, then remote, relays last. */
const rank = (c: PlexConnection) => (c.local ? 0 : c.relay ? 2 : 1);

/** The account's servers, each address tested. Needs the saved token. */
export async function servers(ctx: RunContext, db: Db) {
  const raw = await stashClientFor(ctx).pluginSettings();
  const token = text(raw.plexToken).trim();
  registerSecret(token);
  if (token === '') throw new PermanentError('bad_settings', 'no Plex token saved yet: Sign in with Plex first (step 1)');
  const list = await plexTv(ctx, db).servers(token);
  const out = [];
  for (const server of list) {
    const ordered = [...server.connections].sort((a, b) => rank(a) - rank(b));
    const connections = await Promise.all(ordered.map((c) => testConnection(db, c)));
    out.push({ name: server.name, clientIdentifier: server.clientIdentifier, owned: server.owned, connections });
  }
  ctx.log.info(`Found ${out.length} Plex server(s) on the account`);
  return { servers: out };
}

/** Sets plexUrl, plexLibraries, pathMap and serviceUrl from args, each checked as the worker would. */
export async function setupSave(ctx: RunContext, db: Db) {
  const stash = stashClientFor(ctx);
  const changes: Record<string, string> = {};
  for (const key of ['plexUrl', 'plexLibraries', 'pathMap', 'serviceUrl']) {
    const value = argString(ctx.input, key);
    if (value !== undefined) changes[key] = value.trim();
  }
  if (Object.keys(changes).length === 0) throw new PermanentError('bad_input', 'nothing to save: give plexUrl, plexLibraries, pathMap or serviceUrl');
  const current = await stash.pluginSettings();
  const merged = { ...current, ...changes };
  const problems = settingsProblems(merged).filter((p) => Object.keys(changes).some((k) => p.startsWith(`${k} `) || p.startsWith(`${k}:`)));
  if (problems.length > 0) throw new PermanentError('bad_settings', `not saved: ${problems.join('; ')}`);
  const serverId = argString(ctx.input, 'serverId');
  if (changes.plexUrl && serverId) {
    // A shared server wants its own token, not the account's.
    const token = text(current.plexToken).trim();
    registerSecret(token);
    const server = token ? (await plexTv(ctx, db).servers(token)).find((s) => s.clientIdentifier === serverId) : undefined;
    if (server?.accessToken && server.accessToken !== token) Object.assign(changes, { plexToken: server.accessToken });
  }
  await stash.savePluginSettings(changes);
  const saved = Object.keys(changes).filter((k) => k !== 'plexToken');
  ctx.log.info(`Saved ${saved.join(', ')} in the plugin settings`);
  return { saved };
}

/** The movie libraries, which are searched now, and the path mapping detect_paths suggests. */
export async function libraries(ctx: RunContext, db: Db) {
  const { settings, sync, close } = await loadSyncDeps(ctx, db);
  try {
    const all = await sync.plex.sections();
    const wanted = settings.plexLibraries.map((w) => w.toLowerCase());
    const movies = all.filter((s) => s.type === 'movie');
    const list = movies.map((s) => ({ id: s.id, title: s.title, locations: s.locations, selected: wanted.length === 0 || wanted.includes(s.title.toLowerCase()) }));
    const { plexFiles, scenes } = await collectFiles(sync, db);
    const d = detectPathMap(scenes, plexFiles, sync.mappings);
    // Counted by exact path: a file-name-and-size match says little about the mapping.
    return {
      libraries: list,
      paths: {
        current: settings.pathMapRaw,
        suggestion: d.better ? d.suggestion : settings.pathMapRaw,
        scenes: d.scenes,
        matchedWithSuggestion: d.better ? d.exactWithSuggestion : d.exactWithCurrent,
        matchedWithCurrent: d.exactWithCurrent,
      },
    };
  } finally {
    close();
  }
}

const wrap =
  <T>(fn: (ctx: RunContext, db: Db) => Promise<T>) =>
  async (ctx: RunContext, db: Db): Promise<T> => {
    try {
      return await fn(ctx, db);
    } catch (err) {
      throw withNextStep(err);
    }
  };

/** Spread into the task table: mode -> handler. */
export const SETUP_OPERATIONS = {
  setup_state: wrap((ctx) => setupState(ctx)),
  plex_pin_start: wrap(pinStart),
  plex_pin_check: wrap(pinCheck),
  plex_token_save: wrap(tokenSave),
  plex_servers: wrap(servers),
  plex_libraries: wrap(libraries),
  setup_save: wrap(setupSave),
};
