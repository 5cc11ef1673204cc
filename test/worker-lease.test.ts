// The worker lease: a dead holder is recognised by its pid and start time, so
// the lease is free at once; a live holder keeps it until it expires.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { claim, enqueue, recoverExpiredLeases } from '../src/queue/operations.ts';
import { holderAlive, holderOf, selfHolder } from '../src/worker/holder.ts';
import { acquireLease, assignLease, currentLease } from '../src/worker/lease.ts';
import { tempDir } from './helpers/temp.ts';

async function freshDb(t: Parameters<typeof tempDir>[0]) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  return db;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('this process is alive; an exited one is not', async () => {
  assert.equal(holderAlive(selfHolder()), true);
  const pid = await deadPid();
  assert.equal(holderAlive({ pid, start: null, scope: selfHolder().scope }), false);
});

test('a reused pid is not mistaken for the holder: the start time differs', () => {
  const me = selfHolder();
  assert.notEqual(me.start, null, 'Linux tells the start time');
  assert.equal(holderAlive({ ...me, start: String(Number(me.start) - 1) }), false);
});

test('a holder in another pid namespace or host cannot be judged: only expiry decides', () => {
  assert.equal(holderAlive({ pid: 1, start: '1', scope: 'host|elsewhere' }), undefined);
  assert.equal(holderAlive({ pid: 1, start: '1', scope: null }), undefined);
});

test('a holder from an earlier boot of this host is dead', () => {
  const [kind, host, , ns] = selfHolder().scope.split('|');
  assert.equal(holderAlive({ pid: process.pid, start: selfHolder().start, scope: [kind, host, 'an-earlier-boot', ns].join('|') }), false);
});

test('the lease of a dead holder is free at once, long before it expires', async (t) => {
  const db = await freshDb(t);
  const pid = await deadPid();
  assert.ok(acquireLease(db, 'dead-worker', process.pid, 60_000));
  assert.ok(assignLease(db, 'dead-worker', pid));
  assert.equal(currentLease(db), undefined);
  assert.ok(acquireLease(db, 'next-worker', process.pid, 60_000));
  assert.equal(currentLease(db)?.owner, 'next-worker');
});

test('a live holder keeps the lease until it expires', async (t) => {
  const db = await freshDb(t);
  const now = Date.now();
  assert.ok(acquireLease(db, 'first', process.pid, 10_000, now));
  assert.equal(acquireLease(db, 'second', process.pid, 10_000, now + 9_999), false);
  assert.ok(acquireLease(db, 'second', process.pid, 10_000, now + 10_000));
  assert.equal(holderOf(process.pid).pid, process.pid);
});

test('the next lease holder takes over the jobs claimed under a dead worker lease at once', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  assert.ok(acquireLease(db, 'dead-worker', process.pid, 60_000));
  const claimed = claim(db, 300_000, 1000, { owner: 'dead-worker' })!;
  assert.equal(recoverExpiredLeases(db, 2000, 'dead-worker'), 0, 'its own jobs are not taken from the holder');
  assert.ok(assignLease(db, 'dead-worker', await deadPid()));
  assert.equal(recoverExpiredLeases(db, 2000, 'someone-without-the-lease'), 0, 'only the lease holder takes jobs over');
  assert.ok(acquireLease(db, 'next-worker', process.pid, 60_000));
  assert.equal(recoverExpiredLeases(db, 2000, 'next-worker'), 1, 'its job lease (5 minutes) has not expired, its worker is dead');
  const again = claim(db, 300_000, 2000, { owner: 'next-worker' });
  assert.equal(again?.id, claimed.id);
  assert.equal(again?.attempts, 2);
});
