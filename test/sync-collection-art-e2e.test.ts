// A group's cover and synopsis on its Plex collection, end to end: uploaded
// once, again only when they change, never onto a hand-made collection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld, type World } from './helpers/world.ts';

async function sync(w: World, ...sceneIds: string[]): Promise<void> {
  for (const id of sceneIds) {
    const run = await w.hook('Scene.Update.Post', id);
    assert.equal(run.code, 0, run.stderr);
  }
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
}

const writesTo = (w: World, rk: string) => w.plex.requests.filter((r) => r.method !== 'GET' && r.path.startsWith(`/library/metadata/${rk}`)).length;

test('a group cover is uploaded once, again only when it changes; the synopsis becomes the summary', async (t) => {
  const w = await startWorld(t, { settings: { groupCollectionArt: true } });
  w.plex.addItem({ title: 'a', file: '/data/videos/a.mp4', size: 1, collections: ['My Picks'] });
  w.plex.addItem({ title: 'b', file: '/data/videos/b.mp4', size: 2, collections: ['My Picks'] });
  const handMade = w.plex.addCollection('1', 'My Picks', 'Chosen by hand');
  const group = w.stash.addGroup('Summer Series');
  w.stash.setSynopsis(group, 'Four days by the sea.\nPart one.');
  const cover = new Uint8Array([0xff, 0xd8, 0xff, 9, 9, 9]);
  w.stash.setImage('group', group, cover);
  const a = w.stash.addScene({ title: 'A', groupIds: [group], files: [{ path: '/data/videos/a.mp4', size: 1 }] });
  const b = w.stash.addScene({ title: 'B', groupIds: [group], files: [{ path: '/data/videos/b.mp4', size: 2 }] });

  const dry = await w.task('dry_run', { sceneId: a });
  const changes = (dry.result.output as { scenes: { plan: { changes: { field: string; to: unknown }[] } }[] }).scenes[0]!.plan.changes;
  assert.deepEqual(changes.find((c) => c.field === 'collectionArt')?.to, ['Summer Series']);

  // Two scenes of the group, both synced: one upload, one summary edit.
  await sync(w, a, b);
  const collection = w.plex.collection('1', 'Summer Series')!;
  assert.ok(collection, 'Plex made the collection');
  assert.equal(collection.summary, 'Four days by the sea.\nPart one.');
  assert.ok(collection.locked.has('summary'));
  assert.equal(w.plex.posters(collection.ratingKey).length, 1);
  assert.deepEqual([...w.plex.posters(collection.ratingKey)[0]!.bytes], [...cover]);
  const firstWrites = writesTo(w, collection.ratingKey);
  assert.equal(firstWrites, 2, 'one summary edit and one poster upload');

  // Synced again unchanged: nothing is sent to the collection, not even a listing.
  const listings = w.plex.requestCount({ method: 'GET', path: '/library/sections/1/collections' });
  await sync(w, a, b);
  assert.equal(writesTo(w, collection.ratingKey), firstWrites);
  assert.equal(w.plex.requestCount({ method: 'GET', path: '/library/sections/1/collections' }), listings);

  // A new cover: uploaded once more. The same bytes under a new stamp: not uploaded.
  w.stash.setImage('group', group, new Uint8Array([0xff, 0xd8, 0xff, 7, 7, 7]));
  await sync(w, a, b);
  assert.equal(w.plex.posters(collection.ratingKey).length, 2);
  w.stash.setImage('group', group, new Uint8Array([0xff, 0xd8, 0xff, 7, 7, 7]));
  await sync(w, a);
  assert.equal(w.plex.posters(collection.ratingKey).length, 2, 'same bytes, no upload');

  // A new synopsis: one summary edit.
  w.stash.setSynopsis(group, 'Five days.');
  await sync(w, b);
  assert.equal(collection.summary, 'Five days.');

  // The hand-made collection was never written to.
  assert.equal(writesTo(w, handMade.ratingKey), 0);
  assert.equal(handMade.summary, 'Chosen by hand');
});

test('a collection whose summary was written in Plex keeps it; groupCollectionArt off sends nothing', async (t) => {
  const w = await startWorld(t, { settings: { groupCollectionArt: true } });
  w.plex.addItem({ title: 'a', file: '/data/videos/a.mp4', size: 1 });
  const mine = w.plex.addCollection('1', 'Summer Series', 'My own words');
  const group = w.stash.addGroup('Summer Series');
  w.stash.setSynopsis(group, 'Stash words');
  w.stash.setImage('group', group, new Uint8Array([1, 2, 3]));
  const a = w.stash.addScene({ title: 'A', groupIds: [group], files: [{ path: '/data/videos/a.mp4', size: 1 }] });
  await sync(w, a);
  assert.equal(mine.summary, 'My own words');
  assert.equal(writesTo(w, mine.ratingKey), 0);

  const off = await startWorld(t);
  const offRk = off.plex.addItem({ title: 'a', file: '/data/videos/a.mp4', size: 1 }).ratingKey;
  const g = off.stash.addGroup('Other Series');
  off.stash.setSynopsis(g, 'Words');
  off.stash.setImage('group', g, new Uint8Array([1, 2, 3]));
  const s = off.stash.addScene({ title: 'A', groupIds: [g], files: [{ path: '/data/videos/a.mp4', size: 1 }] });
  await sync(off, s);
  assert.deepEqual(off.plex.item(offRk)!.tags.Collection, ['Other Series']);
  assert.equal(off.plex.requestCount({ path: '/library/sections/1/collections' }), 0);
  assert.equal(off.plex.requestCount({ method: 'POST' }), 0);
});
