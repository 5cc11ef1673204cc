// The drain loop shared by the background worker and the foreground `process`
// task: run up to `concurrency` jobs at once while holding the worker lease,
// sleep until the next job is due, stop when idle long enough (or at once,
// for the foreground task).
import { type Db, isStorageFault } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { counts, nextDueAt, rebaseDueTimes, requeueOwnJobs } from '../queue/operations.ts';
import { describeError } from '../errors.ts';
import { holdsLease, releaseLeaseIfIdle, renewLease } from './lease.ts';
import type { StepResult, SyncWorker } from './processor.ts';
import { sleep } from './sleep.ts';
import { monotonicMs } from './clock.ts';

/** Consecutive failed rounds before the drain gives up (and the lease lapses), unless the disk is at fault. */
const MAX_FAILED_ROUNDS = 10;
/** The longest wait between two rounds while the disk is full, read-only or failing. */
const STORAGE_WAIT_MAX_MS = 5_000;

export interface DrainOptions {
  db: Db;
  worker: SyncWorker;
  log: Logger;
  owner: string;
  workerLeaseMs: number;
  concurrency: number;
  /** Background worker: exit after this long with nothing pending. */
  idleExitMs: number;
  /** Foreground: return as soon as no job is due (future retries stay queued). */
  stopWhenNothingDue?: boolean;
  /** How often an idle worker looks for new jobs. */
  pollMs?: number;
  /** Hard stop (epoch ms): the worker returns and leaves the rest queued. */
  deadline?: number;
  onStep?: (result: StepResult) => void;
  /** Awaited once per round, before jobs are claimed (catch-up may queue scenes). */
  onTick?: () => Promise<void>;
  /** Asked between jobs: true hands the queue over to the next worker. */
  shouldHandOver?: () => boolean;
}

/** A wall clock that advanced this much less than the monotonic one went back. */
const JUMP_BACK_MS = 1_000;

/** True when the wall clock went back between two readings of both clocks. */
export function wallClockWentBack(before: { wall: number; mono: number }, after: { wall: number; mono: number }): boolean {
  return after.wall - before.wall < after.mono - before.mono - JUMP_BACK_MS;
}

export interface DrainStats {
  done: number;
  retried: number;
  dead: number;
  reason: 'idle' | 'nothing_due' | 'lease_lost' | 'deadline' | 'handover';
}

export async function drain(o: DrainOptions): Promise<DrainStats> {
  // Stryker disable next-line StringLiteral: every return sets its own reason ({ ...stats, reason }); this one is never read
  const stats: DrainStats = { done: 0, retried: 0, dead: 0, reason: 'idle' };
  const pollMs = o.pollMs ?? 250;
  let lastBusyAt = Date.now();
  // The lease is renewed on a clock, not between jobs: one slow job (Plex
  // timing out) must not let the lease lapse and a second worker start.
  let leaseLost = false;
  const heartbeat = setInterval(
    () => {
      try {
        if (!renewLease(o.db, o.owner, o.workerLeaseMs)) leaseLost = true;
      } catch (err) {
        // A busy database delays one renewal; the next tick tries again.
        o.log.debug(`lease renewal deferred: ${describeError(err)}`);
      }
    },
    Math.max(20, Math.floor(o.workerLeaseMs / 3)),
  );
  const pastDeadline = () => o.deadline !== undefined && Date.now() >= o.deadline;

  const lane = async (): Promise<StepResult | undefined> => {
    while (!leaseLost && !pastDeadline() && !o.shouldHandOver?.()) {
      const result = await o.worker.step();
      if (result.kind === 'idle' || result.kind === 'blocked') return result;
      if (result.kind === 'lost' && !holdsLease(o.db, o.owner)) {
        // Fenced off: another worker holds the lease now. Write nothing more.
        leaseLost = true;
        return undefined;
      }
      lastBusyAt = Date.now();
      if (result.kind === 'done') stats.done++;
      else if (result.kind === 'retry') stats.retried++;
      else if (result.kind === 'dead') stats.dead++;
      o.onStep?.(result);
    }
    return undefined;
  };

  let failedRounds = 0;
  // Due times are wall-clock epochs shared with other processes; a jump back
  // is seen here against the monotonic clock and the due times are rebased.
  let clocks = { wall: Date.now(), mono: monotonicMs() };
  rebaseDueTimes(o.db, clocks.wall);
  try {
    for (;;) {
      try {
        // A failed round may have left a job of ours claimed (its ack met a
        // full disk); no lane runs between rounds, so it goes back to pending.
        if (failedRounds > 0) requeueOwnJobs(o.db, o.owner);
        const done = await round();
        if (done) return done;
        failedRounds = 0;
      } catch (err) {
        failedRounds++;
        if (isStorageFault(err)) {
          // A full, read-only or failing disk: the queue on it is intact and
          // this worker drains it by itself once the disk is back.
          if (failedRounds === 1 || failedRounds % 20 === 0) o.log.warn(`waiting for the database's disk (round ${failedRounds}): ${describeError(err)}`);
          await sleep(Math.min(STORAGE_WAIT_MAX_MS, pollMs * failedRounds));
          continue;
        }
        // Another unexpected failure of the queue itself: wait and carry on
        // for a while rather than strand the queue.
        if (failedRounds >= MAX_FAILED_ROUNDS) throw err;
        o.log.warn(`drain round failed (${failedRounds}/${MAX_FAILED_ROUNDS}), retrying: ${describeError(err)}`);
        await sleep(pollMs * failedRounds);
      }
    }
  } finally {
    clearInterval(heartbeat);
  }

  /** One round: claim and run what is due, then decide whether to stop or sleep. */
  async function round(): Promise<DrainStats | undefined> {
    if (leaseLost || !renewLease(o.db, o.owner, o.workerLeaseMs)) {
      o.log.warn('worker lease taken over: stopping');
      return { ...stats, reason: 'lease_lost' };
    }
    if (pastDeadline()) return { ...stats, reason: 'deadline' };
    if (o.shouldHandOver?.()) return { ...stats, reason: 'handover' };
    const nowClocks = { wall: Date.now(), mono: monotonicMs() };
    if (wallClockWentBack(clocks, nowClocks)) {
      const moved = rebaseDueTimes(o.db, nowClocks.wall);
      o.log.warn(`the system clock went back ${Math.round((nowClocks.mono - clocks.mono - (nowClocks.wall - clocks.wall)) / 1000)} s: ${moved} due time(s) rebased`);
    }
    clocks = nowClocks;
    await o.onTick?.();
    // allSettled: a failing lane must not leave the others running into the next round.
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, o.concurrency) }, lane));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    const now = Date.now();
    const blockedUntil = results.flatMap((r) => (r?.kind === 'blocked' ? [r.until] : []));
    const due = nextDueAt(o.db);
    if (o.stopWhenNothingDue && (blockedUntil.length > 0 || due === undefined || due > now)) {
      return { ...stats, reason: 'nothing_due' };
    }
    const { pending, inProgress } = counts(o.db);
    if (pending === 0 && inProgress === 0 && now - lastBusyAt >= o.idleExitMs) {
      if (releaseLeaseIfIdle(o.db, o.owner)) return { ...stats, reason: 'idle' };
    }
    const wakeAt = Math.min(due ?? Number.POSITIVE_INFINITY, ...blockedUntil, now + pollMs);
    await sleep(Math.max(10, Math.min(pollMs, wakeAt - now)));
    return undefined;
  }
}
