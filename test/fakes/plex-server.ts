// A fake Plex Media Server: a real node:http server on 127.0.0.1, an
// in-memory library (plex-server-library.ts), Plex's quirks (each with its
// source) and switches for the ways a real server fails.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeItem, type FakeSection, type NewItem, createItem, decodeQuery } from './plex-server-library.ts';
import { type AgentOptions, type AgentRun, customAgent } from './plex-server-agent.ts';
import { route } from './plex-server-routes.ts';
import { type FakeAccount, type FakePlay, type HistoryState, newHistoryState } from './plex-server-history.ts';

export type { FakeItem, FakeSection, NewItem } from './plex-server-library.ts';
export type { FakeAccount, FakePlay } from './plex-server-history.ts';

export interface FakePlexOptions {
  token?: string;
  sections?: FakeSection[];
  machineIdentifier?: string;
  version?: string;
  /** false: PUT /library/metadata/{rk} answers 404, as on servers without that route. */
  metadataEditRoute?: boolean;
  /** The clock behind appearAfter({ ms }) and request times (ms since the epoch); tests that are about time set it. */
  now?: () => number;
  /**
   * true: tag names that differ only in case are one tag, as in a Plex that
   * matches tag names case-insensitively (the assumption behind editSteps'
   * two-step rename in src/sync/diff.ts; not verified against a live PMS).
   */
  foldTagCase?: boolean;
  /**
   * Longest request target accepted; longer ones get 414, as from nginx
   * (large_client_header_buffers: 8 KiB by default) in front of Plex. PMS's
   * own limit is not documented. Default: no cap.
   */
  maxRequestTarget?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** Decoded the way Plex decodes it. */
  query: [string, string][];
  /** The request target exactly as received (for token-leak checks). */
  rawUrl: string;
  /** Lower-case names; the token's value is replaced by '<token>'. */
  headers: Record<string, string>;
  /** When the request arrived, by the fake's clock. */
  at: number;
}

export interface Poster {
  bytes: Uint8Array;
  contentType: string;
}

export type AppearWhen = { ms: number } | { scans: number };

interface Pending {
  item: FakeItem;
  at?: number;
  scansLeft?: number;
}

/**
 * A collection is an item of its own in Plex (type 18, with a ratingKey,
 * summary and poster; plex-api.md), created when an edit first names it.
 */
export interface FakeCollection {
  ratingKey: string;
  sectionId: string;
  title: string;
  summary: string;
  thumb: string | null;
  locked: Set<string>;
}

/** State shared with the route handlers. */
export interface FakeState {
  options: Required<FakePlexOptions>;
  items: Map<string, FakeItem>;
  pending: Pending[];
  collections: Map<string, Set<string>>;
  /** By ratingKey. */
  collectionItems: Map<string, FakeCollection>;
  /** Photo URL per actor name: one per actor for the whole library. */
  actorThumbs: Map<string, string>;
  posters: Map<string, Poster[]>;
  scans: { sectionId: string; path: string | null }[];
  /** A custom metadata agent for every section (useProvider); undefined: the sections' own agent, which a refresh leaves alone. */
  agent?: AgentRun;
  /** Agent runs under way, and failures of finished ones. */
  agentRuns: Set<Promise<void>>;
  agentErrors: string[];
  history: HistoryState;
  faults: { ignorePosters: number };
}

export interface FakePlex {
  url: string;
  token: string;
  requests: LoggedRequest[];
  scans: { sectionId: string; path: string | null }[];
  addItem(spec: NewItem): FakeItem;
  /** The stored item (live object), or undefined if absent or not yet visible. */
  item(ratingKey: string): FakeItem | undefined;
  posters(ratingKey: string): Poster[];
  collections(sectionId: string): string[];
  /** The collection item of that name in the section, if Plex has made one. */
  collection(sectionId: string, title: string): FakeCollection | undefined;
  /** Makes a collection by hand, as a user does in Plex Web. */
  addCollection(sectionId: string, title: string, summary?: string): FakeCollection;
  requestCount(filter?: { method?: string; path?: string | RegExp }): number;
  /** An item that shows up only after a delay or after N scan requests covering its file. */
  appearAfter(spec: NewItem, when: AppearWhen): string;
  setDown(down: boolean): Promise<void>;
  setMaintenance(on: boolean): void;
  setRateLimit(count: number, retryAfterSeconds: number): void;
  /** The next `count` requests fail with `status` (Plex's HTML error page). */
  failNext(count: number, status: number): void;
  /** Delay before each answer: `ms`, plus up to `jitterMs` more at random per request. */
  setLatency(ms: number, jitterMs?: number): void;
  /** The next `count` responses with a body are cut off halfway (socket destroyed). */
  cutBody(count: number): void;
  setHang(on: boolean): void;
  /** The library's agent becomes a custom metadata provider at this URL (PMS 1.43+). */
  useProvider(options: AgentOptions): void;
  /** A scan finds a new file: the item is added and the agent asked for it; resolves when it has answered. */
  scanFile(spec: NewItem): Promise<FakeItem>;
  /** Waits for every agent run under way (refreshes answer 200 at once and run after). */
  agentIdle(): Promise<void>;
  agentErrors: string[];
  /** A play in the history; by default the owner's (account 1), now. Returns the historyKey id. */
  addPlay(play: { ratingKey: string; accountId?: number; viewedAt?: number; deviceId?: number }): number;
  plays(): FakePlay[];
  /** The server's local accounts (GET /accounts); the owner, id 1, by default. */
  setAccounts(accounts: FakeAccount[]): void;
  /** The next `count` poster uploads answer 200 but change nothing (a 200 proves nothing). */
  ignorePosters(count: number): void;
  close(): Promise<void>;
}

const DEFAULT_SECTIONS: FakeSection[] = [
  { id: '1', title: 'Videos', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/videos'] },
];

export async function startFakePlex(options: FakePlexOptions = {}): Promise<FakePlex> {
  const state: FakeState = {
    options: {
      token: options.token ?? 'fake-plex-token-0123456789',
      sections: options.sections ?? DEFAULT_SECTIONS,
      machineIdentifier: options.machineIdentifier ?? 'fake-machine-id',
      version: options.version ?? '1.41.0.0000-fake',
      metadataEditRoute: options.metadataEditRoute ?? true,
      now: options.now ?? (() => Date.now()), // looked up per call, so a test that mocks Date moves it
      foldTagCase: options.foldTagCase ?? false,
      maxRequestTarget: options.maxRequestTarget ?? Number.POSITIVE_INFINITY,
    },
    faults: { ignorePosters: 0 },
    items: new Map(),
    pending: [],
    collections: new Map(),
    collectionItems: new Map(),
    actorThumbs: new Map(),
    posters: new Map(),
    scans: [],
    agentRuns: new Set(),
    agentErrors: [],
    history: newHistoryState(),
  };
  const requests: LoggedRequest[] = [];
  const faults = { maintenance: false, rateLimit: 0, retryAfter: 0, failCount: 0, failStatus: 500, latency: 0, jitter: 0, cut: 0, hang: false };
  let nextKey = 100;

  // Edits travel in the query, so a long summary makes a long URL. Node's
  // default 16 KiB header limit would reset such requests; PMS's own limit is
  // not documented (unverified), and it accepts the summaries Plex Web sends.
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = new URL(req.url ?? '/', 'http://fake');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        headers[name] = name === 'x-plex-token' ? '<token>' : String(value);
      }
      requests.push({ method: req.method ?? 'GET', path: target.pathname, query: decodeQuery(target.search), rawUrl: req.url ?? '', headers, at: state.options.now() });
      if (faults.hang) return; // never answer; close() destroys the socket
      if ((req.url ?? '').length > state.options.maxRequestTarget) {
        send(res, htmlReply(414), faults);
        return;
      }
      setTimeout(() => answer(req, res, target, body), faults.latency + Math.random() * faults.jitter);
    });
  });

  function answer(req: http.IncomingMessage, res: http.ServerResponse, target: URL, body: Buffer): void {
    revealDue(state);
    const reply = decide(req, target, body);
    send(res, reply, faults);
  }

  function decide(req: http.IncomingMessage, target: URL, body: Buffer): Reply {
    if (faults.failCount > 0) {
      faults.failCount--;
      return htmlReply(faults.failStatus);
    }
    if (faults.maintenance) {
      // PMS answers this while it migrates its database at start (plex-api.md).
      const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Response code="503" title="Maintenance" status="Plex Media Server is currently running database migrations."/>\n';
      return { status: 503, body: xml, type: 'text/xml' };
    }
    if (faults.rateLimit > 0) {
      faults.rateLimit--;
      return { ...htmlReply(429), extra: { 'Retry-After': String(faults.retryAfter) } };
    }
    const query = decodeQuery(target.search);
    const token = req.headers['x-plex-token'] ?? query.find(([k]) => k === 'X-Plex-Token')?.[1];
    // Every route but /identity needs the token; the 401 page is HTML (plex-api.md).
    if (target.pathname !== '/identity' && token !== state.options.token) return htmlReply(401);
    const result = route(state, req.method ?? 'GET', target.pathname, query, body, req.headers);
    if (result.status !== 200) return htmlReply(result.status);
    if (result.json === undefined) return { status: 200, body: '', type: 'text/plain' };
    // Without Accept: application/json Plex answers XML (plex-api.md); a client
    // that forgets the header gets something it cannot parse, as in real life.
    if (!(req.headers.accept ?? '').includes('application/json')) {
      return { status: 200, body: '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0"/>\n', type: 'text/xml' };
    }
    return { status: 200, body: JSON.stringify(result.json), type: 'application/json' };
  }

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    token: state.options.token,
    requests,
    scans: state.scans,
    addItem(spec) {
      const item = createItem(spec, spec.ratingKey ?? String(nextKey++), state.options.sections[0]?.id ?? '1');
      state.items.set(item.ratingKey, item);
      return item;
    },
    item: (rk) => state.items.get(rk),
    posters: (rk) => state.posters.get(rk) ?? [],
    collections: (sectionId) => [...(state.collections.get(sectionId) ?? [])],
    collection: (sectionId, title) => [...state.collectionItems.values()].find((c) => c.sectionId === sectionId && c.title === title),
    addCollection(sectionId, title, summary = '') {
      return ensureCollection(state, sectionId, title, summary);
    },
    requestCount(filter = {}) {
      return requests.filter((r) => {
        if (filter.method && r.method !== filter.method) return false;
        if (typeof filter.path === 'string') return r.path === filter.path;
        return filter.path ? filter.path.test(r.path) : true;
      }).length;
    },
    appearAfter(spec, when) {
      const item = createItem(spec, spec.ratingKey ?? String(nextKey++), state.options.sections[0]?.id ?? '1');
      state.pending.push('ms' in when ? { item, at: state.options.now() + when.ms } : { item, scansLeft: when.scans });
      return item.ratingKey;
    },
    async setDown(down) {
      if (down && server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      } else if (!down && !server.listening) {
        // The same port again, so the client's configured URL stays valid.
        await listen(server, port);
      }
    },
    setMaintenance(on) {
      faults.maintenance = on;
    },
    setRateLimit(count, retryAfterSeconds) {
      faults.rateLimit = count;
      faults.retryAfter = retryAfterSeconds;
    },
    failNext(count, status) {
      faults.failCount = count;
      faults.failStatus = status;
    },
    setLatency(ms, jitterMs = 0) {
      faults.latency = ms;
      faults.jitter = jitterMs;
    },
    cutBody(count) {
      faults.cut = count;
    },
    setHang(on) {
      faults.hang = on;
    },
    useProvider(agentOptions) {
      state.agent = customAgent(agentOptions);
    },
    async scanFile(spec) {
      const item = createItem(spec, spec.ratingKey ?? String(nextKey++), state.options.sections[0]?.id ?? '1');
      state.items.set(item.ratingKey, item);
      runAgent(state, item);
      await idle(state);
      return item;
    },
    agentIdle: () => idle(state),
    agentErrors: state.agentErrors,
    addPlay(play) {
      const item = state.items.get(play.ratingKey);
      const viewedAt = play.viewedAt ?? Math.floor(Date.now() / 1000);
      const historyId = state.history.nextHistoryId++;
      state.history.plays.push({
        historyId,
        ratingKey: play.ratingKey,
        sectionId: item?.sectionId ?? state.options.sections[0]?.id ?? '1',
        accountId: play.accountId ?? 1,
        deviceId: play.deviceId ?? 1,
        viewedAt,
        title: item?.scalars.title ?? '',
      });
      // The item's own counters are the token's account's (the owner's).
      if (item && (play.accountId ?? 1) === 1) {
        item.viewCount++;
        item.lastViewedAt = Math.max(item.lastViewedAt ?? 0, viewedAt);
      }
      return historyId;
    },
    plays: () => [...state.history.plays],
    setAccounts(accounts) {
      state.history.accounts = [...accounts];
    },
    ignorePosters(count) {
      state.faults.ignorePosters = count;
    },
    async close() {
      faults.hang = false;
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

let nextCollectionKey = 900_000;

/** The section's collection of that name, made on first use (as an edit naming it does). */
export function ensureCollection(state: FakeState, sectionId: string, title: string, summary = ''): FakeCollection {
  const known = state.collections.get(sectionId) ?? new Set<string>();
  known.add(title);
  state.collections.set(sectionId, known);
  const existing = [...state.collectionItems.values()].find((c) => c.sectionId === sectionId && c.title === title);
  if (existing) return existing;
  const collection: FakeCollection = { ratingKey: String(nextCollectionKey++), sectionId, title, summary, thumb: null, locked: new Set() };
  state.collectionItems.set(collection.ratingKey, collection);
  return collection;
}

/** Starts the agent for an item in the background, as PMS does after answering. */
export function runAgent(state: FakeState, item: FakeItem): void {
  if (!state.agent) return;
  const locations = state.options.sections.find((s) => s.id === item.sectionId)?.locations ?? [];
  const run: Promise<void> = state
    .agent(item, locations)
    .catch((err: Error) => void state.agentErrors.push(err.message))
    .finally(() => state.agentRuns.delete(run));
  state.agentRuns.add(run);
}

async function idle(state: FakeState): Promise<void> {
  // Bounded: each round waits for the runs present; runs start only from requests.
  for (let round = 0; round < 100 && state.agentRuns.size > 0; round++) await Promise.all([...state.agentRuns]);
}

/** Items waiting to appear become visible once their time or scan count is reached. */
function revealDue(state: FakeState): void {
  const now = state.options.now();
  state.pending = state.pending.filter((p) => {
    const due = (p.at !== undefined && p.at <= now) || p.scansLeft === 0;
    if (due) state.items.set(p.item.ratingKey, p.item);
    return !due;
  });
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  414: 'Request-URI Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

interface Reply {
  status: number;
  body: string;
  type: string;
  extra?: Record<string, string>;
}

/** Plex's error pages are HTML whatever Accept says (plex-api.md). */
function htmlReply(status: number): Reply {
  const text = STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? 'Error';
  return { status, body: `<html><head><title>${text}</title></head><body><h1>${status} ${text}</h1></body></html>`, type: 'text/html' };
}

function send(res: http.ServerResponse, reply: Reply, faults: { cut: number }): void {
  const bytes = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { 'Content-Type': reply.type, 'Content-Length': String(bytes.length), ...reply.extra });
  if (faults.cut > 0 && bytes.length >= 2) {
    faults.cut--;
    // Headers promise the full length; half arrives, then the connection dies.
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(bytes);
}
