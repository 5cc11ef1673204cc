import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { errorCode } from '../src/errors.ts';
import { PlexClient } from '../src/plex/client.ts';
import { toPlexItemState } from '../src/plex/item-state.ts';
import type { PlexEdit } from '../src/sync/model.ts';
import { type FakePlex, startFakePlex } from './fakes/plex-server.ts';

let plex: FakePlex;
let client: PlexClient;

function connect(fake: FakePlex): PlexClient {
  return new PlexClient({ baseUrl: fake.url, token: fake.token, clientIdentifier: 'test-client-id', timeoutMs: 2000, version: '9.9.9' });
}

function edit(partial: Partial<PlexEdit>): PlexEdit {
  return { scalars: {}, tags: {}, lock: [], ...partial };
}

async function state(rk: string) {
  return toPlexItemState(await client.getItem(rk), '1');
}

beforeEach(async () => {
  plex = await startFakePlex();
  client = connect(plex);
});

afterEach(async () => {
  client.close();
  await plex.close();
});

describe('PlexClient reads', () => {
  it('identity answers without sending the token', async () => {
    assert.deepEqual(await client.identity(), { machineIdentifier: 'fake-machine-id', version: '1.41.0.0000-fake' });
    assert.equal(plex.requests[0]!.headers['x-plex-token'], undefined);
  });

  it('sections lists id, title, type, agent and locations', async () => {
    assert.deepEqual(await client.sections(), [
      { id: '1', title: 'Videos', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/videos'] },
    ]);
  });

  it('listSectionPage pages with container headers and survives an empty page', async () => {
    for (let i = 0; i < 5; i++) plex.addItem({ title: `Item ${i}`, file: `/data/videos/${i}.mp4`, size: 100 + i });
    const first = await client.listSectionPage('1', 0, 2);
    const last = await client.listSectionPage('1', 4, 2);
    const beyond = await client.listSectionPage('1', 10, 2);
    assert.deepEqual(first.items.map((i) => i.title), ['Item 0', 'Item 1']);
    assert.equal(first.totalSize, 5);
    assert.deepEqual(last.items.map((i) => i.Media?.[0]?.Part?.[0]?.file), ['/data/videos/4.mp4']);
    assert.deepEqual(beyond, { items: [], offset: 10, totalSize: 5 });
    const sent = plex.requests.at(-1)!;
    assert.equal(sent.headers['x-plex-container-start'], '10');
    assert.equal(sent.headers['x-plex-container-size'], '2');
  });

  it('listSectionPage can ask for the most recently updated items first', async () => {
    const a = plex.addItem({ title: 'A', file: '/f/a.mp4', size: 1 });
    const b = plex.addItem({ title: 'B', file: '/f/b.mp4', size: 1 });
    b.updatedAt = a.updatedAt + 10;
    const page = await client.listSectionPage('1', 0, 10, undefined, 'updatedAt:desc');
    assert.deepEqual(page.items.map((i) => i.title), ['B', 'A']);
    assert.deepEqual(plex.requests.at(-1)!.query, [['type', '1'], ['sort', 'updatedAt:desc']]);
  });

  it('getItems fetches many keys in a few requests and skips unknown ones', async () => {
    const keys = Array.from({ length: 90 }, (_, i) => plex.addItem({ title: `T${i}`, file: `/f/${i}.mp4`, size: i }).ratingKey);
    const items = await client.getItems([...keys, '999999']);
    assert.equal(items.length, 90);
    assert.equal(plex.requestCount({ method: 'GET', path: /^\/library\/metadata\// }), 3);
    assert.deepEqual(await client.getItems(['999998', '999999']), []);
  });

  it('getItem throws a permanent not_found for an unknown key', async () => {
    await assert.rejects(client.getItem('424242'), (err) => errorCode(err) === 'not_found');
  });

  it('sends the Plex headers and keeps the token out of every URL', async () => {
    plex.addItem({ ratingKey: '7', title: 'x', file: '/f/x.mp4', size: 1 });
    await client.sections();
    await client.getItem('7');
    await client.editItem('7', '1', edit({ scalars: { title: 'y' } }));
    await client.rate('7', 5);
    await client.scanFolder('1', '/data/videos');
    for (const r of plex.requests) {
      assert.equal(r.headers['x-plex-token'], '<token>');
      assert.equal(r.headers['x-plex-client-identifier'], 'test-client-id');
      assert.equal(r.headers['x-plex-product'], 'PlexSync');
      assert.equal(r.headers['x-plex-version'], '9.9.9');
      assert.equal(r.headers['accept'], 'application/json');
      assert.ok(!r.rawUrl.includes(plex.token));
      assert.ok(!/x-plex-token/i.test(r.rawUrl));
    }
  });

  it('reports each request to onRequest without the token', async () => {
    const seen: string[] = [];
    const counting = new PlexClient({ baseUrl: plex.url, token: plex.token, clientIdentifier: 'c', timeoutMs: 2000, onRequest: (m, p) => seen.push(`${m} ${p}`) });
    await counting.sections();
    await counting.listSectionPage('1', 0, 10);
    counting.close();
    assert.deepEqual(seen, ['GET /library/sections', 'GET /library/sections/1/all?type=1']);
  });
});

describe('PlexClient edits', () => {
  it('edits scalars, tags and locks through the metadata route', async () => {
    const rk = plex.addItem({ title: 'Old', file: '/f/a.mp4', size: 10 }).ratingKey;
    await client.editItem(
      rk,
      '1',
      edit({
        scalars: { title: 'New', summary: 'Sum', studio: 'Studio X', originallyAvailableAt: '2021-03-04' },
        tags: { actor: { set: ['Ann', 'Bob'], remove: [] }, genre: { set: ['G1'], remove: [] }, director: { set: ['Dee'], remove: [] }, collection: { set: ['Series'], remove: [] } },
        lock: ['title', 'summary', 'studio', 'originallyAvailableAt', 'actor', 'genre', 'director', 'collection'],
      }),
    );
    const s = await state(rk);
    assert.equal(s.title, 'New');
    assert.equal(s.summary, 'Sum');
    assert.equal(s.studio, 'Studio X');
    assert.equal(s.originallyAvailableAt, '2021-03-04');
    assert.deepEqual(s.tags, { actor: ['Ann', 'Bob'], genre: ['G1'], director: ['Dee'], collection: ['Series'], label: [] });
    assert.deepEqual(s.locked.sort(), ['actor', 'collection', 'director', 'genre', 'originallyAvailableAt', 'studio', 'summary', 'title']);
    assert.equal(plex.requestCount({ method: 'PUT', path: `/library/metadata/${rk}` }), 1);
    assert.equal((await client.getItem(rk)).year, 2021);
  });

  it('falls back to the section route when the metadata route answers 404', async () => {
    client.close();
    await plex.close();
    plex = await startFakePlex({ metadataEditRoute: false });
    client = connect(plex);
    const rk = plex.addItem({ title: 'A', file: '/f/a.mp4', size: 1 }).ratingKey;
    const other = plex.addItem({ title: 'B', file: '/f/b.mp4', size: 2 }).ratingKey;
    await client.editItem(rk, '1', edit({ scalars: { title: 'A2' }, lock: ['title'] }));
    assert.equal((await state(rk)).title, 'A2');
    assert.equal((await state(other)).title, 'B');
    const put = plex.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
    assert.deepEqual(put, [`/library/metadata/${rk}`, '/library/sections/1/all']);
    assert.deepEqual(plex.requests.at(-3)!.query.slice(0, 2), [['id', rk], ['type', '1']]);
  });

  it('without a section id a 404 from the metadata route is the answer', async () => {
    client.close();
    await plex.close();
    plex = await startFakePlex({ metadataEditRoute: false });
    client = connect(plex);
    const rk = plex.addItem({ title: 'A', file: '/f/a.mp4', size: 1 }).ratingKey;
    await assert.rejects(client.editItem(rk, null, edit({ scalars: { title: 'x' } })), (err) => errorCode(err) === 'not_found');
  });

  it('adding tags keeps the existing ones; removals take them away', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 1, genres: ['Keep', 'Doe, Jane', 'R&B 100%'] }).ratingKey;
    await client.editItem(rk, '1', edit({ tags: { genre: { set: ['New'], remove: [] } } }));
    assert.deepEqual((await state(rk)).tags.genre, ['Keep', 'Doe, Jane', 'R&B 100%', 'New']);
    await client.editItem(rk, '1', edit({ tags: { genre: { set: ['Keep', 'New'], remove: ['Doe, Jane', 'R&B 100%'] } } }));
    assert.deepEqual((await state(rk)).tags.genre, ['Keep', 'New']);
  });

  it('removed performer disappears from Plex', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 1, actors: ['Ann', 'Bob'] }).ratingKey;
    await client.editItem(rk, '1', edit({ tags: { actor: { set: ['Ann'], remove: ['Bob'] } }, lock: ['actor'] }));
    assert.deepEqual((await state(rk)).tags.actor, ['Ann']);
  });

  it('tricky text round-trips through Plex unchanged', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 1 }).ratingKey;
    const names = ['Zoë 🎬 👩‍👩‍👧', 'שלום', `"q" 'q'`, 'A & B', '50% + 50% = 100%', 'Doe, Jane', 'x\ny'];
    const summary = `${names.join('\n')}\n${'ü'.repeat(20_000)}`;
    await client.editItem(rk, '1', edit({ scalars: { title: names.join(' '), summary, studio: 'A&B=C' }, tags: { genre: { set: names, remove: [] } } }));
    const s = await state(rk);
    assert.equal(s.title, names.join(' '));
    assert.equal(s.summary, summary);
    assert.equal(s.studio, 'A&B=C');
    assert.deepEqual(s.tags.genre, names);
    await client.editItem(rk, '1', edit({ tags: { genre: { set: [], remove: names } } }));
    assert.deepEqual((await state(rk)).tags.genre, []);
  });

  it('rate sets and clears the user rating', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 1 }).ratingKey;
    await client.rate(rk, 7.5);
    assert.equal((await state(rk)).userRating, 7.5);
    await client.rate(rk, null);
    assert.equal((await state(rk)).userRating, null);
    assert.deepEqual(plex.requests.at(-2)!.query, [['key', rk], ['identifier', 'com.plexapp.plugins.library'], ['rating', '-1']]);
  });

  it('uploadPoster posts the bytes and selects the poster', async () => {
    const rk = plex.addItem({ title: 'T', file: '/f/t.mp4', size: 1 }).ratingKey;
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10, 0x80]);
    await client.uploadPoster(rk, bytes, 'image/jpeg');
    assert.deepEqual(plex.posters(rk), [{ bytes, contentType: 'image/jpeg' }]);
    assert.match(String((await client.getItem(rk)).thumb), new RegExp(`^/library/metadata/${rk}/thumb/`));
  });

  it('scanFolder asks for a partial scan with GET', async () => {
    await client.scanFolder('1', '/data/videos/new folder & more');
    assert.deepEqual(plex.scans, [{ sectionId: '1', path: '/data/videos/new folder & more' }]);
    assert.equal(plex.requests[0]!.method, 'GET');
  });
});
