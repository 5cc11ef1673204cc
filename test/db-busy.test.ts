// The busy timeout works on every supported Node (22.13 ignores DatabaseSync's
// `timeout` option): hooks wait for another connection's write lock instead
// of failing with "database is locked", which would lose the save.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_TIMEOUT_MS, openDatabase } from '../src/db/database.ts';
import { startWorld } from './helpers/world.ts';
import { tempDir } from './helpers/temp.ts';
import { addLibrary, jobs } from './fault-support.ts';

const HOOKS = 50;
const LOCK_MS = 4_000;

test('every connection waits for a busy database', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  assert.equal((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout, BUSY_TIMEOUT_MS);
});

test(`${HOOKS} hooks while another connection holds the write lock for ${LOCK_MS / 1000} s all succeed and are queued`, async (t) => {
  const w = await startWorld(t);
  const ids = [...addLibrary(w, HOOKS).keys()];
  const holder = await openDatabase(w.dataDir);
  t.after(() => holder.close());
  holder.exec('BEGIN IMMEDIATE');
  const released = new Promise<void>((resolve) =>
    setTimeout(() => {
      holder.exec('COMMIT');
      resolve();
    }, LOCK_MS),
  );
  const runs = await Promise.all(ids.map((id) => w.hook('Scene.Update.Post', id, { id, title: 'x' }, ['id', 'title'])));
  await released;
  for (const run of runs) {
    assert.equal(run.code, 0, `${run.stdout} ${run.stderr}`);
    assert.equal((run.result.output as { queued: boolean }).queued, true);
  }
  const keys = new Set((await jobs(w.dataDir)).map((j) => j.key));
  for (const id of ids) assert.ok(keys.has(`scene:${id}`), `scene ${id} queued`);
  await w.settle(60_000);
});
