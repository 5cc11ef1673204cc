// The few plex.tv routes the panel's setup needs: Plex's PIN sign-in, the
// account, and the account's servers with their addresses. Its base URL is
// PLEXSYNC_PLEX_TV_URL (tests point it at a fake on loopback). The token
// travels in the X-Plex-Token header only, never in a URL.
//
// PIN flow (Plex's "Authenticating with Plex" for third-party apps):
//   POST /api/v2/pins?strong=true            -> { id, code, expiresAt }
//   the user opens https://app.plex.tv/auth#?clientID=..&code=..&context[device][product]=..
//   GET  /api/v2/pins/{id}                   -> { authToken } once approved; 404 once expired
// Servers: GET /api/v2/resources?includeHttps=1&includeRelay=1 -> devices; a
// server `provides` "server" and lists its connections (uri, local, relay).
import { PermanentError, TransientError } from '../errors.ts';
import { registerSecret } from '../log/redact.ts';
import { deadline } from '../net/deadline.ts';
import { exchange, type HttpAnswer } from '../net/http.ts';

export const PLEX_AUTH_APP = 'https://app.plex.tv/auth';
const PRODUCT = 'PlexSync';
const TIMEOUT_MS = 15_000;

export interface PlexPin {
  id: number;
  code: string;
  expiresAt: string | null;
}

export interface PlexConnection {
  uri: string;
  local: boolean;
  relay: boolean;
}

export interface PlexServerResource {
  name: string;
  clientIdentifier: string;
  owned: boolean;
  /** The token for this server: the account's own for servers it owns, another for shared ones. */
  accessToken: string | null;
  connections: PlexConnection[];
}

interface WireResource {
  name?: string;
  clientIdentifier?: string;
  provides?: string;
  owned?: boolean;
  accessToken?: string | null;
  connections?: { uri?: string; local?: boolean; relay?: boolean }[];
}

export class PlexTvClient {
  readonly #base: string;
  readonly #clientId: string;
  readonly #version: string;

  constructor(options: { baseUrl: string; clientIdentifier: string; version: string }) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#clientId = options.clientIdentifier;
    this.#version = options.version;
  }

  /** The page the user opens to approve the PIN. */
  authUrl(pin: PlexPin): string {
    const query = new URLSearchParams({ clientID: this.#clientId, code: pin.code, 'context[device][product]': PRODUCT });
    return `${PLEX_AUTH_APP}#?${query.toString()}`;
  }

  async createPin(): Promise<PlexPin> {
    const body = (await this.#request('POST', '/api/v2/pins?strong=true')) as { id?: unknown; code?: unknown; expiresAt?: unknown };
    if (typeof body.id !== 'number' || typeof body.code !== 'string') throw new PermanentError('bad_request', 'plex.tv answered a PIN without id or code');
    return { id: body.id, code: body.code, expiresAt: typeof body.expiresAt === 'string' ? body.expiresAt : null };
  }

  /** The token once the user approved; null while waiting; 'expired' once plex.tv forgot the PIN. */
  async checkPin(id: number): Promise<string | null | 'expired'> {
    try {
      const body = (await this.#request('GET', `/api/v2/pins/${id}`)) as { authToken?: unknown };
      if (typeof body.authToken === 'string' && body.authToken !== '') {
        registerSecret(body.authToken);
        return body.authToken;
      }
      return null;
    } catch (err) {
      if (err instanceof PermanentError && err.code === 'not_found') return 'expired';
      throw err;
    }
  }

  /** The account's user name; refuses a token plex.tv does not know. */
  async account(token: string): Promise<string> {
    const body = (await this.#request('GET', '/api/v2/user', token)) as { username?: unknown; title?: unknown };
    return String(body.username ?? body.title ?? '');
  }

  async servers(token: string): Promise<PlexServerResource[]> {
    const body = (await this.#request('GET', '/api/v2/resources?includeHttps=1&includeRelay=1', token)) as WireResource[];
    if (!Array.isArray(body)) throw new PermanentError('bad_request', 'plex.tv answered the resources with something other than a list');
    return body
      .filter((r) => (r.provides ?? '').split(',').includes('server'))
      .map((r) => {
        if (r.accessToken) registerSecret(r.accessToken);
        return {
          name: String(r.name ?? 'Plex Media Server'),
          clientIdentifier: String(r.clientIdentifier ?? ''),
          owned: r.owned !== false,
          accessToken: r.accessToken ?? null,
          connections: (r.connections ?? [])
            .filter((c): c is { uri: string; local?: boolean; relay?: boolean } => typeof c.uri === 'string')
            .map((c) => ({ uri: c.uri.replace(/\/+$/, ''), local: c.local === true, relay: c.relay === true })),
        };
      });
  }

  async #request(method: string, path: string, token?: string): Promise<unknown> {
    if (token) registerSecret(token);
    const url = `${this.#base}${path}`;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Plex-Product': PRODUCT,
      'X-Plex-Version': this.#version,
      'X-Plex-Client-Identifier': this.#clientId,
      ...(token ? { 'X-Plex-Token': token } : {}),
    };
    let response: HttpAnswer;
    const limit = deadline(TIMEOUT_MS);
    try {
      response = await exchange(new URL(url), { method, headers, signal: limit.signal });
    } catch (err) {
      const why = limit.expired() ? 'did not answer in time' : 'is not reachable';
      throw new TransientError('network', `plex.tv ${why} (${this.#base}): check this machine's internet connection, or paste a token instead`, {
        cause: err,
        http: { method, url },
      });
    } finally {
      limit.dispose();
    }
    const http = { method, url, status: response.status };
    if (response.status === 401) throw new PermanentError('unauthorized', 'plex.tv refused the token', { http });
    if (response.status === 404) throw new PermanentError('not_found', 'plex.tv has no such PIN or route', { http });
    if (response.status >= 500) throw new TransientError('http_5xx', `plex.tv answered ${response.status}: try again in a moment`, { http });
    if (response.status < 200 || response.status >= 300) throw new PermanentError('bad_request', `plex.tv answered ${response.status}`, { http });
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch (err) {
      throw new TransientError('network', 'plex.tv sent an answer that is not JSON', { cause: err, http });
    }
  }
}
