// Plex's request-size limit (CONTRACT sec. 12): an edit refused for its size
// is split, and a summary still refused alone is cut at a word boundary; the
// scene syncs and `status` names it. The fake Plex stands behind a proxy
// that caps the request target, as nginx's default 8 KiB does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutAtWord, splitEdit } from '../src/sync/sized-edit.ts';
import { startWorld } from './helpers/world.ts';

const FILE = '/data/videos/long.mp4';
const CAP = 8 * 1024;

test('a 20,000-character non-Latin summary behind an 8 KiB cap: cut at a word boundary, synced, named by status', async (t) => {
  const w = await startWorld(t, { plex: { maxRequestTarget: CAP } });
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 3 }).ratingKey;
  const words = Array.from({ length: 2_500 }, (_, i) => `слово${i % 10}`);
  const summary = words.join(' ').slice(0, 20_000);
  const tag = w.stash.addTag('Kept');
  const scene = w.stash.addScene({ title: 'Long Story', details: summary, tagIds: [tag], files: [{ path: FILE, size: 3 }] });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle(30_000)).dead, 0);

  const item = w.plex.item(rk)!;
  assert.equal(item.scalars.title, 'Long Story', 'the other fields arrived');
  assert.deepEqual(item.tags.Genre, ['Kept']);
  const shown = item.scalars.summary;
  assert.ok(shown.endsWith('\u2026'), 'ends with an ellipsis');
  const kept = shown.slice(0, -1);
  assert.ok(summary.startsWith(kept) && kept.length > 500, `a long prefix of the summary (${kept.length} chars)`);
  assert.ok(summary.charAt(kept.length) === ' ', 'cut at a word boundary');
  assert.ok(w.plex.requests.every((r) => r.rawUrl.length <= CAP || r.method === 'PUT'), 'only edits were refused');

  const status = (await w.task('status')).result.output as { problems: string[] };
  assert.ok(status.problems.some((p) => p.startsWith(`scene ${scene}: its summary was cut to`)), JSON.stringify(status.problems));
  // Nothing changed in Stash: the next sync writes nothing.
  const puts = w.plex.requestCount({ method: 'PUT' });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.equal(w.plex.requestCount({ method: 'PUT' }), puts);
});

test('1,000 tags and 200 performers behind an 8 KiB cap: split across requests, all of them arrive in order', async (t) => {
  const w = await startWorld(t, { plex: { maxRequestTarget: CAP } });
  const rk = w.plex.addItem({ title: 'x', file: FILE, size: 3 }).ratingKey;
  const tags = Array.from({ length: 1_000 }, (_, i) => w.stash.addTag(`Tag number ${i}`));
  const performers = Array.from({ length: 200 }, (_, i) => w.stash.addPerformer(`Performer Name ${i}`));
  const scene = w.stash.addScene({ title: 'Crowded', tagIds: tags, performerIds: performers, files: [{ path: FILE, size: 3 }] });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle(60_000)).dead, 0);
  const item = w.plex.item(rk)!;
  assert.equal(item.tags.Genre!.length, 1_000);
  assert.deepEqual(item.tags.Role, Array.from({ length: 200 }, (_, i) => `Performer Name ${i}`));
  const accepted = w.plex.requests.filter((r) => r.method === 'PUT' && r.rawUrl.length <= CAP);
  t.diagnostic(`${accepted.length} accepted edit requests, longest ${Math.max(...accepted.map((r) => r.rawUrl.length))} characters`);
  assert.ok(accepted.length > 5);
});

test('splitting: the summary alone first, then each field, then a tag list by halves', () => {
  const edit = { scalars: { summary: 's', title: 't' }, tags: { genre: { set: ['a', 'b', 'c'], remove: [] } }, lock: ['summary', 'title', 'genre'] };
  const [summary, title, genre] = splitEdit(edit);
  assert.deepEqual(summary, { scalars: { summary: 's' }, tags: {}, lock: ['summary'] });
  assert.deepEqual(title, { scalars: { title: 't' }, tags: {}, lock: ['title'] });
  assert.deepEqual(splitEdit(genre!), [
    { scalars: {}, tags: { genre: { set: ['a', 'b'], remove: [] } }, lock: [] },
    { scalars: {}, tags: { genre: { set: ['c'], remove: [] } }, lock: ['genre'] },
  ]);
  assert.deepEqual(splitEdit({ scalars: { summary: 's' }, tags: {}, lock: ['summary'] }), []);
});

test('a cut ends at a word boundary with an ellipsis', () => {
  assert.equal(cutAtWord('one two three four', (c) => c.length <= 10), 'one two\u2026');
  assert.equal(cutAtWord('short', () => true), 'short\u2026');
  assert.equal(cutAtWord('unbreakable', (c) => c.length <= 5), 'unbr\u2026');
});
