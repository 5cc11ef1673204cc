// The per-scene sync record: what is stored, what a missing list reads as.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { deleteRecord, getRecord, putRecord, scenesRecordedFor, type SyncRecord } from '../src/sync/records.ts';
import { tempDir } from './helpers/temp.ts';

const RECORD: SyncRecord = {
  sceneId: '5',
  ratingKey: '42',
  sectionId: '1',
  syncedAt: 1_700_000_000_000,
  stateHash: 'h1',
  posterHash: 'p1',
  posterUrl: 'http://127.0.0.1:9999/scene/5/screenshot?t=1',
  collections: ['Series'],
  labels: ['Kids OK'],
  sceneUpdatedAt: '2024-03-09T10:00:00Z',
  handMadeCollections: ['Mine'],
  handMadeLabels: ['Shared'],
};

test('a record reads back as written, and is replaced by the next one for the scene', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  putRecord(db, RECORD);
  assert.deepEqual(getRecord(db, '5'), RECORD);
  const next = { ...RECORD, ratingKey: '43', collections: [], labels: [], handMadeCollections: [], handMadeLabels: [] };
  putRecord(db, next);
  assert.deepEqual(getRecord(db, '5'), next);
  deleteRecord(db, '5');
  assert.equal(getRecord(db, '5'), undefined);
});

test('lists left out are stored as empty, and empty columns read as empty lists', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const { labels: _labels, handMadeCollections: _collections, handMadeLabels: _handMadeLabels, ...bare } = RECORD;
  putRecord(db, bare);
  assert.deepEqual(getRecord(db, '5'), { ...bare, labels: [], handMadeCollections: [], handMadeLabels: [] });
  // A row from before these columns were filled.
  db.prepare('UPDATE sync_records SET collections = NULL, labels = NULL, hand_made_collections = NULL, hand_made_labels = NULL').run();
  assert.deepEqual(getRecord(db, '5'), { ...bare, collections: [], labels: [], handMadeCollections: [], handMadeLabels: [] });
});

test('scenesRecordedFor names the scenes whose record points at the item', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  putRecord(db, RECORD);
  putRecord(db, { ...RECORD, sceneId: '6' });
  putRecord(db, { ...RECORD, sceneId: '7', ratingKey: '99' });
  assert.deepEqual(scenesRecordedFor(db, '42').sort(), ['5', '6']);
  assert.deepEqual(scenesRecordedFor(db, '1'), []);
});
