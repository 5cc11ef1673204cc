// The queue's smaller verbs, each against a real database: due times, the
// hand-back of running jobs, dropping a pending job, history purging, claims
// by kind and owner, and the counts `status` shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, getKv, openDatabase } from '../src/db/database.ts';
import { DEAD_LETTERS_RETRIED_AT, listDead, retryDead } from '../src/queue/dlq.ts';
import {
  ack,
  claim,
  counts,
  dropPending,
  enqueue,
  enqueueMany,
  extendLease,
  fail,
  getPending,
  nextDueAt,
  purgeDone,
  recoverExpiredLeases,
  requeueOwnJobs,
  returnRunningJobs,
} from '../src/queue/operations.ts';
import { tempDir } from './helpers/temp.ts';

const T = 1_800_000_000_000;
const LEASE = 60_000;
const err = { errorClass: 'PermanentError', code: 'bad_request', message: 'Plex said no' };

async function freshDb(t: Parameters<typeof tempDir>[0]): Promise<Db> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  return db;
}

const row = (db: Db, id: number) =>
  db.prepare('SELECT status, attempts, run_at, lease, lease_expires_at, owner, updated_at FROM jobs WHERE id = ?').get(id) as
    | { status: string; attempts: number; run_at: number; lease: string | null; lease_expires_at: number | null; owner: string | null; updated_at: number }
    | undefined;

test('the next due time is the earliest pending one; none when nothing is pending', async (t) => {
  const db = await freshDb(t);
  assert.equal(nextDueAt(db), undefined);
  enqueue(db, { kind: 'scene', entityId: '1', runAt: T + 5_000 }, T);
  enqueue(db, { kind: 'scene', entityId: '2', runAt: T + 2_000 }, T);
  assert.equal(nextDueAt(db), T + 2_000);
  const job = claim(db, LEASE, T + 2_000)!;
  assert.equal(job.entityId, '2');
  assert.equal(nextDueAt(db), T + 5_000, 'a running job is not due');
  ack(db, job, T + 2_100);
  claim(db, LEASE, T + 5_000);
  assert.equal(nextDueAt(db), undefined);
});

test('a pending job folds a later due time into the earlier; a payload is kept unless a newer one comes', async (t) => {
  const db = await freshDb(t);
  const first = enqueue(db, { kind: 'scene_destroy', entityId: '3', runAt: T + 1_000, payload: { path: '/a.mp4' } }, T);
  assert.equal(first.coalesced, false);
  const second = enqueue(db, { kind: 'scene_destroy', entityId: '3', runAt: T + 9_000 }, T + 10);
  assert.deepEqual(second, { id: first.id, coalesced: true });
  let [job] = getPending(db);
  assert.equal(job!.runAt, T + 1_000);
  assert.deepEqual(job!.payload, { path: '/a.mp4' });
  assert.equal(job!.events, 2);
  enqueue(db, { kind: 'scene_destroy', entityId: '3', payload: { path: '/b.mp4' } }, T + 20);
  [job] = getPending(db);
  assert.deepEqual(job!.payload, { path: '/b.mp4' });
  assert.equal(job!.updatedAt, T + 20);
  assert.equal(job!.createdAt, T);
});

test('enqueueMany counts what it added and what folded', async (t) => {
  const db = await freshDb(t);
  assert.deepEqual(enqueueMany(db, [], T), { added: 0, coalesced: 0 });
  const result = enqueueMany(
    db,
    [
      { kind: 'scene', entityId: '1' },
      { kind: 'scene', entityId: '2' },
      { kind: 'scene', entityId: '1' },
      { kind: 'tag', entityId: '1' },
    ],
    T,
  );
  assert.deepEqual(result, { added: 3, coalesced: 1 });
  assert.equal(counts(db).pending, 3);
});

test('pending jobs list by due time, then age, up to the limit', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: 'late', runAt: T + 3 }, T);
  enqueue(db, { kind: 'scene', entityId: 'a', runAt: T + 1 }, T);
  enqueue(db, { kind: 'scene', entityId: 'b', runAt: T + 1 }, T);
  assert.deepEqual(getPending(db).map((j) => j.entityId), ['a', 'b', 'late']);
  assert.deepEqual(getPending(db, 2).map((j) => j.entityId), ['a', 'b']);
});

test('counts tell each state apart', async (t) => {
  const db = await freshDb(t);
  assert.deepEqual(counts(db), { pending: 0, inProgress: 0, dead: 0, done: 0 });
  for (const id of ['1', '2', '3', '4', '5']) enqueue(db, { kind: 'scene', entityId: id }, T);
  ack(db, claim(db, LEASE, T)!, T);
  fail(db, claim(db, LEASE, T)!, err, T);
  fail(db, claim(db, LEASE, T)!, err, T);
  claim(db, LEASE, T);
  assert.deepEqual(counts(db), { pending: 1, inProgress: 1, dead: 2, done: 1 });
});

test('a claim can be limited to some kinds, and records the worker lease it was made under', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  enqueue(db, { kind: 'performer', entityId: '2' }, T + 1);
  enqueue(db, { kind: 'tag', entityId: '3' }, T + 2);
  assert.equal(claim(db, LEASE, T + 10, { kinds: ['tag', 'performer'], owner: 'w1' })!.kind, 'performer');
  assert.equal(claim(db, LEASE, T + 10, { kinds: ['tag'] })!.kind, 'tag');
  assert.equal(claim(db, LEASE, T + 10, { kinds: ['studio'] }), undefined);
  const scene = claim(db, LEASE, T + 10)!;
  assert.equal(scene.kind, 'scene');
  assert.equal(scene.leaseExpiresAt, T + 10 + LEASE);
  const owners = db.prepare('SELECT kind, owner FROM jobs ORDER BY id').all() as { kind: string; owner: string | null }[];
  assert.deepEqual(owners.map((o) => [o.kind, o.owner]), [
    ['scene', null],
    ['performer', 'w1'],
    ['tag', null],
  ]);
});

test('a lease is extended only while the job runs under it', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  const job = claim(db, LEASE, T)!;
  assert.equal(extendLease(db, job, LEASE, T + 1_000), true);
  assert.equal(row(db, job.id)!.lease_expires_at, T + 1_000 + LEASE);
  assert.equal(extendLease(db, { ...job, lease: 'another' }, LEASE, T + 2_000), false);
  assert.equal(row(db, job.id)!.lease_expires_at, T + 1_000 + LEASE);
  ack(db, job, T + 3_000);
  assert.equal(extendLease(db, job, LEASE, T + 4_000), false, 'a finished job has no lease to extend');
});

test('a stopping worker hands its running jobs back due now, the cut-short attempt refunded; a pending twin covers one', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1', runAt: T }, T);
  enqueue(db, { kind: 'scene', entityId: '2', runAt: T }, T);
  const one = claim(db, LEASE, T, { owner: 'w' })!;
  const two = claim(db, LEASE, T, { owner: 'w' })!;
  // A newer event for scene 2 waits beside its running job.
  const twin = enqueue(db, { kind: 'scene', entityId: '2', runAt: T + 50 }, T + 50);
  assert.equal(returnRunningJobs(db, T + 100), 2);
  const back = row(db, one.id)!;
  assert.deepEqual([back.status, back.attempts, back.run_at, back.lease, back.lease_expires_at, back.updated_at], ['pending', 0, T + 100, null, null, T + 100]);
  assert.equal(row(db, two.id), undefined, 'the running job with a pending twin is dropped');
  assert.equal(row(db, twin.id)!.status, 'pending');
  assert.equal(returnRunningJobs(db, T + 200), 0);
  assert.equal(counts(db).pending, 2);
});

test("a worker's own claimed jobs go back to pending between rounds; other workers' stay", async (t) => {
  const db = await freshDb(t);
  for (const id of ['1', '2', '3']) enqueue(db, { kind: 'scene', entityId: id }, T);
  const mine = claim(db, LEASE, T, { owner: 'me' })!;
  const mineTwinned = claim(db, LEASE, T, { owner: 'me' })!;
  const theirs = claim(db, LEASE, T, { owner: 'them' })!;
  enqueue(db, { kind: 'scene', entityId: mineTwinned.entityId }, T + 1);
  assert.equal(requeueOwnJobs(db, 'me', T + 10), 2);
  const back = row(db, mine.id)!;
  assert.deepEqual([back.status, back.attempts, back.run_at, back.lease, back.owner], ['pending', 1, T + 10, null, null], 'the attempt stays counted');
  assert.equal(row(db, mineTwinned.id), undefined);
  assert.equal(row(db, theirs.id)!.status, 'in_progress');
  assert.equal(requeueOwnJobs(db, 'me', T + 20), 0);
});

test('only the live holder of the worker lease takes over jobs claimed under another worker lease', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  enqueue(db, { kind: 'scene', entityId: '2' }, T);
  const old = claim(db, LEASE, T, { owner: 'old-worker' })!;
  const anon = claim(db, LEASE, T)!;
  // Not holding the worker lease: another worker's unexpired job stays.
  assert.equal(recoverExpiredLeases(db, T + 1, 'new-worker'), 0);
  db.prepare(`INSERT INTO worker_lease (name, owner, pid, started_at, expires_at) VALUES ('worker', 'new-worker', 1, ?, ?)`).run(T, T + LEASE);
  assert.equal(recoverExpiredLeases(db, T + 2), 0, 'without an owner only expiry counts');
  assert.equal(recoverExpiredLeases(db, T + 3, 'new-worker'), 1);
  assert.equal(row(db, old.id)!.status, 'pending');
  assert.equal(row(db, old.id)!.run_at, T + 3);
  assert.equal(row(db, anon.id)!.status, 'in_progress', 'a job claimed without an owner waits for its lease to expire');
  assert.equal(recoverExpiredLeases(db, T + LEASE + 1, 'new-worker'), 1);
  assert.equal(row(db, anon.id)!.status, 'pending');
  assert.equal(recoverExpiredLeases(db, T + LEASE, 'new-worker'), 0);
});

test('a job lease is expired only once its time has passed', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  const job = claim(db, LEASE, T)!;
  assert.equal(recoverExpiredLeases(db, T + LEASE), 0, 'at the expiry instant the lease still holds');
  assert.equal(recoverExpiredLeases(db, T + LEASE + 1), 1);
  assert.equal(row(db, job.id)!.status, 'pending');
});

test('dropping a pending job leaves a running one of the same scene alone', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  const running = claim(db, LEASE, T)!;
  enqueue(db, { kind: 'scene', entityId: '1' }, T + 1);
  enqueue(db, { kind: 'tag', entityId: '1' }, T + 1);
  assert.equal(dropPending(db, 'scene', '1'), 1);
  assert.equal(dropPending(db, 'scene', '1'), 0);
  assert.equal(row(db, running.id)!.status, 'in_progress');
  assert.deepEqual(getPending(db).map((j) => j.key), ['tag:1']);
});

test('finished jobs older than the window are purged; newer ones, pending and dead ones stay', async (t) => {
  const db = await freshDb(t);
  for (const id of ['1', '2', '3']) enqueue(db, { kind: 'scene', entityId: id }, T);
  ack(db, claim(db, LEASE, T)!, T);
  ack(db, claim(db, LEASE, T)!, T + 500);
  fail(db, claim(db, LEASE, T)!, err, T);
  assert.equal(purgeDone(db, 1_000, T + 1_000), 0, 'finished exactly at the cutoff stays');
  assert.equal(purgeDone(db, 1_000, T + 1_001), 1);
  assert.equal(counts(db).done, 1);
  assert.equal(listDead(db).length, 1);
});

test('sending dead letters back notes when, so a running worker reads its settings afresh', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  fail(db, claim(db, LEASE, T)!, err, T);
  assert.equal(getKv(db, DEAD_LETTERS_RETRIED_AT), undefined);
  assert.equal(retryDead(db, T + 5_000), 1);
  assert.equal(getKv(db, DEAD_LETTERS_RETRIED_AT), String(T + 5_000));
});
