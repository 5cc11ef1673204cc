// Crash safety: the background worker is SIGKILLed at random moments of a
// drain, again and again. No job may be lost, no lease may outlive its time,
// the database stays intact, and every scene reaches Plex in the end.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { enqueueMany } from '../src/queue/operations.ts';
import { currentLease } from '../src/worker/lease.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, cmdline, integrity, jobs, leaseRow, unsynced, waitFor, withDb } from './fault-support.ts';

const SCENES = 100;
const KILLS = 20;
const LEASE_MS = 700;
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 400;

test(`${KILLS} SIGKILLs of the worker during a drain of ${SCENES} scenes lose nothing`, { timeout: 600_000 }, async (t) => {
  const w = await startWorld(t, {
    env: { PLEXSYNC_JOB_LEASE_MS: String(LEASE_MS), PLEXSYNC_WORKER_LEASE_MS: String(LEASE_MS), PLEXSYNC_IDLE_EXIT_MS: '300' },
  });
  const pairs = addLibrary(w, SCENES);
  // Latency makes each scene take a few hundred ms, so kills land mid-job.
  w.plex.setLatency(25);
  const sceneIds = [...pairs.keys()];
  await withDb(w.dataDir, (db) => enqueueMany(db, sceneIds.map((id) => ({ kind: 'scene' as const, entityId: id }))));

  let kills = 0;
  let midJob = 0;
  for (let round = 0; round < KILLS; round++) {
    // Ten scenes saved again each round (as a user would), so the worker is never out of work.
    const window = Array.from({ length: 10 }, (_, i) => sceneIds[(round * 10 + i) % SCENES]!);
    await withDb(w.dataDir, (db) => enqueueMany(db, window.map((id) => ({ kind: 'scene' as const, entityId: id }))));
    // A hook makes sure a worker runs (as a user's next save would).
    assert.equal((await w.hook('Scene.Update.Post', window[0]!)).code, 0);
    // Started and draining: it has replaced the lease the hook reserved for it with its own.
    const lease = await waitFor('a worker holding the lease', async () => {
      const row = await leaseRow(w.dataDir);
      return row && cmdline(row.pid).includes(row.owner) && row.expires_at <= Date.now() + LEASE_MS ? row : undefined;
    }, 60_000);
    // Every other kill waits until a job is claimed, so it lands mid-job however
    // slow the machine is; the rest land at a random moment of the drain.
    if (round % 2 === 0) await waitFor('a job in progress', async () => (await jobs(w.dataDir)).some((j) => j.status === 'in_progress'), 60_000);
    else await sleep(50 + Math.floor(Math.random() * 450));
    const running = (await jobs(w.dataDir)).filter((j) => j.status === 'in_progress').length;
    process.kill(lease.pid, 'SIGKILL');
    const killedAt = Date.now();
    kills++;
    if (running > 0) midJob++;
    await waitFor('the killed worker gone', () => cmdline(lease.pid) === '', 30_000);

    // The dead worker's lease ends with it (its pid is gone), and nothing it
    // held is claimed for longer than its job lease.
    const after = await withDb(w.dataDir, (db) => ({
      worker: currentLease(db),
      jobs: db.prepare(`SELECT max(lease_expires_at) AS at FROM jobs WHERE status = 'in_progress'`).get() as { at: number | null },
    }));
    assert.equal(after.worker, undefined, 'a dead worker holds no lease');
    assert.ok((after.jobs.at ?? 0) <= killedAt + LEASE_MS + SLACK_MS, 'job leases expire on time');
    assert.equal(await integrity(w.dataDir), 'ok');
  }
  t.diagnostic(`${kills} SIGKILLs, ${midJob} of them with a job in progress`);
  assert.equal(kills, KILLS);

  // One more hook starts the last worker; the queue then drains completely.
  w.plex.setLatency(0);
  await w.hook('Scene.Update.Post', sceneIds[0]!);
  const settled = await w.settle(60_000);
  assert.equal(settled.dead, 0);
  assert.equal(settled.inProgress, 0);
  assert.equal(await integrity(w.dataDir), 'ok');
  assert.deepEqual(unsynced(w, pairs), [], 'every scene synced');
});

test('a worker killed while holding a job: the job is done by a later `process` run once its lease expires', async (t) => {
  const w = await startWorld(t, {
    env: { PLEXSYNC_JOB_LEASE_MS: String(LEASE_MS), PLEXSYNC_WORKER_LEASE_MS: String(LEASE_MS) },
  });
  const pairs = addLibrary(w, 1);
  const [scene] = pairs.keys();
  // Plex holds the answer until the worker is dead, however slow the machine.
  w.plex.setHang(true);
  await w.hook('Scene.Update.Post', scene!);
  await waitFor('the job claimed', async () => (await jobs(w.dataDir)).some((j) => j.status === 'in_progress'));
  const lease = await waitFor('the worker', async () => {
    const row = await leaseRow(w.dataDir);
    return row && cmdline(row.pid).includes('--worker') ? row : undefined;
  });
  process.kill(lease.pid, 'SIGKILL');
  await waitFor('the killed worker gone', () => cmdline(lease.pid) === '', 30_000);
  assert.equal((await jobs(w.dataDir))[0]!.status, 'in_progress', 'the dead worker left its job claimed');

  w.plex.setHang(false);
  await waitFor('the dead worker\'s leases expired', () =>
    withDb(w.dataDir, (db) => {
      const now = Date.now();
      const job = db.prepare(`SELECT lease_expires_at AS at FROM jobs WHERE status = 'in_progress'`).get() as { at: number } | undefined;
      const worker = db.prepare(`SELECT expires_at AS at FROM worker_lease WHERE name = 'worker'`).get() as { at: number } | undefined;
      return job !== undefined && job.at < now && (worker === undefined || worker.at < now);
    }),
  );
  const run = await w.task('process');
  assert.equal(run.code, 0, run.stdout);
  await w.settle();
  const [job] = await jobs(w.dataDir);
  assert.equal(job!.status, 'done');
  assert.equal(job!.attempts, 2, 'the killed attempt, then the one that synced');
  assert.deepEqual(unsynced(w, pairs), []);
});
