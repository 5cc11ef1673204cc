// What a draining process needs besides the queue: the job processor (the
// real sync), the circuit-breaker gate and the limits from the settings.
import type { EnvKnobs } from '../config/env.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { type Gate, type JobProcessor, SyncWorker } from './processor.ts';

export interface WorkerDeps {
  processor: JobProcessor;
  gate?: Gate;
  maxAttempts: number;
  concurrency: number;
  /** Periodic housekeeping the drain loop runs between rounds (catch-up); decides itself when to act. */
  tick?: () => Promise<void>;
  /** True once this process cannot go on (Stash no longer accepts its session): another worker takes over. */
  shouldHandOver?: () => boolean;
  close(): void;
}

/** A SyncWorker draining under the worker lease `owner`. */
export function makeSyncWorker(db: Db, deps: WorkerDeps, env: EnvKnobs, log: Logger, owner: string): SyncWorker {
  return new SyncWorker({
    db,
    log,
    owner,
    workerLeaseMs: env.workerLeaseMs,
    processor: deps.processor,
    ...(deps.gate ? { gate: deps.gate } : {}),
    maxAttempts: deps.maxAttempts,
    jobLeaseMs: env.jobLeaseMs,
    backoff: { baseMs: env.retryBaseMs, capMs: env.retryCapMs },
  });
}
