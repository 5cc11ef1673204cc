import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DB_FILE, openDatabase, schemaVersion } from '../src/db/database.ts';
import { migrations } from '../src/db/migrations.ts';
import { clearDead, listDead, purgeDead, retryDead } from '../src/queue/dlq.ts';
import {
  ack,
  claim,
  counts,
  enqueue,
  enqueueMany,
  fail,
  getPending,
  extendLease,
  nack,
  rebaseDueTimes,
  recoverExpiredLeases,
} from '../src/queue/operations.ts';
import { wallClockWentBack } from '../src/worker/drain.ts';
import { tempDir } from './helpers/temp.ts';

const err = { errorClass: 'TransientError', code: 'network', message: 'connection refused' };

async function freshDb(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const db = await openDatabase(dir);
  t.after(() => db.close());
  return { db, dir };
}

test('database is created private, in WAL mode, fully migrated', async (t) => {
  const { db, dir } = await freshDb(t);
  assert.equal(statSync(join(dir, DB_FILE)).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(schemaVersion(db), migrations.length);
  const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
  assert.equal(mode.journal_mode, 'wal');
});

test("a connection opened with a page cache size keeps SQLite's cache to it; others keep SQLite's default", async (t) => {
  const dir = tempDir(t);
  const small = await openDatabase(dir, { pageCacheKib: 128 });
  const plain = await openDatabase(dir);
  t.after(() => {
    small.close();
    plain.close();
  });
  const cacheOf = (db: typeof small) => (db.prepare('PRAGMA cache_size').get() as { cache_size: number }).cache_size;
  assert.equal(cacheOf(small), -128, 'negative: a size in KiB');
  assert.equal(cacheOf(plain), -2000);
});

test('reopening an existing database keeps its jobs and does not re-run migrations', async (t) => {
  const dir = tempDir(t);
  const first = await openDatabase(dir);
  enqueue(first, { kind: 'scene', entityId: '1' });
  first.close();
  const second = await openDatabase(dir);
  t.after(() => second.close());
  assert.equal(counts(second).pending, 1);
});

test('a newer event for a pending scene folds into the pending job', async (t) => {
  const { db } = await freshDb(t);
  const a = enqueue(db, { kind: 'scene', entityId: '42' }, 1000);
  const b = enqueue(db, { kind: 'scene', entityId: '42' }, 2000);
  assert.equal(a.coalesced, false);
  assert.equal(b.coalesced, true);
  assert.equal(a.id, b.id);
  const [job] = getPending(db);
  assert.equal(job?.events, 2);
  assert.equal(counts(db).pending, 1);
});

test('different kinds with the same id do not fold together', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '7' });
  enqueue(db, { kind: 'performer', entityId: '7' });
  assert.equal(counts(db).pending, 2);
});

test('an event for a job being worked on stays pending beside it', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 1000);
  const job = claim(db, 60_000, 1000);
  assert.ok(job);
  const again = enqueue(db, { kind: 'scene', entityId: '1' }, 1500);
  assert.equal(again.coalesced, false);
  assert.deepEqual(counts(db), { pending: 1, inProgress: 1, dead: 0, done: 0 });
  assert.equal(ack(db, job, 2000), true);
  assert.deepEqual(counts(db), { pending: 1, inProgress: 0, dead: 0, done: 1 });
});

test('claim takes the oldest due job, counts the attempt and skips future ones', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: 'later', runAt: 5000 }, 1000);
  enqueue(db, { kind: 'scene', entityId: 'now' }, 1000);
  const job = claim(db, 10_000, 1000);
  assert.equal(job?.entityId, 'now');
  assert.equal(job?.attempts, 1);
  assert.equal(job?.status, 'in_progress');
  assert.equal(claim(db, 10_000, 1000), undefined);
  assert.equal(claim(db, 10_000, 5000)?.entityId, 'later');
});

test('ack, nack and fail are fenced by the lease the job was claimed with', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  const stale = { ...job, lease: 'someone-else' };
  assert.equal(ack(db, stale), false);
  assert.equal(fail(db, stale, err), false);
  assert.equal(nack(db, stale, { runAt: 0, error: err }), false);
  assert.equal(counts(db).inProgress, 1);
  assert.equal(ack(db, job), true);
});

test('a job whose worker died is claimed again after its lease expires', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const first = claim(db, 1000, 0)!;
  assert.equal(recoverExpiredLeases(db, 500), 0);
  assert.equal(claim(db, 1000, 500), undefined);
  assert.equal(recoverExpiredLeases(db, 1001), 1);
  const second = claim(db, 1000, 1001)!;
  assert.equal(second.id, first.id);
  assert.equal(second.attempts, 2);
  assert.equal(ack(db, first), false, 'the dead worker can no longer ack');
  assert.equal(ack(db, second), true);
});

test('an expired job with a newer pending twin is dropped in favour of the twin', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  claim(db, 1000, 0);
  enqueue(db, { kind: 'scene', entityId: '1' }, 10);
  recoverExpiredLeases(db, 2000);
  assert.deepEqual(counts(db), { pending: 1, inProgress: 0, dead: 0, done: 0 });
});

test('nack schedules a retry and keeps the attempt count in the database', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  assert.equal(nack(db, job, { runAt: 5000, error: err }, 10), true);
  const [pending] = getPending(db);
  assert.equal(pending?.runAt, 5000);
  assert.equal(pending?.attempts, 1);
  assert.equal(pending?.lastError, 'connection refused');
  assert.equal(claim(db, 1000, 4999), undefined);
  assert.equal(claim(db, 1000, 5000)?.attempts, 2);
});

test('a refunded nack does not use up an attempt', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  nack(db, job, { runAt: 0, error: err, refundAttempt: true });
  assert.equal(getPending(db)[0]?.attempts, 0);
});

test('nack folds into a newer pending event for the same scene', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  enqueue(db, { kind: 'scene', entityId: '1' }, 5);
  assert.equal(nack(db, job, { runAt: 900, error: err }, 10), true);
  const pending = getPending(db);
  assert.equal(pending.length, 1);
  assert.equal(pending[0]?.runAt, 900);
  assert.equal(pending[0]?.attempts, 1);
  assert.equal(counts(db).inProgress, 0);
});

test('a nack folding into a pending twin keeps the higher attempt count of the two', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  enqueue(db, { kind: 'scene', entityId: '1' }, 5);
  db.prepare(`UPDATE jobs SET attempts = 3, run_at = 2000 WHERE status = 'pending'`).run();
  assert.equal(nack(db, job, { runAt: 900, error: err }, 10), true);
  const [twin] = getPending(db);
  assert.equal(twin?.attempts, 3, 'the twin had used more attempts than the nacked job');
  assert.equal(twin?.runAt, 2000, 'and is due later');
  assert.equal(twin?.lastError, 'connection refused');
});

test('a refunded nack folding into a pending twin hands on its attempts minus the refund', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  nack(db, claim(db, 1000, 0)!, { runAt: 0, error: err }, 1);
  const job = claim(db, 1000, 1)!;
  assert.equal(job.attempts, 2);
  enqueue(db, { kind: 'scene', entityId: '1' }, 5);
  assert.equal(nack(db, job, { runAt: 900, error: err, refundAttempt: true }, 10), true);
  assert.equal(getPending(db)[0]?.attempts, 1);
});

test('extendLease is fenced by the lease and the state the job was claimed with', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const job = claim(db, 1000, 0)!;
  assert.equal(extendLease(db, { ...job, lease: 'someone-else' }, 60_000, 500), false);
  assert.equal(recoverExpiredLeases(db, 1001), 1, 'the stale extension did not move the expiry');
  const again = claim(db, 1000, 1001)!;
  assert.equal(extendLease(db, job, 60_000, 1500), false, 'the first claim lost the job');
  assert.equal(extendLease(db, again, 60_000, 1500), true);
  assert.equal(recoverExpiredLeases(db, 2002), 0, 'a renewed lease outlives its first expiry');
  assert.equal(ack(db, again), true);
  assert.equal(extendLease(db, again, 60_000, 1600), false, 'a finished job has no lease to extend');
});

test('a job is never claimed while another job of the same scene is in progress', async (t) => {
  const { db } = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  enqueue(db, { kind: 'scene', entityId: '2' }, 1);
  const first = claim(db, 60_000, 10)!;
  enqueue(db, { kind: 'scene', entityId: '1' }, 20);
  enqueue(db, { kind: 'scene', entityId: '1' }, 30);
  assert.equal(claim(db, 60_000, 40)?.entityId, '2', 'scene 1 waits behind its running job');
  assert.equal(claim(db, 60_000, 40), undefined);
  assert.equal(getPending(db)[0]?.events, 2, 'the newer saves wait coalesced');
  assert.equal(ack(db, first, 50), true);
  assert.equal(claim(db, 60_000, 60)?.entityId, '1');
});

test('dead letters keep class, reason and attempts, and can be retried, cleared and purged', async (t) => {
  const { db } = await freshDb(t);
  enqueueMany(db, [1, 2, 3].map((i) => ({ kind: 'scene' as const, entityId: String(i) })), 0);
  for (let i = 0; i < 3; i++) {
    const job = claim(db, 1000, 0)!;
    fail(db, job, { errorClass: 'PermanentError', code: 'ambiguous_match', message: `two items for ${job.entityId}` }, i * 86_400_000);
  }
  const dead = listDead(db);
  assert.equal(dead.length, 3);
  assert.equal(dead[0]?.errorClass, 'PermanentError');
  assert.match(dead[0]?.lastError ?? '', /two items/);
  assert.equal(dead[0]?.attempts, 1);

  assert.equal(purgeDead(db, 1, 2 * 86_400_000 - 1), 1, 'only the letter older than one day goes');
  enqueue(db, { kind: 'scene', entityId: '2' });
  assert.equal(retryDead(db), 2);
  assert.deepEqual(counts(db), { pending: 2, inProgress: 0, dead: 0, done: 0 });
  assert.equal(getPending(db).every((j) => j.attempts === 0), true);

  const job = claim(db, 1000)!;
  fail(db, job, err);
  assert.equal(clearDead(db), 1);
  assert.equal(counts(db).dead, 0);
});

test('after the clock went back an hour, no pending job waits longer than the backoff that set it', async (t) => {
  const { db } = await freshDb(t);
  const hour = 3_600_000;
  const t0 = 10 * hour;
  enqueue(db, { kind: 'scene', entityId: 'retry' }, t0);
  enqueue(db, { kind: 'scene', entityId: 'new' }, t0);
  const job = claim(db, 60_000, t0)!;
  assert.equal(job.entityId, 'retry');
  nack(db, job, { runAt: t0 + 5_000, error: err }, t0);
  const back = t0 - hour;
  assert.equal(rebaseDueTimes(db, back), 2);
  const due = new Map(getPending(db).map((j) => [j.entityId, j.runAt]));
  assert.equal(due.get('retry'), back + 5_000, 'the retry waits its 5 s backoff, not an hour more');
  assert.equal(due.get('new'), back, 'the new event is due now');
  assert.equal(rebaseDueTimes(db, back + 1), 0, 'once rebased, nothing moves again');
});

test('a wall clock jump back is told from elapsed time by the monotonic clock', () => {
  const before = { wall: 50_000, mono: 1_000 };
  assert.equal(wallClockWentBack(before, { wall: 52_000, mono: 3_000 }), false);
  assert.equal(wallClockWentBack(before, { wall: 40_000, mono: 3_000 }), true);
  assert.equal(wallClockWentBack(before, { wall: 900_000, mono: 3_000 }), false, 'a jump forward only brings due times nearer');
});
