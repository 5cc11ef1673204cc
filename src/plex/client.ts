// A thin typed client for the few Plex routes PlexSync uses. Retry-free on
// purpose: it classifies each failure once (transport.ts, status.ts) and the
// worker's retry policy and circuit breaker decide what to do with it.

import { errorCode, type HttpDetails, PermanentError, PlexSyncError, TransientError } from '../errors.ts';
import type { PlexEdit } from '../sync/model.ts';
import { encode, encodeEdit } from './edit-query.ts';
import { plexRequestObserver } from './observe.ts';
import { errorForStatus } from './status.ts';
import { type RawResponse, Transport } from './transport.ts';
import type { PlexAccount, PlexHistoryEntry, PlexMediaContainer, PlexMetadata } from './wire.ts';

export interface PlexClientOptions {
  baseUrl: string;
  token: string;
  /** Stable per installation: a changing one shows up as a "new device" in Plex. */
  clientIdentifier: string;
  timeoutMs: number;
  insecureTls?: boolean;
  product?: string;
  version?: string;
  /** Called before each request with the method and the (token-free) path; for counting. */
  onRequest?: (method: string, path: string) => void;
}

export interface PlexCollection {
  ratingKey: string;
  title: string;
  summary: string;
}

export interface PlexIdentity {
  machineIdentifier: string;
  version: string;
}

export interface PlexSection {
  id: string;
  title: string;
  type: string;
  agent: string;
  locations: string[];
}

export interface PlexHistoryQuery {
  accountId: number;
  sectionId: string;
  /** Only plays after this moment (epoch seconds). */
  viewedAfter: number;
}

export interface PlexHistoryPage {
  entries: PlexHistoryEntry[];
  offset: number;
  totalSize: number;
}

export interface PlexSectionPage {
  /** Partial items: tag lists truncated, no Field[]; files are complete. */
  items: PlexMetadata[];
  offset: number;
  totalSize: number;
}

interface RequestOptions {
  auth?: boolean;
  body?: Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** Ratings keys per GET /library/metadata/{a},{b},...: keeps the URL short. */
const ITEMS_PER_REQUEST = 40;
const LIBRARY_IDENTIFIER = 'com.plexapp.plugins.library';
/** Past this many characters a 400 or a reset on an edit is taken as "too large" (nginx's default cap is 8 KiB). */
const LONG_REQUEST = 4_096;
/** An edit URL can carry a 20,000-character summary; errors and log lines need only its start. */
const MAX_LOGGED_URL = 300;

function shorten(url: string): string {
  return url.length <= MAX_LOGGED_URL ? url : `${url.slice(0, MAX_LOGGED_URL)}... (${url.length} chars)`;
}

export class PlexClient {
  readonly #base: URL;
  readonly #options: PlexClientOptions;
  readonly #transport: Transport;

  constructor(options: PlexClientOptions) {
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#options = options;
    this.#transport = new Transport(this.#base, options.insecureTls === true);
  }

  /** Closes its connections: call once the client is no longer used. */
  close(): void {
    this.#transport.close();
  }

  /** Needs no token: answers as soon as Plex is up, so it doubles as a probe. */
  async identity(signal?: AbortSignal): Promise<PlexIdentity> {
    const mc = await this.#json('GET', '/identity', { auth: false, signal });
    return { machineIdentifier: String(mc.machineIdentifier ?? ''), version: String(mc.version ?? '') };
  }

  async sections(signal?: AbortSignal): Promise<PlexSection[]> {
    const mc = await this.#json('GET', '/library/sections', { signal });
    return (mc.Directory ?? []).map((d) => ({
      id: String(d.key),
      title: d.title,
      type: d.type,
      agent: d.agent ?? '',
      locations: (d.Location ?? []).map((l) => l.path),
    }));
  }

  /** `sort` is Plex's `field:dir`, e.g. `updatedAt:desc`; default is Plex's own order (by sort title). */
  async listSectionPage(sectionId: string, start: number, size: number, signal?: AbortSignal, sort?: string): Promise<PlexSectionPage> {
    const sortParam = sort === undefined ? '' : `&sort=${encodeURIComponent(sort)}`;
    const mc = await this.#json('GET', `/library/sections/${encodeURIComponent(sectionId)}/all?type=1${sortParam}`, {
      headers: { 'X-Plex-Container-Start': String(start), 'X-Plex-Container-Size': String(size) },
      signal,
    });
    const items = mc.Metadata ?? [];
    return { items, offset: mc.offset ?? start, totalSize: mc.totalSize ?? mc.size ?? items.length };
  }

  /**
   * One page of play history, oldest first: new plays join at the end, so
   * paging forwards while Plex records more skips nothing.
   */
  async historyPage(q: PlexHistoryQuery, start: number, size: number, signal?: AbortSignal): Promise<PlexHistoryPage> {
    // `viewedAt>` is the filter's name (python-plexapi server.history); the URL
    // parser writes `>` as %3E, which Plex decodes like any query key.
    const params = `sort=viewedAt:asc&accountID=${q.accountId}&librarySectionID=${encodeURIComponent(q.sectionId)}&viewedAt>=${Math.floor(q.viewedAfter)}`;
    const mc = await this.#json('GET', `/status/sessions/history/all?${params}`, {
      headers: { 'X-Plex-Container-Start': String(start), 'X-Plex-Container-Size': String(size) },
      signal,
    });
    const entries = (mc.Metadata ?? []) as PlexHistoryEntry[];
    return { entries, offset: mc.offset ?? start, totalSize: mc.totalSize ?? mc.size ?? entries.length };
  }

  /** The server's local accounts (owner, managed and shared users). */
  async accounts(signal?: AbortSignal): Promise<PlexAccount[]> {
    const mc = await this.#json('GET', '/accounts', { signal });
    return (mc.Account ?? []).filter((a) => typeof a.id === 'number');
  }

  /** Full items for the keys that exist; unknown keys are simply absent. */
  async getItems(ratingKeys: string[], signal?: AbortSignal): Promise<PlexMetadata[]> {
    const items: PlexMetadata[] = [];
    for (let i = 0; i < ratingKeys.length; i += ITEMS_PER_REQUEST) {
      const keys = ratingKeys.slice(i, i + ITEMS_PER_REQUEST).map(encodeURIComponent).join(',');
      try {
        const mc = await this.#json('GET', `/library/metadata/${keys}`, { signal });
        items.push(...(mc.Metadata ?? []));
      } catch (err) {
        // Plex answers 404 when none of the keys exist.
        if (errorCode(err) !== 'not_found') throw err;
      }
    }
    return items;
  }

  async getItem(ratingKey: string, signal?: AbortSignal): Promise<PlexMetadata> {
    const path = `/library/metadata/${encodeURIComponent(ratingKey)}`;
    const mc = await this.#json('GET', path, { signal });
    const item = mc.Metadata?.[0];
    // An empty container instead of a 404: nothing this token may see under that key.
    if (!item) throw new PermanentError('not_found', 'Plex returned no item for this key', { http: { method: 'GET', url: path, status: 200 }, origin: 'plex' });
    return item;
  }

  /**
   * One PUT carrying every field of the edit. The metadata route is the spec's;
   * servers without it answer 404, and the section route (python-plexapi's)
   * then does the same job. A 200 proves nothing: read the item back.
   */
  async editItem(ratingKey: string, sectionId: string | null, edit: PlexEdit, signal?: AbortSignal): Promise<void> {
    const query = encodeEdit(edit, { type: 1 });
    const rk = encodeURIComponent(ratingKey);
    try {
      await this.#sendEdit(`/library/metadata/${rk}?${query}`, signal);
    } catch (err) {
      if (errorCode(err) !== 'not_found' || sectionId === null) throw err;
      await this.#sendEdit(`/library/sections/${encodeURIComponent(sectionId)}/all?id=${rk}&${query}`, signal);
    }
  }

  /** The length of the request line an edit makes (the longer, section route), for sizing a cut. */
  editLength(ratingKey: string, edit: PlexEdit): number {
    return `PUT ${this.#base.pathname}library/sections/0000/all?id=${encodeURIComponent(ratingKey)}&${encodeEdit(edit, { type: 1 })} HTTP/1.1`.length;
  }

  /**
   * An edit refused for its size: 414 or 431 always, a 400 or a reset
   * connection when the request line is long (HTTP servers and proxies
   * commonly cap it at 8-64 KiB; nginx answers 414, some servers 400, some
   * just close the connection). Reported as request_too_large, which the
   * sync answers by splitting the edit.
   */
  async #sendEdit(path: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#send('PUT', path, { signal });
    } catch (err) {
      const status = err instanceof PlexSyncError ? err.http?.status : undefined;
      const long = path.length > LONG_REQUEST;
      const tooLarge = status === 414 || status === 431 || (long && status === 400) || (long && status === undefined && errorCode(err) === 'network');
      if (!tooLarge) throw err;
      throw new PermanentError('request_too_large', `Plex refused an edit of ${path.length} characters for its size`, {
        cause: err,
        ...(err instanceof PlexSyncError && err.http ? { http: err.http } : {}),
        origin: 'plex',
      });
    }
  }

  /** rating 0..10; null clears it (Plex's -1). */
  async rate(ratingKey: string, rating: number | null, signal?: AbortSignal): Promise<void> {
    const params = new URLSearchParams({
      key: ratingKey,
      identifier: LIBRARY_IDENTIFIER,
      rating: rating === null ? '-1' : String(rating),
    });
    await this.#send('PUT', `/:/rate?${params}`, { signal });
  }

  /** The section's collections; each is an item of its own with a ratingKey (type 18). */
  async listCollections(sectionId: string, signal?: AbortSignal): Promise<PlexCollection[]> {
    const mc = await this.#json('GET', `/library/sections/${encodeURIComponent(sectionId)}/collections`, { signal });
    return (mc.Metadata ?? []).map((m) => ({ ratingKey: String(m.ratingKey), title: m.title ?? '', summary: m.summary ?? '' }));
  }

  /** A collection's summary, set and locked like any item field. */
  async editCollectionSummary(ratingKey: string, summary: string, signal?: AbortSignal): Promise<void> {
    const query = `summary.value=${encode(summary)}&summary.locked=1`;
    await this.#send('PUT', `/library/metadata/${encodeURIComponent(ratingKey)}?${query}`, { signal });
  }

  /** The upload becomes the selected poster (of an item or a collection). */
  async uploadPoster(ratingKey: string, bytes: Uint8Array, contentType: string, signal?: AbortSignal): Promise<void> {
    await this.#send('POST', `/library/metadata/${encodeURIComponent(ratingKey)}/posters`, {
      body: bytes,
      headers: { 'Content-Type': contentType },
      signal,
    });
  }

  /** Ask Plex to refresh one item from its agent (provider mode: Plex pulls the provider's metadata). */
  async refreshItem(ratingKey: string, signal?: AbortSignal): Promise<void> {
    await this.#send('PUT', `/library/metadata/${encodeURIComponent(ratingKey)}/refresh`, { signal });
  }

  /** `<field>.locked=0` for each field, so the item's agent may fill them on the next refresh. */
  async unlockFields(ratingKey: string, fields: readonly string[], signal?: AbortSignal): Promise<void> {
    if (fields.length === 0) return;
    const params = new URLSearchParams([['type', '1'], ...fields.map((f): [string, string] => [`${f}.locked`, '0'])]);
    await this.#send('PUT', `/library/metadata/${encodeURIComponent(ratingKey)}?${params}`, { signal });
  }

  /** Partial scan of one folder. GET: PMS >= 1.32.7 answers 404 to PUT/POST here. */
  async scanFolder(sectionId: string, folder: string, signal?: AbortSignal): Promise<void> {
    const params = new URLSearchParams({ path: folder });
    await this.#send('GET', `/library/sections/${encodeURIComponent(sectionId)}/refresh?${params}`, { signal });
  }

  async #json(method: string, path: string, opts: RequestOptions): Promise<PlexMediaContainer> {
    const res = await this.#send(method, path, opts);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch (cause) {
      throw new TransientError('network', 'unreadable response from Plex (not JSON)', { cause, http: { method, url: shorten(path), status: res.status }, origin: 'plex' });
    }
    const mc = (parsed as { MediaContainer?: unknown } | null)?.MediaContainer;
    if (typeof mc !== 'object' || mc === null) {
      throw new TransientError('network', 'unreadable response from Plex (no MediaContainer)', { http: { method, url: shorten(path), status: res.status }, origin: 'plex' });
    }
    return mc as PlexMediaContainer;
  }

  async #send(method: string, path: string, opts: RequestOptions): Promise<RawResponse> {
    const o = this.#options;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Plex-Client-Identifier': o.clientIdentifier,
      'X-Plex-Product': o.product ?? 'PlexSync',
      'X-Plex-Version': o.version ?? '0.0.0',
      ...opts.headers,
    };
    // The token travels in a header only: URLs end up in logs and errors.
    if (opts.auth !== false) headers['X-Plex-Token'] = o.token;
    const url = new URL(path.slice(1), this.#base);
    const details: HttpDetails = { method, url: shorten(url.pathname + url.search) };
    o.onRequest?.(method, details.url);
    const observe = plexRequestObserver();
    const started = observe ? performance.now() : 0;
    let res: RawResponse;
    try {
      res = await this.#transport.send(
        { method, url, headers, timeoutMs: o.timeoutMs, ...(opts.body ? { body: opts.body } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
        details,
      );
    } catch (err) {
      observe?.((performance.now() - started) / 1000, method, 'error');
      throw err;
    }
    observe?.((performance.now() - started) / 1000, method, String(res.status));
    const retryAfter = res.headers['retry-after'];
    const err = errorForStatus(res.status, res.body.toString('utf8', 0, 2048), retryAfter, { ...details, status: res.status });
    if (err) throw await this.#explain(err, method);
    return res;
  }

  /**
   * The two wrong plexUrls met most: the address of Plex Web (`.../web`),
   * which answers 404 to every API route, and a server that is not Plex at
   * all (a router, a reverse proxy's login page), whose 401 is no verdict on
   * the token. Both become a permanent bad_settings error that says what was
   * tried and what to do.
   */
  async #explain(err: PlexSyncError, method: string): Promise<PlexSyncError> {
    const tried = `${this.#base.origin}${this.#base.pathname.replace(/\/$/, '')}`;
    if (err.code === 'not_found' && /\/web\/?$/.test(this.#base.pathname)) {
      return new PermanentError('bad_settings', `plexUrl ${tried} is the address of Plex Web, not of the server's API: use it without "/web" (e.g. ${this.#base.origin})`, {
        ...(err.http ? { http: err.http } : {}),
        origin: 'plex',
      });
    }
    if (err.code !== 'unauthorized' || (method === 'GET' && err.http?.url === '/identity')) return err;
    const isPlex = await this.identity(AbortSignal.timeout(Math.min(5_000, this.#options.timeoutMs))).then(
      (id) => id.machineIdentifier !== '',
      () => false,
    );
    if (isPlex) return err;
    return new PermanentError('bad_settings', `the server at ${tried} refused the request (401) but is not a Plex Media Server (it does not answer GET /identity as Plex does): check plexUrl`, {
      ...(err.http ? { http: err.http } : {}),
      origin: 'plex',
    });
  }
}
