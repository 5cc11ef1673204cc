// The worker's parts built from the settings (sync/worker-deps.ts), with the
// real clients against fake Stash and Plex on loopback: the field toggles,
// the client identifier, the settings refresh and what the worker's tick and
// gate are made of.
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { ENV_DEFAULTS, type EnvKnobs } from '../src/config/env.ts';
import { parseSettings, type Settings } from '../src/config/settings.ts';
import { type Db, getKv, openDatabase, setKv } from '../src/db/database.ts';
import type { RunContext } from '../src/entry/context.ts';
import { errorCode, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { redact } from '../src/log/redact.ts';
import { DEAD_LETTERS_RETRIED_AT } from '../src/queue/dlq.ts';
import { counts } from '../src/queue/operations.ts';
import type { Job } from '../src/queue/types.ts';
import { WATERMARK_KEY } from '../src/sync/catch-up.ts';
import type { StashScene } from '../src/sync/model.ts';
import { loadSettings, loadSyncDeps, loadWorkerDeps, plexClientIdentifier, togglesFrom } from '../src/sync/worker-deps.ts';
import { readCircuit } from '../src/worker/circuit.ts';
import { LeaseLostError, runFenced } from '../src/worker/fence.ts';
import { type FakePlex, startFakePlex } from './fakes/plex-server.ts';
import { type FakeStash, startFakeStash } from './fakes/stash-server.ts';
import { blankScene } from './helpers/stash-scene.ts';
import { tempDir } from './helpers/temp.ts';

let stash: FakeStash;
let plex: FakePlex;

before(async () => {
  stash = await startFakeStash({ session: false });
  plex = await startFakePlex();
});
after(async () => {
  await Promise.all([stash.close(), plex.close()]);
});

async function setUp(t: TestContext, settings: Record<string, unknown> = {}, env: Partial<EnvKnobs> = {}) {
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, ...settings });
  const dataDir = tempDir(t);
  const db = await openDatabase(dataDir);
  t.after(() => db.close());
  const lines: string[] = [];
  const ctx = {
    input: {},
    connection: stash.serverConnection(),
    env: { ...ENV_DEFAULTS, dataDir, plexTvUrl: 'http://127.0.0.1:9', ...env },
    dataDir,
    log: createLogger((line) => lines.push(line)),
    script: '',
  } as unknown as RunContext;
  return { db, ctx, lines };
}

const STASH_SCENE: StashScene = blankScene({ rating100: 40 });

test('each skip setting turns its own field off, and only that one', () => {
  const all = togglesFrom(parseSettings({ plexUrl: 'http://127.0.0.1:32400', plexToken: 'token-123456' }));
  assert.deepEqual(all, { title: true, summary: true, date: true, studio: true, performers: true, tags: true, director: true, rating: true, collections: true, poster: true });
  const pairs: [keyof Settings, keyof typeof all][] = [
    ['skipTitle', 'title'],
    ['skipSummary', 'summary'],
    ['skipDate', 'date'],
    ['skipStudio', 'studio'],
    ['skipPerformers', 'performers'],
    ['skipTags', 'tags'],
    ['skipDirector', 'director'],
    ['skipRating', 'rating'],
    ['skipCollections', 'collections'],
    ['skipPoster', 'poster'],
  ];
  for (const [setting, field] of pairs) {
    const toggles = togglesFrom(parseSettings({ plexUrl: 'http://127.0.0.1:32400', plexToken: 'token-123456', [setting]: true }));
    assert.deepEqual(toggles, { ...all, [field]: false }, setting);
  }
});

test('the Plex client identifier is made once per installation and kept', async (t) => {
  const db: Db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const id = plexClientIdentifier(db);
  assert.match(id, /^plexsync-[0-9a-f-]{36}$/);
  assert.equal(plexClientIdentifier(db), id);
  assert.equal(getKv(db, 'plex_client_identifier'), id);
  const other: Db = await openDatabase(tempDir(t));
  t.after(() => other.close());
  assert.notEqual(plexClientIdentifier(other), id, 'another installation, another identifier');
});

test('the Plex requests carry the installation identifier', async (t) => {
  const s = await setUp(t);
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  const before = plex.requests.length;
  await deps.sync.plex.identity();
  const sent = plex.requests.slice(before).find((r) => r.path === '/identity');
  assert.equal(sent?.headers['x-plex-client-identifier'], plexClientIdentifier(s.db));
  assert.match(String(sent?.headers['x-plex-version']), /^\d+\.\d+\.\d+$/, 'and the version of PlexSync');
});

test('a refresh after dead letters were sent back reads the settings again at once', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const s = await setUp(t);
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  await deps.refresh();
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, skipTitle: true });
  await deps.refresh();
  assert.equal(deps.settings.skipTitle, false, 'within the second: the read in hand serves');
  setKv(s.db, DEAD_LETTERS_RETRIED_AT, String(Date.now()));
  await deps.refresh();
  assert.equal(deps.settings.skipTitle, true, 'a retry of dead letters since that read: read again');
  assert.equal(deps.sync.toggles.title, false, 'the parts follow the new settings');
});

test('Stash away during a refresh keeps the settings in hand; settings that no longer parse are refused', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const s = await setUp(t);
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  stash.setDown('reset');
  t.after(() => stash.setDown(false));
  t.mock.timers.tick(1_000);
  await deps.refresh();
  assert.equal(deps.settings.plexUrl, plex.url);
  stash.setDown(false);
  stash.setSettings({ plexUrl: 'ftp://nowhere', plexToken: plex.token });
  t.mock.timers.tick(1_000);
  await assert.rejects(deps.refresh(), (err: Error) => /plexUrl/.test(err.message));
  assert.equal(deps.settings.plexUrl, plex.url, 'the settings in hand stay');
});

test("the worker's tick runs catch-up and housekeeping; its gate probes the Plex of the settings", async (t) => {
  const s = await setUp(t, {}, { circuitProbeMs: 1_000, circuitMaxProbeMs: 500 });
  const wd = await loadWorkerDeps(s.ctx, s.db);
  t.after(() => wd.close());
  const insert = s.db.prepare(
    `INSERT INTO jobs (job_key, kind, entity_id, status, attempts, run_at, created_at, updated_at, finished_at) VALUES ('scene:old', 'scene', 'old', 'done', 1, 0, 0, 0, 0)`,
  );
  insert.run();
  await wd.tick!();
  assert.ok(getKv(s.db, WATERMARK_KEY), 'catch-up set its watermark');
  assert.equal(counts(s.db).done, 0, 'housekeeping removed the old finished job');
  // Two outages open the circuit... (threshold 3): the probe is due after circuitProbeMs.
  const down = new TransientError('network', 'connection refused', { origin: 'plex' });
  const now = Date.now();
  for (let i = 0; i < 3; i++) wd.gate!.onFailure(down, now);
  const open = readCircuit(s.db);
  assert.equal(open.state, 'open');
  assert.equal(open.state === 'open' && open.waitMs, 1_000, 'the first probe waits PLEXSYNC_CIRCUIT_PROBE_MS');
  const identities = plex.requestCount({ path: '/identity' });
  assert.equal(await wd.gate!.blockedUntil(now + 1_000), undefined, 'the fake Plex answers the probe');
  assert.equal(plex.requestCount({ path: '/identity' }), identities + 1);
  assert.equal(readCircuit(s.db).state, 'half_open');
});

test('a job refused for the Stash session hands the worker over; other failures do not', async (t) => {
  const s = await setUp(t);
  const wd = await loadWorkerDeps(s.ctx, s.db);
  t.after(() => wd.close());
  const job = { id: 1, key: 'scene:424242', kind: 'scene', entityId: '424242', attempts: 1, payload: null } as unknown as Job;
  await assert.rejects(wd.processor(job, new AbortController().signal), (err: Error) => /no longer exists/.test(err.message));
  assert.equal(wd.shouldHandOver!(), false, 'a scene gone is the job\'s problem, not the worker\'s');
  assert.equal(getKv(s.db, 'settings_problem') ?? '', '');
});

test('a Plex write outside a fence that still holds is refused; a read goes out', async (t) => {
  const s = await setUp(t);
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  const lost = () => {
    throw new LeaseLostError('the job lease');
  };
  const identities = plex.requestCount({ path: '/identity' });
  await runFenced(lost, () => deps.sync.plex.identity());
  assert.equal(plex.requestCount({ path: '/identity' }), identities + 1, 'a GET needs no lease');
  const writes = plex.requestCount({ method: 'PUT' });
  await assert.rejects(
    runFenced(lost, () => deps.sync.plex.rate('1', 5)),
    (err: unknown) => errorCode(err) === 'lease_lost',
  );
  assert.equal(plex.requestCount({ method: 'PUT' }), writes, 'nothing written');
});

test('group collection art follows its setting, and never without collections; importRatings brings its rating check', async (t) => {
  const cases: [Record<string, unknown>, boolean][] = [
    [{}, false],
    [{ groupCollectionArt: true }, true],
    [{ groupCollectionArt: true, skipCollections: true }, false],
    [{ skipCollections: true }, false],
  ];
  for (const [settings, art] of cases) {
    const s = await setUp(t, settings);
    const deps = await loadSyncDeps(s.ctx, s.db);
    t.after(() => deps.close());
    assert.equal(deps.sync.groupCollectionArt, art, JSON.stringify(settings));
    assert.equal(deps.sync.plexRatingStands, undefined);
  }
  const s = await setUp(t, { importRatings: true });
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  assert.equal(typeof deps.sync.plexRatingStands, 'function');
  assert.equal(typeof deps.sync.plexRatingStands!(STASH_SCENE, { ratingKey: '1', userRating: 5 }), 'boolean');
});

test('a refresh with the same settings keeps the parts; a change retires the old Plex client, closed with the new one', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const s = await setUp(t);
  const deps = await loadSyncDeps(s.ctx, s.db);
  const closed: string[] = [];
  const watch = (name: string) => {
    const client = deps.sync.plex;
    const close = client.close.bind(client);
    client.close = () => {
      closed.push(name);
      close();
    };
    return client;
  };
  const first = watch('first');
  t.mock.timers.tick(1_000);
  await deps.refresh();
  assert.equal(deps.sync.plex, first, 'unchanged settings: the same client');
  assert.ok(!s.lines.some((l) => l.includes('settings changed')), s.lines.join(''));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, skipTitle: true });
  t.mock.timers.tick(1_000);
  await deps.refresh();
  assert.notEqual(deps.sync.plex, first);
  assert.ok(s.lines.some((l) => l.includes('settings changed: the next jobs use them')), s.lines.join(''));
  watch('second');
  assert.deepEqual(closed, [], 'the old client may still carry a request');
  deps.close();
  assert.deepEqual(closed, ['first', 'second']);
});

test('loadSettings reads the settings stored in Stash', async (t) => {
  const s = await setUp(t, { skipTitle: true });
  const deps = await loadSyncDeps(s.ctx, s.db);
  t.after(() => deps.close());
  const settings = await loadSettings(deps.sync.stash);
  assert.equal(settings.plexUrl, plex.url);
  assert.equal(settings.skipTitle, true);
});

test('a Stash API key from the environment is sent and kept out of logs; performer photos are then off, and said so', async (t) => {
  const key = 'stash-api-key-7f3a9c';
  const locked = await startFakeStash({ session: false, apiKey: key });
  t.after(() => locked.close());
  const saved = process.env.PLEXSYNC_STASH_API_KEY;
  process.env.PLEXSYNC_STASH_API_KEY = key;
  t.after(() => {
    if (saved === undefined) delete process.env.PLEXSYNC_STASH_API_KEY;
    else process.env.PLEXSYNC_STASH_API_KEY = saved;
  });
  const plexToken = 'plex-token-for-the-key-test-41d2';
  locked.setSettings({ plexUrl: plex.url, plexToken, performerPhotos: true });
  const s = await setUp(t);
  const ctx = { ...s.ctx, connection: locked.serverConnection() } as RunContext;
  const deps = await loadSyncDeps(ctx, s.db);
  t.after(() => deps.close());
  assert.equal(deps.settings.performerPhotos, true, 'read with the key');
  assert.equal(deps.sync.rules.performerPhotos, false);
  assert.ok(s.lines.some((l) => l.includes('performerPhotos is on, but Stash asks for credentials')), s.lines.join(''));
  assert.equal(redact(`key ${key} token ${plexToken}`), 'key *** token ***');
  // Without credentials the photos stay on and nothing is said.
  const open = await setUp(t, { performerPhotos: true });
  delete process.env.PLEXSYNC_STASH_API_KEY;
  const plain = await loadSyncDeps(open.ctx, open.db);
  t.after(() => plain.close());
  assert.equal(plain.sync.rules.performerPhotos, true);
  assert.ok(!open.lines.some((l) => l.includes('performerPhotos')), open.lines.join(''));
});

test('settings that stop parsing hold the job back as bad_settings, with the reason, and hand the worker over', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const s = await setUp(t);
  const wd = await loadWorkerDeps(s.ctx, s.db);
  t.after(() => wd.close());
  stash.setSettings({ plexUrl: 'ftp://nowhere', plexToken: plex.token });
  t.mock.timers.tick(1_000);
  const job = { id: 1, key: 'scene:1', kind: 'scene', entityId: '1', attempts: 1, payload: null } as unknown as Job;
  await assert.rejects(wd.processor(job, new AbortController().signal), (err: unknown) => {
    assert.equal(errorCode(err), 'bad_settings');
    assert.match(String((err as Error).cause), /plexUrl/);
    return true;
  });
  assert.match(getKv(s.db, 'settings_problem') ?? '', /plexUrl/);
  assert.equal(wd.shouldHandOver!(), true);
});

test('a Stash session that expired hands the worker over: the job fails as stash_auth', async (t) => {
  const guarded = await startFakeStash();
  t.after(() => guarded.close());
  guarded.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const s = await setUp(t);
  const wd = await loadWorkerDeps({ ...s.ctx, connection: guarded.serverConnection() } as RunContext, s.db);
  t.after(() => wd.close());
  guarded.expireSession();
  const job = { id: 1, key: 'scene:1', kind: 'scene', entityId: '1', attempts: 1, payload: null } as unknown as Job;
  await assert.rejects(wd.processor(job, new AbortController().signal), (err: unknown) => errorCode(err) === 'stash_auth');
  assert.equal(wd.shouldHandOver!(), true);
});
