// Fencing: a worker frozen past its lease (SIGSTOP: a suspended VM or NAS)
// and resumed after a newer worker took over writes nothing more to Plex and
// exits, so the newer data it would overwrite stays. Time is the subject
// here, so the worker lease is short; the job lease keeps its 5 minutes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';
import { addLibrary, cmdline, jobs, leaseRow, waitFor } from './fault-support.ts';

const LEASE_MS = 1_500;

test('a worker resumed after losing its lease writes nothing more and exits', async (t) => {
  const w = await startWorld(t, { env: { PLEXSYNC_WORKER_LEASE_MS: String(LEASE_MS) } });
  const pairs = addLibrary(w, 1);
  const [scene, rk] = [...pairs][0]!;
  w.stash.updateScene(scene, { title: 'old title' });
  w.plex.setLatency(1_000);
  assert.equal((await w.hook('Scene.Update.Post', scene)).code, 0);
  const first = await waitFor('the first worker with the job in hand', async () => {
    const row = await leaseRow(w.dataDir);
    const claimed = (await jobs(w.dataDir)).some((j) => j.status === 'in_progress');
    return claimed && row && cmdline(row.pid).includes('--worker') ? row : undefined;
  });
  // It has read the scene from Stash and waits on Plex.
  await waitFor('the first worker asking Plex', () => w.plex.requests.length > 0);
  process.kill(first.pid, 'SIGSTOP');
  t.after(() => {
    if (cmdline(first.pid) !== '') process.kill(first.pid, 'SIGKILL');
  });

  w.stash.updateScene(scene, { title: 'new title' });
  w.plex.setLatency(0);
  await waitFor('the frozen worker\'s lease expired', async () => {
    const row = await leaseRow(w.dataDir);
    return row !== undefined && row.expires_at < Date.now();
  });
  assert.equal((await w.hook('Scene.Update.Post', scene)).code, 0);
  await waitFor('the newer worker syncing the new title', () => w.plex.item(rk)?.scalars.title === 'new title', 30_000);
  const settled = await w.settle(30_000);
  assert.equal(settled.pending + settled.inProgress, 0);

  const writesBefore = w.plex.requests.filter((r) => r.method !== 'GET').length;
  process.kill(first.pid, 'SIGCONT');
  await waitFor('the resumed worker gone', () => cmdline(first.pid) === '', 20_000);
  assert.equal(w.plex.requests.filter((r) => r.method !== 'GET').length, writesBefore, 'no write after it resumed');
  assert.equal(w.plex.item(rk)?.scalars.title, 'new title');
  assert.equal((await w.queue()).pending, 0);
});
