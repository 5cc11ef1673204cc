// The drain loop's waits on a mocked clock (setTimeout, setInterval and Date):
// how long it sleeps between rounds, how often its heartbeat renews the worker
// lease, and when an idle worker exits. A scripted stand-in worker and a real
// database; the test moves the clock and counts the rounds (onTick).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { claim, counts, enqueue } from '../src/queue/operations.ts';
import type { Job } from '../src/queue/types.ts';
import { type DrainOptions, type DrainStats, drain } from '../src/worker/drain.ts';
import { acquireLease } from '../src/worker/lease.ts';
import type { StepResult, SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const OWNER = 'drain-timers-test';
const T = 1_800_000_000_000;
const LEASE_MS = 30_000;
const job = { id: 1 } as Job;

/** Lets the drain run up to its next timer: its work between two awaits on a timer is synchronous or microtasks. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Harness {
  db: Db;
  rounds: () => number;
  lines: string[];
  run: (o: Partial<DrainOptions> & { steps?: (() => StepResult | Promise<StepResult>)[] }) => Promise<DrainStats>;
}

async function harness(t: TestContext): Promise<Harness> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T });
  assert.ok(acquireLease(db, OWNER, process.pid, LEASE_MS));
  let rounds = 0;
  const lines: string[] = [];
  return {
    db,
    rounds: () => rounds,
    lines,
    run: ({ steps = [], onTick, ...extra }) => {
      let taken = 0;
      const worker = { step: async () => (steps[taken++] ?? (() => ({ kind: 'idle' }) as StepResult))() } as unknown as SyncWorker;
      return drain({
        db,
        worker,
        log: createLogger((line) => lines.push(line)),
        owner: OWNER,
        workerLeaseMs: LEASE_MS,
        concurrency: 1,
        idleExitMs: 0,
        onTick: async () => {
          rounds++;
          await onTick?.();
        },
        ...extra,
      });
    },
  };
}

/** Asserts that the next round starts exactly `gapMs` after the current one went to sleep. */
async function expectGap(t: TestContext, h: Harness, gapMs: number): Promise<void> {
  await flush();
  const before = h.rounds();
  t.mock.timers.tick(gapMs - 1);
  await flush();
  assert.equal(h.rounds(), before, `no round ${gapMs - 1} ms on`);
  t.mock.timers.tick(1);
  await flush();
  assert.equal(h.rounds(), before + 1, `the next round ${gapMs} ms on`);
}

test('an idle worker looks for new jobs every 250 ms unless told otherwise', async (t) => {
  const h = await harness(t);
  enqueue(h.db, { kind: 'scene', entityId: 'later', runAt: T + 3_600_000 }, T);
  let stop = false;
  const drained = h.run({ shouldHandOver: () => stop });
  await expectGap(t, h, 250);
  await expectGap(t, h, 250);
  stop = true;
  t.mock.timers.tick(250);
  assert.equal((await drained).reason, 'handover');
});

test('an idle worker told a pollMs looks every pollMs', async (t) => {
  const h2 = await harness(t);
  enqueue(h2.db, { kind: 'scene', entityId: 'later', runAt: T + 3_600_000 }, T);
  let stop = false;
  const drained2 = h2.run({ pollMs: 1_000, shouldHandOver: () => stop });
  await expectGap(t, h2, 1_000);
  stop = true;
  t.mock.timers.tick(1_000);
  assert.equal((await drained2).reason, 'handover');
});

test('the worker wakes for the next due job if that comes sooner than the poll', async (t) => {
  const h = await harness(t);
  enqueue(h.db, { kind: 'scene', entityId: 'soon', runAt: T + 300 }, T);
  let stop = false;
  const drained = h.run({ pollMs: 1_000, shouldHandOver: () => stop });
  await expectGap(t, h, 300);
  stop = true;
  t.mock.timers.tick(1_000);
  await drained;
});

test('a worker the circuit blocks wakes when the circuit opens again, if that comes sooner than the poll', async (t) => {
  const h2 = await harness(t);
  enqueue(h2.db, { kind: 'scene', entityId: 'later', runAt: T + 3_600_000 }, T);
  let stop = false;
  const drained2 = h2.run({ pollMs: 1_000, shouldHandOver: () => stop, steps: [() => ({ kind: 'blocked', until: T + 200 })] });
  await expectGap(t, h2, 200);
  stop = true;
  t.mock.timers.tick(1_000);
  await drained2;
});

test('a job already due that no lane took waits 10 ms, not a busy loop', async (t) => {
  const h = await harness(t);
  enqueue(h.db, { kind: 'scene', entityId: 'due', runAt: T - 5_000 }, T - 5_000);
  let stop = false;
  const drained = h.run({ pollMs: 1_000, shouldHandOver: () => stop });
  await expectGap(t, h, 10);
  await expectGap(t, h, 10);
  stop = true;
  t.mock.timers.tick(10);
  await drained;
});

test('a failing disk waits pollMs times the failed rounds so far, at most 5 s', async (t) => {
  const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
  const h = await harness(t);
  const drained = h.run({
    pollMs: 2_000,
    onTick: async () => {
      if (h.rounds() <= 4) throw diskFull();
    },
  });
  await expectGap(t, h, 2_000);
  await expectGap(t, h, 4_000);
  await expectGap(t, h, 5_000);
  await expectGap(t, h, 5_000);
  assert.equal((await drained).reason, 'idle', 'the disk is back: the empty queue ends the drain');
});

test('another failing round waits pollMs times the failures so far, without a cap', async (t) => {
  const h2 = await harness(t);
  const drained2 = h2.run({
    pollMs: 2_000,
    onTick: async () => {
      if (h2.rounds() <= 3) throw new Error('queue row unreadable');
    },
  });
  await expectGap(t, h2, 2_000);
  await expectGap(t, h2, 4_000);
  await expectGap(t, h2, 6_000);
  assert.equal((await drained2).reason, 'idle');
  assert.equal(h2.lines.filter((l) => l.includes('drain round failed')).length, 3);
});

test('the heartbeat renews the worker lease every third of it while a job runs', async (t) => {
  const h = await harness(t);
  const expiry = () => (h.db.prepare('SELECT expires_at AS at FROM worker_lease').get() as { at: number }).at;
  const seen: number[] = [];
  const stats = await h.run({
    steps: [
      () => {
        seen.push(expiry());
        t.mock.timers.tick(9_999);
        seen.push(expiry());
        t.mock.timers.tick(1);
        seen.push(expiry());
        t.mock.timers.tick(10_000);
        seen.push(expiry());
        return { kind: 'done', job };
      },
    ],
  });
  // The round before the job renewed the lease at T.
  assert.deepEqual(seen, [T + LEASE_MS, T + LEASE_MS, T + 10_000 + LEASE_MS, T + 20_000 + LEASE_MS]);
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'idle' });
});

test('an idle worker exits idleExitMs after its last job, not after it started', async (t) => {
  const h = await harness(t);
  let stop = false;
  const stats = h.run({
    pollMs: 250,
    idleExitMs: 1_000,
    shouldHandOver: () => stop,
    steps: [
      () => {
        // The job takes 2 s: the idle time counts from its end.
        t.mock.timers.tick(2_000);
        return { kind: 'done', job };
      },
    ],
  });
  let exited = false;
  void stats.then(() => (exited = true));
  await flush();
  assert.equal(h.rounds(), 1);
  for (let waited = 250; waited <= 1_000; waited += 250) {
    assert.equal(exited, false, `still there ${waited - 250} ms after the job`);
    t.mock.timers.tick(250);
    await flush();
  }
  const exitedInTime = exited;
  // Ends a drain that stayed on, so that no round of it runs in a later test.
  stop = true;
  t.mock.timers.tick(250);
  await flush();
  assert.equal(exitedInTime, true, 'gone once 1 s has passed since the job');
  assert.equal(h.rounds(), 5, 'the round at 1 s is the last');
  assert.equal((await stats).reason, 'idle');
});

test('a heartbeat whose renewal fails says so at debug level and the next one renews', async (t) => {
  const h = await harness(t);
  const expiry = () => (h.db.prepare('SELECT expires_at AS at FROM worker_lease').get() as { at: number }).at;
  let renewed = 0;
  const stats = await h.run({
    steps: [
      () => {
        // The lease table is away for one heartbeat: the renewal throws.
        h.db.exec('ALTER TABLE worker_lease RENAME TO worker_lease_away');
        t.mock.timers.tick(10_000);
        h.db.exec('ALTER TABLE worker_lease_away RENAME TO worker_lease');
        t.mock.timers.tick(10_000);
        renewed = expiry();
        return { kind: 'done', job };
      },
    ],
  });
  assert.deepEqual(stats, { done: 1, retried: 0, dead: 0, reason: 'idle' });
  assert.equal(renewed, T + 20_000 + LEASE_MS, 'the second heartbeat renewed');
  assert.deepEqual(
    h.lines.filter((l) => l.includes('lease renewal deferred')),
    ['\x01d\x02lease renewal deferred: no such table: worker_lease\n'],
  );
  assert.equal(h.lines.filter((l) => l.includes('drain round failed')).length, 0);
});

test('after a failed round, the next one first puts a job of ours left claimed back to pending', async (t) => {
  const h = await harness(t);
  enqueue(h.db, { kind: 'scene', entityId: 'half-acked', runAt: T + 3_600_000 }, T);
  const seen: ReturnType<typeof counts>[] = [];
  let stop = false;
  const drained = h.run({
    shouldHandOver: () => stop,
    onTick: async () => {
      seen.push(counts(h.db));
      if (h.rounds() > 1) return;
      // A lane claimed the job and its ack met a failure: the round fails with it still ours.
      assert.ok(claim(h.db, 60_000, T + 3_600_000, { owner: OWNER }));
      throw new Error('queue row unreadable');
    },
  });
  await expectGap(t, h, 250);
  stop = true;
  t.mock.timers.tick(250);
  assert.equal((await drained).reason, 'handover');
  assert.deepEqual(seen.map((c) => [c.pending, c.inProgress]), [[1, 0], [1, 0]]);
});

test('a lane that stops for a handover between jobs ends its round cleanly', async (t) => {
  const h = await harness(t);
  let stepped = 0;
  const drained = h.run({
    idleExitMs: 60_000,
    shouldHandOver: () => stepped > 0,
    steps: [() => (stepped++, { kind: 'done', job })],
  });
  await flush();
  t.mock.timers.tick(250);
  assert.deepEqual(await drained, { done: 1, retried: 0, dead: 0, reason: 'handover' });
  assert.deepEqual(h.lines.filter((l) => l.includes('drain round failed')), []);
});

test('the foreground drain carries on for a job due this very millisecond', async (t) => {
  const h = await harness(t);
  enqueue(h.db, { kind: 'scene', entityId: 'now', runAt: T }, T);
  let stop = false;
  const drained = h.run({ stopWhenNothingDue: true, shouldHandOver: () => stop });
  let ended = false;
  void drained.then(() => (ended = true));
  await flush();
  assert.equal(ended, false, 'a job due now is not "nothing due"');
  stop = true;
  t.mock.timers.tick(10);
  assert.equal((await drained).reason, 'handover');
});
