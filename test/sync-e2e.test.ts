// End to end: a hook, then the background worker, then what the fake Plex shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';

const FILE = '/data/videos/scene-one.mp4';

test('every mapped field arrives in Plex, locked, with the poster bytes', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'scene-one', file: FILE, size: 1234 }).ratingKey;
  const studio = w.stash.addStudio('Acme Studio');
  const alice = w.stash.addPerformer('Alice');
  const bob = w.stash.addPerformer('Bob');
  const tagA = w.stash.addTag('Outdoor');
  const tagB = w.stash.addTag('Drama');
  const group = w.stash.addGroup('Summer Series');
  const scene = w.stash.addScene({
    title: 'The First Scene',
    details: 'Line one\nLine two\n\nLine four',
    date: '2021-06-15',
    director: 'Dee Rector',
    rating100: 85,
    studioId: studio,
    performerIds: [bob, alice],
    tagIds: [tagA, tagB],
    groupIds: [group],
    files: [{ path: FILE, size: 1234 }],
  });
  const poster = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5]);
  w.stash.setScreenshot(scene, poster);

  const run = await w.hook('Scene.Update.Post', scene, { id: scene, title: 'The First Scene' }, ['id', 'title']);
  assert.equal(run.code, 0, run.stderr);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);

  const item = w.plex.item(rk)!;
  assert.equal(item.scalars.title, 'The First Scene');
  assert.equal(item.scalars.summary, 'Line one\nLine two\n\nLine four');
  assert.equal(item.scalars.originallyAvailableAt, '2021-06-15');
  assert.equal(item.year, 2021);
  assert.equal(item.scalars.studio, 'Acme Studio');
  assert.deepEqual(item.tags.Role, ['Bob', 'Alice']);
  assert.deepEqual([...(item.tags.Genre ?? [])].sort(), ['Drama', 'Outdoor']);
  assert.deepEqual(item.tags.Director, ['Dee Rector']);
  assert.deepEqual(item.tags.Collection, ['Summer Series']);
  assert.equal(item.userRating, 8.5);
  for (const field of ['title', 'summary', 'originallyAvailableAt', 'studio', 'genre', 'actor', 'director', 'collection', 'thumb']) {
    assert.ok(item.locked.has(field), `${field} locked`);
  }
  const posters = w.plex.posters(rk);
  assert.equal(posters.length, 1);
  assert.deepEqual([...posters[0]!.bytes], [...poster]);
});

test('an unchanged scene synced twice costs no write the second time', async (t) => {
  const w = await startWorld(t);
  w.plex.addItem({ title: 'x', file: FILE, size: 10 });
  const scene = w.stash.addScene({ title: 'Same', files: [{ path: FILE, size: 10 }] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  const writesBefore = w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  const writesAfter = w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' });
  assert.equal(writesAfter, writesBefore);
});
