// The drain loop on its own: a stand-in worker whose steps the test scripts,
// a real database for the queue and the lease. Waits are for conditions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { enqueue } from '../src/queue/operations.ts';
import type { Job } from '../src/queue/types.ts';
import { type DrainOptions, drain } from '../src/worker/drain.ts';
import { acquireLease, currentLease } from '../src/worker/lease.ts';
import type { StepResult, SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const OWNER = 'drain-test';
/** The production worker lease (run.ts): the loop's own renewals keep it. */
const LEASE_MS = 30_000;

const job = { id: 1 } as Job;

async function freshDb(t: Parameters<typeof tempDir>[0]): Promise<Db> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  assert.ok(acquireLease(db, OWNER, process.pid, LEASE_MS));
  return db;
}

/** A worker that answers each step with the next scripted result, then idle. */
function scripted(results: (StepResult | (() => Promise<StepResult>))[]): SyncWorker & { steps: number } {
  const stand = {
    steps: 0,
    async step(): Promise<StepResult> {
      const next = results[stand.steps++];
      if (next === undefined) return { kind: 'idle' };
      return typeof next === 'function' ? next() : next;
    },
  };
  return stand as unknown as SyncWorker & { steps: number };
}

function options(db: Db, worker: SyncWorker, extra: Partial<DrainOptions> = {}): DrainOptions {
  const lines: string[] = [];
  return { db, worker, log: createLogger((line) => lines.push(line)), owner: OWNER, workerLeaseMs: LEASE_MS, concurrency: 1, idleExitMs: 0, pollMs: 10, ...extra };
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('counts each outcome, then exits idle and gives the lease up', async (t) => {
  const db = await freshDb(t);
  const seen: string[] = [];
  const worker = scripted([
    { kind: 'done', job },
    { kind: 'retry', job },
    { kind: 'dead', job },
    { kind: 'lost', job },
    { kind: 'done', job },
  ]);
  const stats = await drain(options(db, worker, { onStep: (r) => seen.push(r.kind) }));
  assert.deepEqual(stats, { done: 2, retried: 1, dead: 1, reason: 'idle' });
  assert.deepEqual(seen, ['done', 'retry', 'dead', 'lost', 'done']);
  assert.equal(currentLease(db), undefined, 'lease released');
});

test('an idle background worker waits idleExitMs for new work before it exits', async (t) => {
  const db = await freshDb(t);
  const started = Date.now();
  const stats = await drain(options(db, scripted([{ kind: 'done', job }]), { idleExitMs: 300 }));
  assert.equal(stats.reason, 'idle');
  assert.ok(Date.now() - started >= 300, `exited after ${Date.now() - started} ms`);
});

test('it does not exit while jobs wait, even when none is due yet', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1', runAt: Date.now() + 3_600_000 });
  let rounds = 0;
  const stats = await drain(options(db, scripted([]), { onTick: async () => void rounds++, shouldHandOver: () => rounds >= 5 }));
  assert.equal(stats.reason, 'handover');
  assert.ok(rounds >= 5);
  assert.equal(currentLease(db)?.owner, OWNER, 'a worker that hands over leaves the lease to the caller');
});

test('the foreground drain returns as soon as nothing is due', async (t) => {
  const db = await freshDb(t);
  assert.equal((await drain(options(db, scripted([]), { stopWhenNothingDue: true }))).reason, 'nothing_due', 'empty queue');
  enqueue(db, { kind: 'scene', entityId: '1', runAt: Date.now() + 3_600_000 });
  assert.equal((await drain(options(db, scripted([]), { stopWhenNothingDue: true }))).reason, 'nothing_due', 'only later retries');
});

test('the foreground drain stops when the circuit blocks Plex, though jobs are due', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' });
  const stats = await drain(options(db, scripted([{ kind: 'blocked', until: Date.now() + 60_000 }]), { stopWhenNothingDue: true }));
  assert.equal(stats.reason, 'nothing_due');
});

test('the foreground drain carries on while a job is due', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' });
  let rounds = 0;
  const stats = await drain(options(db, scripted([]), { stopWhenNothingDue: true, onTick: async () => void rounds++, shouldHandOver: () => rounds >= 3 }));
  assert.equal(stats.reason, 'handover', 'a due job keeps it going');
});

test('a deadline already past ends the drain before any round', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1', runAt: Date.now() + 3_600_000 });
  assert.deepEqual(await drain(options(db, scripted([]), { deadline: Date.now() - 1 })), { done: 0, retried: 0, dead: 0, reason: 'deadline' });
});

test('a lane stops between jobs once the deadline has passed', async (t) => {
  const db = await freshDb(t);
  const deadline = Date.now() + 100_000;
  let now = 0;
  const worker = scripted([
    async () => {
      now = deadline;
      return { kind: 'done', job };
    },
    { kind: 'done', job },
  ]);
  t.mock.method(Date, 'now', () => (now === 0 ? deadline - 50_000 : now));
  // A long idle wait: the drain must stop for the deadline, not for want of work.
  const stats = await drain(options(db, worker, { deadline, idleExitMs: 60_000 }));
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'deadline' });
  assert.equal(worker.steps, 1);
});

test('a lease another worker holds stops the drain before any step', async (t) => {
  const db = await freshDb(t);
  db.prepare(`UPDATE worker_lease SET owner = 'someone-else'`).run();
  const worker = scripted([{ kind: 'done', job }]);
  assert.deepEqual(await drain(options(db, worker)), { done: 0, retried: 0, dead: 0, reason: 'lease_lost' });
  assert.equal(worker.steps, 0);
});

test('the lease is renewed on a clock while a slow job runs, and a lease taken meanwhile stops the lanes', async (t) => {
  const db = await freshDb(t);
  const expiry = () => (db.prepare('SELECT expires_at AS at FROM worker_lease').get() as { at: number }).at;
  const worker = scripted([
    async () => {
      const before = expiry();
      await until('a renewal', () => expiry() > before);
      // Another worker takes the lease while this job runs.
      db.prepare(`UPDATE worker_lease SET owner = 'someone-else'`).run();
      return { kind: 'done', job };
    },
    { kind: 'done', job },
    { kind: 'done', job },
  ]);
  // A short lease so the heartbeat (a third of it) ticks soon: renewal is the
  // subject here. A long idle wait: the drain must stop for the lost lease.
  const stats = await drain(options(db, worker, { workerLeaseMs: 90, idleExitMs: 60_000 }));
  assert.equal(stats.reason, 'lease_lost');
  assert.ok(stats.done >= 1 && stats.done <= 3);
  assert.equal(currentLease(db)?.owner ?? 'someone-else', 'someone-else', 'the other worker keeps its lease');
});

test('concurrency runs that many lanes at once; 0 still runs one', async (t) => {
  for (const [concurrency, expected] of [
    [3, 3],
    [0, 1],
  ] as const) {
    const db = await freshDb(t);
    let inFlight = 0;
    let most = 0;
    // The lanes start together, each up to its first await: all of them are in flight at once.
    const slow = async (): Promise<StepResult> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { kind: 'done', job };
    };
    const stats = await drain(options(db, scripted(Array.from({ length: 6 }, () => slow)), { concurrency }));
    assert.equal(stats.done, 6);
    assert.equal(most, expected, `concurrency ${concurrency}`);
  }
});

// Storage faults (a locked, full or failing disk) never give up: test/worker-drain-faults.test.ts.
test('a failing round is retried; ten failures in a row give up with the error', async (t) => {
  const db = await freshDb(t);
  const lines: string[] = [];
  const flaky = scripted([
    async () => {
      throw new Error('queue row unreadable');
    },
    async () => {
      throw new Error('queue row unreadable');
    },
    { kind: 'done', job },
  ]);
  const stats = await drain({ ...options(db, flaky), log: createLogger((line) => lines.push(line)) });
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'idle' });
  assert.equal(lines.filter((l) => l.includes('drain round failed')).length, 2);
  assert.ok(lines.some((l) => l.includes('drain round failed (2/10), retrying: queue row unreadable')), lines.join(''));

  assert.ok(acquireLease(db, OWNER, process.pid, LEASE_MS));
  let calls = 0;
  const broken = scripted(
    Array.from({ length: 20 }, () => async () => {
      calls++;
      throw new Error('queue row unreadable');
    }),
  );
  await assert.rejects(drain(options(db, broken, { pollMs: 1 })), /queue row unreadable/);
  assert.equal(calls, 10);
});

test('a failing disk is waited out, however many rounds it takes, and said so now and then', async (t) => {
  const db = await freshDb(t);
  const lines: string[] = [];
  const full = Array.from({ length: 25 }, () => async (): Promise<StepResult> => {
    throw new Error('database or disk is full');
  });
  const stats = await drain({ ...options(db, scripted([...full, { kind: 'done', job }]), { pollMs: 1 }), log: createLogger((line) => lines.push(line.trimEnd())) });
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'idle' });
  assert.deepEqual(
    lines.filter((l) => l.includes('waiting')),
    ["\x01w\x02waiting for the database's disk (round 1): database or disk is full", "\x01w\x02waiting for the database's disk (round 20): database or disk is full"],
  );
});

test('onTick runs once per round, before the lanes claim', async (t) => {
  const db = await freshDb(t);
  const order: string[] = [];
  const worker = scripted([
    async () => {
      order.push('step');
      return { kind: 'done', job };
    },
  ]);
  await drain(options(db, worker, { onTick: async () => void order.push('tick') }));
  assert.deepEqual(order, ['tick', 'step'], 'one round: the job, then the empty queue ends it');
});

test('a job lost because another worker took the lease stops the lane at once: nothing more is run or told', async (t) => {
  const db = await freshDb(t);
  const seen: string[] = [];
  const worker = scripted([
    async () => {
      db.prepare(`UPDATE worker_lease SET owner = 'someone-else'`).run();
      return { kind: 'lost', job };
    },
    { kind: 'done', job },
  ]);
  const stats = await drain(options(db, worker, { onStep: (r) => seen.push(r.kind), idleExitMs: 60_000 }));
  assert.deepEqual(stats, { done: 0, retried: 0, dead: 0, reason: 'lease_lost' });
  assert.equal(worker.steps, 1, 'the next job was never started');
  assert.deepEqual(seen, [], 'a fenced-off outcome is not reported');
});

test('a lane fenced off stops the other lanes too, before their next job', async (t) => {
  const db = await freshDb(t);
  let tellLost!: () => void;
  const lost = new Promise<void>((resolve) => (tellLost = resolve));
  const worker = scripted([
    async () => {
      db.prepare(`UPDATE worker_lease SET owner = 'someone-else'`).run();
      tellLost();
      return { kind: 'lost', job };
    },
    async () => {
      // The second lane's job ends after the first lane has seen its job lost.
      await lost;
      await new Promise((resolve) => setImmediate(resolve));
      return { kind: 'done', job };
    },
    { kind: 'done', job },
    { kind: 'done', job },
  ]);
  const stats = await drain(options(db, worker, { concurrency: 2, idleExitMs: 60_000 }));
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'lease_lost' });
  assert.equal(worker.steps, 2, 'no lane started another job');
});

test('a job lost while the lease is still ours is counted as nothing', async (t) => {
  const db = await freshDb(t);
  const stats = await drain(options(db, scripted([{ kind: 'lost', job }])));
  assert.deepEqual(stats, { done: 0, retried: 0, dead: 0, reason: 'idle' });
});
