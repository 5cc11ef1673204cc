// "Exactly one worker drains" is a row in SQLite: whoever holds an unexpired
// lease named 'worker' drains; everyone else leaves the queue alone.
import { type Db, sql, transaction } from '../db/database.ts';

const NAME = 'worker';

export interface WorkerLease {
  owner: string;
  pid: number;
  startedAt: number;
  expiresAt: number;
}

export function currentLease(db: Db, now = Date.now()): WorkerLease | undefined {
  const row = sql(db, 'SELECT owner, pid, started_at, expires_at FROM worker_lease WHERE name = ? AND expires_at > ?')
    .get(NAME, now) as { owner: string; pid: number; started_at: number; expires_at: number } | undefined;
  return row && { owner: row.owner, pid: row.pid, startedAt: row.started_at, expiresAt: row.expires_at };
}

/** Takes the lease if it is free, expired or already ours. True when we hold it. */
export function acquireLease(db: Db, owner: string, pid: number, leaseMs: number, now = Date.now()): boolean {
  const changes = sql(db, `INSERT INTO worker_lease (name, owner, pid, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
         started_at = CASE WHEN worker_lease.owner = excluded.owner THEN worker_lease.started_at ELSE excluded.started_at END,
         expires_at = excluded.expires_at
       WHERE worker_lease.owner = excluded.owner OR worker_lease.expires_at <= ?`)
    .run(NAME, owner, pid, now, now + leaseMs, now).changes;
  return Number(changes) === 1;
}

export function renewLease(db: Db, owner: string, leaseMs: number, now = Date.now()): boolean {
  const changes = sql(db, 'UPDATE worker_lease SET expires_at = ?, pid = ? WHERE name = ? AND owner = ?')
    .run(now + leaseMs, process.pid, NAME, owner).changes;
  return Number(changes) === 1;
}

export function releaseLease(db: Db, owner: string): void {
  sql(db, 'DELETE FROM worker_lease WHERE name = ? AND owner = ?').run(NAME, owner);
}

/**
 * Gives the lease up only if no job is pending or running, atomically with
 * that check. A hook that enqueues first and looks at the lease second then
 * either sees this worker (which will find its job) or no worker (and spawns one).
 */
export function releaseLeaseIfIdle(db: Db, owner: string): boolean {
  return transaction(db, () => {
    const busy = sql(db, `SELECT 1 FROM jobs WHERE status IN ('pending', 'in_progress') LIMIT 1`).get();
    if (busy) return false;
    releaseLease(db, owner);
    return true;
  });
}
