// The drain loop's own clocks: the heartbeat that stops the lanes once the
// worker lease is taken, and the jump of the wall clock seen against the
// monotonic one. A scripted stand-in worker and a real database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { enqueue, getPending } from '../src/queue/operations.ts';
import type { Job } from '../src/queue/types.ts';
import { drain, wallClockWentBack } from '../src/worker/drain.ts';
import { acquireLease } from '../src/worker/lease.ts';
import type { StepResult, SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const OWNER = 'drain-clock-test';
const job = { id: 1 } as Job;

function scripted(results: (() => Promise<StepResult>)[]): SyncWorker & { steps: number } {
  const stand = {
    steps: 0,
    async step(): Promise<StepResult> {
      const next = results[stand.steps++];
      return next ? next() : { kind: 'idle' };
    },
  };
  return stand as unknown as SyncWorker & { steps: number };
}

test('once the heartbeat finds the lease taken, a lane starts no further job', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  // A short lease so the heartbeat (a third of it) ticks soon: renewal is the subject.
  const LEASE = 90;
  assert.ok(acquireLease(db, OWNER, process.pid, LEASE));
  const worker = scripted([
    async () => {
      db.prepare(`UPDATE worker_lease SET owner = 'someone-else', expires_at = ?`).run(Date.now() + 60_000);
      // Timers fire in due order: the heartbeat, due within 30 ms, runs before this wait ends.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { kind: 'done', job };
    },
    async () => ({ kind: 'done', job }),
    async () => ({ kind: 'done', job }),
  ]);
  const lines: string[] = [];
  const stats = await drain({ db, worker, log: createLogger((l) => lines.push(l)), owner: OWNER, workerLeaseMs: LEASE, concurrency: 1, idleExitMs: 60_000, pollMs: 10 });
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'lease_lost' });
  assert.equal(worker.steps, 1, 'the job after the takeover never started');
  assert.ok(lines.some((l) => l.includes('worker lease taken over: stopping')));
});

test('a wall clock set back an hour mid-drain is said, and the pending due times are rebased', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const start = Date.now();
  assert.ok(acquireLease(db, OWNER, process.pid, 30_000));
  // Only Date is mocked: the drain's timers and the monotonic clock run on.
  t.mock.timers.enable({ apis: ['Date'], now: start });
  enqueue(db, { kind: 'scene', entityId: 'later', runAt: start + 5_000 }, start);
  const worker = scripted([
    async () => {
      t.mock.timers.setTime(start - 3_600_000);
      return { kind: 'done', job };
    },
  ]);
  const lines: string[] = [];
  // The background loop waits for the job; it hands over once the jump was said.
  const warnedOf = () => lines.some((l) => l.includes('the system clock went back'));
  const stats = await drain({ db, worker, log: createLogger((l) => lines.push(l)), owner: OWNER, workerLeaseMs: 30_000, concurrency: 1, idleExitMs: 0, pollMs: 10, shouldHandOver: warnedOf });
  assert.equal(stats.reason, 'handover');
  const warned = lines.find((l) => l.includes('the system clock went back'));
  assert.match(warned ?? lines.join('\n'), /the system clock went back 3600 s: 1 due time\(s\) rebased/);
  assert.equal(getPending(db)[0]!.runAt, start - 3_600_000 + 5_000, 'the job waits its 5 s from the new now, not an hour more');
});

test('a jump back is one of more than a second beyond the time that passed', () => {
  const before = { wall: 50_000, mono: 1_000 };
  // Two seconds passed; the wall clock moved one: a second short, not more.
  assert.equal(wallClockWentBack(before, { wall: 51_000, mono: 3_000 }), false);
  assert.equal(wallClockWentBack(before, { wall: 50_999, mono: 3_000 }), true);
});

test('due times set under a wall clock later than now (it went back while no worker ran) are rebased at start', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const start = Date.now();
  assert.ok(acquireLease(db, OWNER, process.pid, 30_000));
  t.mock.timers.enable({ apis: ['Date'], now: start });
  // Queued an hour "ahead", before the clock was set back, due 5 s after that.
  enqueue(db, { kind: 'scene', entityId: 'queued-before', runAt: start + 3_600_000 + 5_000 }, start + 3_600_000);
  const stats = await drain({ db, worker: scripted([]), log: createLogger(() => {}), owner: OWNER, workerLeaseMs: 30_000, concurrency: 1, idleExitMs: 0, pollMs: 10, shouldHandOver: () => true });
  assert.equal(stats.reason, 'handover');
  assert.equal(getPending(db)[0]!.runAt, start + 5_000, 'due 5 s from now, not an hour and 5 s');
});

test('a wall clock set back before the first round is seen in that round', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const start = Date.now();
  assert.ok(acquireLease(db, OWNER, process.pid, 30_000));
  t.mock.timers.enable({ apis: ['Date'], now: start });
  const lines: string[] = [];
  let asked = 0;
  const stats = await drain({
    db,
    worker: scripted([]),
    log: createLogger((l) => lines.push(l)),
    owner: OWNER,
    workerLeaseMs: 30_000,
    concurrency: 1,
    idleExitMs: 0,
    pollMs: 10,
    // Asked at the top of each round, before the clocks are compared: the first time, the clock goes back an hour.
    shouldHandOver: () => {
      if (++asked === 1) t.mock.timers.setTime(start - 3_600_000);
      return asked > 1;
    },
  });
  assert.equal(stats.reason, 'handover');
  assert.ok(lines.some((l) => /the system clock went back 3600 s/.test(l)), lines.join('\n'));
});
