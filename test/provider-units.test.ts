import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings } from '../src/config/settings.ts';
import { parsePathMap } from '../src/match/pathmap.ts';
import { providerListen, providerSettings } from '../src/provider/config.ts';
import { bestMatch, rankCandidates } from '../src/provider/match.ts';
import { sceneMetadata, stashBoxScheme } from '../src/provider/metadata.ts';
import type { ProviderScene } from '../src/provider/model.ts';
import { ALL_FIELDS_ON } from '../src/sync/desired.ts';
import { planScene } from '../src/sync/plan-scene.ts';

function scene(id: string, paths: string[], extra: Partial<ProviderScene> = {}): ProviderScene {
  return {
    id,
    title: null,
    code: null,
    details: null,
    director: null,
    date: null,
    rating100: null,
    studio: null,
    performers: [],
    tags: [],
    groups: [],
    files: paths.map((path) => ({ path, basename: path.split(/[\\/]/).pop()!, durationSeconds: 0 })),
    screenshotStamp: null,
    stashIds: [],
    ...extra,
  };
}

describe('provider match ranking', () => {
  it('a Windows Stash path mapped to a POSIX Plex path matches, case and separators folded on the Windows side', () => {
    const mappings = parsePathMap('D:\\Videos=>/media/videos');
    const ranked = rankCandidates([scene('1', ['D:\\Videos\\Sub\\a.mp4'])], [], { filename: '/media/videos/Sub/a.mp4' }, mappings);
    assert.deepEqual(
      ranked.map((c) => [c.scene.id, c.reason]),
      [['1', 'path']],
    );
  });

  it('a relative filename matches only at a folder boundary', () => {
    const ranked = rankCandidates([scene('1', ['/m/xsub/a.mp4']), scene('2', ['/m/sub/a.mp4'])], [], { filename: 'sub/a.mp4' }, []);
    assert.deepEqual(
      ranked.map((c) => [c.scene.id, c.reason]),
      [
        ['2', 'relative_path'],
        ['1', 'basename'],
      ],
    );
    assert.equal(bestMatch(ranked)?.scene.id, '2');
  });

  it('two scenes with the same relative path are ambiguous: no automatic match', () => {
    const ranked = rankCandidates([scene('1', ['/a/sub/a.mp4']), scene('2', ['/b/sub/a.mp4'])], [], { filename: '/sub/a.mp4' }, []);
    assert.equal(ranked.length, 2);
    assert.equal(bestMatch(ranked), undefined);
  });

  it('a scene matched by file is not listed again by title', () => {
    const s = scene('1', ['/x/a.mp4'], { title: 'A' });
    const ranked = rankCandidates([s], [s], { filename: '/x/a.mp4', title: 'A' }, []);
    assert.equal(ranked.length, 1);
  });
});

describe('provider metadata mapping', () => {
  it('names stash-box endpoints by their domain', () => {
    assert.equal(stashBoxScheme('https://stashdb.org/graphql'), 'stashdb');
    assert.equal(stashBoxScheme('https://www.fansdb.cc/graphql'), 'fansdb');
    assert.equal(stashBoxScheme('not a url'), undefined);
  });

  it('drops blank and repeated performer names but keeps Stash order', () => {
    const s = scene('5', [], {
      performers: [
        { id: '1', name: 'B', imageStamp: '1' },
        { id: '2', name: ' ', imageStamp: null },
        { id: '3', name: 'A', imageStamp: null },
        { id: '4', name: 'B', imageStamp: '2' },
      ],
    });
    const m = sceneMetadata(s, { baseUrl: 'http://p:1', contentRating: '', titleTemplate: '' });
    assert.deepEqual(m.Role, [
      { tag: 'B', order: 1, thumb: 'http://p:1/images/performer/1?t=1' },
      { tag: 'A', order: 2 },
    ]);
  });

  it('the title template names the item as edit mode does, with the plain title to sort by', () => {
    const s = scene('5', ['/v/clip.mp4'], { title: 'Plain', date: '2024-03-01', studio: { id: '1', name: 'Studio', parent: null } });
    const m = sceneMetadata(s, { baseUrl: 'http://p:1', contentRating: '', titleTemplate: '{studio} - {date} - {title}' });
    assert.equal(m.title, 'Studio - 2024-03-01 - Plain');
    assert.equal(m.titleSort, 'Plain');
    const plain = sceneMetadata(s, { baseUrl: 'http://p:1', contentRating: '', titleTemplate: '' });
    assert.equal(plain.title, 'Plain');
    assert.equal(plain.titleSort, undefined);
    // No Stash title: the file name, as without a template.
    assert.equal(sceneMetadata({ ...s, title: null }, { baseUrl: 'http://p:1', contentRating: '', titleTemplate: '{studio} - {title}' }).title, 'clip');
  });

  it('an invalid date is left out rather than sent', () => {
    const m = sceneMetadata(scene('5', [], { date: '2024-13' }), { baseUrl: 'http://p:1', contentRating: '', titleTemplate: '' });
    assert.equal(m.originallyAvailableAt, undefined);
    assert.equal(m.year, undefined);
  });
});

describe('provider configuration', () => {
  it('is off without PLEXSYNC_PROVIDER_PORT', () => {
    assert.equal(providerListen({}), undefined);
    assert.equal(providerListen({ PLEXSYNC_PROVIDER_PORT: '' }), undefined);
  });

  it('listens on PLEXSYNC_PROVIDER_HOST, else PLEXSYNC_HTTP_HOST, else loopback', () => {
    assert.deepEqual(providerListen({ PLEXSYNC_PROVIDER_PORT: '9881' }), { host: '127.0.0.1', port: 9881, publicUrl: undefined });
    assert.equal(providerListen({ PLEXSYNC_PROVIDER_PORT: '9881', PLEXSYNC_HTTP_HOST: '0.0.0.0' })?.host, '0.0.0.0');
    assert.equal(providerListen({ PLEXSYNC_PROVIDER_PORT: '9881', PLEXSYNC_HTTP_HOST: '0.0.0.0', PLEXSYNC_PROVIDER_HOST: '192.168.1.5' })?.host, '192.168.1.5');
  });

  it('refuses a bad port or public URL, naming the variable', () => {
    assert.throws(() => providerListen({ PLEXSYNC_PROVIDER_PORT: 'abc' }), /PLEXSYNC_PROVIDER_PORT/);
    assert.throws(() => providerListen({ PLEXSYNC_PROVIDER_PORT: '70000' }), /PLEXSYNC_PROVIDER_PORT/);
    assert.throws(() => providerListen({ PLEXSYNC_PROVIDER_PORT: '1', PLEXSYNC_PROVIDER_URL: 'http://u:p@h:1' }), /PLEXSYNC_PROVIDER_URL/);
    assert.equal(providerListen({ PLEXSYNC_PROVIDER_PORT: '1', PLEXSYNC_PROVIDER_URL: 'http://nas:9881/' })?.publicUrl, 'http://nas:9881');
  });

  it('reads pathMap, contentRating and titleTemplate from the stored settings, PLEXSYNC_PATH_MAP winning', () => {
    const fromStash = providerSettings({ pathMap: '/a=>/b', contentRating: ' XXX ', titleTemplate: '{studio} - {title}' }, {});
    assert.deepEqual(fromStash, { mappings: [{ stash: '/a', plex: '/b' }], contentRating: 'XXX', titleTemplate: '{studio} - {title}' });
    assert.deepEqual(providerSettings({ pathMap: '/a=>/b' }, { PLEXSYNC_PATH_MAP: '/c=>/d' }).mappings, [{ stash: '/c', plex: '/d' }]);
    assert.throws(() => providerSettings({ pathMap: 'nonsense' }, {}), /pathMap/);
  });
});

describe('reconcile plans in provider mode', () => {
  const stashScene = {
    id: '7',
    title: 'T',
    code: null,
    details: 'D',
    director: null,
    date: null,
    rating100: null,
    organized: false,
    updatedAt: '2026-01-01T00:00:00Z',
    studio: null,
    performers: [],
    tags: [],
    groups: [],
    files: [{ path: '/v/a.mp4', size: 1 }],
    screenshotUrl: null,
  };
  const record = { sceneId: '7', ratingKey: '100', sectionId: '1', syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null };
  const item = { ratingKey: '100', title: 'T', summary: 'D', Media: [{ Part: [{ file: '/v/a.mp4', size: 1 }] }] };

  it('an unlocked field with the right value is the same in provider mode, a lock to add in edit mode', () => {
    assert.equal(planScene(stashScene, item, '1', record, ALL_FIELDS_ON, { syncMode: 'provider' }).status, 'same');
    const edit = planScene(stashScene, item, '1', record, ALL_FIELDS_ON, { syncMode: 'edit' });
    assert.equal(edit.status, 'differs');
    assert.ok(edit.changes.every((c) => c.lockOnly));
  });

  it('a value that differs still differs in provider mode', () => {
    const plan = planScene({ ...stashScene, title: 'New' }, item, '1', record, ALL_FIELDS_ON, { syncMode: 'provider' });
    assert.equal(plan.status, 'differs');
    assert.deepEqual(
      plan.changes.map((c) => c.field),
      ['title'],
    );
  });
});

describe('the syncMode and contentRating settings', () => {
  const base = { plexUrl: 'http://127.0.0.1:32400', plexToken: 't' };

  it('default to edit mode and no content rating', () => {
    const s = parseSettings(base);
    assert.equal(s.syncMode, 'edit');
    assert.equal(s.contentRating, '');
  });

  it('accept provider in any case, and refuse anything else by name', () => {
    assert.equal(parseSettings({ ...base, syncMode: ' Provider ' }).syncMode, 'provider');
    assert.throws(() => parseSettings({ ...base, syncMode: 'refresh' }), /syncMode must be edit or provider, got "refresh"/);
    assert.equal(parseSettings({ ...base, contentRating: 'XXX' }).contentRating, 'XXX');
  });
});
