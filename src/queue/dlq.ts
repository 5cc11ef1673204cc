// Dead letters are jobs in state 'dead': same table, moved atomically.
import { type Db, sql, transaction } from '../db/database.ts';
import { type JobRow, toJob } from './rows.ts';
import type { Job } from './types.ts';

export function listDead(db: Db, limit = 100): Job[] {
  const rows = sql(db, `SELECT * FROM jobs WHERE status = 'dead' ORDER BY finished_at DESC, id DESC LIMIT ?`)
    .all(limit) as unknown as JobRow[];
  return rows.map(toJob);
}

/** Every dead letter goes back to pending with fresh attempts (folding into a pending twin). */
export function retryDead(db: Db, now = Date.now()): number {
  return transaction(db, () => {
    const folded = sql(db, `DELETE FROM jobs WHERE status = 'dead'
           AND job_key IN (SELECT job_key FROM jobs WHERE status = 'pending')`)
      .run().changes;
    // Two dead letters for one key would collide on the pending index: keep the newest.
    sql(db, 
      `DELETE FROM jobs WHERE status = 'dead'
         AND id NOT IN (SELECT max(id) FROM jobs WHERE status = 'dead' GROUP BY job_key)`,
    ).run();
    const revived = sql(db, `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, updated_at = ?, finished_at = NULL
         WHERE status = 'dead'`)
      .run(now, now).changes;
    return Number(folded) + Number(revived);
  });
}

export function clearDead(db: Db): number {
  return Number(sql(db, `DELETE FROM jobs WHERE status = 'dead'`).run().changes);
}

export function purgeDead(db: Db, olderThanDays: number, now = Date.now()): number {
  const cutoff = now - olderThanDays * 86_400_000;
  return Number(sql(db, `DELETE FROM jobs WHERE status = 'dead' AND finished_at < ?`).run(cutoff).changes);
}
