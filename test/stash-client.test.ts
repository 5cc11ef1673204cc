import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { StashClient } from '../src/stash/client.ts';
import { connectionFromServer } from '../src/stash/connection.ts';
import { type FakeStash, startFakeStash } from './fakes/stash-server.ts';

async function collect<T>(batches: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

describe('StashClient against the fake Stash', () => {
  let stash: FakeStash;
  let client: StashClient;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2026-01-11T09:30:00Z');
    stash = await startFakeStash({ now: () => clock });
    client = new StashClient({ ...connectionFromServer(stash.serverConnection()), timeoutMs: 5_000 });
  });
  afterEach(() => stash.close());

  it('maps a scene with every field, keeping newlines and unicode', async () => {
    const studio = stash.addStudio('Ström & Söhne');
    const alice = stash.addPerformer('Zoë Ångström');
    const bob = stash.addPerformer('Bob "B" O\'Neil');
    const tag = stash.addTag('日本語');
    const group = stash.addGroup('Series: Part 1/2');
    const id = stash.addScene({
      title: 'Café – 🎬 take 2',
      code: 'ABC-123',
      details: 'Line one\nLine two\r\n\ttabbed',
      director: 'Jürgen',
      date: '2024-02-29',
      rating100: 85,
      organized: true,
      studioId: studio,
      performerIds: [bob, alice],
      tagIds: [tag],
      groupIds: [group],
      files: [{ path: '/media/Café/scène 1.mp4', size: 123_456_789_012 }],
    });

    const scene = await client.findScene(id);

    assert.deepEqual(scene, {
      id,
      title: 'Café – 🎬 take 2',
      code: 'ABC-123',
      details: 'Line one\nLine two\r\n\ttabbed',
      director: 'Jürgen',
      date: '2024-02-29',
      rating100: 85,
      organized: true,
      updatedAt: scene?.updatedAt,
      studio: { id: studio, name: 'Ström & Söhne', parent: null },
      performers: [
        { id: bob, name: 'Bob "B" O\'Neil', imageUrl: null },
        { id: alice, name: 'Zoë Ångström', imageUrl: null },
      ],
      tags: [{ id: tag, name: '日本語', parents: [] }],
      groups: [{ id: group, name: 'Series: Part 1/2', coverUrl: null, description: null }],
      stashIdCount: 0,
      files: [{ path: '/media/Café/scène 1.mp4', size: 123_456_789_012 }],
      screenshotUrl: `${stash.url}/scene/${id}/screenshot?t=${clock.getTime() / 1000}`,
    });
    assert.equal(Date.parse(scene?.updatedAt ?? ''), clock.getTime());
    assert.match(scene?.updatedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  });

  it('a scene with nothing set maps to nulls and empty lists', async () => {
    const id = stash.addScene({});
    const scene = await client.findScene(id);
    assert.equal(scene?.title, null);
    assert.equal(scene?.studio, null);
    assert.equal(scene?.rating100, null);
    assert.deepEqual([scene?.performers, scene?.tags, scene?.groups, scene?.files], [[], [], [], []]);
  });

  it('a deleted scene is null', async () => {
    const id = stash.addScene({ title: 'gone soon' });
    stash.deleteScene(id);
    assert.equal(await client.findScene(id), null);
  });

  it('pages through more than 1,000 scenes in id order', async () => {
    for (let i = 0; i < 1_050; i++) stash.addScene({ title: `scene ${i}` });
    const pages = [];
    for (let page = 1; page <= 11; page++) pages.push(await client.findScenesPage(page, 100));
    assert.deepEqual(
      pages.map((p) => p.count),
      Array(11).fill(1_050),
    );
    const ids = pages.flatMap((p) => p.scenes.map((s) => Number(s.id)));
    assert.equal(ids.length, 1_050);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, 1_050);
    assert.equal((await client.findScenesPage(1, -1)).scenes.length, 1_050);
  });

  it('walks every scene stamp in batches', async () => {
    for (let i = 0; i < 1_050; i++) stash.addScene({ files: [{ path: `/v/${i}.mp4`, size: i }] });
    const batches = await collect(client.allSceneStamps(250));
    assert.deepEqual(
      batches.map((b) => b.length),
      [250, 250, 250, 250, 50],
    );
    assert.deepEqual(batches[4]?.at(-1)?.files, [{ path: '/v/1049.mp4', size: 1049 }]);
  });

  it('finds the scenes showing a performer, studio, tag or group, page by page', async () => {
    const performer = stash.addPerformer('P');
    const studio = stash.addStudio('S');
    const tag = stash.addTag('T');
    const group = stash.addGroup('G');
    const other = stash.addTag('other');
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) {
      expected.push(stash.addScene({ performerIds: [performer], studioId: studio, tagIds: [other, tag], groupIds: [group] }));
      stash.addScene({ tagIds: [other] });
    }
    const cases = [
      ['performer', performer],
      ['studio', studio],
      ['tag', tag],
      ['group', group],
    ] as const;
    for (const [kind, id] of cases) {
      const batches = await collect(client.sceneIdsShowing(kind, id, 3));
      assert.deepEqual(batches, [expected.slice(0, 3), expected.slice(3, 6), expected.slice(6)], kind);
    }
  });

  it('a scene deleted during a walk does not make the walk skip another', async () => {
    const tag = stash.addTag('T');
    const ids = Array.from({ length: 6 }, () => stash.addScene({ tagIds: [tag] }));
    const seen: string[] = [];
    for await (const batch of client.sceneIdsShowing('tag', tag, 2)) {
      seen.push(...batch);
      if (seen.length === 2) stash.deleteScene(ids[0] ?? '');
    }
    assert.deepEqual(seen, ids);
  });

  it('lists scenes updated after a moment, comparing whole seconds', async () => {
    const old = stash.addScene({ title: 'old' });
    const touched = stash.addScene({ title: 'touched' });
    const since = new Date(clock.getTime() + 1_000).toISOString();
    clock = new Date(clock.getTime() + 1_500);
    stash.updateScene(touched, { title: 'same second as since' });
    assert.deepEqual(await collect(client.scenesUpdatedSince(since)), []);
    clock = new Date(clock.getTime() + 1_000);
    stash.updateScene(touched, { title: 'later' });
    const fresh = stash.addScene({ title: 'new' });
    const batches = await collect(client.scenesUpdatedSince(since));
    assert.deepEqual(
      batches.flat().map((s) => s.id),
      [touched, fresh],
    );
    assert.ok(!batches.flat().some((s) => s.id === old));
  });

  it('reads the PlexSync settings map, {} when none are stored', async () => {
    assert.deepEqual(await client.pluginSettings(), {});
    stash.setSettings({ plexUrl: 'http://plex:32400', plexConcurrency: 4, skipPoster: true });
    stash.setSettings({ unrelated: 1 }, 'OtherPlugin');
    assert.deepEqual(await client.pluginSettings(), { plexUrl: 'http://plex:32400', plexConcurrency: 4, skipPoster: true });
    assert.deepEqual(stash.requests.at(-1)?.variables, { include: ['PlexSync'] });
  });

  it('saves settings with configurePlugin, keeping the ones it does not change', async () => {
    stash.setSettings({ plexUrl: 'http://plex:32400', plexToken: 'kept-token-value', skipPoster: true });
    stash.setSettings({ unrelated: 1 }, 'OtherPlugin');
    await client.savePluginSettings({ plexUrl: 'http://192.168.1.20:32400', pathMap: '/data=>/media' });
    assert.deepEqual(stash.settings(), { plexUrl: 'http://192.168.1.20:32400', plexToken: 'kept-token-value', skipPoster: true, pathMap: '/data=>/media' });
    assert.deepEqual(stash.settings('OtherPlugin'), { unrelated: 1 });
    assert.equal(stash.settingsWrites.length, 1);
    assert.equal(stash.settingsWrites[0]!.pluginId, 'PlexSync');
  });

  it('fetches a screenshot with the session cookie', async () => {
    const id = stash.addScene({});
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    stash.setScreenshot(id, bytes, 'image/jpeg');
    const scene = await client.findScene(id);
    const image = await client.fetchImage(scene?.screenshotUrl ?? '');
    assert.deepEqual(image, { bytes, contentType: 'image/jpeg' });
    assert.equal(stash.requests.at(-1)?.session, stash.session);
    assert.equal(stash.requests.at(-1)?.path, `/scene/${id}/screenshot`);
  });

  it('an image URL naming another address is fetched from the Stash we talk to', async () => {
    const id = stash.addScene({});
    stash.setScreenshot(id, new Uint8Array([9]), 'image/png');
    // Stash builds image URLs from its external address, which this process may not reach.
    const image = await client.fetchImage(`http://stash.example.invalid:9999/scene/${id}/screenshot?t=1`);
    assert.deepEqual(image, { bytes: new Uint8Array([9]), contentType: 'image/png' });
  });

  it('a missing screenshot is a permanent not_found', async () => {
    const id = stash.addScene({});
    await assert.rejects(client.fetchImage(`${stash.url}/scene/${id}/screenshot`), { name: 'PermanentError', code: 'not_found' });
  });
});
