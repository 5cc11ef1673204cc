// The sync of one scene in this process, with the real Stash and Plex clients
// talking over loopback to the fake servers, and the real library index and
// database: what is written, what is left alone, how a match is found (or
// refused), and what is said. loadSyncDeps/loadWorkerDeps build the parts
// from the settings stored in (fake) Stash, as the worker does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ENV_DEFAULTS } from '../src/config/env.ts';
import { type Db, getKv, openDatabase, setKv } from '../src/db/database.ts';
import type { RunContext } from '../src/entry/context.ts';
import { errorCode, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import type { PlexClient } from '../src/plex/client.ts';
import type { PlexEdit } from '../src/sync/model.ts';
import type { Job } from '../src/queue/types.ts';
import { getRecord, putRecord } from '../src/sync/records.ts';
import { syncScene } from '../src/sync/scene-sync.ts';
import { loadSyncDeps, loadWorkerDeps, type SyncDeps } from '../src/sync/worker-deps.ts';
import { fingerprint } from '../src/sync/fingerprint.ts';
import { type FakePlex, startFakePlex } from './fakes/plex-server.ts';
import { type FakeStash, startFakeStash } from './fakes/stash-server.ts';
import { tempDir } from './helpers/temp.ts';

let stash: FakeStash;
let plex: FakePlex;

before(async () => {
  stash = await startFakeStash({ session: false });
  plex = await startFakePlex({ sections: [
    { id: '1', title: 'Videos', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/videos'] },
    { id: '2', title: 'Other', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/other'] },
  ] });
});
after(async () => {
  await Promise.all([stash.close(), plex.close()]);
});

let folderCount = 0;
/** A folder of its own per test: basenames never meet another test's items. */
const folder = () => `/data/videos/scene-sync-${++folderCount}`;

interface Run {
  db: Db;
  deps: SyncDeps;
  lines: string[];
  ctx: RunContext;
}

async function setUp(t: Parameters<typeof tempDir>[0], settings: Record<string, unknown> = {}): Promise<Run> {
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, ...settings });
  const dataDir = tempDir(t);
  const db = await openDatabase(dataDir);
  const lines: string[] = [];
  const ctx = {
    input: {},
    connection: stash.serverConnection(),
    env: { ...ENV_DEFAULTS, dataDir, plexTvUrl: 'http://127.0.0.1:9' },
    dataDir,
    log: createLogger((line) => lines.push(line)),
    script: '',
  } as unknown as RunContext;
  const deps = await loadSyncDeps(ctx, db);
  t.after(() => {
    deps.close();
    db.close();
  });
  return { db, deps, lines, ctx };
}

const puts = () => plex.requestCount({ method: 'PUT' });
const posts = () => plex.requestCount({ method: 'POST' });

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal(errorCode(err), code, String(err));
    assert.match((err as Error).message, message);
    return true;
  });
}

test('every field arrives locked with the poster, is recorded, and a second sync writes nothing', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/full.mp4`;
  const rk = plex.addItem({ title: 'file name', file, size: 10 }).ratingKey;
  const performer = stash.addPerformer('Ann');
  const tag = stash.addTag('Tag One');
  const studio = stash.addStudio('Studio S');
  const scene = stash.addScene({ title: 'Full', details: 'About it', date: '2024-05-06', rating100: 80, studioId: studio, performerIds: [performer], tagIds: [tag], files: [{ path: file, size: 10 }] });
  stash.setScreenshot(scene, new Uint8Array([1, 2, 3, 4]));

  const first = await syncScene(scene, 1, r.deps.sync);
  assert.equal(first.ratingKey, rk);
  // The first sync writes (and so locks) every synced field, empty ones too.
  assert.deepEqual(new Set(first.changed), new Set(['title', 'summary', 'originallyAvailableAt', 'studio', 'actor', 'genre', 'director', 'collection', 'rating', 'poster']));
  assert.match(first.summary, new RegExp(`^updated .* in Plex item ${rk}$`));
  const item = plex.item(rk)!;
  assert.equal(item.scalars.title, 'Full');
  assert.equal(item.scalars.summary, 'About it');
  assert.equal(item.scalars.studio, 'Studio S');
  assert.deepEqual(item.tags.Role, ['Ann']);
  assert.deepEqual(item.tags.Genre, ['Tag One']);
  assert.equal(item.userRating, 8);
  assert.deepEqual([...plex.posters(rk).at(-1)!.bytes], [1, 2, 3, 4]);
  for (const field of ['title', 'summary', 'studio', 'actor', 'genre', 'thumb']) assert.ok(item.locked.has(field), `${field} locked`);

  const record = getRecord(r.db, scene)!;
  assert.equal(record.ratingKey, rk);
  assert.equal(record.sectionId, '1');
  assert.equal(record.posterHash, fingerprint(new Uint8Array([1, 2, 3, 4])), "the uploaded poster's fingerprint");
  assert.match(record.posterUrl ?? '', new RegExp(`/scene/${scene}/screenshot`));
  assert.match(record.stateHash ?? '', /^[0-9a-f]+-[0-9a-f]{16}$/);

  const writes = puts() + posts();
  const shots = stash.requests.filter((q) => q.path.includes('/screenshot')).length;
  const second = await syncScene(scene, 1, r.deps.sync);
  assert.deepEqual(second.changed, []);
  assert.equal(second.summary, `already up to date in Plex item ${rk}`);
  assert.equal(puts() + posts(), writes, 'nothing written the second time');
  assert.equal(stash.requests.filter((q) => q.path.includes('/screenshot')).length, shots, 'the same screenshot URL is not fetched again');
});

test('a new screenshot with the same bytes is fetched but not uploaded; new bytes are', async (t) => {
  // Stash's screenshot URL and Plex's thumb carry stamps in seconds: a mocked clock moves them.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const r = await setUp(t);
  const file = `${folder()}/poster.mp4`;
  const rk = plex.addItem({ title: 'p', file, size: 11 }).ratingKey;
  const scene = stash.addScene({ title: 'Poster', files: [{ path: file, size: 11 }] });
  stash.setScreenshot(scene, new Uint8Array([9, 9]));
  await syncScene(scene, 1, r.deps.sync);
  assert.equal(plex.posters(rk).length, 1);
  // A change in Stash moves the screenshot URL (its t= stamp); the bytes stay.
  t.mock.timers.tick(2_000);
  stash.updateScene(scene, { title: 'Poster 2' });
  const same = await syncScene(scene, 1, r.deps.sync);
  assert.deepEqual(same.changed, ['title']);
  assert.equal(plex.posters(rk).length, 1, 'same bytes: no upload');
  t.mock.timers.tick(2_000);
  stash.setScreenshot(scene, new Uint8Array([7, 7, 7]));
  stash.updateScene(scene, { title: 'Poster 3' });
  const moved = await syncScene(scene, 1, r.deps.sync);
  assert.deepEqual(moved.changed, ['title', 'poster']);
  assert.deepEqual([...plex.posters(rk).at(-1)!.bytes], [7, 7, 7]);
});

test('a scene without a screenshot syncs without a poster', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/noshot.mp4`;
  const rk = plex.addItem({ title: 'n', file, size: 12 }).ratingKey;
  const scene = stash.addScene({ title: 'No Shot', files: [{ path: file, size: 12 }] });
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.ok(result.changed.includes('title') && !result.changed.includes('poster'), result.changed.join());
  assert.equal(plex.posters(rk).length, 0);
  assert.equal(plex.item(rk)!.locked.has('thumb'), false, 'no poster, no thumb lock');
  assert.equal(getRecord(r.db, scene)!.posterHash, null);
});

test('a poster upload Plex ignores is not taken for done', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/ignored.mp4`;
  plex.addItem({ title: 'i', file, size: 13 });
  const scene = stash.addScene({ title: 'Ignored', files: [{ path: file, size: 13 }] });
  stash.setScreenshot(scene, new Uint8Array([5]));
  plex.ignorePosters(1);
  await rejectsWith(syncScene(scene, 1, r.deps.sync), 'write_not_applied', /did not apply: poster/);
  assert.equal(getRecord(r.db, scene), undefined, 'nothing recorded');
});

test('a scene gone from Stash, or without files, fails for good', async (t) => {
  const r = await setUp(t);
  await rejectsWith(syncScene('987654', 1, r.deps.sync), 'scene_gone', /scene 987654 no longer exists in Stash/);
  const bare = stash.addScene({ title: 'Bare', files: [] });
  await rejectsWith(syncScene(bare, 1, r.deps.sync), 'bad_input', new RegExp(`scene ${bare} has no files`));
});

test('no item yet: the first attempts ask Plex to scan the folder, later ones only look', async (t) => {
  const r = await setUp(t);
  const dir = folder();
  const scene = stash.addScene({ title: 'Later', files: [{ path: `${dir}/later.mp4`, size: 14 }, { path: '/elsewhere/x.mp4', size: 1 }] });
  const scans = plex.scans.length;
  await rejectsWith(syncScene(scene, 1, r.deps.sync), 'not_scanned', new RegExp(`no item for ${dir}/later.mp4 or /elsewhere/x.mp4 yet; asked Plex to scan ${dir}$`));
  assert.deepEqual(plex.scans.slice(scans), [{ sectionId: '1', path: dir }], 'only the folder a library holds');
  await rejectsWith(syncScene(scene, 2, r.deps.sync), 'not_scanned', /asked Plex to scan/);
  await rejectsWith(syncScene(scene, 3, r.deps.sync), 'not_scanned', /yet$/);
  assert.equal(plex.scans.length, scans + 2, 'the third attempt asks for no scan');
});

test('with scan requests off, no scan is asked for', async (t) => {
  const r = await setUp(t, { noScanRequests: true });
  const dir = folder();
  const scene = stash.addScene({ title: 'Quiet', files: [{ path: `${dir}/quiet.mp4`, size: 15 }] });
  const scans = plex.scans.length;
  await rejectsWith(syncScene(scene, 1, r.deps.sync), 'not_scanned', /yet$/);
  assert.equal(plex.scans.length, scans);
});

test('two files in one folder ask for one scan', async (t) => {
  const r = await setUp(t);
  const dir = folder();
  const scene = stash.addScene({ title: 'Two', files: [{ path: `${dir}/a.mp4`, size: 1 }, { path: `${dir}/b.mp4`, size: 2 }] });
  const scans = plex.scans.length;
  await rejectsWith(syncScene(scene, 1, r.deps.sync), 'not_scanned', new RegExp(`asked Plex to scan ${dir}$`));
  assert.equal(plex.scans.length, scans + 1);
});

test('an item that appears after the index was built is found by the forced refresh of a retry', async (t) => {
  // A Plex of its own: the other tests' edits stamp items in this one's future.
  const own = await startFakePlex();
  t.after(() => own.close());
  const r = await setUp(t, { noScanRequests: true, plexUrl: own.url, plexToken: own.token });
  const dir = folder();
  const first = stash.addScene({ title: 'First', files: [{ path: `${dir}/first.mp4`, size: 3 }] });
  own.addItem({ title: 'f', file: `${dir}/first.mp4`, size: 3 });
  await syncScene(first, 1, r.deps.sync);
  // A miss refreshes the index (and so starts its two-second pause between looks).
  const missing = stash.addScene({ title: 'Missing', files: [{ path: `${dir}/missing.mp4`, size: 9 }] });
  await rejectsWith(syncScene(missing, 1, r.deps.sync), 'not_scanned', /missing.mp4 yet/);
  const added = own.addItem({ title: 's', file: `${dir}/second.mp4`, size: 4 });
  // Just added: Plex stamps it now (the fake backdates new items by default).
  added.addedAt = added.updatedAt = Math.floor(Date.now() / 1000);
  const second = stash.addScene({ title: 'Second', files: [{ path: `${dir}/second.mp4`, size: 4 }] });
  // A first attempt right after that look does not look again; a retry always does.
  await rejectsWith(syncScene(second, 1, r.deps.sync), 'not_scanned', /second.mp4 yet/);
  assert.equal((await syncScene(second, 2, r.deps.sync)).ratingKey, added.ratingKey);
  assert.equal(own.item(added.ratingKey)!.scalars.title, 'Second');
});

test('several items that could be the scene: none is edited, and each is named', async (t) => {
  const r = await setUp(t);
  const a = plex.addItem({ title: 'a', file: `${folder()}/same.mp4`, size: 77 });
  const b = plex.addItem({ title: 'b', file: '/data/other/same.mp4', size: 77 });
  const scene = stash.addScene({ title: 'Which', files: [{ path: '/stash/moved/same.mp4', size: 77 }] });
  const writes = puts();
  await rejectsWith(
    syncScene(scene, 1, r.deps.sync),
    'ambiguous_match',
    new RegExp(`several Plex items could be scene ${scene}: item \\d+ \\(.*\\), item \\d+ \\(.*\\); none was edited`),
  );
  await assert.rejects(syncScene(scene, 1, r.deps.sync), (err: Error) => err.message.includes(`item ${a.ratingKey} (${a.media[0]!.file})`) && err.message.includes(`item ${b.ratingKey} (/data/other/same.mp4)`));
  assert.equal(puts(), writes);
});

test("a basename-and-size candidate another scene owns is not this scene's", async (t) => {
  const r = await setUp(t);
  const dir = folder();
  const owned = plex.addItem({ title: 'owned', file: `${dir}/dup.mp4`, size: 88 });
  const free = plex.addItem({ title: 'free', file: '/data/other/dup.mp4', size: 88 });
  // The other scene's record names the first item.
  putRecord(r.db, { sceneId: '555001', ratingKey: owned.ratingKey, sectionId: '1', syncedAt: 1, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null });
  const scene = stash.addScene({ title: 'Mine', files: [{ path: '/stash/moved/dup.mp4', size: 88 }] });
  assert.equal((await syncScene(scene, 1, r.deps.sync)).ratingKey, free.ratingKey);
  assert.equal(plex.item(owned.ratingKey)!.scalars.title, 'owned', 'the owned item is left alone');
});

test('a candidate whose file another Stash scene maps to exactly is not this scene\'s', async (t) => {
  const r = await setUp(t);
  const dir = folder();
  const taken = plex.addItem({ title: 'taken', file: `${dir}/twin.mp4`, size: 99 });
  const free = plex.addItem({ title: 'free', file: '/data/other/twin.mp4', size: 99 });
  stash.addScene({ title: 'Owner', files: [{ path: `${dir}/twin.mp4`, size: 99 }] });
  const scene = stash.addScene({ title: 'Seeker', files: [{ path: '/stash/moved/twin.mp4', size: 99 }] });
  assert.equal((await syncScene(scene, 1, r.deps.sync)).ratingKey, free.ratingKey);
  assert.equal(plex.item(taken.ratingKey)!.scalars.title, 'taken');
});

test('an item that no longer plays the file (stale index) is looked for again, not edited', async (t) => {
  const r = await setUp(t);
  const dir = folder();
  const first = stash.addScene({ title: 'Built', files: [{ path: `${dir}/one.mp4`, size: 5 }] });
  const item = plex.addItem({ title: 'old', file: `${dir}/one.mp4`, size: 5 });
  await syncScene(first, 1, r.deps.sync);
  // Plex now plays another file under the same item; the index still says one.mp4.
  item.media[0]!.file = `${dir}/renamed.mp4`;
  item.scalars.title = 'untouched';
  const writes = puts();
  await rejectsWith(syncScene(first, 3, r.deps.sync), 'not_scanned', new RegExp(`no item for ${dir}/one.mp4 yet`));
  assert.equal(puts(), writes);
  assert.equal(item.scalars.title, 'untouched');
  assert.ok(r.lines.some((l) => l.includes(`Plex item ${item.ratingKey} no longer plays ${dir}/one.mp4: looking again`)), r.lines.join('\n'));
});

test('a summary Plex refuses at full length is cut, noted, and not rewritten while Stash keeps it', async (t) => {
  const r = await setUp(t);
  const capped = await startFakePlex({ maxRequestTarget: 4_096 });
  t.after(() => capped.close());
  stash.setSettings({ plexUrl: capped.url, plexToken: capped.token });
  const deps = await loadSyncDeps(r.ctx, r.db);
  t.after(() => deps.close());
  const file = `${folder()}/long.mp4`;
  const rk = capped.addItem({ title: 'l', file, size: 6 }).ratingKey;
  const details = Array.from({ length: 1_500 }, (_, i) => `word${i % 10}`).join(' ');
  const scene = stash.addScene({ title: 'Long', details, files: [{ path: file, size: 6 }] });
  await syncScene(scene, 1, deps.sync);
  const shown = capped.item(rk)!.scalars.summary;
  assert.ok(shown.endsWith('\u2026') && details.startsWith(shown.slice(0, -1)), 'a prefix with an ellipsis');
  const note = JSON.parse(getKv(r.db, `summary_cut:${scene}`)!) as { cut: string; fullLength: number; cutLength: number; fullHash: string };
  assert.equal(note.cut, shown);
  assert.equal(note.fullLength, details.length);
  assert.equal(note.cutLength, [...shown].length);
  assert.ok(r.lines.some((l) => l.includes(`scene ${scene}: Plex refused the summary at full length, so it was cut to ${note.cutLength} of ${note.fullLength} characters`)));
  const writes = capped.requestCount({ method: 'PUT' });
  assert.deepEqual((await syncScene(scene, 1, deps.sync)).changed, [], 'the cut stands for the unchanged summary');
  assert.equal(capped.requestCount({ method: 'PUT' }), writes);
  assert.deepEqual(JSON.parse(getKv(r.db, `summary_cut:${scene}`)!), note, 'the note stays while Stash keeps the summary');
  // Stash's summary changes to one that fits: it is written whole and the note goes.
  stash.updateScene(scene, { details: 'Short now' });
  assert.deepEqual((await syncScene(scene, 1, deps.sync)).changed, ['summary']);
  assert.equal(capped.item(rk)!.scalars.summary, 'Short now');
  assert.equal(getKv(r.db, `summary_cut:${scene}`), undefined);
});

test('provider mode writes no field, asks Plex to refresh, and says what stands in the way', async (t) => {
  const r = await setUp(t, { syncMode: 'provider' });
  const file = `${folder()}/prov.mp4`;
  const rk = plex.addItem({ title: 'p', file, size: 16, locked: ['title'] }).ratingKey;
  const scene = stash.addScene({ title: 'Provided', rating100: 60, files: [{ path: file, size: 16 }] });
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.equal(plex.item(rk)!.scalars.title, 'p', 'no field is written');
  assert.equal(plex.item(rk)!.userRating, 6, 'the rating is');
  assert.deepEqual(result.changed, ['rating']);
  assert.match(result.summary, /Plex asked to refresh it from the provider/);
  assert.match(result.summary, new RegExp(`Plex item ${rk} is not matched by the PlexSync provider: check the library's agent`));
  assert.match(result.summary, /title/, 'the locked title is named');
  assert.ok(r.lines.some((l) => l.includes(rk) && /lock/i.test(l)), r.lines.join('\n'));
  assert.ok(plex.requests.some((q) => q.method === 'PUT' && q.path === `/library/metadata/${rk}/refresh`), 'a refresh was asked for');
});

const job = (kind: Job['kind'], entityId: string, attempts = 1) => ({ id: 1, key: `${kind}:${entityId}`, kind, entityId, attempts, payload: null }) as unknown as Job;

test('the worker processor runs scene jobs, destroy jobs and renames; a bad setting hands the worker over', async (t) => {
  // The settings are read afresh once a second (a mocked clock for that).
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const r = await setUp(t, { maxAttempts: 7, plexConcurrency: 2 });
  const wd = await loadWorkerDeps(r.ctx, r.db);
  t.after(() => wd.close());
  assert.equal(wd.maxAttempts, 7);
  assert.equal(wd.concurrency, 2);
  assert.ok(wd.gate);
  const file = `${folder()}/job.mp4`;
  const rk = plex.addItem({ title: 'j', file, size: 17 }).ratingKey;
  const performer = stash.addPerformer('Job Performer');
  const scene = stash.addScene({ title: 'By Job', performerIds: [performer], files: [{ path: file, size: 17 }] });
  const signal = new AbortController().signal;
  const done = await wd.processor(job('scene', scene), signal);
  assert.match(done!.summary!, new RegExp(`^updated title, .*actor.* in Plex item ${rk}$`));
  assert.deepEqual(plex.item(rk)!.tags.Role, ['Job Performer']);
  const renamed = await wd.processor(job('performer', performer), signal);
  assert.match(renamed!.summary!, /performer .* renamed: queued 1 scene\(s\)/);
  const destroyed = await wd.processor(job('scene_destroy', scene), signal);
  assert.equal(typeof destroyed!.summary, 'string');
  assert.equal(getRecord(r.db, scene), undefined, 'a destroyed scene forgets its record');
  assert.equal(wd.shouldHandOver!(), false);
  // Settings that no longer parse: the job waits (transient) and the worker hands over.
  t.mock.timers.tick(1_000);
  stash.setSettings({ plexUrl: 'not a url', plexToken: plex.token });
  await assert.rejects(wd.processor(job('scene', scene), signal), (err: unknown) => errorCode(err) === 'bad_settings');
  assert.equal(wd.shouldHandOver!(), true);
  assert.notEqual(getKv(r.db, 'settings_problem') ?? '', '');
});

test('changed settings apply from the next job on; within a second one read serves', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const r = await setUp(t);
  const file = `${folder()}/toggle.mp4`;
  const rk = plex.addItem({ title: 't', file, size: 18 }).ratingKey;
  const scene = stash.addScene({ title: 'Toggled', details: 'Text', files: [{ path: file, size: 18 }] });
  await r.deps.refresh();
  t.mock.timers.tick(999);
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, skipSummary: true });
  await r.deps.refresh();
  assert.equal(r.deps.settings.skipSummary, false, 'within a second of the last read the settings in hand stand');
  t.mock.timers.tick(1);
  await r.deps.refresh();
  assert.equal(r.deps.settings.skipSummary, true);
  assert.ok(r.lines.some((l) => l.includes('settings changed: the next jobs use them')));
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.ok(result.changed.includes('title') && !result.changed.includes('summary'), result.changed.join());
  assert.equal(plex.item(rk)!.scalars.summary, '', 'the summary is skipped now');
  // Within a second the same read serves: no second settings request.
  const reads = stash.requests.length;
  await r.deps.refresh();
  assert.equal(stash.requests.length, reads);
});

test("provider mode: a matched item gets no agent note; the locked fields are named in a stable order; another agent's guid is named", async (t) => {
  const r = await setUp(t, { syncMode: 'provider' });
  const dir = folder();
  const matched = plex.addItem({ title: 'm', file: `${dir}/matched.mp4`, size: 19, locked: ['genre', 'thumb', 'title'] });
  matched.guid = 'tv.plex.agents.custom.plexsync://scene/1';
  // Both items are in Plex before the index is built.
  const other = plex.addItem({ title: 'o', file: `${dir}/other.mp4`, size: 20 });
  other.guid = 'plex://movie/abc';
  const scene = stash.addScene({ title: 'Matched', files: [{ path: `${dir}/matched.mp4`, size: 19 }] });
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.equal(
    result.summary,
    `already up to date in Plex item ${matched.ratingKey}; Plex asked to refresh it from the provider; Plex item ${matched.ratingKey} has title, genre locked from edit mode, so the provider cannot update them: run the task "Unlock fields for provider mode"`,
  );
  const otherScene = stash.addScene({ title: 'Other', files: [{ path: `${dir}/other.mp4`, size: 20 }] });
  const said = await syncScene(otherScene, 1, r.deps.sync);
  assert.equal(
    said.summary,
    `already up to date in Plex item ${other.ratingKey}; Plex asked to refresh it from the provider; Plex item ${other.ratingKey} is not matched by the PlexSync provider (its guid is plex://movie/abc): check the library's agent`,
  );
});

test('a scene outside the sync filters is left alone in Plex, and said so', async (t) => {
  const r = await setUp(t, { onlyOrganized: true });
  const file = `${folder()}/filtered.mp4`;
  plex.addItem({ title: 'file name', file, size: 10 });
  const scene = stash.addScene({ title: 'Not yet', organized: false, files: [{ path: file, size: 10 }] });
  const writes = puts() + posts();
  assert.deepEqual(await syncScene(scene, 1, r.deps.sync), {
    ratingKey: '',
    changed: [],
    summary: `left alone in Plex: scene ${scene} is outside the sync filters (not organized)`,
  });
  assert.equal(puts() + posts(), writes);
  assert.equal(getRecord(r.db, scene), undefined);
});

test('the first sync records the collections the item already had as hand-made, and sends group art when asked', async (t) => {
  const r = await setUp(t, { groupCollectionArt: true });
  const file = `${folder()}/handmade.mp4`;
  const rk = plex.addItem({ title: 'file name', file, size: 10, collections: ['Mine'] }).ratingKey;
  const group = stash.addGroup(`Series ${folderCount}`);
  stash.setSynopsis(group, 'A synopsis.');
  const scene = stash.addScene({ title: 'Grouped', groupIds: [group], files: [{ path: file, size: 10 }] });
  const first = await syncScene(scene, 1, r.deps.sync);
  assert.equal(first.ratingKey, rk);
  assert.ok(first.changed.includes(`summary of Series ${folderCount}`), first.changed.join());
  const record = getRecord(r.db, scene)!;
  assert.deepEqual(record.handMadeCollections, ['Mine']);
  assert.deepEqual(record.collections, [`Series ${folderCount}`]);
  assert.deepEqual([...(plex.item(rk)!.tags.Collection ?? [])].sort(), ['Mine', `Series ${folderCount}`].sort());
});

/** The real Plex client with some of its methods replaced. */
function plexWith(real: PlexClient, overrides: Partial<Record<keyof PlexClient, unknown>>): PlexClient {
  return new Proxy(real, {
    get: (target, key) => {
      if (key in overrides) return overrides[key as keyof PlexClient];
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

test('a scene outside the sync filters is left alone: no request to Plex, and it is said why', async (t) => {
  const r = await setUp(t, { excludeTags: 'Private' });
  const file = `${folder()}/filtered.mp4`;
  plex.addItem({ title: 'f', file, size: 21 });
  const scene = stash.addScene({ title: 'Filtered', tagIds: [stash.addTag('Private')], files: [{ path: file, size: 21 }] });
  const requests = plex.requests.length;
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.deepEqual(result, { ratingKey: '', changed: [], summary: `left alone in Plex: scene ${scene} is outside the sync filters (tagged "Private")` });
  assert.equal(plex.requests.length, requests);
  assert.equal(getRecord(r.db, scene), undefined);
});

test('a screenshot Stash fails to give (other than not found) fails the sync', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/shotfail.mp4`;
  plex.addItem({ title: 's', file, size: 22 });
  const scene = stash.addScene({ title: 'Shot Fails', files: [{ path: file, size: 22 }] });
  stash.setScreenshot(scene, new Uint8Array([3]));
  const failing = new Proxy(r.deps.sync.stash, {
    get: (target, key) => {
      if (key === 'fetchImage') return async () => Promise.reject(new TransientError('stash_unavailable', 'Stash is down'));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  await rejectsWith(syncScene(scene, 1, { ...r.deps.sync, stash: failing }), 'stash_unavailable', /Stash is down/);
  assert.equal(getRecord(r.db, scene), undefined);
});

test('an uploaded poster is locked with the edit; nothing to write means no read-back', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/lockthumb.mp4`;
  const rk = plex.addItem({ title: 'l', file, size: 23 }).ratingKey;
  const scene = stash.addScene({ title: 'Lock Thumb', files: [{ path: file, size: 23 }] });
  stash.setScreenshot(scene, new Uint8Array([4, 4]));
  const real = r.deps.sync.plex;
  const locks: string[] = [];
  let reads = 0;
  const watched = plexWith(real, {
    editItem: (key: string, section: string | null, edit: PlexEdit, signal?: AbortSignal) => {
      locks.push(...edit.lock);
      return real.editItem(key, section, edit, signal);
    },
    getItem: (key: string, signal?: AbortSignal) => {
      reads++;
      return real.getItem(key, signal);
    },
  });
  const deps = { ...r.deps.sync, plex: watched };
  assert.ok((await syncScene(scene, 1, deps)).changed.includes('poster'));
  assert.ok(locks.includes('thumb'), locks.join());
  assert.equal(reads, 1, 'what was written is read back once');
  assert.equal((await syncScene(scene, 1, deps)).summary, `already up to date in Plex item ${rk}`);
  assert.equal(reads, 1, 'nothing written: nothing read back');
});

test('an edit or a rating Plex ignores is not taken for done, and every missing field is named', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/ignoredit.mp4`;
  plex.addItem({ title: 'e', file, size: 24 });
  const scene = stash.addScene({ title: 'Edited', details: 'First', rating100: 40, files: [{ path: file, size: 24 }] });
  await syncScene(scene, 1, r.deps.sync);
  const deaf = { ...r.deps.sync, plex: plexWith(r.deps.sync.plex, { editItem: async () => {}, rate: async () => {} }) };
  stash.updateScene(scene, { details: 'Second' });
  await rejectsWith(syncScene(scene, 1, deaf), 'write_not_applied', /did not apply: summary$/);
  stash.updateScene(scene, { details: 'First', rating100: 60 });
  await rejectsWith(syncScene(scene, 1, deaf), 'write_not_applied', /did not apply: rating$/);
  stash.updateScene(scene, { title: 'Edited 2', details: 'Third', rating100: 40 });
  await rejectsWith(syncScene(scene, 1, deaf), 'write_not_applied', /did not apply: title, summary$/);
});

test('a summary cut note goes when the summary is no longer synced, and the sync does not trip on it', async (t) => {
  const r = await setUp(t, { skipSummary: true });
  const file = `${folder()}/nosummary.mp4`;
  plex.addItem({ title: 'n', file, size: 25 });
  const scene = stash.addScene({ title: 'No Summary', details: 'Long once', files: [{ path: file, size: 25 }] });
  setKv(r.db, `summary_cut:${scene}`, JSON.stringify({ fullHash: 'ab', cut: 'Lo\u2026', fullLength: 9, cutLength: 3 }));
  const result = await syncScene(scene, 1, r.deps.sync);
  assert.ok(!result.changed.includes('summary'), result.changed.join());
  assert.equal(getKv(r.db, `summary_cut:${scene}`), undefined);
});

test('collections and labels: the managed ones move with Stash, the hand-made ones stay and are never taken over', async (t) => {
  const r = await setUp(t, { labelTags: 'L1, L2, Mine' });
  const file = `${folder()}/managed.mp4`;
  const item = plex.addItem({ title: 'm', file, size: 26, collections: ['Mine'], labels: ['Mine'] });
  const [g1, g2, mine] = [stash.addGroup('G1'), stash.addGroup('G2'), stash.addGroup('Mine')];
  const [l1, l2, mineTag] = [stash.addTag('L1'), stash.addTag('L2'), stash.addTag('Mine')];
  const scene = stash.addScene({ title: 'Managed', groupIds: [g1, mine], tagIds: [l1, mineTag], files: [{ path: file, size: 26 }] });
  await syncScene(scene, 1, r.deps.sync);
  let record = getRecord(r.db, scene)!;
  assert.deepEqual([record.collections, record.handMadeCollections], [['G1'], ['Mine']]);
  assert.deepEqual([record.labels, record.handMadeLabels], [['L1'], ['Mine']]);
  stash.updateScene(scene, { groupIds: [g2, mine], tagIds: [l2, mineTag] });
  await syncScene(scene, 1, r.deps.sync);
  assert.deepEqual(new Set(item.tags.Collection), new Set(['Mine', 'G2']), 'G1 was PlexSync\'s: it goes');
  assert.deepEqual(new Set(item.tags.Label), new Set(['Mine', 'L2']));
  record = getRecord(r.db, scene)!;
  assert.deepEqual([record.collections, record.handMadeCollections], [['G2'], ['Mine']]);
  assert.deepEqual([record.labels, record.handMadeLabels], [['L2'], ['Mine']]);
});

test('with collections and labels not synced, a first sync records none as managed', async (t) => {
  const r = await setUp(t, { skipCollections: true });
  const file = `${folder()}/unmanaged.mp4`;
  plex.addItem({ title: 'u', file, size: 27, collections: ['Theirs'] });
  const scene = stash.addScene({ title: 'Unmanaged', groupIds: [stash.addGroup('Ours')], files: [{ path: file, size: 27 }] });
  await syncScene(scene, 1, r.deps.sync);
  const record = getRecord(r.db, scene)!;
  assert.deepEqual([record.collections, record.labels], [[], []]);
});

test('a Plex rating that stands is not overwritten; without a rating to write it is not asked about', async (t) => {
  const dir = folder();
  const rk = plex.addItem({ title: 's', file: `${dir}/stands.mp4`, size: 28, userRating: 2 }).ratingKey;
  plex.addItem({ title: 'u', file: `${dir}/unrated.mp4`, size: 29 });
  // Both items are in Plex before the index is built.
  const r = await setUp(t);
  const asked: string[] = [];
  const deps = { ...r.deps.sync, plexRatingStands: (scene: { id: string }) => (asked.push(scene.id), true) };
  const rated = stash.addScene({ title: 'Rated', rating100: 80, files: [{ path: `${dir}/stands.mp4`, size: 28 }] });
  assert.ok(!(await syncScene(rated, 1, deps)).changed.includes('rating'));
  assert.equal(plex.item(rk)!.userRating, 2);
  assert.deepEqual(asked, [rated]);
  // Ratings not synced: nothing to write, so nothing to ask.
  const unrated = stash.addScene({ title: 'Unrated', rating100: 20, files: [{ path: `${dir}/unrated.mp4`, size: 29 }] });
  const skipping = await setUp(t, { skipRating: true });
  await syncScene(unrated, 1, { ...skipping.deps.sync, plexRatingStands: deps.plexRatingStands });
  assert.deepEqual(asked, [rated], 'no rating to write: not asked');
});

test('group art goes to managed collections only when art and collections are both synced', async (t) => {
  const group = stash.addGroup('Art Group');
  stash.setSynopsis(group, 'A synopsis.');
  /** A scene of that group on an item of its own, synced with these settings. */
  const artSaid = async (settings: Record<string, unknown>) => {
    const file = `${folder()}/art.mp4`;
    plex.addItem({ title: 'a', file, size: 30 });
    const scene = stash.addScene({ title: 'Art', groupIds: [group], files: [{ path: file, size: 30 }] });
    const r = await setUp(t, settings);
    return (await syncScene(scene, 1, r.deps.sync)).changed.filter((c) => c.includes('Art Group'));
  };
  assert.deepEqual(await artSaid({ groupCollectionArt: true }), ['summary of Art Group']);
  assert.deepEqual(await artSaid({ skipCollections: true, groupCollectionArt: true }), []);
  assert.deepEqual(await artSaid({}), []);
});

test('a poster for an item whose thumb is locked already does not lock it again', async (t) => {
  const r = await setUp(t);
  const file = `${folder()}/lockedthumb.mp4`;
  plex.addItem({ title: 'l', file, size: 31, locked: ['thumb'] });
  const scene = stash.addScene({ title: 'Locked Thumb', files: [{ path: file, size: 31 }] });
  stash.setScreenshot(scene, new Uint8Array([6]));
  const real = r.deps.sync.plex;
  const locks: string[] = [];
  const watched = plexWith(real, {
    editItem: (key: string, section: string | null, edit: PlexEdit, signal?: AbortSignal) => {
      locks.push(...edit.lock);
      return real.editItem(key, section, edit, signal);
    },
  });
  assert.ok((await syncScene(scene, 1, { ...r.deps.sync, plex: watched })).changed.includes('poster'));
  assert.ok(locks.length > 0 && !locks.includes('thumb'), locks.join());
});
