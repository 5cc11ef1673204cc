import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { listDead } from '../src/queue/dlq.ts';
import { counts, enqueue, getPending } from '../src/queue/operations.ts';
import { backoffCeiling, backoffDelay } from '../src/worker/backoff.ts';
import { type JobProcessor, SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const quiet = createLogger(() => {});

async function setup(t: Parameters<typeof tempDir>[0], processor: JobProcessor, maxAttempts = 3) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  let clock = 1_000_000;
  const worker = new SyncWorker({
    db,
    processor,
    log: quiet,
    backoff: { baseMs: 1000, capMs: 60_000 },
    maxAttempts,
    jobLeaseMs: 30_000,
    now: () => clock,
    random: () => 0.5,
  });
  return { db, worker, advance: (ms: number) => (clock += ms), now: () => clock };
}

test('success acknowledges the job', async (t) => {
  const { db, worker } = await setup(t, async () => ({ summary: 'ok' }));
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const result = await worker.step();
  assert.equal(result.kind, 'done');
  assert.deepEqual(counts(db), { pending: 0, inProgress: 0, dead: 0, done: 1 });
});

test('a transient error is retried later with backoff, then dead-lettered when attempts run out', async (t) => {
  const { db, worker, advance, now } = await setup(t, async () => {
    throw new TransientError('http_5xx', 'Plex answered 500');
  });
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  assert.equal((await worker.step()).kind, 'retry');
  const [pending] = getPending(db);
  assert.equal(pending?.runAt, now() + 500, 'full jitter: half of the 1 s ceiling with random 0.5');
  assert.equal((await worker.step()).kind, 'idle', 'not due yet');
  advance(500);
  assert.equal((await worker.step()).kind, 'retry');
  assert.equal(getPending(db)[0]?.runAt, now() + 1000, 'ceiling doubled');
  advance(1000);
  const last = await worker.step();
  assert.equal(last.kind, 'dead');
  const [dead] = listDead(db);
  assert.match(dead?.lastError ?? '', /gave up after 3 attempts: Plex answered 500/);
});

test('a permanent error goes straight to the dead-letter queue with its reason', async (t) => {
  const { db, worker } = await setup(t, async () => {
    throw new PermanentError('ambiguous_match', 'two Plex items share a.mp4');
  });
  enqueue(db, { kind: 'scene', entityId: '9' }, 0);
  assert.equal((await worker.step()).kind, 'dead');
  const [dead] = listDead(db);
  assert.equal(dead?.errorClass, 'PermanentError');
  assert.equal(dead?.errorCode, 'ambiguous_match');
  assert.equal(dead?.attempts, 1);
});

test('an unknown error counts as transient', async (t) => {
  const { db, worker } = await setup(t, async () => {
    throw new Error('something odd');
  });
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  assert.equal((await worker.step()).kind, 'retry');
  assert.equal(counts(db).pending, 1);
});

test('Retry-After from the server wins over the computed backoff', async (t) => {
  const { db, worker, now } = await setup(t, async () => {
    throw new TransientError('rate_limited', 'Plex answered 429', { retryAfterMs: 7000 });
  });
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  await worker.step();
  assert.equal(getPending(db)[0]?.runAt, now() + 7000);
});

test('backoff ceilings double from the base up to the cap', () => {
  const policy = { baseMs: 1000, capMs: 10_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n, policy)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
  for (let attempt = 1; attempt < 50; attempt++) {
    const delay = backoffDelay(attempt, policy);
    assert.ok(delay >= 0 && delay <= policy.capMs);
  }
});
