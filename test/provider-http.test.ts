import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLogger } from '../src/log/logger.ts';
import { parsePathMap } from '../src/match/pathmap.ts';
import { type RunningProvider, startProvider } from '../src/provider/server.ts';
import { StashClient } from '../src/stash/client.ts';
import { type FakeStash, startFakeStash } from './fakes/stash-server.ts';
import { assertValid, ManifestSchema, MediaContainerSchema } from './helpers/provider-schema.ts';

const API_KEY = 'provider-test-api-key-0123456789';

describe('metadata provider over HTTP, against the fake Stash', () => {
  let stash: FakeStash;
  let provider: RunningProvider;
  let logLines: string[];

  const start = async (pathMap = '', contentRating = '') => {
    await provider?.close();
    const client = new StashClient({ baseUrl: stash.url, apiKey: API_KEY, timeoutMs: 10_000 });
    provider = await startProvider({ host: '127.0.0.1', port: 0, stash: client, settings: () => ({ mappings: parsePathMap(pathMap), contentRating, titleTemplate: '' }), log: createLogger((line) => logLines.push(line)) });
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${provider.url}${path}`, { headers: { Accept: 'application/json', ...headers } });
  const match = (body: unknown) =>
    fetch(`${provider.url}/library/metadata/matches?X-Plex-Language=en-US`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const container = async (res: Response) => {
    assert.equal(res.status, 200, await res.clone().text());
    return assertValid(MediaContainerSchema, await res.json()).MediaContainer;
  };

  beforeEach(async () => {
    logLines = [];
    stash = await startFakeStash({ session: false, apiKey: API_KEY });
    await start('/stash/media=>/plex/media');
  });
  afterEach(async () => {
    await provider.close();
    await stash.close();
  });

  it('answers the MediaProvider manifest at the root', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    const { MediaProvider } = assertValid(ManifestSchema, await res.json());
    assert.equal(MediaProvider.identifier, 'tv.plex.agents.custom.plexsync');
    assert.deepEqual(MediaProvider.Types, [{ type: 1, Scheme: [{ scheme: 'tv.plex.agents.custom.plexsync' }] }]);
    assert.deepEqual(
      MediaProvider.Feature.map((f) => [f.type, f.key]),
      [
        ['metadata', '/library/metadata'],
        ['match', '/library/metadata/matches'],
        ['collection', '/library/collections'],
      ],
    );
  });

  it('serves a scene with every field Stash has, performers in Stash order with photos', async () => {
    await start('', 'XXX');
    const parent = stash.addStudio('Parent Network');
    const studio = stash.addStudio('Studio One');
    stash.setStudioParent(studio, parent);
    const zoe = stash.addPerformer('Zoë');
    const adam = stash.addPerformer('Adam');
    const tagA = stash.addTag('Outdoor');
    const tagB = stash.addTag('Café');
    const group = stash.addGroup('Series 1');
    const id = stash.addScene({
      title: 'A scene',
      details: 'Line one\nLine two',
      date: '2024-02-29',
      director: 'Jo Director',
      rating100: 85,
      studioId: studio,
      performerIds: [zoe, adam],
      tagIds: [tagA, tagB],
      groupIds: [group],
      files: [{ path: '/stash/media/a.mp4', size: 10, duration: 125.5 }],
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stash_id: '6b8c0d2e-aaaa-4bbb-8ccc-123456789abc' }],
    });
    const res = await get(`/library/metadata/${id}`);
    const mc = await container(res);
    assert.equal(mc.size, 1);
    const m = mc.Metadata![0]!;
    assert.equal(m.ratingKey, id);
    assert.equal(m.guid, `tv.plex.agents.custom.plexsync://movie/${id}`);
    assert.equal(m.type, 'movie');
    assert.equal(m.title, 'A scene');
    assert.equal(m.summary, 'Line one\nLine two');
    assert.equal(m.originallyAvailableAt, '2024-02-29');
    assert.equal(m.year, 2024);
    assert.equal(m.studio, 'Studio One');
    assert.equal(m.contentRating, 'XXX');
    assert.equal(m.duration, 125_500);
    assert.deepEqual(m.Studio, [{ tag: 'Studio One' }, { tag: 'Parent Network' }]);
    assert.deepEqual(m.Genre, [{ tag: 'Outdoor' }, { tag: 'Café' }]);
    assert.deepEqual(
      m.Role?.map((r) => [r.tag, r.order]),
      [
        ['Zoë', 1],
        ['Adam', 2],
      ],
    );
    assert.ok(m.Role?.every((r) => r.thumb?.startsWith(`${provider.url}/images/performer/`)));
    assert.deepEqual(m.Director, [{ tag: 'Jo Director', role: 'Director' }]);
    assert.deepEqual(m.Collection, [{ guid: `tv.plex.agents.custom.plexsync://collection/${group}`, key: `/library/collections/${group}/children`, tag: 'Series 1' }]);
    assert.deepEqual(m.Rating, [{ image: 'themoviedb://image.rating', type: 'audience', value: 8.5 }]);
    assert.deepEqual(
      m.Guid?.map((g) => g.id),
      [`stash://scene/${id}`, 'stashdb://6b8c0d2e-aaaa-4bbb-8ccc-123456789abc'],
    );
    assert.deepEqual(
      m.Image?.map((i) => i.type),
      ['coverPoster', 'background', 'snapshot'],
    );
    assert.ok(m.Image?.every((i) => i.url.startsWith(`${provider.url}/images/scene/${id}?t=`)));
  });

  it('no image URL Plex stores names Stash or carries a credential', async () => {
    const performer = stash.addPerformer('P');
    const id = stash.addScene({ title: 'x', performerIds: [performer], files: [{ path: '/stash/media/x.mp4', size: 1 }] });
    const text = await (await get(`/library/metadata/${id}`)).text();
    assert.doesNotMatch(text, new RegExp(API_KEY));
    assert.doesNotMatch(text, new RegExp(`:${stash.port}/`));
    assert.doesNotMatch(text, /apikey|api_key|session/i);
  });

  it('proxies the cover and performer photo from Stash with the API key', async () => {
    const performer = stash.addPerformer('P');
    const id = stash.addScene({ title: 'x', performerIds: [performer], files: [{ path: '/stash/media/x.mp4', size: 1 }] });
    stash.setScreenshot(id, new Uint8Array([1, 2, 3]), 'image/jpeg');
    stash.setPerformerImage(performer, new Uint8Array([9, 8]), 'image/png');
    const m = (await container(await get(`/library/metadata/${id}`))).Metadata![0]!;
    const cover = await fetch(m.Image![0]!.url);
    assert.equal(cover.status, 200);
    assert.equal(cover.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...new Uint8Array(await cover.arrayBuffer())], [1, 2, 3]);
    const photo = await fetch(m.Role![0]!.thumb!);
    assert.equal(photo.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await photo.arrayBuffer())], [9, 8]);
    const imageRequests = stash.requests.filter((r) => r.method === 'GET');
    assert.ok(imageRequests.length >= 2 && imageRequests.every((r) => r.apiKey === API_KEY));
  });

  it('an image Stash does not have is a 404, not an error', async () => {
    const id = stash.addScene({ title: 'x' });
    assert.equal((await get(`/images/scene/${id}`)).status, 404);
  });

  it('the images route lists the scene images', async () => {
    const id = stash.addScene({ title: 'x' });
    const mc = await container(await get(`/library/metadata/${id}/images`));
    assert.deepEqual(
      mc.Image?.map((i) => i.type),
      ['coverPoster', 'background', 'snapshot'],
    );
  });

  it('a scene without title, date or studio is still valid metadata, titled by its file', async () => {
    const id = stash.addScene({ files: [{ path: '/stash/media/Some Clip.mkv', size: 1 }] });
    const m = (await container(await get(`/library/metadata/${id}`))).Metadata![0]!;
    assert.equal(m.title, 'Some Clip');
    assert.equal(m.originallyAvailableAt, undefined);
    assert.equal(m.studio, undefined);
    assert.deepEqual(m.Rating, []);
    assert.equal(m.contentRating, undefined);
  });

  it('unknown scene ids are 404, malformed ones 404 without asking Stash, never a stack trace', async () => {
    const unknown = await get('/library/metadata/999999');
    assert.equal(unknown.status, 404);
    const before = stash.requests.length;
    for (const path of ['/library/metadata/abc', '/library/metadata/1%2F2', '/library/metadata/../../graphql', '/settings', '/api/status']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /at \w+ \(|node:internal|\.ts:\d+/);
    }
    assert.equal(stash.requests.length, before);
  });

  it('a malformed match request is 400 with a reason', async () => {
    for (const body of ['', 'not json', '[]', JSON.stringify({ title: 'x' }), JSON.stringify({ type: 'movie', title: 'x' }), JSON.stringify({ type: 1 })]) {
      const res = await match(body);
      assert.equal(res.status, 400, body);
      const answer = (await res.json()) as { error: string };
      assert.match(answer.error, /\w/);
      assert.doesNotMatch(answer.error, /at \w+ \(|node:internal/);
    }
  });

  it('writes are refused: the provider serves nothing but metadata and images', async () => {
    for (const method of ['PUT', 'DELETE', 'POST']) {
      const res = await fetch(`${provider.url}/library/metadata/1`, { method });
      assert.equal(res.status, 405, method);
    }
  });

  it('Stash down is a 503 with no detail; the cause goes to the log', async () => {
    const id = stash.addScene({ title: 'x' });
    stash.setDown(503);
    const res = await get(`/library/metadata/${id}`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'Stash did not answer' });
    assert.ok(logLines.some((l) => l.includes('provider: GET /library/metadata/')));
  });

  it('a dropped connection to Stash is tried once more, then answered 503', async () => {
    const id = stash.addScene({ title: 'x' });
    stash.setDown('reset');
    const before = stash.requests.length;
    const res = await get(`/library/metadata/${id}`);
    assert.equal(res.status, 503);
    assert.equal(stash.requests.length - before, 2);
  });

  describe('match', () => {
    it('matches a full Plex path through pathMap', async () => {
      const id = stash.addScene({ title: 'Full', files: [{ path: '/stash/media/sub/clip.mp4', size: 1 }] });
      stash.addScene({ title: 'Other', files: [{ path: '/stash/media/other/clip.mp4', size: 1 }] });
      const mc = await container(await match({ type: 1, title: 'clip', filename: '/plex/media/sub/clip.mp4' }));
      assert.deepEqual(
        mc.Metadata?.map((m) => [m.ratingKey, m.score]),
        [[id, 100]],
      );
      assert.equal(mc.Metadata![0]!.guid, `tv.plex.agents.custom.plexsync://movie/${id}`);
    });

    it('matches a library-relative path, with or without a leading slash', async () => {
      const id = stash.addScene({ title: 'Rel', files: [{ path: '/stash/media/Movies/sub/clip.mp4', size: 1 }] });
      stash.addScene({ title: 'Other', files: [{ path: '/stash/media/Movies/other/clip.mp4', size: 1 }] });
      for (const filename of ['/sub/clip.mp4', 'sub/clip.mp4', '/Movies/sub/clip.mp4']) {
        const mc = await container(await match({ type: 1, title: 'clip', filename }));
        assert.deepEqual(
          mc.Metadata?.map((m) => m.ratingKey),
          [id],
          filename,
        );
      }
    });

    it('falls back to a unique basename, and not to a shared one', async () => {
      const id = stash.addScene({ title: 'Unique', files: [{ path: '/elsewhere/unique_name.mp4', size: 1 }] });
      const unique = await container(await match({ type: 1, title: 'x', filename: '/somewhere/else/unique_name.mp4' }));
      assert.deepEqual(
        unique.Metadata?.map((m) => [m.ratingKey, m.score]),
        [[id, 85]],
      );
      stash.addScene({ title: 'A', files: [{ path: '/a/dup.mp4', size: 1 }] });
      stash.addScene({ title: 'B', files: [{ path: '/b/dup.mp4', size: 1 }] });
      const shared = await container(await match({ type: 1, title: 'x', filename: '/c/dup.mp4' }));
      assert.deepEqual(shared.Metadata, []);
    });

    it("Stash's LIKE wildcards in a basename do not make a false match", async () => {
      stash.addScene({ title: 'Near', files: [{ path: '/x/clipAb.mp4', size: 1 }] });
      const mc = await container(await match({ type: 1, title: 'zzz', filename: '/y/clip_b.mp4' }));
      assert.deepEqual(mc.Metadata, []);
    });

    it('title and year match only when no file name does, with a lower score', async () => {
      const id = stash.addScene({ title: 'Named Scene', date: '2021-05-01', files: [{ path: '/x/one.mp4', size: 1 }] });
      const mc = await container(await match({ type: 1, title: 'named scene', year: 2021, filename: '/nowhere/else.mp4' }));
      assert.deepEqual(
        mc.Metadata?.map((m) => [m.ratingKey, m.score]),
        [[id, 60]],
      );
      const wrongYear = await container(await match({ type: 1, title: 'Named Scene', year: 1999, filename: '/nowhere/else.mp4' }));
      assert.deepEqual(wrongYear.Metadata, []);
    });

    it('manual=1 lists every candidate, best first', async () => {
      const exact = stash.addScene({ title: 'Same', files: [{ path: '/stash/media/a/pick.mp4', size: 1 }] });
      const byName = stash.addScene({ title: 'Other', files: [{ path: '/z/pick.mp4', size: 1 }] });
      const byTitle = stash.addScene({ title: 'pick', files: [{ path: '/q/unrelated.mp4', size: 1 }] });
      const mc = await container(await match({ type: 1, title: 'pick', filename: '/plex/media/a/pick.mp4', manual: 1 }));
      assert.deepEqual(
        mc.Metadata?.map((m) => [m.ratingKey, m.score]),
        [
          [exact, 100],
          [byName, 85],
          [byTitle, 50],
        ],
      );
    });

    it('a guid of ours names the scene directly', async () => {
      const id = stash.addScene({ title: 'G' });
      const mc = await container(await match({ type: 1, title: 'whatever', guid: `tv.plex.agents.custom.plexsync://movie/${id}` }));
      assert.deepEqual(
        mc.Metadata?.map((m) => m.ratingKey),
        [id],
      );
    });

    it('asks Stash one bounded question per match, never for the whole library', async () => {
      for (let i = 0; i < 30; i++) stash.addScene({ title: `s${i}`, files: [{ path: `/stash/media/f${i}.mp4`, size: 1 }] });
      const before = stash.requests.length;
      await container(await match({ type: 1, title: 's7', filename: '/plex/media/f7.mp4' }));
      const asked = stash.requests.slice(before);
      assert.deepEqual(
        asked.map((r) => r.operationName),
        ['PlexSyncProviderScenesByBasename'],
      );
      assert.equal(asked[0]!.variables?.['basename'], 'f7.mp4');
    });

    it('other metadata types match nothing', async () => {
      stash.addScene({ title: 'x', files: [{ path: '/stash/media/x.mp4', size: 1 }] });
      const mc = await container(await match({ type: 2, title: 'x', filename: '/plex/media/x.mp4' }));
      assert.deepEqual(mc.Metadata, []);
    });
  });

  describe('collections', () => {
    it('a group is a collection, its scenes the children, paged', async () => {
      const group = stash.addGroup('My Group');
      stash.setGroupImage(group, new Uint8Array([5]));
      const ids = [1, 2, 3].map((n) => stash.addScene({ title: `part ${n}`, groupIds: [group] }));
      const mc = await container(await get(`/library/collections/${group}`));
      const c = mc.Metadata![0]!;
      assert.equal(c.type, 'collection');
      assert.equal(c.title, 'My Group');
      assert.equal(c.guid, `tv.plex.agents.custom.plexsync://collection/${group}`);
      assert.ok(c.thumb?.startsWith(`${provider.url}/images/group/${group}`));
      const page = await container(await get(`/library/collections/${group}/children`, { 'X-Plex-Container-Start': '1', 'X-Plex-Container-Size': '2' }));
      assert.equal(page.totalSize, 3);
      assert.equal(page.offset, 1);
      assert.deepEqual(
        page.Metadata?.map((m) => m.ratingKey),
        ids.slice(1),
      );
      assert.equal((await get('/library/collections/99999')).status, 404);
      assert.equal((await get(`/library/collections/${group}/children?X-Plex-Container-Size=abc`)).status, 400);
    });
  });
});
