// The worker lease's verbs one by one on a real database: who may renew,
// hold, release and hand it on, and what the lease row says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { enqueue, claim } from '../src/queue/operations.ts';
import { holderAlive, holderOf, localScope, selfHolder } from '../src/worker/holder.ts';
import { acquireLease, assignLease, currentLease, holdsLease, releaseLease, releaseLeaseIfIdle, renewLease } from '../src/worker/lease.ts';
import { tempDir } from './helpers/temp.ts';

const T = 1_800_000_000_000;

async function freshDb(t: Parameters<typeof tempDir>[0]): Promise<Db> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  return db;
}

const leaseRow = (db: Db) =>
  db.prepare('SELECT owner, pid, pid_start, pid_scope, started_at, expires_at FROM worker_lease').get() as
    | { owner: string; pid: number; pid_start: string | null; pid_scope: string | null; started_at: number; expires_at: number }
    | undefined;

test('the lease row names this process exactly, and the lease reads back with its times', async (t) => {
  const db = await freshDb(t);
  assert.equal(currentLease(db, T), undefined);
  assert.ok(acquireLease(db, 'me', process.pid, 30_000, T));
  const me = selfHolder();
  assert.deepEqual({ ...leaseRow(db) }, { owner: 'me', pid: process.pid, pid_start: me.start, pid_scope: me.scope, started_at: T, expires_at: T + 30_000 });
  assert.deepEqual(currentLease(db, T + 29_999), { owner: 'me', pid: process.pid, startedAt: T, expiresAt: T + 30_000 });
  assert.equal(currentLease(db, T + 30_000), undefined, 'expired at its expiry time');
});

test('taking the lease again as its owner keeps when it started; a new owner starts anew', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'me', process.pid, 1_000, T));
  assert.ok(acquireLease(db, 'me', process.pid, 1_000, T + 500), 'ours already: taken again while live');
  assert.deepEqual([leaseRow(db)!.started_at, leaseRow(db)!.expires_at], [T, T + 1_500]);
  assert.ok(acquireLease(db, 'next', process.pid, 1_000, T + 1_500));
  assert.deepEqual([leaseRow(db)!.owner, leaseRow(db)!.started_at], ['next', T + 1_500]);
});

test('only the owner renews, and a renewal names this process as the holder', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'me', process.pid, 1_000, T));
  db.prepare('UPDATE worker_lease SET pid = 1, pid_start = NULL').run();
  assert.equal(renewLease(db, 'someone-else', 1_000, T + 100), false);
  assert.equal(leaseRow(db)!.expires_at, T + 1_000);
  assert.equal(renewLease(db, 'me', 5_000, T + 200), true);
  assert.deepEqual([leaseRow(db)!.expires_at, leaseRow(db)!.pid, leaseRow(db)!.pid_start], [T + 5_200, process.pid, selfHolder().start]);
  assert.equal(renewLease(db, 'me', 5_000, T + 60_000), true, 'a renewal of a lapsed but untaken lease still works');
  assert.equal(leaseRow(db)!.expires_at, T + 65_000);
});

test('holding the lease means owning it unexpired', async (t) => {
  const db = await freshDb(t);
  assert.equal(holdsLease(db, 'me', T), false);
  assert.ok(acquireLease(db, 'me', process.pid, 1_000, T));
  assert.equal(holdsLease(db, 'me', T + 999), true);
  assert.equal(holdsLease(db, 'me', T + 1_000), false);
  assert.equal(holdsLease(db, 'other', T), false);
});

test('a release gives up only our own lease', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'me', process.pid, 60_000, T));
  releaseLease(db, 'other');
  assert.equal(leaseRow(db)!.owner, 'me');
  releaseLease(db, 'me');
  assert.equal(leaseRow(db), undefined);
});

test('an idle release gives the lease up only while no job is pending or running', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'me', process.pid, 60_000, T));
  enqueue(db, { kind: 'scene', entityId: '1' }, T);
  assert.equal(releaseLeaseIfIdle(db, 'me'), false, 'a job waits');
  const job = claim(db, 60_000, T)!;
  assert.equal(releaseLeaseIfIdle(db, 'me'), false, 'a job runs');
  assert.equal(leaseRow(db)!.owner, 'me');
  db.prepare(`UPDATE jobs SET status = 'done' WHERE id = ?`).run(job.id);
  assert.equal(releaseLeaseIfIdle(db, 'me'), true);
  assert.equal(leaseRow(db), undefined);
});

test('assigning the lease to a spawned child needs our reservation and another pid', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'reserved', process.pid, 15_000, T));
  assert.equal(assignLease(db, 'not-ours', 4_242), false);
  assert.equal(assignLease(db, 'reserved', process.pid), false, 'already this pid: nothing changes');
  assert.equal(assignLease(db, 'reserved', 4_242), true);
  const holder = holderOf(4_242);
  assert.deepEqual([leaseRow(db)!.pid, leaseRow(db)!.pid_start, leaseRow(db)!.pid_scope], [4_242, holder.start, holder.scope]);
});

test("this host's scope names the boot and the pid namespace; a process that never existed has no start time", () => {
  const scope = localScope();
  const [kind, host, boot, ns] = scope.split('|');
  assert.equal(kind, 'linux');
  assert.ok(host !== undefined && boot !== undefined && /^pid:\[\d+\]$/.test(ns ?? ''), scope);
  assert.equal(localScope(), scope, 'the same every time');
  assert.equal(holderOf(2 ** 22 + 12_345).start, null);
  assert.match(selfHolder().start ?? '', /^\d+$/);
  assert.equal(holderAlive({ pid: process.pid, start: null, scope }), true, 'no start time recorded: the pid alone decides');
  assert.equal(holderAlive({ pid: 2 ** 22 + 12_345, start: null, scope }), false);
  assert.equal(holderAlive({ pid: process.pid, start: selfHolder().start, scope: '' }), undefined, 'no scope: cannot tell');
  assert.equal(holderAlive({ pid: process.pid, start: selfHolder().start, scope: scope.replace(/^linux\|[^|]*/, 'linux|another-host') }), undefined, 'another host: cannot tell');
  assert.equal(holderAlive({ pid: process.pid, start: selfHolder().start, scope: scope.replace(/\|pid:\[\d+\]$/, '|pid:[1]') }), undefined, 'another pid namespace: cannot tell');
});

test('a lease taken for another pid names that process, not this one', async (t) => {
  const db = await freshDb(t);
  assert.ok(acquireLease(db, 'for-another', 4_242, 30_000, T));
  const holder = holderOf(4_242);
  assert.deepEqual([leaseRow(db)!.pid, leaseRow(db)!.pid_start, leaseRow(db)!.pid_scope], [4_242, holder.start, holder.scope]);
});
