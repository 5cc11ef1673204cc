// The service's periodic import (CONTRACT section 15: every
// PLEXSYNC_PLAYS_POLL_MS). Shaped as the service scheduler's job ({ name,
// everyMs, run(signal) }), so the service registers it with one call:
// `host.scheduler.every(importPlaysJob(host))`.
import type { Settings } from '../config/settings.ts';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import type { Logger } from '../log/logger.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';
import { runPlaysImport } from './run.ts';

export const IMPORT_PLAYS_JOB = 'import-plays';

/** What the job needs of the service host. */
export interface PlaysJobHost {
  ctx: RunContext;
  db: Db;
  log: Logger;
  /** The plugin settings as the service sees them (Stash's, with its overrides). */
  settings(): Promise<Settings>;
}

export function importPlaysJob(host: PlaysJobHost, everyMs = host.ctx.env.playsPollMs) {
  return {
    name: IMPORT_PLAYS_JOB,
    everyMs,
    async run(signal: AbortSignal): Promise<void> {
      const settings = await host.settings();
      if (!settings.importPlays) return;
      const { sync, close } = await loadSyncDeps(host.ctx, host.db);
      try {
        // A run still going when the next is due is simply skipped (wait: false).
        const summary = await runPlaysImport(host.db, settings, sync, host.log, { dryRun: false, wait: false, signal });
        const wrote = summary.playsAdded + summary.resumePoints + summary.ratings > 0;
        if (wrote) host.log.info(`import plays: ${summary.message}`);
        else host.log.debug(`import plays: ${summary.message}`);
      } finally {
        close();
      }
    },
  };
}
