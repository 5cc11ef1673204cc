// Sending an edit Plex may refuse for its size, against a stand-in sender that
// measures the real query string (plex/edit-query.ts) and refuses any request
// longer than its cap, as a proxy's request-line limit does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentError, TransientError } from '../src/errors.ts';
import { encodeEdit } from '../src/plex/edit-query.ts';
import type { PlexEdit } from '../src/sync/model.ts';
import { cutAtWord, type EditSender, sendSized, splitEdit } from '../src/sync/sized-edit.ts';

const ELLIPSIS = '\u2026';
/** The path before the query string, as the client sends it. */
const PATH = '/library/metadata/1234?';

function capped(cap: number): EditSender & { sent: PlexEdit[]; refused: number } {
  const sender = {
    sent: [] as PlexEdit[],
    refused: 0,
    length: (edit: PlexEdit) => PATH.length + encodeEdit(edit, { type: 1 }).length,
    async send(edit: PlexEdit) {
      if (sender.length(edit) > cap) {
        sender.refused++;
        throw new TransientError('request_too_large', 'refused for its size', { origin: 'plex' });
      }
      sender.sent.push(structuredClone(edit));
    },
  };
  return sender;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 7}x`).join(' ');

/** Everything the accepted requests set, merged in the order they were sent. */
function merged(sent: PlexEdit[]): PlexEdit {
  const out: PlexEdit = { scalars: {}, tags: {}, lock: [] };
  for (const edit of sent) {
    Object.assign(out.scalars, edit.scalars);
    for (const [field, change] of Object.entries(edit.tags)) {
      const into = (out.tags[field as 'genre'] ??= { set: [], remove: [] });
      into.set.push(...change.set);
      into.remove.push(...change.remove);
    }
    out.lock.push(...edit.lock);
  }
  return out;
}

test('an edit that fits goes out as it is, in one request', async () => {
  const sender = capped(8_192);
  const edit: PlexEdit = { scalars: { title: 'T', summary: 'short' }, tags: { genre: { set: ['a'], remove: [] } }, lock: ['title'] };
  assert.deepEqual(await sendSized(edit, sender), { requests: 1 });
  assert.deepEqual(sender.sent, [edit]);
});

test('a refused edit goes out field by field, the summary first, each with its lock; lock-only locks ride with the first', async () => {
  const summary = words(300);
  const edit: PlexEdit = {
    scalars: { title: 'Title', summary, studio: 'Studio' },
    tags: { genre: { set: ['g1', 'g2'], remove: [] } },
    lock: ['title', 'summary', 'genre', 'actor'],
  };
  const full = capped(0).length(edit);
  const sender = capped(full - 1);
  const result = await sendSized(edit, sender);
  assert.equal(result.cutSummary, undefined);
  assert.equal(result.requests, 5, 'the whole edit, then its four fields');
  assert.deepEqual(sender.sent, [
    { scalars: { summary }, tags: {}, lock: ['summary', 'actor'] },
    { scalars: { title: 'Title' }, tags: {}, lock: ['title'] },
    { scalars: { studio: 'Studio' }, tags: {}, lock: [] },
    { scalars: {}, tags: { genre: { set: ['g1', 'g2'], remove: [] } }, lock: ['genre'] },
  ]);
});

test('a long tag list goes out in halves, in order, the lock with the last half; removals first', async () => {
  const set = Array.from({ length: 1_000 }, (_, i) => `Tag number ${i}`);
  const remove = ['old, one', 'old two'];
  const edit: PlexEdit = { scalars: {}, tags: { genre: { set, remove } }, lock: ['genre'] };
  const sender = capped(4_096);
  const result = await sendSized(edit, sender);
  assert.ok(sender.sent.every((e) => sender.length(e) <= 4_096));
  assert.deepEqual(sender.sent[0], { scalars: {}, tags: { genre: { set: [], remove } }, lock: [] }, 'the removals go first, on their own');
  assert.deepEqual(merged(sender.sent).tags.genre, { set, remove }, 'every name arrives once, in order');
  assert.deepEqual(sender.sent.at(-1)!.lock, ['genre']);
  assert.ok(sender.sent.slice(0, -1).every((e) => e.lock.length === 0), 'the lock goes with the last piece only');
  assert.equal(result.requests, sender.sent.length + sender.refused);
  assert.equal(result.cutSummary, undefined);
});

test('a summary refused on its own is cut at a word boundary to nearly the largest request that works', async () => {
  const summary = words(3_000);
  const cap = 8_192;
  const sender = capped(cap);
  const edit: PlexEdit = { scalars: { summary, title: 'Title' }, tags: {}, lock: ['summary'] };
  const result = await sendSized(edit, sender);
  const cut = result.cutSummary!;
  assert.ok(cut.endsWith(ELLIPSIS));
  const kept = cut.slice(0, -1);
  assert.ok(summary.startsWith(kept) && summary[kept.length] === ' ', 'a prefix ending before a space');
  const last = sender.sent.at(-1)!;
  assert.deepEqual(last, { scalars: { summary: cut }, tags: {}, lock: ['summary'] }, 'the cut Plex keeps is the last one sent, with its lock');
  assert.ok(sender.length(last) <= cap);
  assert.ok(sender.length(last) > cap - 300, `within a few hundred characters of the cap (${sender.length(last)})`);
  assert.ok(sender.sent.some((e) => e.scalars.title === 'Title'), 'the other fields went out whole');
  // Accepted cuts only grow: each accepted summary is longer than the one before.
  const cuts = sender.sent.flatMap((e) => (e.scalars.summary ? [e.scalars.summary] : []));
  assert.ok(cuts.length >= 1);
  for (let i = 1; i < cuts.length; i++) assert.ok(cuts[i]!.length > cuts[i - 1]!.length, 'accepted cuts grow');
  assert.ok(result.requests <= 2 + 2 + 12, `bounded bisection (${result.requests} requests)`);
});

test('a summary alone, with nothing else ever accepted, is still cut to fit', async () => {
  const summary = words(3_000);
  const sender = capped(2_000);
  const result = await sendSized({ scalars: { summary }, tags: {}, lock: [] }, sender);
  assert.ok(result.cutSummary!.endsWith(ELLIPSIS));
  assert.equal(sender.sent.length >= 1, true);
  const length = sender.length(sender.sent.at(-1)!);
  assert.ok(length <= 2_000 && length > 2_000 - 300, String(length));
});

test('a single tag name too long for any request is a permanent failure', async () => {
  const sender = capped(200);
  const edit: PlexEdit = { scalars: {}, tags: { actor: { set: ['x'.repeat(500)], remove: [] } }, lock: [] };
  await assert.rejects(sendSized(edit, sender), (err: unknown) => err instanceof PermanentError && err.code === 'request_too_large' && /single tag name/.test(err.message));
});

test('a cap below even a short summary is a permanent failure', async () => {
  const sender = capped(PATH.length + 40);
  await assert.rejects(
    sendSized({ scalars: { summary: words(200) }, tags: {}, lock: [] }, sender),
    (err: unknown) => err instanceof PermanentError && err.code === 'request_too_large' && /even a short summary/.test(err.message),
  );
});

test('the splitting is bounded: past 400 requests it gives up', async () => {
  // Any single name fits, any two do not: halving 500 names takes ~1,000 requests.
  const set = Array.from({ length: 500 }, (_, i) => `n${String(i).padStart(3, '0')}`);
  const one = capped(0).length({ scalars: {}, tags: { genre: { set: ['n000'], remove: [] } }, lock: [] });
  const sender = capped(one);
  await assert.rejects(
    sendSized({ scalars: {}, tags: { genre: { set, remove: [] } }, lock: [] }, sender),
    (err: unknown) => err instanceof PermanentError && err.code === 'request_too_large' && /after 400 requests/.test(err.message),
  );
  assert.equal(sender.sent.length + sender.refused, 400);
});

test('a failure other than the size is not split: it goes to the caller as it is', async () => {
  let calls = 0;
  const down = new TransientError('network', 'connection refused', { origin: 'plex' });
  const sender: EditSender = {
    length: () => 100,
    async send() {
      calls++;
      throw down;
    },
  };
  await assert.rejects(sendSized({ scalars: { title: 'a', summary: 'b' }, tags: {}, lock: [] }, sender), (err) => err === down);
  assert.equal(calls, 1);
});

test('splitting a removal list alone, or a list of two, halves it; one name cannot be split', () => {
  assert.deepEqual(splitEdit({ scalars: {}, tags: { actor: { set: [], remove: ['a', 'b', 'c'] } }, lock: ['actor'] }), [
    { scalars: {}, tags: { actor: { set: [], remove: ['a', 'b'] } }, lock: [] },
    { scalars: {}, tags: { actor: { set: [], remove: ['c'] } }, lock: ['actor'] },
  ]);
  assert.deepEqual(splitEdit({ scalars: {}, tags: { genre: { set: ['a', 'b'], remove: [] } }, lock: [] }), [
    { scalars: {}, tags: { genre: { set: ['a'], remove: [] } }, lock: [] },
    { scalars: {}, tags: { genre: { set: ['b'], remove: [] } }, lock: [] },
  ]);
  assert.deepEqual(splitEdit({ scalars: {}, tags: { genre: { set: ['a'], remove: [] } }, lock: ['genre'] }), []);
  assert.deepEqual(splitEdit({ scalars: {}, tags: { genre: { set: [], remove: ['a'] } }, lock: [] }), []);
  assert.deepEqual(splitEdit({ scalars: { title: 't' }, tags: {}, lock: [] }), []);
  assert.deepEqual(splitEdit({ scalars: {}, tags: {}, lock: ['title'] }), []);
  // Without a summary the fields keep their order.
  assert.deepEqual(splitEdit({ scalars: { title: 't', studio: 's' }, tags: { genre: { set: ['a', 'b'], remove: ['c'] } }, lock: ['studio'] }), [
    { scalars: { title: 't' }, tags: {}, lock: [] },
    { scalars: { studio: 's' }, tags: {}, lock: ['studio'] },
    { scalars: {}, tags: { genre: { set: ['a', 'b'], remove: ['c'] } }, lock: [] },
  ]);
  // A piece's tag lists are copies: changing one leaves the edit alone.
  const edit: PlexEdit = { scalars: { title: 't' }, tags: { genre: { set: ['a'], remove: ['b'] } }, lock: [] };
  const pieces = splitEdit(edit);
  pieces[1]!.tags.genre!.set.push('x');
  pieces[1]!.tags.genre!.remove.push('y');
  assert.deepEqual(edit.tags.genre, { set: ['a'], remove: ['b'] });
});

test('cutting: the longest word-boundary prefix that fits, whitespace before the ellipsis dropped', () => {
  assert.equal(cutAtWord('one two   three', (c) => c.length <= 12), 'one two\u2026');
  assert.equal(cutAtWord('one two three', (c) => c.length <= 100), 'one two three\u2026', 'the whole text when it fits');
  assert.equal(cutAtWord('one two three', () => false), ELLIPSIS, 'nothing fits: the ellipsis alone');
  assert.equal(cutAtWord(' leading', (c) => c.length <= 5), ' lea\u2026', 'no boundary after the first character: a hard cut');
  assert.equal(cutAtWord('ab\ncd ef', (c) => c.length <= 5), 'ab\u2026', 'any whitespace is a boundary');
  // Code points, not UTF-16 units: an emoji is never split in half.
  const cut = cutAtWord('\u{1F600}\u{1F600}\u{1F600}\u{1F600}', (c) => c.length <= 5);
  assert.equal(cut, '\u{1F600}\u{1F600}\u2026');
  // Bisection: finds the longest fitting prefix in a long text, not just any.
  const long = 'x'.repeat(10_000);
  assert.equal(cutAtWord(long, (c) => c.length <= 7_001), `${'x'.repeat(7_000)}\u2026`);
});

test('a summary of two long words is cut to the first once a larger other field worked: one cut, then it stops', async () => {
  const summary = `${'a'.repeat(5_000)} ${'b'.repeat(5_000)}`;
  const sender = capped(8_000);
  const edit: PlexEdit = { scalars: { summary, title: 'T'.repeat(6_000) }, tags: {}, lock: [] };
  const result = await sendSized(edit, sender);
  assert.equal(result.cutSummary, `${'a'.repeat(5_000)}${ELLIPSIS}`);
  // The whole edit and the summary alone refused, the title and one cut accepted: a second cut could not be longer.
  assert.equal(result.requests, 4);
  assert.deepEqual(
    sender.sent.map((e) => Object.keys(e.scalars)),
    [['title'], ['summary']],
  );
  // Alone, the first cut falls inside the first word; the second reaches its end; a third would be the same: it stops.
  const alone = capped(8_000);
  const cut = await sendSized({ scalars: { summary }, tags: {}, lock: [] }, alone);
  assert.equal(cut.cutSummary, `${'a'.repeat(5_000)}${ELLIPSIS}`);
  assert.equal(cut.requests, 3);
});

test('the cutting is bounded: at most 12 cuts, and it stops once within 256 characters of the limit', async () => {
  // One character of summary weighs 100 here, so 256 is far below a character: only the round limit stops it.
  const heavy = capped(0);
  const weighed: EditSender & { sent: PlexEdit[] } = {
    sent: [],
    length: (edit) => 100 * heavy.length(edit),
    async send(edit) {
      if (weighed.length(edit) > 100 * 10_000) throw new TransientError('request_too_large', 'refused for its size', { origin: 'plex' });
      weighed.sent.push(edit);
    },
  };
  const result = await sendSized({ scalars: { summary: 'x'.repeat(20_000) }, tags: {}, lock: [] }, weighed);
  assert.equal(result.requests, 1 + 12, 'the whole edit, then 12 cuts');
  assert.ok(result.cutSummary!.length > 9_000, String(result.cutSummary!.length));
  // At weight 1 the same summary is within 256 after 7 halvings of its 20,000 characters.
  const light = capped(10_000);
  const plain = await sendSized({ scalars: { summary: 'x'.repeat(20_000) }, tags: {}, lock: [] }, light);
  assert.ok(plain.requests <= 1 + 7, `stops when close enough (${plain.requests} requests)`);
  assert.ok(light.length(light.sent.at(-1)!) > 10_000 - 256);
});
