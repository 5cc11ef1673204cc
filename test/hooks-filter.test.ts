// The hook filter, field by field: each Stash input field that shows in Plex
// queues a sync when it is the only one sent; each field that does not show
// in Plex, sent alone, queues nothing. The scene fields come from Stash's own
// SceneUpdateInput (the schema fixture), so a field Stash adds is noticed.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { counts, enqueue, getPending } from '../src/queue/operations.ts';
import { type HookContext, onSceneUpdate, requiresPlexSync } from '../src/hooks/handlers.ts';
import { tempDir } from './helpers/temp.ts';

/** SceneUpdateInput fields whose change shows in Plex: the mapped fields, the rating, the groups, the cover, and the file. */
const SCENE_SYNCED = [
  'title',
  'code',
  'details',
  'director',
  'date',
  'url',
  'urls',
  'rating100',
  'studio_id',
  'performer_ids',
  'tag_ids',
  'groups',
  'movies',
  'cover_image',
  'organized',
  'primary_file_id',
  'stash_ids',
];
/** SceneUpdateInput fields Plex never shows: play state, O count, galleries. */
const SCENE_NO_OP = ['o_counter', 'gallery_ids', 'resume_time', 'play_duration', 'play_count'];
/** Older Stash versions' names, still accepted. */
const SCENE_SYNCED_LEGACY = ['rating', 'group_ids', 'movie_ids'];

/** Per entity hook: the input type Stash sends, and its one field that shows in Plex. */
const ENTITY_HOOKS = {
  'Performer.Update.Post': 'PerformerUpdateInput',
  'Studio.Update.Post': 'StudioUpdateInput',
  'Tag.Update.Post': 'TagUpdateInput',
  'Group.Update.Post': 'GroupUpdateInput',
  'Movie.Update.Post': 'MovieUpdateInput',
} as const;

/** Per entity hook: the fields the metadata rules read besides the name (photos, parents, covers). */
const RULE_FIELDS: Record<string, string[]> = {
  'Performer.Update.Post': ['image'],
  'Studio.Update.Post': ['parent_id'],
  'Tag.Update.Post': ['parent_ids'],
  'Group.Update.Post': ['synopsis', 'front_image'],
  'Movie.Update.Post': ['synopsis', 'front_image'],
};

const quiet = createLogger(() => {});

/** The fields of one of Stash's input types. The schema loads on first use: most tests here need none of it. */
async function inputFields(typeName: string): Promise<string[]> {
  const [{ loadStashSchema }, { isInputObjectType }] = await Promise.all([import('./helpers/stash-schema.ts'), import('graphql')]);
  const type = loadStashSchema().getType(typeName);
  assert.ok(type && isInputObjectType(type), `${typeName} is an input type in Stash's schema`);
  return Object.keys(type.getFields());
}

/** A value of the kind Stash would send for a key. */
function valueFor(key: string): unknown {
  if (key.endsWith('_ids') || key === 'urls' || key === 'groups' || key === 'movies' || key === 'stash_ids') return [];
  if (key === 'organized') return true;
  if (/rating|counter|count|time|duration/.test(key)) return 1;
  return 'x';
}

async function freshDb(t: Parameters<typeof tempDir>[0]) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  return db;
}

for (const field of [...SCENE_SYNCED, ...SCENE_SYNCED_LEGACY]) {
  test(`a scene save that changes only ${field} queues a sync`, async (t) => {
    const db = await freshDb(t);
    const ctx: HookContext = { id: '7', type: 'Scene.Update.Post', input: { id: '7', [field]: valueFor(field) }, inputFields: ['id', field] };
    const result = onSceneUpdate(db, ctx, quiet);
    assert.equal(result.queued, true, result.reason);
    assert.equal(result.reason, 'scene changed');
    assert.deepEqual(
      getPending(db).map((j) => [j.kind, j.entityId]),
      [['scene', '7']],
    );
    // Without inputFields (older Stash), a key with a value counts as sent.
    assert.equal(requiresPlexSync({ ...ctx, inputFields: undefined }), true);
  });
}

for (const field of SCENE_NO_OP) {
  test(`a scene save that changes only ${field} queues nothing`, async (t) => {
    const db = await freshDb(t);
    const ctx: HookContext = { id: '7', type: 'Scene.Update.Post', input: { id: '7', [field]: valueFor(field) }, inputFields: ['id', field] };
    const result = onSceneUpdate(db, ctx, quiet);
    assert.equal(result.queued, false);
    assert.equal(result.reason, 'no field shown in Plex changed');
    assert.equal(counts(db).pending, 0);
    assert.equal(requiresPlexSync({ ...ctx, inputFields: undefined }), false);
  });
}

test('inputFields, when Stash sends them, decide: a field cleared to null was still sent', () => {
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: null }, inputFields: ['id', 'title'] }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: 'x' }, inputFields: ['id', 'play_count'] }), false);
  // An empty list says nothing: the input's keys decide.
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: 'x' }, inputFields: [] }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', play_count: 2 }, inputFields: [] }), false);
});

test('without inputFields, a synced key sent as null does not count', () => {
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: null, play_count: 3 } }), false);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: null, details: 'd' } }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7', title: undefined } }), false);
});

test('the id keys alone queue nothing', () => {
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { id: '7' }, inputFields: ['id', 'clientMutationId'] }), false);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: { ids: ['7'] }, inputFields: ['ids'] }), false);
});

test('a scan (null input) queues the scene; a bulk update (an array) queues it too', () => {
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: null }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: undefined }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: [{ id: '7', play_count: 1 }] }), true);
  // scenesUpdate's inputFields name the keys of any element: they cannot say which were this scene's.
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: [{ id: '7', play_count: 1 }], inputFields: ['id', 'play_count'] }), true);
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Create.Post', input: { play_count: 1 }, inputFields: ['play_count'] }), true);
});

test('an input that is neither an object nor an array counts as a change', () => {
  assert.equal(requiresPlexSync({ id: '7', type: 'Scene.Update.Post', input: 'odd' }), true);
});

test('hooks PlexSync does not handle queue nothing', () => {
  for (const type of ['Gallery.Update.Post', 'Image.Update.Post', 'Scene.Update.Pre', 'SceneMarker.Update.Post']) {
    assert.equal(requiresPlexSync({ id: '7', type, input: { id: '7', title: 'x' }, inputFields: ['id', 'title'] }), false, type);
    assert.equal(requiresPlexSync({ id: '7', type, input: null }), false, `${type} without input`);
  }
});

for (const [hook, typeName] of Object.entries(ENTITY_HOOKS)) {
  const kind = hook === 'Movie.Update.Post' ? 'group' : hook.split('.')[0]!.toLowerCase();
  test(`${hook}: a rename queues a ${kind} job; each other field alone queues nothing`, async (t) => {
    const db = await freshDb(t);
    const ruleFields = RULE_FIELDS[hook]!;
    for (const field of ruleFields) {
      assert.equal(requiresPlexSync({ id: '3', type: hook, input: { id: '3', [field]: valueFor(field) }, inputFields: ['id', field] }), true, `${hook} ${field}`);
    }
    const others = (await inputFields(typeName)).filter((f) => f !== 'id' && f !== 'name' && f !== 'clientMutationId' && !ruleFields.includes(f));
    assert.ok(others.length >= 3, `${typeName} has fields besides name`);
    for (const field of others) {
      const result = onSceneUpdate(db, { id: '3', type: hook, input: { id: '3', [field]: valueFor(field) }, inputFields: ['id', field] }, quiet);
      assert.equal(result.queued, false, `${hook} ${field}`);
    }
    assert.equal(counts(db).pending, 0);
    assert.equal(requiresPlexSync({ id: '3', type: hook, input: null }), false, 'no input: nothing to sync');
    assert.equal(requiresPlexSync({ id: '3', type: hook, input: undefined }), false, 'no input at all: nothing to sync');
    const renamed = onSceneUpdate(db, { id: '3', type: hook, input: { id: '3', name: 'New' }, inputFields: ['id', 'name'] }, quiet);
    assert.equal(renamed.queued, true);
    assert.equal(renamed.reason, `${kind} renamed: its scenes will follow`);
    assert.deepEqual(
      getPending(db).map((j) => [j.kind, j.entityId]),
      [[kind, '3']],
    );
  });
}

test('a deleted scene drops its pending sync and queues the removal', async (t) => {
  const db = await freshDb(t);
  enqueue(db, { kind: 'scene', entityId: '9' });
  enqueue(db, { kind: 'scene', entityId: '10' });
  const result = onSceneUpdate(
    db,
    { id: '9', type: 'Scene.Destroy.Post', input: { id: '9', delete_file: true, path: '/stash/a.mp4' }, inputFields: ['id', 'delete_file'] },
    quiet,
  );
  assert.deepEqual(result, { hook: 'Scene.Destroy.Post', id: '9', queued: true, coalesced: false, reason: 'scene deleted' });
  const pending = getPending(db);
  assert.deepEqual(
    pending.map((j) => [j.kind, j.entityId]).sort(),
    [
      ['scene', '10'],
      ['scene_destroy', '9'],
    ],
  );
  assert.deepEqual(pending.find((j) => j.kind === 'scene_destroy')!.payload, { path: '/stash/a.mp4', deleteFile: true });
});

test('a deleted scene without a path or delete_file still queues the removal', async (t) => {
  const db = await freshDb(t);
  onSceneUpdate(db, { id: '9', type: 'Scene.Destroy.Post', input: null }, quiet);
  onSceneUpdate(db, { id: '8', type: 'Scene.Destroy.Post', input: { id: '8', path: 5, delete_file: 'yes' } }, quiet);
  const payloads = Object.fromEntries(getPending(db).map((j) => [j.entityId, j.payload]));
  assert.deepEqual(payloads, { 9: { path: null, deleteFile: false }, 8: { path: null, deleteFile: false } });
});

test('a second save of a pending scene folds into its job', async (t) => {
  const db = await freshDb(t);
  const ctx: HookContext = { id: '7', type: 'Scene.Update.Post', input: { id: '7', title: 'a' }, inputFields: ['id', 'title'] };
  assert.equal(onSceneUpdate(db, ctx, quiet).coalesced, false);
  assert.equal(onSceneUpdate(db, ctx, quiet).coalesced, true);
  assert.equal(counts(db).pending, 1);
});

/** Records a hook while the clock reads `start` ns at first and `start + tookMs` after. */
async function timedRecord(t: TestContext, tookMs: number): Promise<string[]> {
  const db = await freshDb(t);
  const lines: string[] = [];
  const start = 5_000_000_000n;
  let calls = 0;
  t.mock.method(process.hrtime, 'bigint', () => (calls++ === 0 ? start : start + BigInt(tookMs * 1e6)));
  onSceneUpdate(db, { id: '7', type: 'Scene.Update.Post', input: null }, createLogger((line) => lines.push(line.trimEnd())));
  t.mock.restoreAll();
  return lines;
}

test('a record slower than 100 ms is logged as a warning', async (t) => {
  const lines = await timedRecord(t, 150);
  assert.deepEqual(lines, ['\x01w\x02hook Scene.Update.Post for 7 took 150 ms to record', '\x01d\x02Scene.Update.Post 7: scene changed (150.00 ms)']);
});

test('a record of 100 ms or less is logged at debug level only', async (t) => {
  assert.deepEqual(await timedRecord(t, 100), ['\x01d\x02Scene.Update.Post 7: scene changed (100.00 ms)']);
  assert.deepEqual(await timedRecord(t, 2.5), ['\x01d\x02Scene.Update.Post 7: scene changed (2.50 ms)']);
});

test("every field of Stash's SceneUpdateInput is classed as synced or not", async () => {
  const fields = (await inputFields('SceneUpdateInput')).filter((f) => f !== 'id' && f !== 'clientMutationId');
  assert.deepEqual([...fields].sort(), [...SCENE_SYNCED, ...SCENE_NO_OP].sort());
});
