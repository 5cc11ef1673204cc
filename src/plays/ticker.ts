// Imports on a schedule: once when a plugin-mode worker starts, and (for the
// service) every PLEXSYNC_PLAYS_POLL_MS. Failures are logged and tried again
// at the next turn; they never stop the worker or the service.
import type { Settings } from '../config/settings.ts';
import type { Db } from '../db/database.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { SceneSyncDeps } from '../sync/scene-sync.ts';
import { runPlaysImport } from './run.ts';

type Sync = Pick<SceneSyncDeps, 'plex' | 'stash' | 'index'>;

async function importOnce(db: Db, settings: Settings, sync: Sync, log: Logger): Promise<void> {
  try {
    const summary = await runPlaysImport(db, settings, sync, log, { dryRun: false, wait: false });
    const busy = summary.playsAdded + summary.resumePoints + summary.ratings > 0;
    if (busy) log.info(`import plays: ${summary.message}`);
    else log.debug(`import plays: ${summary.message}`);
  } catch (err) {
    log.warn(`import of plays from Plex failed, will try again later: ${describeError(err)}`);
  }
}

/** For the drain loop of a plugin-mode worker: imports on the first call only. */
export function playsAtStart(db: Db, settings: Settings, sync: Sync, log: Logger): () => Promise<void> {
  let done = !settings.importPlays;
  return async () => {
    if (done) return;
    done = true;
    await importOnce(db, settings, sync, log);
  };
}

/** For a long-running process: imports at the first call and then once per interval. */
export function playsEvery(db: Db, settings: Settings, sync: Sync, log: Logger, intervalMs: number): () => Promise<void> {
  let lastRun: number | undefined;
  return async () => {
    if (!settings.importPlays) return;
    const now = Date.now();
    if (lastRun !== undefined && now - lastRun < intervalMs) return;
    lastRun = now;
    await importOnce(db, settings, sync, log);
  };
}
