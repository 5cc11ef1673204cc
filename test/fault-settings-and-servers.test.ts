// Bad settings are named where the user looks (the task's error, the status
// output); slow and broken Plex servers neither hang the worker nor lose the job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';
import { getKv } from '../src/db/database.ts';
import { addLibrary, jobs, leaseRow, unsynced, waitFor, withDb } from './fault-support.ts';

const BAD_SETTINGS: [string, Record<string, unknown>, RegExp][] = [
  ['a URL without scheme', { plexUrl: '127.0.0.1:32400' }, /plexUrl must start with http:\/\/ or https:\/\//],
  ['an empty token', { plexToken: '' }, /plexToken is empty/],
  ['a malformed pathMap', { pathMap: '/stash/videos->/plex/videos' }, /pathMap entry 1 .* has no "=>"/],
];

for (const [name, settings, message] of BAD_SETTINGS) {
  test(`${name}: the setting is named in the error and in the status output; the job waits`, async (t) => {
    const w = await startWorld(t, { settings });
    const [scene] = addLibrary(w, 1).keys();
    const hook = await w.hook('Scene.Update.Post', scene!);
    assert.equal(hook.code, 0, 'the hook still records the change');
    await waitFor('the worker to record the problem', () => withDb(w.dataDir, (db) => getKv(db, 'settings_problem')));
    await waitFor('the worker to stop', async () => ((await leaseRow(w.dataDir))?.expires_at ?? 0) < Date.now());

    const status = await w.task('status');
    const report = status.result.output as { pending: number; problems: string[] };
    assert.equal(report.pending, 1, 'the job is kept for when the settings are fixed');
    assert.match(report.problems.join('\n'), message);
    assert.ok(status.logs.some((l) => l.level === 'w' && message.test(l.message)), 'the status log names it');

    const run = await w.task('process');
    assert.notEqual(run.code, 0);
    assert.match(run.result.error ?? '', message);

    // Fixed settings: the waiting job goes through.
    w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token });
    assert.equal((await w.task('process')).code, 0);
    await w.settle();
    const fixed = await w.task('status');
    assert.deepEqual((fixed.result.output as { problems: string[] }).problems, [], 'the problem clears once a worker starts fine');
  });
}

test('a response cut off mid-body is retried and the scene synced', async (t) => {
  const w = await startWorld(t, { env: { PLEXSYNC_CIRCUIT_PROBE_MS: '200' } });
  const pairs = addLibrary(w, 2);
  w.plex.cutBody(3);
  for (const scene of pairs.keys()) await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  assert.deepEqual(unsynced(w, pairs), []);
  assert.ok((await jobs(w.dataDir)).some((j) => j.attempts > 1), 'a cut-off answer cost a retry');
});

test('a Plex that answers slowly, within the timeout, syncs without a retry', async (t) => {
  const w = await startWorld(t, { settings: { plexTimeoutSeconds: 2 } });
  const pairs = addLibrary(w, 2);
  w.plex.setLatency(700);
  for (const scene of pairs.keys()) await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle(60_000);
  assert.equal(settled.dead, 0);
  assert.deepEqual(unsynced(w, pairs), []);
  for (const job of await jobs(w.dataDir)) assert.equal(job.attempts, 1, `${job.key} took one attempt`);
});

test('a Plex slower than the timeout: every request is cut at the timeout, the job waits, then syncs', async (t) => {
  const w = await startWorld(t, { settings: { plexTimeoutSeconds: 1 }, env: { PLEXSYNC_CIRCUIT_PROBE_MS: '300' } });
  const pairs = addLibrary(w, 1);
  w.plex.setLatency(1_500);
  for (const scene of pairs.keys()) await w.hook('Scene.Update.Post', scene);
  await waitFor('a timeout recorded', async () => (await jobs(w.dataDir)).some((j) => j.error_code === 'timeout'));
  w.plex.setLatency(0);
  const settled = await w.settle(30_000);
  assert.equal(settled.dead, 0);
  assert.deepEqual(unsynced(w, pairs), []);
});
