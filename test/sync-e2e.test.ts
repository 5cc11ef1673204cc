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

test('a removed performer and tag disappear from Plex; a hand-made collection stays', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 10, collections: ['My Favourites'] }).ratingKey;
  const [alice, bob] = [w.stash.addPerformer('Alice'), w.stash.addPerformer('Bob')];
  const [keep, drop] = [w.stash.addTag('Keep'), w.stash.addTag('Drop')];
  const group = w.stash.addGroup('Series A');
  const scene = w.stash.addScene({ performerIds: [alice, bob], tagIds: [keep, drop], groupIds: [group], files: [{ path: FILE, size: 10 }] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.deepEqual(w.plex.item(rk)!.tags.Role, ['Alice', 'Bob']);
  assert.deepEqual([...w.plex.item(rk)!.tags.Collection!].sort(), ['My Favourites', 'Series A']);

  w.stash.updateScene(scene, { performerIds: [alice], tagIds: [keep], groupIds: [] });
  await w.hook('Scene.Update.Post', scene, { id: scene, performer_ids: [alice] }, ['id', 'performer_ids', 'tag_ids', 'group_ids']);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  const item = w.plex.item(rk)!;
  assert.deepEqual(item.tags.Role, ['Alice']);
  assert.deepEqual(item.tags.Genre, ['Keep']);
  assert.deepEqual(item.tags.Collection, ['My Favourites'], 'the managed collection went, the hand-made one stayed');
});

test('path mapping, a scene with two files and Windows-style Stash paths all find their item', async (t) => {
  const w = await startWorld(t, { settings: { pathMap: 'D:\\Media\\Videos=>/data/videos; /stash/library=>/data/videos' } });
  const windowsRk = w.plex.addItem({ title: 'a', file: '/data/videos/sub dir/Alpha.mp4', size: 100 }).ratingKey;
  const posixRk = w.plex.addItem({ title: 'b', file: '/data/videos/beta.mkv', size: 200 }).ratingKey;
  const windows = w.stash.addScene({ title: 'Alpha', files: [{ path: 'D:\\Media\\Videos\\sub dir\\Alpha.mp4', size: 100 }] });
  // Two files: the first is not in Plex, the second is.
  const twoFiles = w.stash.addScene({
    title: 'Beta',
    files: [
      { path: '/stash/library/missing.mkv', size: 1 },
      { path: '/stash/library/beta.mkv', size: 200 },
    ],
  });
  await w.hook('Scene.Update.Post', windows);
  await w.hook('Scene.Update.Post', twoFiles);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  assert.equal(w.plex.item(windowsRk)!.scalars.title, 'Alpha');
  assert.equal(w.plex.item(posixRk)!.scalars.title, 'Beta');
});

test('tricky text round-trips exactly: unicode, emoji, right-to-left, quotes, &, %, commas, newlines, 20,000 characters', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 10 }).ratingKey;
  const title = 'Ünïcödé 🎬 "quoted" & 100% – שלום עולם, مرحبا';
  const details = `${'Line with emoji 😀 and & % = + ? # / \\ \n'.repeat(400)}${'x'.repeat(20_000 - 400 * 40)}`;
  assert.equal(details.length, 20_000);
  const tags = ['Doe, Jane', 'R&B', '100%', 'a=b+c', 'Ελληνικά', 'עברית', '🔥 hot'].map((n) => w.stash.addTag(n));
  const performer = w.stash.addPerformer('Zoë "Z" O\'Brien, Jr.');
  const scene = w.stash.addScene({ title, details, tagIds: tags, performerIds: [performer], files: [{ path: FILE, size: 10 }] });
  await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  const item = w.plex.item(rk)!;
  assert.equal(item.scalars.title, title);
  assert.equal(item.scalars.summary, details);
  assert.deepEqual([...item.tags.Genre!].sort(), ['Doe, Jane', 'R&B', '100%', 'a=b+c', 'Ελληνικά', 'עברית', '🔥 hot'].sort());
  assert.deepEqual(item.tags.Role, ['Zoë "Z" O\'Brien, Jr.']);

  // Removing a tag whose name holds a comma removes exactly that tag.
  w.stash.updateScene(scene, { tagIds: tags.slice(1) });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.deepEqual([...w.plex.item(rk)!.tags.Genre!].sort(), ['R&B', '100%', 'a=b+c', 'Ελληνικά', 'עברית', '🔥 hot'].sort());
});

test('an item Plex scans only later gets synced, after PlexSync asks for a scan of its folder', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.appearAfter({ title: 'new-file', file: '/data/videos/new/new-file.mp4', size: 55 }, { scans: 1 });
  const scene = w.stash.addScene({ title: 'Fresh', files: [{ path: '/data/videos/new/new-file.mp4', size: 55 }] });
  await w.hook('Scene.Create.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  assert.ok(w.plex.scans.some((s) => s.path === '/data/videos/new'), JSON.stringify(w.plex.scans));
  assert.equal(w.plex.item(rk)!.scalars.title, 'Fresh');
});

test('an ambiguous match is never edited and lands in the dead-letter queue naming the candidates', async (t) => {
  const w = await startWorld(t);
  const a = w.plex.addItem({ title: 'copy-a', file: '/data/videos/a/same.mp4', size: 77 }).ratingKey;
  const b = w.plex.addItem({ title: 'copy-b', file: '/data/videos/b/same.mp4', size: 77 }).ratingKey;
  const scene = w.stash.addScene({ title: 'Which one?', files: [{ path: '/elsewhere/same.mp4', size: 77 }] });
  await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 1);
  assert.equal(w.plex.requestCount({ method: 'PUT' }), 0);
  assert.equal(w.plex.item(a)!.scalars.title, 'copy-a');
  assert.equal(w.plex.item(b)!.scalars.title, 'copy-b');
  const list = await w.task('dlq_list');
  const [letter] = (list.result.output as { deadLetters: { reason: string; errorClass: string }[] }).deadLetters;
  assert.equal(letter?.errorClass, 'PermanentError');
  assert.match(letter?.reason ?? '', new RegExp(`item ${a} .*item ${b}`));
});

test('a unique basename with the same size matches when paths differ; a different size never does', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'orig', file: '/data/videos/deep/clip.mp4', size: 999 }).ratingKey;
  const same = w.stash.addScene({ title: 'Matched by name and size', files: [{ path: '/other/clip.mp4', size: 999 }] });
  await w.hook('Scene.Update.Post', same);
  await w.settle();
  assert.equal(w.plex.item(rk)!.scalars.title, 'Matched by name and size');
  const writes = w.plex.requestCount({ method: 'PUT' });
  const otherSize = w.stash.addScene({ title: 'Wrong', files: [{ path: '/other2/clip.mp4', size: 1000 }] });
  await w.hook('Scene.Update.Post', otherSize, null);
  const settled = await w.settle();
  assert.equal(settled.dead, 1, 'retried as unscanned until attempts ran out');
  assert.equal(w.plex.requestCount({ method: 'PUT' }), writes, 'no edit at all');
  assert.equal(w.plex.item(rk)!.scalars.title, 'Matched by name and size');
  const list = await w.task('dlq_list');
  const [letter] = (list.result.output as { deadLetters: { reason: string; code: string }[] }).deadLetters;
  assert.equal(letter?.code, 'not_scanned');
  assert.match(letter?.reason ?? '', /Plex has no item for \/other2\/clip\.mp4/);
});
