// One step of the SyncWorker against a real queue: what it reports and logs,
// how the gate (the circuit breaker's seat) is asked and told, and how the
// fence stops a worker whose leases were taken. A scripted clock; the job
// lease's renewal timer is the subject of one test and runs on short leases there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { listDead } from '../src/queue/dlq.ts';
import { counts, enqueue, getPending } from '../src/queue/operations.ts';
import { assertFence } from '../src/worker/fence.ts';
import { acquireLease } from '../src/worker/lease.ts';
import { type Gate, type JobProcessor, SyncWorker, type SyncWorkerOptions, toJobError } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const T = 1_800_000_000_000;

interface Setup {
  db: Db;
  worker: SyncWorker;
  lines: string[];
}

async function setup(t: Parameters<typeof tempDir>[0], processor: JobProcessor, extra: Partial<SyncWorkerOptions> = {}): Promise<Setup> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const lines: string[] = [];
  const worker = new SyncWorker({
    db,
    processor,
    log: createLogger((line) => lines.push(line)),
    backoff: { baseMs: 10_000, capMs: 600_000 },
    maxAttempts: 2,
    jobLeaseMs: 30_000,
    now: () => T,
    random: () => 0.5,
    ...extra,
  });
  return { db, worker, lines };
}

function recordingGate(blocked?: number, countsFailure = false): Gate & { successes: number[]; failures: unknown[]; asked: number[] } {
  return {
    successes: [],
    failures: [],
    asked: [],
    async blockedUntil(now) {
      this.asked.push(now);
      return blocked;
    },
    onSuccess(now) {
      this.successes.push(now);
    },
    onFailure(err) {
      this.failures.push(err);
      return countsFailure;
    },
  };
}

const status = (db: Db) => (db.prepare('SELECT status FROM jobs').all() as { status: string }[]).map((r) => r.status);

test("a job done says the processor's summary, or 'synced'", async (t) => {
  let summary: string | undefined = 'updated title in Plex item 9';
  const s = await setup(t, async () => (summary === undefined ? undefined : { summary }));
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  const done = await s.worker.step();
  assert.equal(done.kind, 'done');
  assert.equal(done.kind === 'done' && done.message, 'updated title in Plex item 9');
  assert.ok(s.lines.some((l) => l.includes('scene:1: updated title in Plex item 9')));
  summary = undefined;
  enqueue(s.db, { kind: 'scene', entityId: '2' }, T);
  const plain = await s.worker.step();
  assert.equal(plain.kind, 'done');
  assert.equal('message' in plain, false, 'no summary, no message');
  assert.ok(s.lines.some((l) => l.includes('scene:2: synced')));
  assert.deepEqual(await s.worker.step(), { kind: 'idle' });
});

test('a gate that blocks: nothing is claimed, and the step says until when', async (t) => {
  let ran = 0;
  const gate = recordingGate(T + 5_000);
  const s = await setup(t, async () => void ran++, { gate });
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  assert.deepEqual(await s.worker.step(), { kind: 'blocked', until: T + 5_000 });
  assert.equal(ran, 0);
  assert.deepEqual(gate.asked, [T]);
  assert.deepEqual(status(s.db), ['pending']);
});

test('the gate hears of each success and failure, with the time', async (t) => {
  let fail = false;
  const gate = recordingGate();
  const down = new TransientError('network', 'connection refused', { origin: 'plex' });
  const s = await setup(
    t,
    async () => {
      if (fail) throw down;
      return undefined;
    },
    { gate },
  );
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  await s.worker.step();
  assert.deepEqual(gate.successes, [T]);
  fail = true;
  enqueue(s.db, { kind: 'scene', entityId: '2' }, T);
  assert.equal((await s.worker.step()).kind, 'retry');
  assert.deepEqual(gate.failures, [down]);
});

test("a failure the gate takes as part of an outage gives the attempt back, even at the job's last", async (t) => {
  const gate = recordingGate(undefined, true);
  const s = await setup(
    t,
    async () => {
      throw new TransientError('network', 'connection refused', { origin: 'plex' });
    },
    { gate, maxAttempts: 1 },
  );
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  const result = await s.worker.step();
  assert.equal(result.kind, 'retry');
  const [pending] = getPending(s.db);
  assert.equal(pending!.attempts, 0, 'refunded');
  assert.equal(pending!.runAt, T + 5_000, 'still backed off');
  assert.equal(listDead(s.db).length, 0);
});

test('a retry says when, which attempt, and why; its result names the class and code', async (t) => {
  const s = await setup(t, async () => {
    throw new TransientError('http_5xx', 'Plex answered 500', { origin: 'plex' });
  });
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  const result = await s.worker.step();
  assert.deepEqual(
    { ...result, job: undefined },
    { kind: 'retry', job: undefined, message: 'Plex answered 500', errorClass: 'TransientError', code: 'http_5xx' },
  );
  assert.ok(s.lines.some((l) => l.includes('scene:1: will retry in 5 s (attempt 1): Plex answered 500')), s.lines.join('\n'));
});

test('a permanent failure and a last attempt are dead letters, said as errors', async (t) => {
  let permanent = true;
  const s = await setup(t, async () => {
    throw permanent ? new PermanentError('ambiguous_match', 'two items') : new TransientError('timeout', 'slow');
  });
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  const dead = await s.worker.step();
  assert.deepEqual({ ...dead, job: undefined }, { kind: 'dead', job: undefined, message: 'two items', errorClass: 'PermanentError', code: 'ambiguous_match' });
  assert.ok(s.lines.some((l) => l.startsWith('\x01e\x02') && l.includes('scene:1: dead letter: two items')), JSON.stringify(s.lines));
  permanent = false;
  enqueue(s.db, { kind: 'scene', entityId: '2' }, T);
  assert.equal((await s.worker.step()).kind, 'retry');
  const retried = getPending(s.db)[0]!;
  // Due again: the second attempt is the last (maxAttempts 2).
  s.db.prepare('UPDATE jobs SET run_at = ? WHERE id = ?').run(T, retried.id);
  const last = await s.worker.step();
  assert.equal(last.kind, 'dead');
  assert.equal(last.kind === 'dead' && last.message, 'gave up after 2 attempts: slow');
  assert.equal(listDead(s.db).find((j) => j.entityId === '2')!.lastError, 'gave up after 2 attempts: slow');
  assert.ok(s.lines.some((l) => l.includes('scene:2: dead letter: gave up after 2 attempts: slow')));
});

test('a Retry-After of 0 means at once; a negative one is ignored; a long one is capped', async (t) => {
  let retryAfterMs = 0;
  const s = await setup(t, async () => {
    throw new TransientError('rate_limited', 'slow down', { retryAfterMs });
  }, { maxAttempts: 10 });
  const runAtAfter = async (ms: number) => {
    retryAfterMs = ms;
    s.db.prepare('DELETE FROM jobs').run();
    enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
    await s.worker.step();
    return getPending(s.db)[0]!.runAt - T;
  };
  assert.equal(await runAtAfter(0), 0);
  assert.equal(await runAtAfter(-1), 5_000, 'the computed backoff (half of the 10 s ceiling)');
  assert.equal(await runAtAfter(3_600_000), 600_000, 'capped');
});

test('with a worker lease, each write is fenced by it: a worker whose lease was taken writes nothing', async (t) => {
  let writes = 0;
  const s = await setup(
    t,
    async () => {
      assertFence();
      writes++;
      return undefined;
    },
    { owner: 'me', workerLeaseMs: 30_000 },
  );
  assert.ok(acquireLease(s.db, 'me', process.pid, 30_000, T));
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  assert.equal((await s.worker.step()).kind, 'done');
  assert.equal(writes, 1);
  // Another worker takes the lease over.
  s.db.prepare(`UPDATE worker_lease SET owner = 'other'`).run();
  enqueue(s.db, { kind: 'scene', entityId: '2' }, T);
  const lost = await s.worker.step();
  assert.equal(lost.kind, 'lost');
  assert.equal(lost.kind === 'lost' && lost.message, 'the worker lease lost: another worker has taken over');
  assert.equal(writes, 1);
  assert.deepEqual(counts(s.db), { pending: 0, inProgress: 1, dead: 0, done: 1 }, 'the job is left to whoever holds it now');
  assert.ok(s.lines.some((l) => l.includes('scene:2: the worker lease lost: another worker has taken over: stopping without writing')));
});

test("a job whose own lease was taken is fenced too, and its outcome is not written", async (t) => {
  let steal = false;
  const s = await setup(t, async () => {
    if (steal) s.db.prepare(`UPDATE jobs SET lease = 'someone-else'`).run();
    assertFence();
    return undefined;
  });
  steal = true;
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  const lost = await s.worker.step();
  assert.equal(lost.kind, 'lost');
  assert.match(lost.kind === 'lost' ? (lost.message ?? '') : '', /^the lease of scene:1 lost/);
  assert.deepEqual(status(s.db), ['in_progress']);
});

test('an ack, nack or dead letter that finds the job taken over reports it lost', async (t) => {
  let outcome: 'ok' | 'transient' | 'permanent' = 'ok';
  const s = await setup(t, async () => {
    s.db.prepare(`UPDATE jobs SET lease = 'someone-else'`).run();
    if (outcome === 'transient') throw new TransientError('timeout', 'slow');
    if (outcome === 'permanent') throw new PermanentError('bad_request', 'no');
    return undefined;
  }, { maxAttempts: 1 });
  for (const o of ['ok', 'transient', 'permanent'] as const) {
    outcome = o;
    s.db.prepare('DELETE FROM jobs').run();
    enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
    assert.equal((await s.worker.step()).kind, 'lost', o);
  }
  // A transient failure short of the last attempt: the nack finds the job gone too.
  const again = await setup(t, async () => {
    again.db.prepare(`UPDATE jobs SET lease = 'someone-else'`).run();
    throw new TransientError('timeout', 'slow');
  }, { maxAttempts: 5 });
  enqueue(again.db, { kind: 'scene', entityId: '1' }, T);
  assert.equal((await again.worker.step()).kind, 'lost');
});

test("a slow job's lease is renewed while it runs, and the job is told when it is lost", async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  let now = T;
  let signalReason: unknown;
  let job = 0;
  const worker = new SyncWorker({
    db,
    log: createLogger(() => {}),
    backoff: { baseMs: 1_000, capMs: 1_000 },
    maxAttempts: 3,
    // Time is the subject: a short lease so that renewals come quickly.
    jobLeaseMs: 300,
    now: () => now,
    processor: async (_job, signal) => {
      job++;
      const expiry = () => (db.prepare('SELECT lease_expires_at FROM jobs WHERE status = ?').get('in_progress') as { lease_expires_at: number }).lease_expires_at;
      if (job === 1) {
        // Renewals move the expiry to (clock + lease) while the job runs.
        now = T + 10_000;
        for (const until = Date.now() + 30_000; expiry() !== T + 10_300 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
        assert.equal(expiry(), T + 10_300);
        return undefined;
      }
      // The lease is taken: the renewal fails and aborts the job.
      db.prepare(`UPDATE jobs SET lease = 'someone-else'`).run();
      for (const until = Date.now() + 30_000; !signal.aborted && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
      signalReason = signal.reason;
      throw new TransientError('cancelled', 'aborted');
    },
  });
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  assert.equal((await worker.step()).kind, 'done');
  enqueue(db, { kind: 'scene', entityId: '2' }, now);
  assert.equal((await worker.step()).kind, 'lost');
  assert.match(String((signalReason as Error)?.message), /job lease lost/);
});

test('a job error keeps class, code and message, with the request but never a token', () => {
  const err = new TransientError('http_5xx', 'Plex answered 502', {
    http: { method: 'PUT', url: 'http://127.0.0.1:32400/library/metadata/5?X-Plex-Token=abcdefgh1234', status: 502 },
  });
  assert.deepEqual(toJobError(err), {
    errorClass: 'TransientError',
    code: 'http_5xx',
    message: 'Plex answered 502 (PUT http://127.0.0.1:32400/library/metadata/5?X-Plex-Token=*** -> 502)',
  });
  const noStatus = new TransientError('network', 'reset', { http: { method: 'GET', url: 'http://127.0.0.1:32400/identity' } });
  assert.equal(toJobError(noStatus).message, 'reset (GET http://127.0.0.1:32400/identity)');
  assert.deepEqual(toJobError(new RangeError('out of range')), { errorClass: 'RangeError', code: 'internal', message: 'out of range' });
  assert.deepEqual(toJobError('a string'), { errorClass: 'Error', code: 'internal', message: 'a string' });
});

test('a claim records the worker lease it was made under, and the fence renews that lease for its own length', async (t) => {
  let owner: string | null | undefined;
  let expires: number | undefined;
  const s = await setup(
    t,
    async () => {
      owner = (s.db.prepare('SELECT owner FROM jobs').get() as { owner: string | null }).owner;
      assertFence();
      expires = (s.db.prepare('SELECT expires_at FROM worker_lease').get() as { expires_at: number }).expires_at;
      return undefined;
    },
    { owner: 'me', workerLeaseMs: 45_000, jobLeaseMs: 20_000 },
  );
  assert.ok(acquireLease(s.db, 'me', process.pid, 1_000, T));
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  assert.equal((await s.worker.step()).kind, 'done');
  assert.equal(owner, 'me');
  assert.equal(expires, T + 45_000, 'the worker lease, not the job lease');
});

test("a job's lease is renewed every third of it, on the clock of the job's timer", async (t) => {
  // Only setInterval is mocked: the renewal timer is the subject; the worker's clock is injected.
  t.mock.timers.enable({ apis: ['setInterval'] });
  let now = T;
  const expiries: number[] = [];
  const s = await setup(
    t,
    async () => {
      const expiry = () => (s.db.prepare('SELECT lease_expires_at AS at FROM jobs').get() as { at: number }).at;
      expiries.push(expiry());
      now = T + 4_000;
      t.mock.timers.tick(9_999);
      expiries.push(expiry());
      t.mock.timers.tick(1);
      expiries.push(expiry());
      now = T + 12_000;
      t.mock.timers.tick(10_000);
      expiries.push(expiry());
      return undefined;
    },
    { jobLeaseMs: 30_000, now: () => now },
  );
  enqueue(s.db, { kind: 'scene', entityId: '1' }, T);
  assert.equal((await s.worker.step()).kind, 'done');
  assert.deepEqual(expiries, [T + 30_000, T + 30_000, T + 34_000, T + 42_000], 'claimed, not yet renewed, renewed at 10 s and again at 20 s');
});
