// The `sync_all` task: queue every scene, then drain like `process`. Safe to
// run twice or while hooks arrive: a scene already pending absorbs the new
// event (coalescing), so nothing is synced twice for it.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import type { Logger } from '../log/logger.ts';
import { enqueueMany } from '../queue/operations.ts';
import { stashClientFor } from '../sync/worker-deps.ts';
import type { DepsLoader } from '../worker/run.ts';
import { processTask } from './process.ts';

/** Light scene stamps per Stash request. */
const STAMP_PAGE = 1000;
/** Share of the progress bar given to queueing; draining takes the rest. */
const QUEUE_SHARE = 0.05;

export async function syncAllTask(ctx: RunContext, db: Db, loadDeps: DepsLoader) {
  const { log } = ctx;
  const stash = stashClientFor(ctx);
  log.info('Sync all: queueing every scene');
  log.progress(0);
  let queued = 0;
  let alreadyQueued = 0;
  for await (const stamps of stash.allSceneStamps(STAMP_PAGE)) {
    // One transaction per page keeps hooks (which write too) from waiting long.
    const result = enqueueMany(
      db,
      stamps.map((s) => ({ kind: 'scene' as const, entityId: s.id })),
    );
    queued += result.added;
    alreadyQueued += result.coalesced;
  }
  log.info(`Sync all: ${queued + alreadyQueued} scene(s) queued (${alreadyQueued} were already waiting)`);
  log.progress(QUEUE_SHARE);
  const drained = await processTask({ ...ctx, log: scaledProgress(log, QUEUE_SHARE) }, db, loadDeps);
  return { scenes: queued + alreadyQueued, alreadyQueued, ...drained };
}

/** The same logger with progress mapped from 0..1 onto from..1. */
function scaledProgress(log: Logger, from: number): Logger {
  return { ...log, progress: (fraction) => log.progress(from + (1 - from) * Math.min(1, Math.max(0, fraction))) };
}
