// Read-backs judged the way Plex judges: tags that differ only in case, the
// user's own collections, and a poster upload that has to show.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';
import { jobs } from './fault-support.ts';

const FILE = '/data/videos/judged.mp4';

test('tags differing only in case: one is sent, and a Plex that folds them verifies', async (t) => {
  const w = await startWorld(t, { plex: { foldTagCase: true }, settings: { maxAttempts: 3 } });
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 4 }).ratingKey;
  const tags = [w.stash.addTag('Blonde'), w.stash.addTag('blonde'), w.stash.addTag('Outdoor')];
  const scene = w.stash.addScene({ title: 'Cased', tagIds: tags, files: [{ path: FILE, size: 4 }] });
  await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle(30_000);
  assert.equal(settled.dead, 0, JSON.stringify(await jobs(w.dataDir)));
  assert.deepEqual(w.plex.item(rk)!.tags.Genre, ['Blonde', 'Outdoor']);
  const sent = w.plex.requests.filter((r) => r.method === 'PUT').flatMap((r) => r.query.filter(([k]) => /^genre\[\d+\]\.tag\.tag$/.test(k)).map(([, v]) => v));
  assert.deepEqual(sent, ['Blonde', 'Outdoor']);
  // The next sync finds nothing to do.
  const puts = w.plex.requestCount({ method: 'PUT' });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.equal(w.plex.requestCount({ method: 'PUT' }), puts);
});

test('a hand-made collection of the same name as a group the scene joins later is never removed', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 4, collections: ['Summer'] }).ratingKey;
  const summer = w.stash.addGroup('Summer');
  const scene = w.stash.addScene({ title: 'Before', files: [{ path: FILE, size: 4 }] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.deepEqual(w.plex.item(rk)!.tags.Collection, ['Summer']);

  w.stash.updateScene(scene, { groupIds: [summer] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.deepEqual(w.plex.item(rk)!.tags.Collection, ['Summer']);

  w.stash.updateScene(scene, { groupIds: [] });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.deepEqual(w.plex.item(rk)!.tags.Collection, ['Summer'], 'the user made it: it stays');
});

test('a poster-only change is read back: an upload Plex ignored is retried until the poster shows', async (t) => {
  // Both clocks are injected: Stash stamps the screenshot URL, Plex the selected poster's thumb, each in whole seconds.
  let now = Date.parse('2026-06-01T10:00:00Z');
  const w = await startWorld(t, { stash: { now: () => new Date(now) }, plex: { now: () => now } });
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 4 }).ratingKey;
  const scene = w.stash.addScene({ title: 'Posted', files: [{ path: FILE, size: 4 }] });
  w.stash.setScreenshot(scene, new Uint8Array([1, 2, 3]));
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.equal(w.plex.posters(rk).length, 1);

  // Only the cover changes in Stash (its URL carries a new stamp: the clocks move on), and Plex drops the next upload.
  now += 5_000;
  w.stash.setScreenshot(scene, new Uint8Array([4, 5, 6]));
  w.stash.updateScene(scene, {});
  w.plex.ignorePosters(1);
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.requestCount({ method: 'POST', path: /\/posters$/ }), 3, 'the dropped upload was noticed and sent again');
  assert.equal(w.plex.posters(rk).length, 2);
  assert.deepEqual([...w.plex.posters(rk).at(-1)!.bytes], [4, 5, 6]);
});
