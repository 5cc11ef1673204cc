// Dead letters are jobs in state 'dead': same table, moved atomically.
import { type Db, setKv, sql, transaction } from '../db/database.ts';
import { type JobRow, toJob } from './rows.ts';
import type { Job } from './types.ts';

export function listDead(db: Db, limit = 100): Job[] {
  const rows = sql(db, `SELECT * FROM jobs WHERE status = 'dead' ORDER BY finished_at DESC, id DESC LIMIT ?`)
    .all(limit) as unknown as JobRow[];
  return rows.map(toJob);
}

/** Every dead letter goes back to pending with fresh attempts (folding into a pending twin). */
/**
 * When dead letters were last sent back: a user retries after fixing what
 * failed them (a token, a URL), so a running worker reads the settings afresh
 * for the jobs that follow (sync/worker-deps.ts).
 */
export const DEAD_LETTERS_RETRIED_AT = 'dead_letters_retried_at';

export function retryDead(db: Db, now = Date.now()): number {
  return transaction(db, () => {
    setKv(db, DEAD_LETTERS_RETRIED_AT, String(now));
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
