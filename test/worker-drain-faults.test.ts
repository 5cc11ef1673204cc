// A full or read-only disk under the database: the drain loop waits for it
// (however long) and drains by itself once it is back, instead of giving the
// queue up after a few failed rounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStorageFault, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { claim, counts, enqueue, requeueOwnJobs } from '../src/queue/operations.ts';
import { drain } from '../src/worker/drain.ts';
import { acquireLease } from '../src/worker/lease.ts';
import { SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const quiet = createLogger(() => {});

/** What node:sqlite throws when the disk is full. */
function diskFull(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const synced: string[] = [];
  const worker = new SyncWorker({
    db,
    log: quiet,
    backoff: { baseMs: 10, capMs: 10 },
    maxAttempts: 3,
    jobLeaseMs: 60_000,
    owner: 'w',
    workerLeaseMs: 60_000,
    processor: async (job) => {
      synced.push(job.entityId);
      return {};
    },
  });
  assert.ok(acquireLease(db, 'w', process.pid, 60_000));
  enqueue(db, { kind: 'scene', entityId: '1' });
  return { db, worker, synced };
}

test('storage faults are told from other errors', () => {
  assert.equal(isStorageFault(diskFull()), true);
  assert.equal(isStorageFault(Object.assign(new Error('attempt to write a readonly database'), { errcode: 8 })), true);
  assert.equal(isStorageFault(Object.assign(new Error('disk I/O error'), { errcode: 10 | (3 << 8) })), true, 'extended I/O codes');
  assert.equal(isStorageFault(Object.assign(new Error('no such table: jobs'), { errcode: 1 })), false);
  assert.equal(isStorageFault(new Error('something else')), false);
});

test('the drain waits out 30 rounds of a full disk, then drains by itself', async (t) => {
  const { db, worker, synced } = await setup(t);
  let rounds = 0;
  const stats = await drain({
    db,
    worker,
    log: quiet,
    owner: 'w',
    workerLeaseMs: 60_000,
    concurrency: 2,
    idleExitMs: 0,
    pollMs: 1,
    onTick: async () => {
      if (++rounds <= 30) throw diskFull();
    },
  });
  assert.equal(stats.reason, 'idle');
  assert.deepEqual(synced, ['1']);
  assert.deepEqual(counts(db), { pending: 0, inProgress: 0, dead: 0, done: 1 });
});

test('other failures of the queue still end the drain after 10 rounds', async (t) => {
  const { db, worker } = await setup(t);
  await assert.rejects(
    drain({
      db,
      worker,
      log: quiet,
      owner: 'w',
      workerLeaseMs: 60_000,
      concurrency: 1,
      idleExitMs: 0,
      pollMs: 1,
      onTick: async () => {
        throw new Error('no such table: jobs');
      },
    }),
    /no such table/,
  );
});

test('between rounds, a job whose ack met the full disk goes back to pending', async (t) => {
  const { db } = await setup(t);
  enqueue(db, { kind: 'scene', entityId: '2' });
  claim(db, 60_000, Date.now(), { owner: 'w' });
  claim(db, 60_000, Date.now(), { owner: 'someone-else' });
  assert.equal(requeueOwnJobs(db, 'w'), 1, 'only our own');
  assert.deepEqual(counts(db), { pending: 1, inProgress: 1, dead: 0, done: 0 });
});
