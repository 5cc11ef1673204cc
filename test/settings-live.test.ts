// Settings apply to the next job, also in a worker that is already running
// (with the production idle time it lives a minute, with retries due far
// longer), and the `process` task never starts workers in a loop.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { enqueueMany } from '../src/queue/operations.ts';
import { acquireLease, releaseLease } from '../src/worker/lease.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, cmdline, leaseRow, unsynced, waitFor, withDb } from './fault-support.ts';

test('a dead-letter retry after fixing the token syncs, though the worker that met the wrong token still runs', async (t) => {
  const w = await startWorld(t, { env: { PLEXSYNC_IDLE_EXIT_MS: '60000' }, settings: { plexToken: 'wrong-token' } });
  const pairs = addLibrary(w, 3);
  for (const id of pairs.keys()) assert.equal((await w.hook('Scene.Update.Post', id)).code, 0);
  await waitFor('three dead letters (401)', async () => (await w.queue()).dead === 3, 30_000);
  const worker = await leaseRow(w.dataDir);
  t.after(() => {
    if (worker && cmdline(worker.pid).includes('--worker')) process.kill(worker.pid, 'SIGKILL');
  });
  assert.ok(worker && cmdline(worker.pid).includes('--worker'), 'the worker is still alive');

  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token });
  const retry = await w.task('dlq_retry');
  assert.equal(retry.code, 0, retry.stdout);
  await waitFor('every scene in Plex with the fixed token', () => unsynced(w, pairs).length === 0, 30_000).catch((err: Error) => assert.fail(`${err.message}; worker log:\n${readFileSync(join(w.dataDir, 'worker.log'), 'utf8').slice(-2500)}`));
  assert.equal((await leaseRow(w.dataDir))?.pid, worker.pid, 'the same worker did it');
  assert.equal((await w.queue()).dead, 0);
  // Done with it: its minute of idling would only hold up the teardown.
  process.kill(worker.pid, 'SIGKILL');
});

test('`process` with bad settings stops at once with the settings error and starts no worker', async (t) => {
  const w = await startWorld(t, { settings: { plexUrl: 'not a url' } });
  const ids = [...addLibrary(w, 2).keys()];
  await withDb(w.dataDir, (db) => enqueueMany(db, ids.map((id) => ({ kind: 'scene' as const, entityId: id }))));
  // A worker briefly holds the lease when the task starts.
  await withDb(w.dataDir, (db) => assert.ok(acquireLease(db, 'brief-holder', process.pid, 60_000)));
  const release = setTimeout(() => void withDb(w.dataDir, (db) => releaseLease(db, 'brief-holder')), 1_500);
  t.after(() => clearTimeout(release));
  const run = await w.task('process', {}, { timeoutMs: 30_000 });
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.result.error ?? '', /plexUrl/);
  assert.ok(run.ms < 15_000, `answered in ${Math.round(run.ms)} ms`);
  const log = join(w.dataDir, 'worker.log');
  const started = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => / worker \d+ started/.test(line)) : [];
  assert.deepEqual(started, [], 'no background worker was started');
  assert.equal((await w.queue()).pending, 2, 'the jobs stay queued');
});
