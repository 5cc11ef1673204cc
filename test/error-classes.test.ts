// CONTRACT sec. 12, the error classes at each boundary: what is retried,
// what is a dead letter at once, and what a user is told to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnv } from '../src/config/env.ts';
import { errorForStatus, parseRetryAfter } from '../src/plex/status.ts';
import { StashClient } from '../src/stash/client.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { startWorld } from './helpers/world.ts';
import { jobs } from './fault-support.ts';

const http = { method: 'PUT', url: '/library/metadata/1' };

test('Plex 408 and 425 are transient', () => {
  for (const status of [408, 425]) {
    const err = errorForStatus(status, '', undefined, { ...http, status });
    assert.equal(err?.transient, true, String(status));
  }
});

test('Retry-After is whole seconds or an HTTP date; anything else falls back to the normal backoff', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(parseRetryAfter('5', now), 5_000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Tuesday, 01-Dec-26 12:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Tue Dec  1 12:00:20 2026', now), 20_000);
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now), 0, 'a date already past means now');
  for (const odd of ['5.5', '-1', 'soon', '', '1e3', '0x10', '2026-12-01']) assert.equal(parseRetryAfter(odd, now), undefined, odd);
  const err = errorForStatus(429, '', '5.5', { ...http, status: 429 });
  assert.equal(err?.retryAfterMs, undefined, 'a 429 with an unreadable Retry-After uses the backoff');
  assert.equal(errorForStatus(503, '', '7', { ...http, status: 503 })?.retryAfterMs, 7_000, 'a 503 may say when too');
});

test('a Plex 408 on the way is retried and the scene syncs', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'x', file: '/data/videos/a.mp4', size: 1 }).ratingKey;
  const scene = w.stash.addScene({ title: 'After a 408', files: [{ path: '/data/videos/a.mp4', size: 1 }] });
  w.plex.failNext(1, 408);
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.item(rk)!.scalars.title, 'After a 408');
});

test("Stash's 'sql: database is closed' inside a 200 answer is retried, never a dead letter", async (t) => {
  const w = await startWorld(t);
  const items: string[] = [];
  const scenes = Array.from({ length: 5 }, (_, i) => {
    items.push(w.plex.addItem({ title: `x${i}`, file: `/data/videos/c${i}.mp4`, size: 1 }).ratingKey);
    return w.stash.addScene({ title: `Closed ${i}`, files: [{ path: `/data/videos/c${i}.mp4`, size: 1 }] });
  });
  // Stash restarting or backing up its database: every scene lookup fails for a while.
  w.stash.failQueries(5, 'sql: database is closed', 'PlexSyncFindScene');
  for (const scene of scenes) await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle(30_000);
  assert.equal(settled.dead, 0, JSON.stringify(await jobs(w.dataDir)));
  // At least one job per scene: on a busy machine a worker may idle out between
  // two hooks, and the next one's catch-up may queue a scene once more.
  assert.ok(settled.done >= 5, `${settled.done} jobs done`);
  assert.deepEqual(
    items.map((rk) => w.plex.item(rk)!.scalars.title),
    scenes.map((_, i) => `Closed ${i}`),
    'every scene reached Plex',
  );
});

test('Stash refusing an API key is a permanent stash_auth at once, saying how to give a key', async (t) => {
  const stash = await startFakeStash({ apiKey: 'the-right-key-0123456789' });
  t.after(() => stash.close());
  const client = new StashClient({ baseUrl: stash.url, apiKey: 'a-wrong-key-9876543210', timeoutMs: 5_000 });
  const err = await client.findScene('1').then(
    () => assert.fail('no error'),
    (e: unknown) => e as { transient: boolean; code: string; message: string },
  );
  assert.deepEqual([err.transient, err.code], [false, 'stash_auth']);
  assert.match(err.message, /Settings > Security/);
  assert.match(err.message, /PLEXSYNC_STASH_API_KEY/);
  assert.match(err.message, /PLEXSYNC_STASH_API_KEY_FILE/);
  assert.ok(!err.message.includes('a-wrong-key'), 'the key itself never shows');
});

test('environment knobs that make no sense at 0 refuse 0, naming the knob', () => {
  for (const name of ['PLEXSYNC_JOB_LEASE_MS', 'PLEXSYNC_WORKER_LEASE_MS', 'PLEXSYNC_RETRY_BASE_MS', 'PLEXSYNC_RETRY_CAP_MS', 'PLEXSYNC_CIRCUIT_PROBE_MS']) {
    assert.throws(() => readEnv({ [name]: '0' }), new RegExp(`${name} must be at least 1 ms`), name);
  }
  assert.equal(readEnv({ PLEXSYNC_CATCHUP_INTERVAL_MS: '0' }).catchUpIntervalMs, 0, '0 means "only at start" there');
  assert.equal(readEnv({ PLEXSYNC_IDLE_EXIT_MS: '0' }).idleExitMs, 0);
});

test('the plugin refuses PLEXSYNC_JOB_LEASE_MS=0 with a message', async (t) => {
  const w = await startWorld(t);
  const run = await w.task('status', {}, { env: { PLEXSYNC_JOB_LEASE_MS: '0' } });
  assert.match(run.result.error ?? '', /PLEXSYNC_JOB_LEASE_MS must be at least 1 ms/);
});
