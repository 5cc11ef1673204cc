// HTTP to Stash: credentials on every request, the refreshed session cookie
// picked up from every answer, and each failure classified once, here.
import { PermanentError, type PlexSyncError, TransientError } from '../errors.ts';
import { redact, registerSecret } from '../log/redact.ts';
import { deadline } from '../net/deadline.ts';
import { exchange, type HttpAnswer } from '../net/http.ts';
import type { WireGraphqlResponse } from './types.ts';

export interface StashTransportOptions {
  baseUrl: string;
  sessionCookie?: { name: string; value: string } | undefined;
  apiKey?: string | undefined;
  timeoutMs: number;
}

export interface FetchedImage {
  bytes: Uint8Array;
  contentType: string;
}

// Resolver errors that say "try again later" rather than "this request is
// wrong": SQLite contention inside Stash, its database closed while Stash
// restarts or backs it up (Go's database/sql: "sql: database is closed"), a
// dropped connection, and its own request deadline.
const TRANSIENT_GRAPHQL_MESSAGES = [
  /database is locked/i,
  /database is closed/i,
  /SQLITE_BUSY/i,
  /driver: bad connection/i,
  /context deadline exceeded/i,
];

/** How to give PlexSync a Stash API key, for every way it runs. */
export const HOW_TO_GIVE_AN_API_KEY =
  "make one in Stash under Settings > Security > API Key, then give it as PLEXSYNC_STASH_API_KEY (or a file named by PLEXSYNC_STASH_API_KEY_FILE) in PlexSync's environment";

/** A network error's code (ECONNREFUSED, ENOTFOUND, ...), else its message. */
function networkCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

export class StashTransport {
  readonly #baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  #cookie: { name: string; value: string } | undefined;

  constructor(options: StashTransportOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey || undefined;
    this.#timeoutMs = options.timeoutMs;
    this.#cookie = options.sessionCookie ? { ...options.sessionCookie } : undefined;
    registerSecret(this.#apiKey);
    registerSecret(this.#cookie?.value);
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The newest session cookie Stash gave us, for a caller that hands it on. */
  get sessionCookie(): { name: string; value: string } | undefined {
    return this.#cookie ? { ...this.#cookie } : undefined;
  }

  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const url = `${this.#baseUrl}/graphql`;
    const { status, body } = await this.#exchange('POST', url, { 'Content-Type': 'application/json', Accept: 'application/json' }, JSON.stringify({ query, variables }), (res) => res.body.toString('utf8'));
    const http = { method: 'POST', url, status };
    const statusError = this.#statusError('POST', url, status);
    // 400 and 422 carry GraphQL errors worth reporting; other failures say it all by their status.
    if (statusError && status !== 400 && status !== 422) throw statusError;
    let parsed: WireGraphqlResponse<T>;
    try {
      parsed = JSON.parse(body) as WireGraphqlResponse<T>;
    } catch {
      throw statusError ?? new TransientError('stash_unavailable', `Stash answered HTTP ${status} with a body that is not JSON`, { http });
    }
    const first = parsed.errors?.[0];
    if (first) {
      // gqlgen answers 422 for documents the schema rejects and 200 for resolver errors.
      const message = redact(String(first.message ?? 'unknown GraphQL error'));
      if (TRANSIENT_GRAPHQL_MESSAGES.some((re) => re.test(message))) throw new TransientError('stash_unavailable', `Stash is busy: ${message}`, { http });
      throw new PermanentError('bad_request', `Stash rejected the query: ${message}`, { http });
    }
    if (statusError) throw statusError;
    if (parsed.data == null) throw new PermanentError('bad_request', 'Stash answered without data or errors', { http });
    return parsed.data;
  }

  /**
   * An image Stash serves (a scene's screenshot). Stash builds image URLs from
   * the host a request came in on or its configured external address, which
   * this process may not reach, and our credentials belong only to the Stash
   * we talk to: so the path is always fetched from our own base URL.
   */
  async fetchImage(imageUrl: string): Promise<FetchedImage> {
    const url = this.#onOurStash(imageUrl);
    const logged = url.split('?')[0] ?? url;
    const { status, body } = await this.#exchange('GET', url, { Accept: 'image/*' }, undefined, (res) => ({
      bytes: new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength),
      contentType: res.headers['content-type'] || 'application/octet-stream',
    }));
    if (status === 404) throw new PermanentError('not_found', 'Stash has no such image', { http: { method: 'GET', url: logged, status } });
    const statusError = this.#statusError('GET', logged, status);
    if (statusError) throw statusError;
    return body;
  }

  /** The same path and query on the Stash we talk to (a prefix in our base URL kept). */
  #onOurStash(imageUrl: string): string {
    const base = new URL(`${this.#baseUrl}/`);
    let source: URL;
    try {
      source = new URL(imageUrl, base);
    } catch {
      throw new PermanentError('bad_request', 'Stash gave an image URL that cannot be parsed');
    }
    if (source.origin === base.origin) return source.href;
    const path = source.pathname.startsWith(base.pathname) ? source.pathname : `${base.pathname.replace(/\/$/, '')}${source.pathname}`;
    return `${base.origin}${path}${source.search}`;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.#cookie) headers['Cookie'] = `${this.#cookie.name}=${this.#cookie.value}`;
    if (this.#apiKey) headers['ApiKey'] = this.#apiKey;
    return headers;
  }

  /** One request with a deadline covering the body too; network failures become TransientErrors. */
  async #exchange<B>(method: string, url: string, headers: Record<string, string>, body: string | undefined, read: (res: HttpAnswer) => B): Promise<{ status: number; body: B }> {
    const logged = url.split('?')[0] ?? url;
    const limit = deadline(this.#timeoutMs);
    try {
      // Redirects are not followed: an answer from elsewhere is reported as such.
      const res = await exchange(new URL(url), { method, headers: { ...this.#headers(), ...headers }, body, signal: limit.signal });
      this.#pickUpCookie(res);
      return { status: res.status, body: read(res) };
    } catch (err) {
      if (limit.expired()) {
        throw new TransientError('timeout', `Stash did not answer within ${this.#timeoutMs} ms`, { cause: err, http: { method, url: logged } });
      }
      throw new TransientError('stash_unavailable', `Stash is unreachable at ${this.#baseUrl}: ${redact(networkCode(err))}`, { cause: err, http: { method, url: logged } });
    } finally {
      limit.dispose();
    }
  }

  /** Stash sends a refreshed session cookie now and then; the newest one wins. */
  #pickUpCookie(res: HttpAnswer): void {
    if (!this.#cookie) return;
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== this.#cookie.name) continue;
      const value = pair.slice(eq + 1).trim();
      const deleted = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (value === '' || deleted) continue;
      registerSecret(value);
      this.#cookie = { name: this.#cookie.name, value };
    }
  }

  #statusError(method: string, url: string, status: number): PlexSyncError | undefined {
    const http = { method, url, status };
    if (status >= 200 && status < 300) return undefined;
    if (status === 401 || status === 403) {
      // A wrong API key stays wrong: permanent at once, saying how to fix it.
      // Stash checks the key before any session, so with a key this is the key.
      if (this.#apiKey) return new PermanentError('stash_auth', `Stash refused the API key (HTTP ${status}): ${HOW_TO_GIVE_AN_API_KEY}`, { http, origin: 'stash' });
      // With a session this means it expired; the next hook or task run by
      // Stash brings a fresh one, so the work waits instead of being dropped.
      const what = this.#cookie
        ? 'the session (it has probably expired; the next hook or task brings a fresh one)'
        : `an unauthenticated request (Stash has credentials set: ${HOW_TO_GIVE_AN_API_KEY})`;
      return new TransientError('stash_auth', `Stash refused ${what}`, { http, origin: 'stash' });
    }
    if (status >= 500) return new TransientError('stash_unavailable', `Stash answered HTTP ${status}`, { http });
    if (status >= 300 && status < 400) return new PermanentError('bad_request', `Stash answered with a redirect (HTTP ${status}); check the Stash URL`, { http });
    return new PermanentError('bad_request', `Stash answered HTTP ${status}`, { http });
  }
}
