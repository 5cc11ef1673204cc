// The one place bytes move to and from Plex, over node:http/node:https
// (src/net/http.ts): fetch could not skip certificate checks without the
// undici package, and a self-signed certificate is common on home servers.
//
// Failures that never produced a status are classified here: the caller's
// timeout -> 'timeout', an untrusted certificate -> permanent 'bad_settings',
// everything else (refused, reset, DNS, a body cut off before its end) ->
// 'network'. Status codes are classified by the caller (status.ts).

import type http from 'node:http';
import { type HttpDetails, PermanentError, TransientError } from '../errors.ts';
import { deadline } from '../net/deadline.ts';
import { exchange, type HttpAnswer, httpLib } from '../net/http.ts';

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type RawResponse = HttpAnswer;

/**
 * Idle keep-alive sockets are dropped after this long, before a server's own
 * idle timeout (Node-based proxies: 5 s) closes one just as it is reused. Only
 * free sockets are destroyed on this timeout; a slow answer is bounded by
 * the per-request timeout instead.
 */
const IDLE_SOCKET_MS = 4_000;

/** OpenSSL / Node verification failures: self-signed, unknown issuer, expired, wrong host name. */
const TLS_TRUST_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** What a connection failure's code tells a user to check. */
export const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'the host name does not resolve: check the host in plexUrl',
  EAI_AGAIN: 'the host name could not be looked up (DNS): check the host in plexUrl and the network',
  ECONNREFUSED: 'nothing listens there: is Plex running, and are the host and port in plexUrl right (Plex listens on 32400)?',
  EHOSTUNREACH: 'no route to that host: check the address in plexUrl and the network',
  ENETUNREACH: 'no route to that network: check the address in plexUrl and the network',
  ETIMEDOUT: 'the connection timed out: check the address in plexUrl and any firewall',
  EPROTO: 'the TLS handshake failed: does plexUrl say https:// for a server that speaks http://, or the other way round?',
};

export class Transport {
  readonly #agent: http.Agent;
  readonly #secure: boolean;
  /** The server tried, for messages: scheme, host and port only. */
  readonly #origin: string;

  constructor(baseUrl: URL, insecureTls: boolean) {
    this.#secure = baseUrl.protocol === 'https:';
    this.#origin = baseUrl.origin;
    // Keep-alive: a sync makes many small requests to the same server.
    this.#agent = this.#secure
      ? new (httpLib(true).Agent)({ keepAlive: true, timeout: IDLE_SOCKET_MS, rejectUnauthorized: !insecureTls })
      : new (httpLib(false).Agent)({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  }

  /** Closes every socket, idle or busy: call once the client is no longer used. */
  close(): void {
    this.#agent.destroy();
  }

  async send(req: RawRequest, details: HttpDetails): Promise<RawResponse> {
    const limit = deadline(req.timeoutMs, req.signal);
    try {
      return await exchange(req.url, { method: req.method, headers: req.headers, body: req.body, agent: this.#agent, signal: limit.signal });
    } catch (cause) {
      if (limit.expired()) {
        throw new TransientError('timeout', `Plex did not answer within ${req.timeoutMs} ms`, { cause, http: details, origin: 'plex' });
      }
      if (req.signal?.aborted) {
        throw new TransientError('cancelled', 'request to Plex was cancelled', { cause, http: details, origin: 'plex' });
      }
      const code = (cause as { code?: unknown }).code;
      const why = typeof code === 'string' ? code : (cause as Error).message;
      // Retrying cannot fix an untrusted certificate; the user has to act.
      if (typeof code === 'string' && TLS_TRUST_CODES.test(code)) {
        throw new PermanentError('bad_settings', `Plex's TLS certificate is not trusted (${code}): fix it or turn on plexInsecureTls`, {
          cause,
          http: details,
          origin: 'plex',
        });
      }
      const hint = typeof code === 'string' && NETWORK_HINTS[code] ? `: ${NETWORK_HINTS[code]}` : '';
      throw new TransientError('network', `cannot reach Plex at ${this.#origin} (${why})${hint}`, { cause, http: details, origin: 'plex' });
    } finally {
      limit.dispose();
    }
  }
}
