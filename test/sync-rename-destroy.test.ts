// A renamed performer (or studio, tag, group) queues its scenes; a deleted
// scene forgets its record and, when its file went too, asks Plex to scan the
// folder. Stand-ins for Stash, Plex and the library index; a real database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { parsePathMap } from '../src/match/pathmap.ts';
import { getPending } from '../src/queue/operations.ts';
import type { Job } from '../src/queue/types.ts';
import { ALL_FIELDS_ON } from '../src/sync/desired.ts';
import { propagateRename } from '../src/sync/propagate.ts';
import { getRecord, putRecord } from '../src/sync/records.ts';
import { onSceneDestroyed } from '../src/sync/scene-destroyed.ts';
import type { SceneSyncDeps } from '../src/sync/scene-sync.ts';
import { tempDir } from './helpers/temp.ts';

const SECTIONS = [
  { id: '1', title: 'Videos', type: 'movie', agent: '', locations: ['/data/videos'] },
  { id: '2', title: 'Other', type: 'movie', agent: '', locations: ['/data/other'] },
];

interface Stands {
  deps: SceneSyncDeps;
  db: Db;
  scans: [string, string][];
  asked: [string, string][];
}

async function stands(t: Parameters<typeof tempDir>[0], pages: string[][] = [], requestScans = true): Promise<Stands> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const scans: [string, string][] = [];
  const asked: [string, string][] = [];
  const stash = {
    async *sceneIdsShowing(kind: string, id: string) {
      asked.push([kind, id]);
      yield* pages;
    },
  };
  const plex = {
    async scanFolder(sectionId: string, folder: string) {
      scans.push([sectionId, folder]);
    },
  };
  const index = { sections: async () => SECTIONS };
  const deps = {
    db,
    stash,
    plex,
    index,
    mappings: parsePathMap('/stash=>/data'),
    toggles: ALL_FIELDS_ON,
    requestScans,
    log: createLogger(() => {}),
  } as unknown as SceneSyncDeps;
  return { deps, db, scans, asked };
}

const job = (kind: Job['kind'], entityId: string, payload: Record<string, unknown> | null = null) => ({ id: 1, kind, entityId, payload }) as Job;

function record(db: Db, sceneId: string, sectionId: string | null) {
  putRecord(db, { sceneId, ratingKey: '42', sectionId, syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null });
}

test('a rename queues every scene that shows it, page by page', async (t) => {
  const s = await stands(t, [['1', '2'], ['3']]);
  assert.equal(await propagateRename(job('performer', '7'), s.deps), 'performer 7 renamed: queued 3 scene(s)');
  assert.deepEqual(s.asked, [['performer', '7']]);
  assert.deepEqual(
    getPending(s.db).map((j) => [j.kind, j.entityId]),
    [
      ['scene', '1'],
      ['scene', '2'],
      ['scene', '3'],
    ],
  );
});

test('a rename nothing shows queues nothing', async (t) => {
  const s = await stands(t);
  assert.equal(await propagateRename(job('studio', '3'), s.deps), 'studio 3 renamed: queued 0 scene(s)');
  assert.deepEqual(getPending(s.db), []);
});

test('a deleted scene with its file: record gone, the mapped folder scanned in the section it was synced in', async (t) => {
  const s = await stands(t);
  record(s.db, '5', '2');
  const message = await onSceneDestroyed(job('scene_destroy', '5', { path: '/stash/videos/a/clip.mp4', deleteFile: true }), s.deps);
  assert.equal(message, 'scene 5 and its file deleted: asked Plex to scan /data/videos/a');
  assert.deepEqual(s.scans, [['2', '/data/videos/a']]);
  assert.equal(getRecord(s.db, '5'), undefined);
});

test('without a record, the section is the one whose folder holds the file', async (t) => {
  const s = await stands(t);
  await onSceneDestroyed(job('scene_destroy', '5', { path: '/stash/other/b.mp4', deleteFile: true }), s.deps);
  assert.deepEqual(s.scans, [['2', '/data/other']]);
});

test('a file no library holds: nothing scanned, and said so', async (t) => {
  const s = await stands(t);
  const message = await onSceneDestroyed(job('scene_destroy', '5', { path: '/elsewhere/c.mp4', deleteFile: true }), s.deps);
  assert.equal(message, 'scene 5 deleted in Stash; no Plex library holds /elsewhere/c.mp4');
  assert.deepEqual(s.scans, []);
});

test('no scan when the file stays, the path is unknown, or scans are off; the record goes anyway', async (t) => {
  for (const [payload, requestScans] of [
    [{ path: '/stash/videos/a.mp4', deleteFile: false }, true],
    [{ path: '/stash/videos/a.mp4' }, true],
    [{ deleteFile: true }, true],
    [{ path: 5, deleteFile: true }, true],
    [null, true],
    [{ path: '/stash/videos/a.mp4', deleteFile: true }, false],
  ] as const) {
    const s = await stands(t, [], requestScans);
    record(s.db, '5', '1');
    const message = await onSceneDestroyed(job('scene_destroy', '5', payload as Record<string, unknown> | null), s.deps);
    assert.equal(message, 'scene 5 deleted in Stash', JSON.stringify(payload));
    assert.deepEqual(s.scans, []);
    assert.equal(getRecord(s.db, '5'), undefined);
  }
});

test('a library with several folders holds a file in any one of them', async (t) => {
  const s = await stands(t);
  (s.deps as { index: unknown }).index = { sections: async () => [{ id: '3', title: 'Both', type: 'movie', agent: '', locations: ['/data/first', '/data/videos'] }] };
  await onSceneDestroyed(job('scene_destroy', '5', { path: '/stash/videos/a.mp4', deleteFile: true }), s.deps);
  assert.deepEqual(s.scans, [['3', '/data/videos']]);
});
