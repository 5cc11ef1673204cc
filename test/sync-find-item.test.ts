// findPlexItem against a stubbed library index, Plex and Stash: how many
// times it looks, what it asks for, and which item files it trusts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { errorCode } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import type { Candidate } from '../src/match/decide.ts';
import type { LibraryIndex } from '../src/match/library-index.ts';
import type { PlexClient, PlexSection } from '../src/plex/client.ts';
import type { PlexMetadata } from '../src/plex/wire.ts';
import type { StashClient } from '../src/stash/client.ts';
import { findPlexItem } from '../src/sync/find-item.ts';
import type { StashScene } from '../src/sync/model.ts';
import { putRecord } from '../src/sync/records.ts';
import type { SceneSyncDeps } from '../src/sync/scene-sync.ts';
import { blankScene } from './helpers/stash-scene.ts';
import { tempDir } from './helpers/temp.ts';

/** More looks than this and the stub says so: a loop that does not stop fails the test instead of hanging it. */
const MAX_GETS = 10;

interface World {
  deps: SceneSyncDeps;
  candidates: Candidate[];
  /** What getItems returns for a rating key (absent: no item). */
  items: Map<string, PlexMetadata>;
  sections: PlexSection[];
  calls: { refresh: boolean[]; gets: number; remembered: string[]; forgotten: string[]; scans: string[]; pathLike: string[] };
  lines: string[];
}

async function world(t: Parameters<typeof tempDir>[0]): Promise<World> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const w: World = {
    deps: undefined as unknown as SceneSyncDeps,
    candidates: [],
    items: new Map(),
    sections: [{ id: '1', title: 'Videos', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/a', '/data/b'] }],
    calls: { refresh: [], gets: 0, remembered: [], forgotten: [], scans: [], pathLike: [] },
    lines: [],
  };
  const basename = (file: string) => file.slice(file.lastIndexOf('/') + 1);
  const index = {
    ensureBuilt: async () => {},
    refresh: async (_signal?: AbortSignal, options: { force?: boolean } = {}) => void w.calls.refresh.push(options.force ?? false),
    byPath: (path: string) => w.candidates.filter((c) => c.file === path),
    byBasename: (name: string) => w.candidates.filter((c) => basename(c.file) === name),
    remember: (item: PlexMetadata, sectionId: string) => void w.calls.remembered.push(`${item.ratingKey}@${sectionId}`),
    forget: (ratingKey: string) => void w.calls.forgotten.push(ratingKey),
    sections: async () => w.sections,
  };
  const plex = {
    getItems: async (keys: string[]) => {
      if (++w.calls.gets > MAX_GETS) throw new Error('looked too many times');
      return keys.flatMap((key) => (w.items.has(key) ? [w.items.get(key)!] : []));
    },
    scanFolder: async (sectionId: string, folder: string) => void w.calls.scans.push(`${sectionId}:${folder}`),
  };
  const stash = {
    scenesWithPathLike: async (name: string) => {
      w.calls.pathLike.push(name);
      return [];
    },
  };
  w.deps = {
    db,
    stash: stash as unknown as StashClient,
    plex: plex as unknown as PlexClient,
    index: index as unknown as LibraryIndex,
    mappings: [],
    requestScans: true,
    log: createLogger((line) => w.lines.push(line)),
  } as unknown as SceneSyncDeps;
  return w;
}

const scene = (id: string, files: StashScene['files']): StashScene => blankScene({ id, files });

const playing = (ratingKey: string, ...files: string[]): PlexMetadata => ({ ratingKey, Media: [{ Part: files.map((file) => ({ file })) }] }) as unknown as PlexMetadata;

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal(errorCode(err), code, String(err));
    assert.match((err as Error).message, message);
    return true;
  });
}

test('a match by path is remembered in the index, and a matched scene asks for no refresh', async (t) => {
  const w = await world(t);
  w.candidates.push({ ratingKey: '7', sectionId: '1', file: '/data/a/x.mp4', size: 5 });
  w.items.set('7', playing('7', '/data/a/x.mp4'));
  const found = await findPlexItem(scene('1', [{ path: '/data/a/x.mp4', size: 5 }]), 1, w.deps);
  assert.deepEqual([found.ratingKey, found.sectionId], ['7', '1']);
  assert.deepEqual(w.calls.remembered, ['7@1']);
  assert.deepEqual(w.calls.refresh, []);
});

test('an index that keeps naming an item that plays another file is looked at three times, then given up for now', async (t) => {
  const w = await world(t);
  w.candidates.push({ ratingKey: '8', sectionId: '1', file: '/data/a/y.mp4', size: 6 });
  w.items.set('8', playing('8', '/data/a/other.mp4'));
  await rejectsWith(findPlexItem(scene('2', [{ path: '/data/a/y.mp4', size: 6 }]), 1, w.deps), 'not_scanned', /^Plex's library changed while matching scene 2; will look again$/);
  assert.equal(w.calls.gets, 3);
  assert.deepEqual(w.calls.forgotten, ['8', '8', '8']);
  assert.deepEqual(w.calls.remembered, []);
});

test('an item gone from Plex, or without media or parts, is not the match', async (t) => {
  for (const item of [undefined, { ratingKey: '9' }, { ratingKey: '9', Media: [{}] }] as (PlexMetadata | undefined)[]) {
    const w = await world(t);
    w.candidates.push({ ratingKey: '9', sectionId: '1', file: '/data/a/z.mp4', size: 7 });
    if (item) w.items.set('9', item);
    await rejectsWith(findPlexItem(scene('3', [{ path: '/data/a/z.mp4', size: 7 }]), 1, w.deps), 'not_scanned', /library changed/);
    assert.equal(w.calls.gets, 3, JSON.stringify(item));
  }
});

test("the scene's own record does not make its basename-and-size candidate another scene's", async (t) => {
  const w = await world(t);
  w.candidates.push({ ratingKey: '10', sectionId: '1', file: '/data/a/moved.mp4', size: 8 });
  w.items.set('10', playing('10', '/data/a/moved.mp4'));
  putRecord(w.deps.db, { sceneId: '4', ratingKey: '10', sectionId: '1', syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null });
  const found = await findPlexItem(scene('4', [{ path: '/stash/moved.mp4', size: 8 }]), 1, w.deps);
  assert.equal(found.ratingKey, '10');
});

test('a candidate already owned by another record costs no Stash query', async (t) => {
  const w = await world(t);
  w.candidates.push({ ratingKey: '11', sectionId: '1', file: '/data/a/owned.mp4', size: 9 });
  putRecord(w.deps.db, { sceneId: '99', ratingKey: '11', sectionId: '1', syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null });
  await rejectsWith(findPlexItem(scene('5', [{ path: '/stash/owned.mp4', size: 9 }]), 3, w.deps), 'not_scanned', /no item for \/stash\/owned.mp4 yet$/);
  assert.deepEqual(w.calls.pathLike, []);
  assert.deepEqual(w.calls.refresh, [true], 'a retry forces the refresh');
});

test('scans go to the section with any location holding the folder, and every folder asked is named', async (t) => {
  const w = await world(t);
  const files = [{ path: '/data/b/one/x.mp4', size: 1 }, { path: '/data/a/two/y.mp4', size: 2 }, { path: '/nowhere/z.mp4', size: 3 }];
  await rejectsWith(
    findPlexItem(scene('6', files), 1, w.deps),
    'not_scanned',
    /^Plex has no item for \/data\/b\/one\/x.mp4 or \/data\/a\/two\/y.mp4 or \/nowhere\/z.mp4 yet; asked Plex to scan \/data\/b\/one, \/data\/a\/two$/,
  );
  assert.deepEqual(w.calls.scans, ['1:/data/b/one', '1:/data/a/two']);
  assert.deepEqual(w.calls.refresh, [false], 'a first attempt does not force the refresh');
});
