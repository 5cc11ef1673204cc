// What a user does about a failure, by its error code: the panel shows it
// under the reason of a failed or waiting scene and beside each dead letter.
// Pure; the codes are the ones the clients classify errors with.
import { describeError, errorCode, PlexSyncError } from '../errors.ts';

const STEPS: Record<string, string> = {
  not_found: 'Plex lost the item: press Sync now to match the scene again; if it still fails, check Path mapping or run Detect path mapping.',
  not_scanned: 'Check Path mapping and Plex libraries, or run Detect path mapping; if the path is right, let Plex scan that folder. PlexSync retries by itself; after a fix press Sync now.',
  ambiguous_match: 'Several Plex items could be this scene: fix Path mapping so the exact file path matches (run Detect path mapping), or remove the duplicate in Plex; then press Sync now.',
  unauthorized: 'Plex refused the token: sign in again in the panel\'s Set up (or paste a fresh token), then Retry dead letters.',
  stash_auth: 'Stash refused PlexSync\'s session: run any PlexSync task from Stash so the next run has a fresh one, or set PLEXSYNC_STASH_API_KEY.',
  scene_gone: 'The scene was deleted in Stash: Clear dead letters.',
  bad_settings: 'Correct the setting named in the reason (plugin settings, or the panel\'s Set up), then press Sync now.',
  bad_request: 'Plex refused the edit: check the reason; if it names a field, that field\'s value in Stash is what Plex would not take. Then press Sync now.',
  network: 'Nothing to do if Plex is restarting: PlexSync retries by itself. Otherwise start Plex, or correct Plex URL (the address as seen from where Stash runs).',
  timeout: 'Nothing to do if Plex is busy: PlexSync retries by itself. If it keeps timing out, raise Plex request timeout in the plugin settings.',
  http_5xx: 'Plex had an internal error: PlexSync retries by itself. If it keeps failing, look at Plex\'s own log.',
  circuit_open: 'Plex has not answered for a while: PlexSync probes it and drains the queue once it answers. Check that Plex is running and Plex URL is right.',
  plex_starting: 'Plex is starting: PlexSync retries by itself once Plex answers.',
  rate_limited: 'Plex asked to slow down: PlexSync retries by itself.',
  stash_unavailable: 'Nothing to do if Stash is restarting: PlexSync retries by itself. Otherwise check that Stash is running.',
  write_not_applied: 'Plex answered but did not keep the edit: PlexSync retries; if it keeps failing, check that the library uses an agent that allows edits.',
};

/** The next step for an error code, or undefined when there is nothing better than the reason. */
export function nextStepFor(code: string | null | undefined): string | undefined {
  return code && Object.hasOwn(STEPS, code) ? STEPS[code] : undefined;
}

/** For an answer the panel shows as it is: the message, then what to do about it. */
export function withNextStep(err: unknown): Error {
  const step = nextStepFor(errorCode(err));
  const message = describeError(err);
  if (!step) return err instanceof Error ? err : new Error(message);
  const better = new Error(`${message}. ${step}`);
  if (err instanceof PlexSyncError) Object.assign(better, { code: err.code });
  return better;
}
