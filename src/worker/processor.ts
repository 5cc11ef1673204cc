// SyncWorker: claims jobs, runs the job processor, and turns its outcome into
// ack (success), nack with backoff (transient) or dead letter (permanent).
import type { Db } from '../db/database.ts';
import { errorCode, isTransient, PermanentError, PlexSyncError, TransientError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { redact } from '../log/redact.ts';
import { ack, claim, extendLease, fail, type JobError, nack, recoverExpiredLeases } from '../queue/operations.ts';
import type { Job } from '../queue/types.ts';
import { type BackoffPolicy, backoffDelay } from './backoff.ts';
import { LeaseLostError, runFenced } from './fence.ts';
import { renewLease } from './lease.ts';

export { PermanentError, TransientError };

/** What a processor may report besides success: e.g. "nothing was written". */
export interface JobOutcome {
  summary?: string;
}

/** The seam between the queue machinery and the real sync. */
export type JobProcessor = (job: Job, signal: AbortSignal) => Promise<JobOutcome | undefined>;

/**
 * Asked before each job. While it answers no (e.g. Plex is down and the
 * circuit is open), jobs wait without burning attempts.
 */
export interface Gate {
  /** Undefined: go ahead. A number: do not claim before this time (epoch ms). */
  blockedUntil(now: number): Promise<number | undefined>;
  onSuccess(now: number): void;
  /** True when the failure is part of an outage the gate now handles: the job gets its attempt back. */
  onFailure(err: unknown, now: number): boolean;
}

export interface SyncWorkerOptions {
  db: Db;
  processor: JobProcessor;
  log: Logger;
  backoff: BackoffPolicy;
  maxAttempts: number;
  jobLeaseMs: number;
  /** The worker lease this process drains under: claims record it, writes are fenced by it. */
  owner?: string;
  /** How long a renewal of the worker lease lasts (with `owner`). */
  workerLeaseMs?: number;
  gate?: Gate;
  now?: () => number;
  random?: () => number;
}

export type StepResult =
  | { kind: 'idle' }
  | { kind: 'blocked'; until: number }
  | { kind: 'done' | 'retry' | 'dead' | 'lost'; job: Job; message?: string; errorClass?: string; code?: string };

export class SyncWorker {
  readonly #o: SyncWorkerOptions;
  readonly #now: () => number;

  constructor(options: SyncWorkerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Claims and processes at most one due job. */
  async step(): Promise<StepResult> {
    const { db, gate } = this.#o;
    const now = this.#now();
    const blocked = await gate?.blockedUntil(now);
    if (blocked !== undefined) return { kind: 'blocked', until: blocked };
    recoverExpiredLeases(db, now, this.#o.owner);
    const job = claim(db, this.#o.jobLeaseMs, now, { owner: this.#o.owner });
    if (!job) return { kind: 'idle' };
    return this.#run(job);
  }

  async #run(job: Job): Promise<StepResult> {
    const { db, log, jobLeaseMs } = this.#o;
    const controller = new AbortController();
    // Renew the job's lease while the processor works, so a slow Plex never
    // lets a second worker take the job over.
    const renew = setInterval(
      () => {
        try {
          if (!extendLease(db, job, jobLeaseMs, this.#now())) controller.abort(new Error('job lease lost'));
        } catch {
          // A busy database delays one renewal; the lease has slack for the next.
        }
      },
      Math.max(50, Math.floor(jobLeaseMs / 3)),
    );
    try {
      const outcome = await runFenced(
        () => this.#fence(job),
        () => this.#o.processor(job, controller.signal),
      );
      const now = this.#now();
      this.#o.gate?.onSuccess(now);
      if (!ack(db, job, now)) return { kind: 'lost', job };
      log.info(`${job.key}: ${outcome?.summary ?? 'synced'}`);
      return { kind: 'done', job, ...(outcome?.summary ? { message: outcome.summary } : {}) };
    } catch (err) {
      return this.#failed(job, err);
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Throws unless this process still holds its worker lease and the job's
   * lease. Both are renewed in the same breath: a lease that lapsed while
   * nobody took it over is still ours (the owner columns say so atomically),
   * one that another worker took is not.
   */
  #fence(job: Job): void {
    const { db, owner, jobLeaseMs, workerLeaseMs } = this.#o;
    const now = this.#now();
    if (owner !== undefined && !renewLease(db, owner, workerLeaseMs ?? jobLeaseMs, now)) throw new LeaseLostError('the worker lease');
    if (!extendLease(db, job, jobLeaseMs, now)) throw new LeaseLostError(`the lease of ${job.key}`);
  }

  #failed(job: Job, err: unknown): StepResult {
    const { db, log } = this.#o;
    if (err instanceof LeaseLostError) {
      // Whoever holds the job now owns its outcome; this process leaves it alone.
      log.warn(`${job.key}: ${err.message}: stopping without writing`);
      return { kind: 'lost', job, message: err.message };
    }
    const now = this.#now();
    const error = toJobError(err);
    const countedByGate = this.#o.gate?.onFailure(err, now) ?? false;
    if (!isTransient(err)) {
      if (!fail(db, job, error, now)) return { kind: 'lost', job };
      log.error(`${job.key}: dead letter: ${error.message}`);
      return { kind: 'dead', job, message: error.message, errorClass: error.errorClass, code: error.code };
    }
    // Failures the circuit breaker owns (Plex unreachable) do not use up the
    // job's attempts: an outage of any length loses nothing.
    if (!countedByGate && job.attempts >= this.#o.maxAttempts) {
      const message = `gave up after ${job.attempts} attempts: ${error.message}`;
      if (!fail(db, job, { ...error, message }, now)) return { kind: 'lost', job };
      log.error(`${job.key}: dead letter: ${message}`);
      return { kind: 'dead', job, message, errorClass: error.errorClass, code: error.code };
    }
    const retryAfter = err instanceof PlexSyncError ? err.retryAfterMs : undefined;
    const delay = backoffDelay(job.attempts, this.#o.backoff, retryAfter, this.#o.random);
    if (!nack(db, job, { runAt: now + delay, error, refundAttempt: countedByGate }, now)) return { kind: 'lost', job };
    log.warn(`${job.key}: will retry in ${Math.round(delay / 1000)} s (attempt ${job.attempts}): ${error.message}`);
    return { kind: 'retry', job, message: error.message, errorClass: error.errorClass, code: error.code };
  }
}

export function toJobError(err: unknown): JobError {
  const errorClass = err instanceof PlexSyncError ? err.name : err instanceof Error ? err.name : 'Error';
  const message = redact(err instanceof Error ? err.message : String(err));
  const http = err instanceof PlexSyncError && err.http ? ` (${err.http.method} ${redact(err.http.url)}${err.http.status ? ` -> ${err.http.status}` : ''})` : '';
  return { errorClass, code: errorCode(err), message: `${message}${http}` };
}
