// The fake's own quirks, checked over raw HTTP so that a client bug cannot
// hide a fake bug.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type FakePlex, startFakePlex } from './fakes/plex-server.ts';

let plex: FakePlex;

async function call(method: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${plex.url}${path}`, {
    method,
    headers: { 'X-Plex-Token': plex.token, Accept: 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

beforeEach(async () => {
  plex = await startFakePlex();
});

afterEach(async () => {
  await plex.close();
});

describe('fake Plex', () => {
  it('answers 401 with Plex HTML without a token, except on /identity', async () => {
    const res = await fetch(`${plex.url}/library/sections`, { headers: { Accept: 'application/json' } });
    assert.equal(res.status, 401);
    assert.equal(await res.text(), '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
    assert.equal((await fetch(`${plex.url}/identity`)).status, 200);
  });

  it('answers 404 with Plex HTML for unknown routes and wrong methods', async () => {
    const unknown = await call('GET', '/nope');
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /<h1>404 Not Found<\/h1>/);
    assert.equal((await call('DELETE', '/library/sections')).status, 404);
    assert.equal((await call('PUT', '/library/sections/1/refresh?path=/x')).status, 404);
    assert.equal((await call('POST', '/library/sections/1/refresh')).status, 404);
  });

  it('listings are partial: tags cut to three, no Field; full items have all', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 9, genres: ['a', 'b', 'c', 'd', 'e'], locked: ['title'] }).ratingKey;
    const listed = (await call('GET', '/library/sections/1/all?type=1')).json().MediaContainer.Metadata[0];
    assert.equal(listed.Genre.length, 3);
    assert.equal(listed.Field, undefined);
    assert.deepEqual(listed.Media[0].Part[0].file, '/f/t.mp4');
    const full = (await call('GET', `/library/metadata/${rk}`)).json().MediaContainer.Metadata[0];
    assert.equal(full.Genre.length, 5);
    assert.deepEqual(full.Field, [{ locked: true, name: 'title' }]);
  });

  it('pages by query parameters too, and filters by title', async () => {
    for (const title of ['Alpha', 'Beta', 'Alphabet']) plex.addItem({ title, file: `/f/${title}`, size: 1 });
    const page = (await call('GET', '/library/sections/1/all?type=1&X-Plex-Container-Start=1&X-Plex-Container-Size=1')).json().MediaContainer;
    assert.deepEqual([page.offset, page.size, page.totalSize, page.Metadata[0].title], [1, 1, 3, 'Alphabet']);
    const found = (await call('GET', '/library/sections/1/all?type=1&title=alpha')).json().MediaContainer;
    assert.deepEqual(found.Metadata.map((m: { title: string }) => m.title), ['Alpha', 'Alphabet']);
  });

  it('the section edit route without id edits every item', async () => {
    const a = plex.addItem({ title: 'A', file: '/f/a', size: 1 }).ratingKey;
    const b = plex.addItem({ title: 'B', file: '/f/b', size: 1 }).ratingKey;
    assert.equal((await call('PUT', '/library/sections/1/all?type=1&studio.value=Oops')).status, 200);
    assert.equal(plex.item(a)!.scalars.studio, 'Oops');
    assert.equal(plex.item(b)!.scalars.studio, 'Oops');
  });

  it('ignores unknown parameters, derives year, bumps updatedAt, creates collections', async () => {
    const item = plex.addItem({ title: 'A', file: '/f/a', size: 1 });
    const before = item.updatedAt;
    const res = await call('PUT', `/library/metadata/${item.ratingKey}?bogus.value=1&originallyAvailableAt.value=1999-12-31&collection[0].tag.tag=Set%201`);
    assert.deepEqual([res.status, res.text], [200, '']);
    assert.equal(item.year, 1999);
    assert.ok(item.updatedAt > before);
    assert.deepEqual(plex.collections('1'), ['Set 1']);
  });

  it('answers XML when the client does not ask for JSON', async () => {
    const res = await call('GET', '/library/sections', { Accept: '*/*' });
    assert.match(res.text, /^<\?xml/);
  });

  it('an item appears after enough scans of its folder', async () => {
    const rk = plex.appearAfter({ title: 'Late', file: '/data/videos/new/late.mp4', size: 3 }, { scans: 1 });
    assert.equal((await call('GET', `/library/metadata/${rk}`)).status, 404);
    await call('GET', '/library/sections/1/refresh?path=/data/other');
    assert.equal((await call('GET', `/library/metadata/${rk}`)).status, 404);
    await call('GET', `/library/sections/1/refresh?path=${encodeURIComponent('/data/videos/new')}`);
    assert.equal((await call('GET', `/library/metadata/${rk}`)).status, 200);
  });

  it('an item appears after a delay, by the fake\'s clock', async () => {
    // A clock of its own: how long the requests take on a busy machine does not matter.
    let now = 1_000_000;
    const timed = await startFakePlex({ now: () => now });
    try {
      const rk = timed.appearAfter({ title: 'Later', file: '/f/later', size: 3 }, { ms: 50 });
      const get = () => fetch(`${timed.url}/library/metadata/${rk}`, { headers: { 'X-Plex-Token': timed.token, Accept: 'application/json' } });
      now += 49;
      assert.equal((await get()).status, 404);
      now += 1;
      assert.equal((await get()).status, 200);
      assert.deepEqual(timed.requests.map((r) => r.at), [1_000_049, 1_000_050], 'requests carry the time they arrived');
    } finally {
      await timed.close();
    }
  });

  it('logs requests with the token value hidden', async () => {
    await call('GET', '/library/sections');
    assert.equal(plex.requestCount({ method: 'GET', path: '/library/sections' }), 1);
    assert.equal(plex.requests[0]!.headers['x-plex-token'], '<token>');
  });

  it('keeps an actor photo sent with the tag, one per actor for the whole library', async () => {
    const a = plex.addItem({ title: 'a', file: '/data/videos/a.mp4', size: 1 }).ratingKey;
    const b = plex.addItem({ title: 'b', file: '/data/videos/b.mp4', size: 2, actors: ['Ann'] }).ratingKey;
    const url = encodeURIComponent('http://stash:9999/performer/1/image?t=1');
    assert.equal((await call('PUT', `/library/metadata/${a}?actor[0].tag.tag=Ann&actor[0].tag.thumb=${url}`)).status, 200);
    const roleOf = async (rk: string) => (await call('GET', `/library/metadata/${rk}`)).json().MediaContainer.Metadata[0].Role;
    assert.equal((await roleOf(a))[0].thumb, 'http://stash:9999/performer/1/image?t=1');
    assert.equal((await roleOf(b))[0].thumb, 'http://stash:9999/performer/1/image?t=1', 'the same actor elsewhere shows it too');
    // A later photo for the same actor replaces it everywhere.
    await call('PUT', `/library/metadata/${b}?actor[0].tag.tag=Ann&actor[0].tag.thumb=${encodeURIComponent('http://x/2')}`);
    assert.equal((await roleOf(a))[0].thumb, 'http://x/2');
  });

  it('makes a collection an item of its own: listed with a ratingKey, summary edited and poster uploaded on it', async () => {
    const a = plex.addItem({ title: 'a', file: '/data/videos/a.mp4', size: 1 }).ratingKey;
    assert.equal((await call('GET', '/library/sections/1/collections')).json().MediaContainer.size, 0);
    await call('PUT', `/library/metadata/${a}?collection[0].tag.tag=Series`);
    const listed = (await call('GET', '/library/sections/1/collections')).json().MediaContainer.Metadata;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].title, 'Series');
    assert.equal(listed[0].type, 'collection');
    const rk = String(listed[0].ratingKey);
    assert.equal((await call('PUT', `/library/metadata/${rk}?summary.value=About&summary.locked=1`)).status, 200);
    const res = await fetch(`${plex.url}/library/metadata/${rk}/posters`, { method: 'POST', headers: { 'X-Plex-Token': plex.token, 'Content-Type': 'image/jpeg' }, body: new Uint8Array([1, 2]) });
    assert.equal(res.status, 200);
    const after = (await call('GET', '/library/sections/1/collections')).json().MediaContainer.Metadata[0];
    assert.equal(after.summary, 'About');
    assert.ok(after.thumb);
    assert.equal(plex.posters(rk).length, 1);
    assert.equal((await call('GET', '/library/sections/9/collections')).status, 404);
  });
});
