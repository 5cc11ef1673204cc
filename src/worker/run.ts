// The background worker process (`plexsync.mjs --worker <owner>`): spawned
// detached by a hook, adopts the lease the hook reserved for it, drains the
// queue and exits when idle.
import { join } from 'node:path';
import { describeError, isTransient } from '../errors.ts';
import { type Db, setKv } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { createFileLogger, type Logger } from '../log/logger.ts';
import { acquireLease, releaseLease } from './lease.ts';
import { drain } from './drain.ts';
import { sleep } from './sleep.ts';
import { makeSyncWorker, type WorkerDeps } from './deps.ts';
import { collectBetweenJobs } from './collector.ts';

// Not a static import: see db/database.ts.
const { appendFileSync, renameSync, statSync } = process.getBuiltinModule('node:fs');

const LOG_FILE = 'worker.log';
const LOG_MAX_BYTES = 5 * 1024 * 1024;

export function workerFileLogger(dataDir: string): Logger {
  const file = join(dataDir, LOG_FILE);
  return createFileLogger((text) => {
    try {
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > LOG_MAX_BYTES) renameSync(file, `${file}.1`);
      appendFileSync(file, text, { mode: 0o600 });
    } catch {
      // Logging must never stop the sync; the status task still shows state.
    }
  });
}

export type DepsLoader = (ctx: RunContext, db: Db) => Promise<WorkerDeps>;

export async function runBackgroundWorker(ctx: RunContext, db: Db, owner: string, loadDeps: DepsLoader): Promise<void> {
  const { log, env } = ctx;
  if (!acquireLease(db, owner, process.pid, env.workerLeaseMs)) {
    log.debug('another worker holds the lease: exiting');
    return;
  }
  log.info(`worker ${process.pid} started`);
  try {
    const deps = await loadDepsPatiently(ctx, db, owner, loadDeps);
    if (!deps) return;
    try {
      const worker = makeSyncWorker(db, deps, env, log, owner);
      // globalThis.gc exists when the hook spawned us with --expose-gc (WORKER_NODE_FLAGS).
      const collect = collectBetweenJobs(globalThis.gc);
      const stats = await drain({
        db,
        worker,
        log,
        owner,
        workerLeaseMs: env.workerLeaseMs,
        concurrency: deps.concurrency,
        idleExitMs: env.idleExitMs,
        ...(deps.tick ? { onTick: deps.tick } : {}),
        ...(deps.shouldHandOver ? { shouldHandOver: deps.shouldHandOver } : {}),
        ...(collect ? { onStep: collect } : {}),
      });
      log.info(`worker ${process.pid} stopping (${stats.reason}): ${stats.done} synced, ${stats.retried} retried, ${stats.dead} dead`);
    } finally {
      deps.close();
    }
  } finally {
    releaseLease(db, owner);
  }
}

/**
 * Settings come from Stash. While Stash is unreachable, keep trying for as long
 * as an idle worker would live; bad settings stop the worker at once (the jobs
 * stay queued and `status` names the problem).
 */
async function loadDepsPatiently(ctx: RunContext, db: Db, owner: string, loadDeps: DepsLoader): Promise<WorkerDeps | undefined> {
  const giveUpAt = Date.now() + Math.max(ctx.env.idleExitMs, 5_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const deps = await loadDeps(ctx, db);
      setKv(db, 'settings_problem', '');
      return deps;
    } catch (err) {
      const message = describeError(err);
      if (!isTransient(err) || Date.now() >= giveUpAt) {
        setKv(db, 'settings_problem', message);
        ctx.log.error(`cannot start syncing: ${message}`);
        return undefined;
      }
      ctx.log.warn(`waiting for Stash (attempt ${attempt}): ${message}`);
      acquireLease(db, owner, process.pid, ctx.env.workerLeaseMs);
      await sleep(Math.min(5_000, 250 * 2 ** attempt));
    }
  }
}
