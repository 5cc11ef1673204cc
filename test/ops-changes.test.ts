// Changes that reach Plex without a scene hook: a performer rename, a scene
// edited with no hook at all (catch-up), and a deleted scene and file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';
import { waitFor } from './fault-support.ts';
import { processesUsing } from './helpers/temp.ts';

test('a performer rename reaches every scene that shows the performer, and no other', async (t) => {
  const w = await startWorld(t);
  const star = w.stash.addPerformer('Old Name');
  const other = w.stash.addPerformer('Someone Else');
  const shown: string[] = [];
  const notShown: string[] = [];
  for (let i = 0; i < 60; i++) {
    const file = `/data/videos/p/scene-${i}.mp4`;
    const rk = w.plex.addItem({ title: `f${i}`, file, size: 10 + i }).ratingKey;
    w.stash.addScene({ title: `S${i}`, performerIds: i % 3 === 0 ? [star, other] : [other], files: [{ path: file, size: 10 + i }] });
    (i % 3 === 0 ? shown : notShown).push(rk);
  }
  await w.task('sync_all');
  await w.settle();
  const writesBefore = w.plex.requestCount({ method: 'PUT' });

  w.stash.renamePerformer(star, 'New Name');
  const run = await w.hook('Performer.Update.Post', star, { id: star, name: 'New Name' }, ['id', 'name']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await w.settle()).dead, 0);
  // In Stash's order, though Plex appends what it is sent to what the item has.
  for (const rk of shown) assert.deepEqual(w.plex.item(rk)!.tags.Role, ['New Name', 'Someone Else'], `item ${rk}`);
  for (const rk of notShown) assert.deepEqual(w.plex.item(rk)!.tags.Role, ['Someone Else']);
  // The renamed actor comes first: the one kept is taken off, then both are sent in order.
  assert.equal(w.plex.requestCount({ method: 'PUT' }) - writesBefore, 2 * shown.length, 'two edits per scene showing the performer');
});

test('catch-up: a change made with no hook is found when the worker starts, and while it runs', async (t) => {
  // Fake Stash's clock: the library was stamped an hour ago, each change
  // without a hook an hour after the last. Stash stamps whole seconds, and
  // catch-up re-reads the watermark's second and the one before; hours apart,
  // no test waits for the seconds to turn.
  let stashNow = Date.now() - 3_600_000;
  const nextHour = () => (stashNow = Math.max(stashNow, Date.now()) + 3_600_000);
  const w = await startWorld(t, { stash: { now: () => new Date(stashNow) }, env: { PLEXSYNC_CATCHUP_INTERVAL_MS: '300', PLEXSYNC_IDLE_EXIT_MS: '300' } });
  const files = [0, 1, 2].map((i) => `/data/videos/c/scene-${i}.mp4`);
  const rks = files.map((file, i) => w.plex.addItem({ title: `f${i}`, file, size: 1 + i }).ratingKey);
  const ids = files.map((file, i) => w.stash.addScene({ title: `Scene ${i}`, files: [{ path: file, size: 1 + i }] }));

  // The first worker only notes the time: it does not queue the whole library.
  await w.hook('Scene.Update.Post', ids[0]!);
  await w.settle();
  assert.equal(w.plex.item(rks[0]!)!.scalars.title, 'Scene 0');
  assert.equal(w.plex.item(rks[1]!)!.scalars.title, 'f1', 'no full sync on the first start');

  // Stash changes scene 1 and fires no hook (a merge, say).
  nextHour();
  w.stash.updateScene(ids[1]!, { title: 'Changed without a hook' });
  await w.hook('Scene.Update.Post', ids[0]!);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.item(rks[1]!)!.scalars.title, 'Changed without a hook');

  // While a worker stays up (it idles for 20 s here), the interval finds the next one.
  const longWorld = { ...w.env, PLEXSYNC_IDLE_EXIT_MS: '20000' };
  const { runPlugin, hookInput } = await import('./helpers/plugin.ts');
  await runPlugin(hookInput(w.stash.serverConnection(), 'Scene.Update.Post', ids[0]!), { env: longWorld });
  nextHour();
  w.stash.updateScene(ids[2]!, { title: 'Also without a hook' });
  await waitFor('scene 2 in Plex', () => w.plex.item(rks[2]!)!.scalars.title === 'Also without a hook', 15_000);
  // Its work done, the idling worker is stopped rather than waited for.
  await waitFor('the queue empty', async () => {
    const queue = await w.queue();
    return queue.pending + queue.inProgress === 0;
  });
  for (const pid of processesUsing(w.dataDir)) process.kill(pid, 'SIGKILL');
});

test('a scene deleted with its file: Plex is asked to scan the folder, and pending work for it is dropped', async (t) => {
  const w = await startWorld(t, { settings: { pathMap: '/stash=>/data/videos' } });
  const rk = w.plex.addItem({ title: 'x', file: '/data/videos/gone/scene.mp4', size: 5 }).ratingKey;
  const id = w.stash.addScene({ title: 'Doomed', files: [{ path: '/stash/gone/scene.mp4', size: 5 }] });
  await w.hook('Scene.Update.Post', id);
  await w.settle();
  assert.equal(w.plex.item(rk)!.scalars.title, 'Doomed');

  w.stash.deleteScene(id);
  const run = await w.hook('Scene.Destroy.Post', id, { id, delete_file: true, delete_generated: true, path: '/stash/gone/scene.mp4' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await w.settle()).dead, 0);
  assert.ok(w.plex.scans.some((s) => s.path === '/data/videos/gone'), JSON.stringify(w.plex.scans));
  const status = await w.task('status');
  assert.equal((status.result.output as { synced: number }).synced, 0, 'the sync record went with the scene');
});
