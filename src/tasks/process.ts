// The `process` task: drain the queue in the foreground with progress. If a
// background worker already holds the lease, cooperate: watch it drain and
// report progress instead of racing it.
import { type Db, setKv, sql } from '../db/database.ts';
import { describeError } from '../errors.ts';
import type { RunContext } from '../entry/context.ts';
import { counts } from '../queue/operations.ts';
import { drain } from '../worker/drain.ts';
import { makeSyncWorker } from '../worker/deps.ts';
import { acquireLease, currentLease, releaseLease } from '../worker/lease.ts';
import type { DepsLoader } from '../worker/run.ts';
import { sleep } from '../worker/sleep.ts';
import { ensureWorker } from '../worker/spawn.ts';
import { randomUuid } from '../random-id.ts';

/** How long the task watches a background worker before handing back to Stash. */
const WATCH_LIMIT_MS = 60 * 60_000;

function dueOrRunning(db: Db, now = Date.now()): number {
  const row = sql(db, `SELECT count(*) AS n FROM jobs WHERE (status = 'pending' AND run_at <= ?) OR status = 'in_progress'`)
    .get(now) as { n: number };
  return row.n;
}

export type ProcessResult = Record<string, unknown> & { pending: number; inProgress: number; dead: number; done: number };

export async function processTask(ctx: RunContext, db: Db, loadDeps: DepsLoader, watched = false): Promise<ProcessResult> {
  const { log, env } = ctx;
  const total = Math.max(1, dueOrRunning(db));
  const owner = randomUuid();
  if (!acquireLease(db, owner, process.pid, env.workerLeaseMs)) {
    if (watched) throw new Error('another worker took the queue over again while this task waited: run "Process queue" once more');
    return watchBackgroundWorker(ctx, db, total, loadDeps);
  }
  let settingsWork = false;
  try {
    const deps = await loadDeps(ctx, db);
    settingsWork = true;
    setKv(db, 'settings_problem', '');
    try {
      log.info(`Processing ${total} queued job(s)`);
      log.progress(0);
      let finished = 0;
      const stats = await drain({
        db,
        worker: makeSyncWorker(db, deps, env, log, owner),
        log,
        owner,
        workerLeaseMs: env.workerLeaseMs,
        concurrency: deps.concurrency,
        idleExitMs: 0,
        stopWhenNothingDue: true,
        onStep: () => log.progress(Math.min(1, ++finished / total)),
      });
      log.progress(1);
      const left = counts(db);
      log.info(`Processed: ${stats.done} synced, ${stats.retried} to retry later, ${stats.dead} dead letters`);
      return { ...stats, ...left };
    } finally {
      deps.close();
    }
  } catch (err) {
    // Bad settings end the task at once with their error; no worker is started to meet the same.
    if (!settingsWork) setKv(db, 'settings_problem', describeError(err));
    throw err;
  } finally {
    releaseLease(db, owner);
    // Retries due later need a worker to wait for them.
    if (settingsWork && counts(db).pending > 0) {
      ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
    }
  }
}

/**
 * Follows a background worker's drain. When that worker stops with work
 * left, this task drains the rest itself (once): it never starts workers in
 * a loop, and bad settings end it at once with their error.
 */
async function watchBackgroundWorker(ctx: RunContext, db: Db, total: number, loadDeps: DepsLoader): Promise<ProcessResult> {
  const { log } = ctx;
  log.info(`A background worker is draining the queue (${total} job(s) due): following its progress`);
  const until = Date.now() + WATCH_LIMIT_MS;
  for (let left = dueOrRunning(db); left > 0 && Date.now() < until; left = dueOrRunning(db)) {
    log.progress(1 - left / total);
    if (!currentLease(db)) return processTask(ctx, db, loadDeps, true);
    await sleep(250);
  }
  log.progress(1);
  const left = counts(db);
  log.info(`Queue: ${left.pending} pending, ${left.dead} dead letters`);
  return { watched: true, ...left };
}
