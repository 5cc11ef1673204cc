// CONTRACT sec. 10: two scenes never write one Plex item. A duplicate copy of
// a file Plex has not scanned yet has the basename and size of another
// scene's file; the item that file is plays is that other scene's, never a
// basename-and-size match for the copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';
import { jobs, waitFor } from './fault-support.ts';

const ORIGINAL = '/data/videos/clip.mp4';
const COPY = '/data/videos/copies/clip.mp4';

test('a duplicate copy never writes the item another scene matches by exact path', async (t) => {
  const w = await startWorld(t, { settings: { maxAttempts: 3 } });
  const rk = w.plex.addItem({ title: 'clip', file: ORIGINAL, size: 500 }).ratingKey;
  w.stash.addScene({ title: 'The Original', files: [{ path: ORIGINAL, size: 500 }] });
  const copy = w.stash.addScene({ title: 'The Copy', files: [{ path: COPY, size: 500 }] });

  // Only the copy's hook runs: the original was never synced, so no record names the item.
  assert.equal((await w.hook('Scene.Update.Post', copy)).code, 0);
  const job = await waitFor('the copy retried as not in Plex yet', async () =>
    (await jobs(w.dataDir)).find((j) => j.key === `scene:${copy}` && j.error_code === 'not_scanned'),
  );
  assert.match(job.last_error ?? '', /copies\/clip\.mp4/);
  await w.settle(30_000);
  assert.equal(w.plex.item(rk)!.scalars.title, 'clip', 'the original item was left alone');
  assert.equal(w.plex.requestCount({ method: 'PUT' }), 0);
});

test('a duplicate copy never writes the item another scene\'s sync record names', async (t) => {
  const w = await startWorld(t, { settings: { maxAttempts: 3 } });
  const rk = w.plex.addItem({ title: 'clip', file: ORIGINAL, size: 500 }).ratingKey;
  const original = w.stash.addScene({ title: 'The Original', files: [{ path: ORIGINAL, size: 500 }] });
  await w.hook('Scene.Update.Post', original);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.item(rk)!.scalars.title, 'The Original');

  // The original's file moves away in Stash; a copy of it (same name and size) is added as a new scene.
  w.stash.updateScene(original, { files: [{ path: '/data/elsewhere/renamed.mp4', size: 500 }] });
  const copy = w.stash.addScene({ title: 'The Copy', files: [{ path: COPY, size: 500 }] });
  assert.equal((await w.hook('Scene.Update.Post', copy)).code, 0);
  await waitFor('the copy retried as not in Plex yet', async () =>
    (await jobs(w.dataDir)).find((j) => j.key === `scene:${copy}` && j.error_code === 'not_scanned'),
  );
  await w.settle(30_000);
  assert.equal(w.plex.item(rk)!.scalars.title, 'The Original');
});

test('a scene whose own file moved still finds its item by basename and size', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'clip', file: ORIGINAL, size: 500 }).ratingKey;
  const scene = w.stash.addScene({ title: 'First', files: [{ path: ORIGINAL, size: 500 }] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  w.stash.updateScene(scene, { title: 'Moved', files: [{ path: COPY, size: 500 }] });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.item(rk)!.scalars.title, 'Moved');
});
