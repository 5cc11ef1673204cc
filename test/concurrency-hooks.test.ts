// 50 hook processes at once while the background worker drains: every hook
// answers 0 with its event queued (no SQLITE_BUSY reaches anyone), no event
// is lost, and at no time do two workers drain or two jobs of one scene run
// at once (the hooks save the same scenes again and again).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { enqueueMany } from '../src/queue/operations.ts';
import { PLUGIN } from './helpers/plugin.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, integrity, jobs, unsynced, waitFor, withDb, workerPids } from './fault-support.ts';

const HOOKS = 50;

/** Live worker processes whose environment points at this data directory. */
function workersOf(dataDir: string): number[] {
  return workerPids(PLUGIN).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PLEXSYNC_DATA_DIR=${dataDir}`);
    } catch {
      return false;
    }
  });
}

/** [start, stop] of each worker's drain, from the worker log's own lines. */
function drainIntervals(dataDir: string): [number, number][] {
  const starts = new Map<string, number>();
  const intervals: [number, number][] = [];
  for (const line of readFileSync(join(dataDir, 'worker.log'), 'utf8').split('\n')) {
    const m = /^(\S+) INFO worker (\d+) (started|stopping)/.exec(line);
    if (!m) continue;
    if (m[3] === 'started') starts.set(m[2]!, Date.parse(m[1]!));
    else intervals.push([starts.get(m[2]!) ?? 0, Date.parse(m[1]!)]);
  }
  return intervals.sort((a, b) => a[0] - b[0]);
}

test(`${HOOKS} hooks at once during a drain: all queued, none lost, one worker draining`, async (t) => {
  const w = await startWorld(t, { env: { PLEXSYNC_IDLE_EXIT_MS: '500' } });
  const pairs = addLibrary(w, 20);
  const ids = [...pairs.keys()];
  // Slow enough that saves arrive faster than jobs finish: the lanes stay busy.
  w.plex.setLatency(60, 60);
  // The first 10 scenes are already queued; a hook starts the worker on them.
  await withDb(w.dataDir, (db) => enqueueMany(db, ids.slice(0, 10).map((id) => ({ kind: 'scene' as const, entityId: id }))));
  await w.hook('Scene.Update.Post', ids[0]!);
  await waitFor('the worker draining', async () => (await jobs(w.dataDir)).some((j) => j.status === 'done'));

  let maxWorkers = 0;
  let overlappingClaims = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxWorkers = Math.max(maxWorkers, workersOf(w.dataDir).length);
      overlappingClaims += await withDb(
        w.dataDir,
        (db) =>
          (db.prepare(`SELECT count(*) AS n FROM (SELECT job_key FROM jobs WHERE status = 'in_progress' GROUP BY job_key HAVING count(*) > 1)`).get() as { n: number }).n,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  // 50 at once while the worker runs: 5 saves each of 10 other scenes, so a
  // scene is saved again while its previous job may be in progress.
  const hooked = Array.from({ length: HOOKS }, (_, i) => ids[10 + (i % 10)]!);
  const runs = await Promise.all(hooked.map((id) => w.hook('Scene.Update.Post', id, { id, title: 'x' }, ['id', 'title'])));
  for (const run of runs) {
    assert.equal(run.code, 0, run.stdout);
    assert.equal((run.result.output as { queued: boolean }).queued, true);
    assert.doesNotMatch(run.stderr, /SQLITE_BUSY|database is locked/i);
  }

  const settled = await w.settle(60_000);
  sampling = false;
  await sampler;
  t.diagnostic(`most worker processes alive at once: ${maxWorkers}`);
  assert.equal(settled.dead, 0);
  assert.equal(overlappingClaims, 0, 'no two jobs of one scene in progress at once');
  assert.ok(maxWorkers <= 1, `${maxWorkers} workers alive at once`);
  const intervals = drainIntervals(w.dataDir);
  assert.ok(intervals.length >= 1, 'the worker log shows its drains');
  for (let i = 1; i < intervals.length; i++) assert.ok(intervals[i]![0] >= intervals[i - 1]![1], `drains overlap: ${JSON.stringify(intervals)}`);
  // Every hooked event became a job that finished.
  const done = new Set((await jobs(w.dataDir)).filter((j) => j.status === 'done').map((j) => j.key));
  for (const id of new Set([...ids.slice(0, 10), ...hooked])) assert.ok(done.has(`scene:${id}`), `scene ${id} synced`);
  assert.deepEqual(unsynced(w, pairs), []);
  assert.equal(await integrity(w.dataDir), 'ok');
});
