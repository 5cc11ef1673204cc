// "Exactly one worker drains" is a row in SQLite: whoever holds the lease
// named 'worker' drains; everyone else leaves the queue alone. The lease ends
// when it expires or, sooner, when its holder is seen dead (holder.ts): a
// worker killed by SIGKILL, the OOM killer or a reboot is replaced at once.
import { type Db, sql, transaction } from '../db/database.ts';
import { type Holder, holderAlive, holderOf, selfHolder } from './holder.ts';

const NAME = 'worker';

export interface WorkerLease {
  owner: string;
  pid: number;
  startedAt: number;
  expiresAt: number;
}

interface LeaseRow {
  owner: string;
  pid: number;
  pid_start: string | null;
  pid_scope: string | null;
  started_at: number;
  expires_at: number;
}

function leaseRow(db: Db): LeaseRow | undefined {
  return sql(db, 'SELECT owner, pid, pid_start, pid_scope, started_at, expires_at FROM worker_lease WHERE name = ?').get(NAME) as
    | LeaseRow
    | undefined;
}

function held(row: LeaseRow, now: number): boolean {
  return row.expires_at > now && holderAlive({ pid: row.pid, start: row.pid_start, scope: row.pid_scope }) !== false;
}

/** The lease while its holder may still be alive and it has not expired. */
export function currentLease(db: Db, now = Date.now()): WorkerLease | undefined {
  const row = leaseRow(db);
  if (!row || !held(row, now)) return undefined;
  return { owner: row.owner, pid: row.pid, startedAt: row.started_at, expiresAt: row.expires_at };
}

/** Takes the lease if it is free, expired, held by a dead process or already ours. True when we hold it. */
export function acquireLease(db: Db, owner: string, pid: number, leaseMs: number, now = Date.now()): boolean {
  const holder: Holder = pid === process.pid ? selfHolder() : holderOf(pid);
  return transaction(db, () => {
    const row = leaseRow(db);
    if (row && row.owner !== owner && held(row, now)) return false;
    sql(db, `INSERT INTO worker_lease (name, owner, pid, pid_start, pid_scope, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, pid_start = excluded.pid_start,
           pid_scope = excluded.pid_scope,
           started_at = CASE WHEN worker_lease.owner = excluded.owner THEN worker_lease.started_at ELSE excluded.started_at END,
           expires_at = excluded.expires_at`)
      .run(NAME, owner, holder.pid, holder.start, holder.scope, now, now + leaseMs);
    return true;
  });
}

/** Names another process as the holder of a lease we reserved for it (the worker we just spawned). */
export function assignLease(db: Db, owner: string, pid: number): boolean {
  const holder = holderOf(pid);
  const changes = sql(db, 'UPDATE worker_lease SET pid = ?, pid_start = ?, pid_scope = ? WHERE name = ? AND owner = ? AND pid <> ?')
    .run(holder.pid, holder.start, holder.scope, NAME, owner, pid).changes;
  return Number(changes) === 1;
}

export function renewLease(db: Db, owner: string, leaseMs: number, now = Date.now()): boolean {
  const me = selfHolder();
  const changes = sql(db, 'UPDATE worker_lease SET expires_at = ?, pid = ?, pid_start = ?, pid_scope = ? WHERE name = ? AND owner = ?')
    .run(now + leaseMs, me.pid, me.start, me.scope, NAME, owner).changes;
  return Number(changes) === 1;
}

/** True while `owner` holds an unexpired worker lease. */
export function holdsLease(db: Db, owner: string, now = Date.now()): boolean {
  return sql(db, 'SELECT 1 FROM worker_lease WHERE name = ? AND owner = ? AND expires_at > ?').get(NAME, owner, now) !== undefined;
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
