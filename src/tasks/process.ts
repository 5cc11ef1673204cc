// The `process` task: drain the queue in the foreground with progress. If a
// background worker already holds the lease, cooperate: watch it drain and
// report progress instead of racing it.
import { type Db, sql } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { counts } from '../queue/operations.ts';
import { drain } from '../worker/drain.ts';
import { makeSyncWorker } from '../worker/deps.ts';
import { acquireLease, currentLease, releaseLease } from '../worker/lease.ts';
import type { DepsLoader } from '../worker/run.ts';
import { sleep } from '../worker/sleep.ts';
import { ensureWorker } from '../worker/spawn.ts';

/** How long the task watches a background worker before handing back to Stash. */
const WATCH_LIMIT_MS = 60 * 60_000;

function dueOrRunning(db: Db, now = Date.now()): number {
  const row = sql(db, `SELECT count(*) AS n FROM jobs WHERE (status = 'pending' AND run_at <= ?) OR status = 'in_progress'`)
    .get(now) as { n: number };
  return row.n;
}

export async function processTask(ctx: RunContext, db: Db, loadDeps: DepsLoader) {
  const { log, env } = ctx;
  const total = Math.max(1, dueOrRunning(db));
  const owner = process.getBuiltinModule('node:crypto').randomUUID();
  if (!acquireLease(db, owner, process.pid, env.workerLeaseMs)) {
    return watchBackgroundWorker(ctx, db, total);
  }
  try {
    const deps = await loadDeps(ctx, db);
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
  } finally {
    releaseLease(db, owner);
    // Retries due later need a worker to wait for them.
    if (counts(db).pending > 0) {
      ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
    }
  }
}

async function watchBackgroundWorker(ctx: RunContext, db: Db, total: number) {
  const { log } = ctx;
  log.info(`A background worker is draining the queue (${total} job(s) due): following its progress`);
  const until = Date.now() + WATCH_LIMIT_MS;
  for (let left = dueOrRunning(db); left > 0 && Date.now() < until; left = dueOrRunning(db)) {
    log.progress(1 - left / total);
    if (!currentLease(db)) ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
    await sleep(250);
  }
  log.progress(1);
  const left = counts(db);
  log.info(`Queue: ${left.pending} pending, ${left.dead} dead letters`);
  return { watched: true, ...left };
}
