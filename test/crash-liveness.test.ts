// Liveness with the production leases: a worker killed mid-drain is seen dead
// by its pid (and start time), the next hook starts a new worker at once, and
// that worker takes over the dead one's claimed jobs at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueMany } from '../src/queue/operations.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, cmdline, jobs, leaseRow, unsynced, waitFor, withDb } from './fault-support.ts';

const SCENES = 100;
const RECOVERY_LIMIT_MS = 30_000;

test(`after a SIGKILL mid-drain and one hook, all ${SCENES} scenes reach Plex within 30 s (production leases)`, async (t) => {
  const w = await startWorld(t);
  const pairs = addLibrary(w, SCENES);
  w.plex.setLatency(20);
  const ids = [...pairs.keys()];
  await withDb(w.dataDir, (db) => enqueueMany(db, ids.map((id) => ({ kind: 'scene' as const, entityId: id }))));
  assert.equal((await w.hook('Scene.Update.Post', ids[0]!)).code, 0);
  const lease = await waitFor('a worker draining with jobs in hand', async () => {
    const row = await leaseRow(w.dataDir);
    const list = await jobs(w.dataDir);
    const busy = list.some((j) => j.status === 'done') && list.some((j) => j.status === 'in_progress');
    return busy && row && cmdline(row.pid).includes(row.owner) ? row : undefined;
  }, 60_000);
  process.kill(lease.pid, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor('the killed worker gone', () => cmdline(lease.pid) === '', 5_000);
  const stranded = (await jobs(w.dataDir)).filter((j) => j.status === 'in_progress').length;

  assert.equal((await w.hook('Scene.Update.Post', ids[1]!)).code, 0);
  await waitFor('every scene in Plex', () => unsynced(w, pairs).length === 0, RECOVERY_LIMIT_MS);
  const recoveredMs = Date.now() - killedAt;
  t.diagnostic(`SIGKILL with ${stranded} job(s) claimed -> all ${SCENES} scenes in Plex in ${recoveredMs} ms`);
  const settled = await w.settle(30_000);
  assert.equal(settled.dead, 0);
  assert.equal(settled.pending + settled.inProgress, 0);
});

test('a worker killed as soon as it has started does not block the next hooks', async (t) => {
  const w = await startWorld(t);
  const pairs = addLibrary(w, 3);
  const ids = [...pairs.keys()];
  // The first hook's worker is killed as soon as it shows up, before it drains anything.
  w.plex.setLatency(2_000);
  assert.equal((await w.hook('Scene.Update.Post', ids[0]!)).code, 0);
  const lease = await waitFor('the reserved lease naming the new worker', async () => {
    const row = await leaseRow(w.dataDir);
    return row && cmdline(row.pid).includes('--worker') ? row : undefined;
  });
  process.kill(lease.pid, 'SIGKILL');
  await waitFor('the killed worker gone', () => cmdline(lease.pid) === '', 5_000);
  w.plex.setLatency(0);
  for (const id of ids) assert.equal((await w.hook('Scene.Update.Post', id)).code, 0);
  await waitFor('every scene in Plex', () => unsynced(w, pairs).length === 0, RECOVERY_LIMIT_MS);
});
