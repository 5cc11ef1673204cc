// Catch-up's time arithmetic and watermark, without servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getKv, openDatabase, setKv } from '../src/db/database.ts';
import { getPending } from '../src/queue/operations.ts';
import type { StashClient } from '../src/stash/client.ts';
import type { SceneStamp } from '../src/stash/map.ts';
import { catchUp, secondBefore, utcStamp, WATERMARK_KEY } from '../src/sync/catch-up.ts';
import { putRecord } from '../src/sync/records.ts';
import { tempDir } from './helpers/temp.ts';

test('secondBefore keeps the stamp in its own zone and rolls over days', () => {
  assert.equal(secondBefore('2024-03-01T10:00:05+02:00'), '2024-03-01T10:00:04+02:00');
  assert.equal(secondBefore('2024-03-01T00:00:00-05:00'), '2024-02-29T23:59:59-05:00');
  assert.equal(secondBefore('2025-01-01T00:00:00Z'), '2024-12-31T23:59:59Z');
  assert.equal(utcStamp(new Date('2024-05-06T07:08:09.999Z')), '2024-05-06T07:08:09Z');
});

function fakeStash(stamps: SceneStamp[], asked: string[]): StashClient {
  return {
    async *scenesUpdatedSince(since: string) {
      asked.push(since);
      yield stamps.filter((s) => Date.parse(s.updatedAt) > Date.parse(since));
    },
  } as unknown as StashClient;
}

test('first run only sets the watermark; later runs queue changed scenes from a second before, skipping ones synced at that version', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const asked: string[] = [];
  const stamps: SceneStamp[] = [
    { id: '1', updatedAt: '2024-03-01T10:00:00+01:00', files: [] },
    { id: '2', updatedAt: '2024-03-01T10:00:07+01:00', files: [] },
    { id: '3', updatedAt: '2024-03-01T10:00:09+01:00', files: [] },
  ];
  const first = await catchUp(db, fakeStash(stamps, asked), new Date('2024-03-01T09:00:05Z'));
  assert.deepEqual([first.first, first.queued, first.watermark], [true, 0, '2024-03-01T09:00:05Z']);
  assert.equal(asked.length, 0);

  putRecord(db, { sceneId: '3', ratingKey: '9', sectionId: '1', syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: stamps[2]!.updatedAt });
  const second = await catchUp(db, fakeStash(stamps, asked));
  assert.equal(asked[0], '2024-03-01T09:00:04Z', 'the boundary second is read again');
  assert.equal(second.queued, 1, 'scene 1 is older, scene 3 was synced at this version');
  assert.deepEqual(getPending(db).map((j) => j.key), ['scene:2']);
  assert.equal(getKv(db, WATERMARK_KEY), '2024-03-01T10:00:09+01:00');
});

test('secondBefore reads only a whole stamp: anything before it or on a second line leaves it as it is', () => {
  for (const stamp of ['at 2024-03-01T10:00:05Z', '2024-03-01T10:00:05Z\nand more']) assert.equal(secondBefore(stamp), stamp);
});

test('a scene stamped at the watermark\'s own time, written another way, leaves the watermark as it is', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  setKv(db, WATERMARK_KEY, '2024-03-01T09:00:05Z');
  const stash = {
    async *scenesUpdatedSince() {
      yield [{ id: '1', updatedAt: '2024-03-01T10:00:05+01:00', files: [] }];
    },
  } as unknown as StashClient;
  const result = await catchUp(db, stash);
  assert.equal(result.queued, 1);
  assert.equal(result.watermark, '2024-03-01T09:00:05Z');
  assert.equal(getKv(db, WATERMARK_KEY), '2024-03-01T09:00:05Z');
});
