// One small hierarchy, classified once where the error is born. Everything
// downstream asks `isTransient(err)` instead of parsing messages.

export type ErrorCode =
  | 'network' // connection refused, reset, DNS, cut-off body
  | 'timeout'
  | 'http_5xx'
  | 'plex_starting' // 503 while Plex migrates its database
  | 'rate_limited' // 429
  | 'not_scanned' // Plex has no item for the file yet
  | 'cancelled' // our own abort (a lost job lease, a shutdown): says nothing about the server
  | 'stash_unavailable'
  | 'stash_auth' // Stash refused our session or key
  | 'unauthorized' // 401: wrong token or session
  | 'bad_request' // 400 and other 4xx
  | 'request_too_large' // 414, 431, or a 400 or reset on a long request: split it
  | 'not_found'
  | 'ambiguous_match'
  | 'scene_gone' // the scene no longer exists in Stash
  | 'write_not_applied' // Plex answered 200 but the read-back differs
  | 'bad_settings'
  | 'lease_lost' // this worker lost its lease to another: it stops writing
  | 'bad_input'
  | 'internal';

export interface HttpDetails {
  method: string;
  /** URL without any token: safe to log. */
  url: string;
  status?: number;
}

/** Which server an error came from; the circuit breaker listens to Plex's only. */
export type ErrorOrigin = 'plex' | 'stash';

export abstract class PlexSyncError extends Error {
  abstract readonly transient: boolean;
  readonly code: ErrorCode;
  readonly http?: HttpDetails;
  readonly origin?: ErrorOrigin;
  /** Server-given delay (Retry-After), wins over the computed backoff. */
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; http?: HttpDetails; retryAfterMs?: number; origin?: ErrorOrigin } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.http) this.http = options.http;
    if (options.origin) this.origin = options.origin;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Worth retrying later: the world may change (Plex comes back, a scan ends). */
export class TransientError extends PlexSyncError {
  override readonly name = 'TransientError';
  readonly transient = true;
}

/** Retrying cannot help: goes to the dead-letter queue at once. */
export class PermanentError extends PlexSyncError {
  override readonly name = 'PermanentError';
  readonly transient = false;
}

/** Unknown errors count as transient: losing a change is worse than retrying. */
export function isTransient(err: unknown): boolean {
  return err instanceof PlexSyncError ? err.transient : true;
}

export function errorOrigin(err: unknown): ErrorOrigin | undefined {
  return err instanceof PlexSyncError ? err.origin : undefined;
}

export function errorCode(err: unknown): ErrorCode {
  return err instanceof PlexSyncError ? err.code : 'internal';
}

/** A message for humans: class, code and text, no stack. */
export function describeError(err: unknown): string {
  if (err instanceof PlexSyncError) {
    const where = err.http ? ` (${err.http.method} ${err.http.url}${err.http.status ? ` -> ${err.http.status}` : ''})` : '';
    return `${err.message}${where}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
