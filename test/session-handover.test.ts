// Stash's session cookie expires; only a new hook brings a fresh one. A worker
// whose session is refused hands over instead of burning every job's attempts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.ts';
import { currentLease } from '../src/worker/lease.ts';
import { startWorld } from './helpers/world.ts';

test('a worker whose Stash session expired stops, and the next hook starts one with a fresh session', async (t) => {
  // A long idle time keeps the first worker alive across the session's expiry.
  const w = await startWorld(t, { env: { PLEXSYNC_IDLE_EXIT_MS: '4000' } });
  const rks = ['one', 'two', 'three'].map((n) => w.plex.addItem({ title: n, file: `/data/videos/${n}.mp4`, size: 1 }).ratingKey);
  const scenes = ['one', 'two', 'three'].map((n) => w.stash.addScene({ title: `Scene ${n}`, files: [{ path: `/data/videos/${n}.mp4`, size: 1 }] }));
  await w.hook('Scene.Update.Post', scenes[0]!);
  const deadline = Date.now() + 10_000;
  while (w.plex.item(rks[0]!)!.scalars.title !== 'Scene one' && Date.now() < deadline) await sleep(50);
  assert.equal(w.plex.item(rks[0]!)!.scalars.title, 'Scene one');

  w.stash.expireSession();
  await w.hook('Scene.Update.Post', scenes[1]!); // the live worker still holds the old cookie
  const db = await openDatabase(w.dataDir);
  t.after(() => db.close());
  const until = Date.now() + 10_000;
  while (currentLease(db) && Date.now() < until) await sleep(50);
  assert.equal(currentLease(db), undefined, 'the worker with the refused session stepped down');
  assert.equal(w.plex.item(rks[1]!)!.scalars.title, 'two', 'nothing was written with a refused session');

  await w.hook('Scene.Update.Post', scenes[2]!); // brings a fresh cookie and a fresh worker
  const end = Date.now() + 15_000;
  while ((await w.queue()).done < 3 && Date.now() < end) await sleep(50);
  assert.deepEqual(await w.queue(), { pending: 0, inProgress: 0, dead: 0, done: 3 });
  assert.equal(w.plex.item(rks[1]!)!.scalars.title, 'Scene two');
  assert.equal(w.plex.item(rks[2]!)!.scalars.title, 'Scene three');
});
