// Status code -> error class, decided once for every Plex response
// (CONTRACT sec. 12). Plex answers errors with HTML or XML whatever `Accept`
// says, so the body is only sniffed, never parsed.

import { type HttpDetails, PermanentError, type PlexSyncError, TransientError } from '../errors.ts';

/**
 * An HTTP-date (RFC 9110 sec. 5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
 * the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime
 * `Sun Nov  6 08:49:37 1994`. Date.parse alone reads far more than that
 * (`5.5` and `-1` are dates to it), so the shape is checked first.
 */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday)?(?:, \d{2}[ -][A-Z][a-z]{2}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT| [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * `Retry-After` as milliseconds: whole delta-seconds or an HTTP date (a date
 * already past means now). Anything else (`5.5`, `-1`, garbage) is
 * undefined, and the normal backoff applies.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Statuses that mean "not now" rather than "never": the request may be sent again as it is. */
const TRANSIENT_STATUS: Record<number, string> = {
  408: 'Plex timed out waiting for the request (408)',
  425: 'Plex would not risk a replayed request (425)',
};

export function errorForStatus(
  status: number,
  body: string,
  retryAfter: string | undefined,
  http: HttpDetails,
): PlexSyncError | null {
  if (status >= 200 && status < 300) return null;
  if (status === 401) {
    return new PermanentError('unauthorized', 'Plex rejected the token: check the plexToken setting (Plex Web: an item\'s "Get Info" > "View XML" shows X-Plex-Token in the address)', { http, origin: 'plex' });
  }
  if (status === 404) return new PermanentError('not_found', 'Plex has no such item or route', { http, origin: 'plex' });
  // Retry-After is honoured on every transient answer that carries one.
  const retryAfterMs = parseRetryAfter(retryAfter);
  const later = { http, origin: 'plex' as const, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 429) return new TransientError('rate_limited', 'Plex asked to slow down (429)', later);
  const transient = TRANSIENT_STATUS[status];
  if (transient) return new TransientError('timeout', transient, later);
  // PMS answers 503 with a Maintenance body while it migrates its database at start.
  if (status === 503 && /title="Maintenance"/.test(body)) {
    return new TransientError('plex_starting', 'Plex is starting (database maintenance)', later);
  }
  if (status >= 500) return new TransientError('http_5xx', `Plex server error ${status}`, later);
  return new PermanentError('bad_request', `Plex refused the request (${status})`, { http, origin: 'plex' });
}
