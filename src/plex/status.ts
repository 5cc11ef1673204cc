// Status code -> error class, decided once for every Plex response
// (CONTRACT sec. 12). Plex answers errors with HTML or XML whatever `Accept`
// says, so the body is only sniffed, never parsed.

import { type HttpDetails, PermanentError, type PlexSyncError, TransientError } from '../errors.ts';

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function errorForStatus(
  status: number,
  body: string,
  retryAfter: string | undefined,
  http: HttpDetails,
): PlexSyncError | null {
  if (status >= 200 && status < 300) return null;
  if (status === 401) {
    return new PermanentError('unauthorized', 'Plex rejected the token: check the plexToken setting', { http, origin: 'plex' });
  }
  if (status === 404) return new PermanentError('not_found', 'Plex has no such item or route', { http, origin: 'plex' });
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return new TransientError('rate_limited', 'Plex asked to slow down (429)', {
      http,
      origin: 'plex',
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  // PMS answers 503 with a Maintenance body while it migrates its database at start.
  if (status === 503 && /title="Maintenance"/.test(body)) {
    return new TransientError('plex_starting', 'Plex is starting (database maintenance)', { http, origin: 'plex' });
  }
  if (status >= 500) return new TransientError('http_5xx', `Plex server error ${status}`, { http, origin: 'plex' });
  return new PermanentError('bad_request', `Plex refused the request (${status})`, { http, origin: 'plex' });
}
