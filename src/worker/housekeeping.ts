// Bounded history: dead letters older than the user's retention and finished
// jobs older than a day are deleted, at worker start and then hourly.
import type { Db } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { purgeDead } from '../queue/dlq.ts';
import { purgeDone } from '../queue/operations.ts';

export const HOUSEKEEPING_EVERY_MS = 60 * 60_000;
/** Finished jobs only feed "done recently" in status; sync records keep the rest. */
const DONE_KEPT_MS = 24 * 60 * 60_000;

export function housekeepingTicker(db: Db, deadLetterDays: number, log: Logger): () => void {
  let lastRun: number | undefined;
  return () => {
    const now = Date.now();
    if (lastRun !== undefined && now - lastRun < HOUSEKEEPING_EVERY_MS) return;
    lastRun = now;
    housekeeping(db, deadLetterDays, log, now);
  };
}

export function housekeeping(db: Db, deadLetterDays: number, log: Logger, now = Date.now()): void {
  const dead = purgeDead(db, deadLetterDays, now);
  const done = purgeDone(db, DONE_KEPT_MS, now);
  if (dead + done > 0) log.info(`housekeeping: removed ${dead} dead letter(s) older than ${deadLetterDays} days and ${done} finished job(s)`);
}
