// CONTRACT section 12, transient half, end to end through the built plugin:
// each failure Plex can show is retried with backoff, nothing is dead-lettered
// and the scene reaches Plex once the fault is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type World, startWorld } from './helpers/world.ts';
import { addLibrary, type JobLook, jobs, outageListener, portOf, unsynced, waitFor } from './fault-support.ts';

const FAST_CIRCUIT = { PLEXSYNC_CIRCUIT_PROBE_MS: '200', PLEXSYNC_CIRCUIT_MAX_PROBE_MS: '400' };

/**
 * Queues the library's scenes, lets the fault act, lifts it, and checks
 * everything arrived. Returns the failure the fault caused, as recorded.
 */
async function survives(w: World, pairs: Map<string, string>, lift: () => Promise<void> | void, code: string): Promise<JobLook> {
  for (const scene of pairs.keys()) assert.equal((await w.hook('Scene.Update.Post', scene)).code, 0);
  const failure = await waitFor(`a ${code} failure recorded`, async () => (await jobs(w.dataDir)).find((j) => j.error_code === code), 60_000);
  await lift();
  const settled = await w.settle();
  assert.equal(settled.dead, 0, 'nothing dead-lettered');
  assert.deepEqual(unsynced(w, pairs), [], 'every scene reached Plex');
  return failure;
}

test('connection refused while Plex is down: retried, then synced', async (t) => {
  const w = await startWorld(t, { env: FAST_CIRCUIT });
  const pairs = addLibrary(w, 2);
  await w.plex.setDown(true);
  await survives(w, pairs, () => w.plex.setDown(false), 'network');
});

test('connection reset by the host: retried, then synced', async (t) => {
  const w = await startWorld(t, { env: FAST_CIRCUIT });
  const pairs = addLibrary(w, 2);
  await w.plex.setDown(true);
  const resetter = await outageListener(portOf(w.plex.url));
  await survives(
    w,
    pairs,
    async () => {
      await resetter.close();
      await w.plex.setDown(false);
    },
    'network',
  );
  assert.ok(resetter.connections() >= 1);
});

test('a Plex that never answers times out after plexTimeoutSeconds; the job is retried, not lost', async (t) => {
  const w = await startWorld(t, { env: FAST_CIRCUIT, settings: { plexTimeoutSeconds: 1 } });
  const pairs = addLibrary(w, 1);
  w.plex.setHang(true);
  const failure = await survives(w, pairs, () => w.plex.setHang(false), 'timeout');
  // The request was given up after the setting's one second, not the default 30 s.
  assert.match(failure.last_error ?? '', /within 1000 ms/);
  assert.equal((await jobs(w.dataDir))[0]!.status, 'done');
});

test('5xx answers are retried with backoff and the scene is synced', async (t) => {
  const w = await startWorld(t, { env: FAST_CIRCUIT });
  const pairs = addLibrary(w, 1);
  w.plex.failNext(2, 500);
  for (const scene of pairs.keys()) await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  assert.deepEqual(unsynced(w, pairs), []);
  const [job] = await jobs(w.dataDir);
  assert.equal(job!.attempts, 3, 'two failed attempts, then success');
});

test("Plex's 503 maintenance while it starts is waited out", async (t) => {
  const w = await startWorld(t, { env: FAST_CIRCUIT });
  const pairs = addLibrary(w, 2);
  w.plex.setMaintenance(true);
  await survives(w, pairs, () => w.plex.setMaintenance(false), 'plex_starting');
});

test('429 with Retry-After: the next try waits as long as Plex asked, then succeeds', async (t) => {
  // A cap above Retry-After so the server's wish is not clipped; base 50 ms
  // would retry within 100 ms if Retry-After were ignored.
  const w = await startWorld(t, { env: { ...FAST_CIRCUIT, PLEXSYNC_RETRY_CAP_MS: '10000' } });
  const pairs = addLibrary(w, 1);
  w.plex.setRateLimit(1, 2);
  for (const scene of pairs.keys()) await w.hook('Scene.Update.Post', scene);
  await w.settle();
  assert.deepEqual(unsynced(w, pairs), []);
  const [job] = await jobs(w.dataDir);
  assert.equal(job!.status, 'done');
  assert.equal(job!.attempts, 2);
  // The first request got the 429; the next one came no sooner than Retry-After.
  const [limited, next] = w.plex.requests;
  assert.ok(next!.at - limited!.at >= 1_900, `second request ${next!.at - limited!.at} ms after the 429`);
});

test('an item Plex has not scanned yet is retried until it appears, then synced', async (t) => {
  // Fake Plex's own clock: the item appears when the test moves it on, after the retry is seen.
  let plexNow = 0;
  const w = await startWorld(t, { env: FAST_CIRCUIT, plex: { now: () => plexNow } });
  const file = '/data/videos/late.mp4';
  const rk = w.plex.appearAfter({ title: 'late', file, size: 77 }, { ms: 1_500 });
  const scene = w.stash.addScene({ title: 'Arrives late', files: [{ path: file, size: 77 }] });
  await w.hook('Scene.Update.Post', scene);
  await waitFor('a not_scanned retry', async () => (await jobs(w.dataDir)).some((j) => j.error_code === 'not_scanned'), 60_000);
  plexNow = 1_500;
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  assert.equal(w.plex.item(rk)?.scalars.title, 'Arrives late');
});
