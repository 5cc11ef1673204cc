// The queue's verbs. Every state change after a claim is fenced by the lease
// it was claimed with (`WHERE id = ? AND lease = ?`): a worker whose lease
// expired and was taken over can no longer ack or fail the job.
import { type Db, sql, transaction } from '../db/database.ts';
import { type JobRow, toJob } from './rows.ts';
import { type Job, type JobKind, jobKey, type NewJob, type QueueCounts } from './types.ts';
import { randomUuid } from '../random-id.ts';

export interface JobError {
  errorClass: string;
  code: string;
  message: string;
}

export interface EnqueueResult {
  id: number;
  /** True when the event folded into a job that was already pending. */
  coalesced: boolean;
}

function insertOrFold(db: Db, job: NewJob, now: number): EnqueueResult {
  const key = jobKey(job.kind, job.entityId);
  const payload = job.payload === undefined ? null : JSON.stringify(job.payload);
  const runAt = job.runAt ?? now;
  // A pending job for the key absorbs the event; an in-progress one does not
  // (its worker may already have read the old state), so a new row is added.
  const row = sql(db, `INSERT INTO jobs (job_key, kind, entity_id, payload, status, attempts, run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)
       ON CONFLICT (job_key) WHERE status = 'pending' DO UPDATE SET
         payload = coalesce(excluded.payload, jobs.payload),
         run_at = min(jobs.run_at, excluded.run_at),
         events = jobs.events + 1,
         updated_at = excluded.updated_at
       RETURNING id, events`)
    .get(key, job.kind, job.entityId, payload, runAt, now, now) as { id: number; events: number };
  return { id: row.id, coalesced: row.events > 1 };
}

export function enqueue(db: Db, job: NewJob, now = Date.now()): EnqueueResult {
  return insertOrFold(db, job, now);
}

/** Many events in one transaction: one fsync for a whole page of scenes. */
export function enqueueMany(db: Db, jobs: readonly NewJob[], now = Date.now()): { added: number; coalesced: number } {
  return transaction(db, () => {
    let added = 0;
    let coalesced = 0;
    for (const job of jobs) {
      if (insertOrFold(db, job, now).coalesced) coalesced++;
      else added++;
    }
    return { added, coalesced };
  });
}

/**
 * Jobs whose worker is gone go back to pending: their job lease expired, or
 * (given `owner`, the worker lease this process holds) they were claimed under
 * another worker lease, whose holder is dead or fenced off since only the
 * lease holder claims. If a newer event for the same key is already pending,
 * it covers the stale job, which is dropped.
 */
export function recoverExpiredLeases(db: Db, now = Date.now(), owner?: string): number {
  // Only the live holder of the worker lease may take another worker's jobs.
  const orphaned = `status = 'in_progress' AND (lease_expires_at < ? OR (owner IS NOT NULL AND owner <> ?
    AND EXISTS (SELECT 1 FROM worker_lease WHERE name = 'worker' AND owner = ?)))`;
  const mine = owner ?? '';
  return transaction(db, () => {
    const dropped = sql(db, `DELETE FROM jobs WHERE ${orphaned}
           AND job_key IN (SELECT job_key FROM jobs WHERE status = 'pending')`)
      .run(now, mine, mine).changes;
    const revived = sql(db, `UPDATE jobs SET status = 'pending', lease = NULL, lease_expires_at = NULL, owner = NULL, run_at = ?, updated_at = ?
         WHERE ${orphaned}`)
      .run(now, now, now, mine, mine).changes;
    return Number(dropped) + Number(revived);
  });
}

/**
 * Jobs this worker claimed and no longer runs (asked between rounds, when no
 * lane is running) go back to pending, or are dropped for a pending twin.
 */
export function requeueOwnJobs(db: Db, owner: string, now = Date.now()): number {
  return transaction(db, () => {
    const dropped = sql(db, `DELETE FROM jobs WHERE status = 'in_progress' AND owner = ?
           AND job_key IN (SELECT job_key FROM jobs WHERE status = 'pending')`).run(owner).changes;
    const revived = sql(db, `UPDATE jobs SET status = 'pending', lease = NULL, lease_expires_at = NULL, owner = NULL, run_at = ?, updated_at = ?
         WHERE status = 'in_progress' AND owner = ?`).run(now, now, owner).changes;
    return Number(dropped) + Number(revived);
  });
}

export interface ClaimOptions {
  kinds?: readonly JobKind[] | undefined;
  /** The worker lease this claim is made under (recorded on the job). */
  owner?: string | undefined;
}

/**
 * Claims the oldest due job and counts the attempt. Undefined when none is due.
 * A key with a job in progress is skipped: one job per scene at a time, so a
 * second save never races the first to Plex; its event waits, coalesced, in
 * the key's pending job until the running one ends.
 */
export function claim(db: Db, leaseMs: number, now = Date.now(), { kinds, owner }: ClaimOptions = {}): Job | undefined {
  const lease = randomUuid();
  const kindFilter = kinds ? `AND kind IN (${kinds.map(() => '?').join(', ')})` : '';
  const row = sql(db, `UPDATE jobs SET status = 'in_progress', lease = ?, lease_expires_at = ?, owner = ?, attempts = attempts + 1, updated_at = ?
       WHERE id = (SELECT id FROM jobs AS j WHERE status = 'pending' AND run_at <= ? ${kindFilter}
                     AND NOT EXISTS (SELECT 1 FROM jobs AS r WHERE r.status = 'in_progress' AND r.job_key = j.job_key)
                   ORDER BY run_at, id LIMIT 1)
       RETURNING *`)
    .get(lease, now + leaseMs, owner ?? null, now, now, ...(kinds ?? [])) as JobRow | undefined;
  return row ? toJob(row) : undefined;
}

/** Keeps a long-running job's lease alive. False when the lease was lost. */
export function extendLease(db: Db, job: Job, leaseMs: number, now = Date.now()): boolean {
  const changes = sql(db, `UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease = ? AND status = 'in_progress'`)
    .run(now + leaseMs, job.id, job.lease).changes;
  return Number(changes) === 1;
}

export function ack(db: Db, job: Job, now = Date.now()): boolean {
  const changes = sql(db, `UPDATE jobs SET status = 'done', lease = NULL, lease_expires_at = NULL, owner = NULL, error_class = NULL, error_code = NULL,
         last_error = NULL, updated_at = ?, finished_at = ?
       WHERE id = ? AND lease = ? AND status = 'in_progress'`)
    .run(now, now, job.id, job.lease).changes;
  return Number(changes) === 1;
}

export interface NackOptions {
  runAt: number;
  error: JobError;
  /** Give the attempt back (e.g. the circuit was open and Plex was never asked). */
  refundAttempt?: boolean;
}

/** Back to pending for a later retry. A newer pending event for the key absorbs it. */
export function nack(db: Db, job: Job, options: NackOptions, now = Date.now()): boolean {
  const attempts = options.refundAttempt ? Math.max(0, job.attempts - 1) : job.attempts;
  const { errorClass, code, message } = options.error;
  return transaction(db, () => {
    const mine = sql(db, `SELECT 1 FROM jobs WHERE id = ? AND lease = ? AND status = 'in_progress'`).get(job.id, job.lease);
    if (!mine) return false;
    const sibling = sql(db, `SELECT id FROM jobs WHERE job_key = ? AND status = 'pending'`).get(job.key) as
      | { id: number }
      | undefined;
    if (sibling) {
      sql(db, 'DELETE FROM jobs WHERE id = ?').run(job.id);
      sql(db, 
        `UPDATE jobs SET attempts = max(attempts, ?), run_at = max(run_at, ?), error_class = ?, error_code = ?,
           last_error = ?, updated_at = ? WHERE id = ?`,
      ).run(attempts, options.runAt, errorClass, code, message, now, sibling.id);
      return true;
    }
    sql(db, 
      `UPDATE jobs SET status = 'pending', lease = NULL, lease_expires_at = NULL, owner = NULL, attempts = ?, run_at = ?,
         error_class = ?, error_code = ?, last_error = ?, updated_at = ?
       WHERE id = ?`,
    ).run(attempts, options.runAt, errorClass, code, message, now, job.id);
    return true;
  });
}

/** Straight to the dead-letter queue, with the reason kept for the user. */
export function fail(db: Db, job: Job, error: JobError, now = Date.now()): boolean {
  const changes = sql(db, `UPDATE jobs SET status = 'dead', lease = NULL, lease_expires_at = NULL, owner = NULL, error_class = ?, error_code = ?,
         last_error = ?, updated_at = ?, finished_at = ?
       WHERE id = ? AND lease = ? AND status = 'in_progress'`)
    .run(error.errorClass, error.code, error.message, now, now, job.id, job.lease).changes;
  return Number(changes) === 1;
}

/**
 * After the wall clock went back, a pending job's due time may lie further
 * away than the backoff that set it (an hour back: an hour more). Every
 * pending row was last written at `updated_at` with `run_at - updated_at`
 * still to wait; rows written "in the future" are rebased on `now` so none
 * waits longer than that. Forward jumps only bring due times nearer.
 */
export function rebaseDueTimes(db: Db, now = Date.now()): number {
  return Number(
    sql(db, `UPDATE jobs SET run_at = ? + max(0, run_at - updated_at), updated_at = ? WHERE status = 'pending' AND updated_at > ?`).run(now, now, now)
      .changes,
  );
}

export function getPending(db: Db, limit = 100): Job[] {
  const rows = sql(db, `SELECT * FROM jobs WHERE status = 'pending' ORDER BY run_at, id LIMIT ?`)
    .all(limit) as unknown as JobRow[];
  return rows.map(toJob);
}

export function nextDueAt(db: Db): number | undefined {
  const row = sql(db, `SELECT min(run_at) AS due FROM jobs WHERE status = 'pending'`).get() as { due: number | null };
  return row.due ?? undefined;
}

export function counts(db: Db): QueueCounts {
  const rows = sql(db, 'SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as {
    status: string;
    n: number;
  }[];
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { pending: by.pending ?? 0, inProgress: by.in_progress ?? 0, dead: by.dead ?? 0, done: by.done ?? 0 };
}

/** Finished jobs are history only; keep a bounded window of them. */
export function purgeDone(db: Db, olderThanMs: number, now = Date.now()): number {
  return Number(sql(db, `DELETE FROM jobs WHERE status = 'done' AND finished_at < ?`).run(now - olderThanMs).changes);
}

export function dropPending(db: Db, kind: JobKind, entityId: string): number {
  return Number(
    sql(db, `DELETE FROM jobs WHERE job_key = ? AND status = 'pending'`).run(jobKey(kind, entityId)).changes,
  );
}

/**
 * A stopping process gives its running jobs back at once rather than leaving
 * them to lease expiry: pending again, due now, the cut-short attempt refunded.
 * Only for the holder of the worker lease (no one else runs jobs meanwhile).
 */
export function returnRunningJobs(db: Db, now = Date.now()): number {
  return transaction(db, () => {
    const dropped = sql(db, `DELETE FROM jobs WHERE status = 'in_progress'
           AND job_key IN (SELECT job_key FROM jobs WHERE status = 'pending')`).run().changes;
    const returned = sql(db, `UPDATE jobs SET status = 'pending', lease = NULL, lease_expires_at = NULL,
           attempts = max(0, attempts - 1), run_at = ?, updated_at = ? WHERE status = 'in_progress'`)
      .run(now, now).changes;
    return Number(dropped) + Number(returned);
  });
}
