// planScene: what a sync would change, field by field, as reconcile and
// dry_run report it; and the housekeeping ticker's schedule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { counts, enqueue } from '../src/queue/operations.ts';
import type { PlexMetadata } from '../src/plex/wire.ts';
import { ALL_FIELDS_ON } from '../src/sync/desired.ts';
import type { StashScene } from '../src/sync/model.ts';
import { describeChange, planScene } from '../src/sync/plan-scene.ts';
import type { SyncRecord } from '../src/sync/records.ts';
import { DEFAULT_RULES } from '../src/sync/rules.ts';
import { housekeepingTicker } from '../src/worker/housekeeping.ts';
import { tempDir } from './helpers/temp.ts';

const LOCKED = ['title', 'summary', 'originallyAvailableAt', 'studio', 'actor', 'genre', 'director', 'collection'].map((name) => ({ name, locked: true }));

function scene(overrides: Partial<StashScene> = {}): StashScene {
  return {
    id: '5',
    title: 'Title',
    code: null,
    details: 'Details',
    director: 'Dee',
    date: '2024-03-09',
    rating100: 80,
    organized: false,
    updatedAt: '2024-03-09T10:00:00Z',
    studio: { id: '1', name: 'Studio' },
    performers: [
      { id: '1', name: 'Ann' },
      { id: '2', name: 'Bea' },
    ],
    tags: [{ id: '1', name: 'outdoor' }],
    groups: [{ id: '1', name: 'Series' }],
    files: [{ path: '/data/a.mp4', size: 10 }],
    screenshotUrl: 'http://stash/scene/5/screenshot?t=1',
    ...overrides,
  };
}

function item(overrides: Partial<PlexMetadata> = {}): PlexMetadata {
  return {
    ratingKey: '42',
    title: 'Title',
    summary: 'Details',
    originallyAvailableAt: '2024-03-09',
    studio: 'Studio',
    userRating: 8,
    Role: [{ tag: 'Ann' }, { tag: 'Bea' }],
    Genre: [{ tag: 'outdoor' }],
    Director: [{ tag: 'Dee' }],
    Collection: [{ tag: 'Series' }, { tag: 'Mine' }],
    Field: LOCKED,
    Media: [{ Part: [{ file: '/data/a.mp4', size: 10 }] }],
    ...overrides,
  };
}

function record(overrides: Partial<SyncRecord> = {}): SyncRecord {
  return {
    sceneId: '5',
    ratingKey: '42',
    sectionId: '1',
    syncedAt: 1,
    stateHash: null,
    posterHash: null,
    posterUrl: 'http://stash/scene/5/screenshot?t=1',
    collections: ['Series'],
    sceneUpdatedAt: null,
    ...overrides,
  };
}

test('a synced scene that matches its item: same, nothing to change', () => {
  assert.deepEqual(planScene(scene(), item(), '1', record(), ALL_FIELDS_ON), { sceneId: '5', ratingKey: '42', status: 'same', changes: [] });
});

test('each changed field is listed with its old and new value', () => {
  const plan = planScene(
    scene({ title: 'New', performers: [{ id: '3', name: 'Cid' }], rating100: 50, screenshotUrl: 'http://stash/scene/5/screenshot?t=2' }),
    item(),
    '1',
    record(),
    ALL_FIELDS_ON,
  );
  assert.equal(plan.status, 'differs');
  assert.deepEqual(plan.changes, [
    { field: 'title', from: 'Title', to: 'New' },
    { field: 'actor', from: ['Ann', 'Bea'], to: ['Cid'] },
    { field: 'rating', from: 8, to: 5 },
    { field: 'poster', from: 'http://stash/scene/5/screenshot?t=1', to: 'http://stash/scene/5/screenshot?t=2' },
  ]);
});

test('a value that matches but is not locked is a lock-only change', () => {
  const plan = planScene(scene(), item({ Field: LOCKED.filter((f) => f.name !== 'studio' && f.name !== 'genre') }), '1', record(), ALL_FIELDS_ON);
  assert.deepEqual(plan.changes, [
    { field: 'studio', from: 'Studio', to: 'Studio', lockOnly: true },
    { field: 'genre', from: ['outdoor'], to: ['outdoor'], lockOnly: true },
  ]);
  assert.equal(plan.status, 'differs');
});

test('collections compare only the ones PlexSync manages; reordered tags are a change', () => {
  const plan = planScene(scene({ groups: [{ id: '2', name: 'Other' }], tags: [{ id: '1', name: 'b' }, { id: '2', name: 'a' }] }), item({ Genre: [{ tag: 'a' }] }), '1', record(), ALL_FIELDS_ON);
  assert.deepEqual(plan.changes, [
    { field: 'genre', from: ['a'], to: ['b', 'a'] },
    { field: 'collection', from: ['Series'], to: ['Other'] },
  ]);
});

test('never synced, or synced to another item: never_synced, with the poster to send', () => {
  for (const last of [undefined, record({ ratingKey: '99' })]) {
    const plan = planScene(scene(), item(), '1', last, ALL_FIELDS_ON);
    assert.equal(plan.status, 'never_synced');
    assert.deepEqual(plan.changes, [{ field: 'poster', from: null, to: 'http://stash/scene/5/screenshot?t=1' }]);
  }
});

test('fields turned off are not planned', () => {
  const plan = planScene(scene({ title: 'New', screenshotUrl: null }), item(), '1', record({ posterUrl: null }), { ...ALL_FIELDS_ON, title: false });
  assert.equal(plan.status, 'same');
});

test('describeChange: one readable line, long text clipped, lists in brackets', () => {
  assert.equal(describeChange({ field: 'title', from: 'Old', to: 'New' }), 'title: "Old" -> "New"');
  assert.equal(describeChange({ field: 'rating', from: null, to: 5 }), 'rating: (none) -> 5');
  assert.equal(describeChange({ field: 'actor', from: ['A', 'B'], to: [] }), 'actor: [A, B] -> []');
  assert.equal(describeChange({ field: 'studio', from: 'S', to: 'S', lockOnly: true }), 'studio: "S" -> "S" (lock only)');
  const long = 'x'.repeat(81);
  assert.equal(describeChange({ field: 'summary', from: 'x'.repeat(80), to: long }), `summary: "${'x'.repeat(80)}" -> "${'x'.repeat(77)}..."`);
});

test('a managed name the record also holds as hand-made is never planned for removal', () => {
  const plan = planScene(scene(), item(), '1', record({ collections: ['Series', 'Mine'], handMadeCollections: ['Mine'] }), ALL_FIELDS_ON);
  // The collection is sent again (its managed list differs) but "Mine" is not among what goes.
  assert.deepEqual(plan.changes, [{ field: 'collection', from: ['Series'], to: ['Series'], lockOnly: true }]);
});

test('labels: the ones managed that no longer apply go, hand-made ones stay and are not listed', () => {
  const rules = { ...DEFAULT_RULES, labelTags: { names: ['Kids OK'], parents: [] } };
  const plan = planScene(
    scene({ tags: [{ id: '1', name: 'outdoor' }, { id: '2', name: 'Kids OK' }] }),
    item({ Label: [{ tag: 'Old' }, { tag: 'Mine' }, { tag: 'Kids OK' }], Field: [...LOCKED, { name: 'label', locked: true }] }),
    '1',
    record({ labels: ['Old', 'Mine'], handMadeLabels: ['Mine'] }),
    ALL_FIELDS_ON,
    { rules },
  );
  assert.deepEqual(plan.changes, [{ field: 'label', from: ['Old', 'Kids OK'], to: ['Kids OK'] }]);
});

test('a tag list the item holds the start of is a change, not a lock-only one', () => {
  const plan = planScene(scene({ tags: [{ id: '1', name: 'outdoor' }, { id: '2', name: 'night' }] }), item(), '1', record(), ALL_FIELDS_ON);
  assert.deepEqual(plan.changes, [{ field: 'genre', from: ['outdoor'], to: ['outdoor', 'night'] }]);
});

test('changed performer photos are listed after the actors, with what Plex shows now', () => {
  const rules = { ...DEFAULT_RULES, performerPhotos: true };
  const plan = planScene(
    scene({
      performers: [
        { id: '1', name: 'Ann', imageUrl: 'http://stash/performer/1/image?t=2' },
        { id: '2', name: 'Bea', imageUrl: 'http://stash/performer/2/image?t=1' },
        { id: '3', name: 'Cid', imageUrl: 'http://stash/performer/3/image?t=1' },
      ],
      tags: [{ id: '1', name: 'night' }],
    }),
    item({
      Role: [
        { tag: 'Ann', thumb: 'http://stash/performer/1/image?t=1' },
        { tag: 'Bea', thumb: 'http://stash/performer/2/image?t=1' },
        { tag: 'Cid' },
      ],
    }),
    '1',
    record(),
    ALL_FIELDS_ON,
    { rules },
  );
  assert.deepEqual(plan.changes, [
    { field: 'actor', from: ['Ann', 'Bea', 'Cid'], to: ['Ann', 'Bea', 'Cid'] },
    { field: 'actorPhoto', from: ['http://stash/performer/1/image?t=1', '(none)'], to: ['Ann: http://stash/performer/1/image?t=2', 'Cid: http://stash/performer/3/image?t=1'] },
    { field: 'genre', from: ['outdoor'], to: ['night'] },
  ]);
  // Photos that all match: the actors are the same and nothing is listed.
  const same = planScene(scene({ performers: [{ id: '2', name: 'Bea', imageUrl: 'http://stash/performer/2/image?t=1' }] }), item({ Role: [{ tag: 'Bea', thumb: 'http://stash/performer/2/image?t=1' }] }), '1', record(), ALL_FIELDS_ON, { rules });
  assert.deepEqual(same.changes, []);
});

test('housekeeping runs at once, then at most hourly, and says what it removed', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 10 * 86_400_000 });
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const lines: string[] = [];
  const tick = housekeepingTicker(db, 7, createLogger((line) => lines.push(line)));
  // A job finished two days ago, one an hour ago.
  for (const [id, at] of [
    ['1', Date.now() - 2 * 86_400_000],
    ['2', Date.now() - 3_600_000],
  ] as const) {
    enqueue(db, { kind: 'scene', entityId: id }, at);
    db.prepare(`UPDATE jobs SET status = 'done', updated_at = ?, finished_at = ? WHERE entity_id = ?`).run(at, at, id);
  }
  tick();
  assert.equal(counts(db).done, 1, 'the job finished two days ago is gone');
  assert.ok(lines.some((l) => l.includes('housekeeping: removed 0 dead letter(s) older than 7 days and 1 finished job(s)')), lines.join(''));
  // An hour less a moment later: not yet.
  enqueue(db, { kind: 'scene', entityId: '3' }, Date.now() - 2 * 86_400_000);
  db.prepare(`UPDATE jobs SET status = 'done', updated_at = ?, finished_at = ? WHERE entity_id = '3'`).run(Date.now() - 2 * 86_400_000, Date.now() - 2 * 86_400_000);
  t.mock.timers.tick(3_599_999);
  tick();
  assert.equal(counts(db).done, 2);
  t.mock.timers.tick(1);
  tick();
  assert.equal(counts(db).done, 1, 'an hour on, it runs again');
  const quiet = lines.length;
  t.mock.timers.tick(3_600_000);
  tick();
  assert.equal(lines.length, quiet, 'nothing removed: nothing said');
});
