// Property: whatever the interleaving of saves, the number of lanes and
// Plex's latency, Plex ends on Stash's latest state for every scene. One job
// per scene runs at a time; a save during a running job waits behind it.
// End to end through the built plugin; test/queue-final-state.test.ts runs
// many more cases of the same property in process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { startWorld } from './helpers/world.ts';
import { enqueueMany } from '../src/queue/operations.ts';
import { addLibrary, jobs, withDb } from './fault-support.ts';

/** Cases per run; docs/reliability.md quotes this figure. */
export const FINAL_STATE_CASES = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`Plex ends on Stash's latest save of every scene (${FINAL_STATE_CASES} random interleavings, 8 lanes, random latency)`, async (t) => {
  const w = await startWorld(t, { settings: { plexConcurrency: 8 } });
  let caseNo = 0;
  // The library exists before the first save; every case saves these scenes anew.
  const pairs: [string, string][] = [];
  for (let i = 0; i < 4; i++) {
    const file = `/data/final/scene-${i}.mp4`;
    const rk = w.plex.addItem({ title: `scene ${i}`, file, size: 5000 + i }).ratingKey;
    pairs.push([w.stash.addScene({ title: 'v0', files: [{ path: file, size: 5000 + i }] }), rk]);
  }
  const version = new Map<string, number>();
  // Other scenes, queued after each save as a bulk edit would, keep every lane
  // busy: a lane that finishes one looks for the next job at once, while a
  // saved scene's job may still be running.
  const fillers = [...addLibrary(w, 32, 'filler').keys()];
  let nextFiller = 0;
  const scenario = fc.record({
    scenes: fc.integer({ min: 2, max: 4 }),
    saves: fc.array(fc.record({ scene: fc.nat(), pauseMs: fc.integer({ min: 0, max: 60 }) }), { minLength: 4, maxLength: 14 }),
    latencyMs: fc.integer({ min: 0, max: 60 }),
    jitterMs: fc.integer({ min: 0, max: 400 }),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async ({ scenes, saves, latencyMs, jitterMs }) => {
      caseNo++;
      w.plex.setLatency(latencyMs, jitterMs);
      // Saves one after another, as Stash runs hooks: each save waits for its hook.
      for (const save of saves) {
        const [scene] = pairs[save.scene % scenes]!;
        const v = (version.get(scene) ?? 0) + 1;
        version.set(scene, v);
        w.stash.updateScene(scene, { title: `v${v}`, details: `details of save ${v}` });
        const run = await w.hook('Scene.Update.Post', scene, { id: scene, title: `v${v}` }, ['id', 'title', 'details']);
        assert.equal(run.code, 0, run.stdout);
        const more = Array.from({ length: 3 }, () => fillers[nextFiller++ % fillers.length]!);
        await withDb(w.dataDir, (db) => enqueueMany(db, more.map((id) => ({ kind: 'scene' as const, entityId: id }))));
        await sleep(save.pauseMs);
      }
      const settled = await w.settle(60_000);
      assert.equal(settled.dead, 0, JSON.stringify((await jobs(w.dataDir)).filter((j) => j.status === 'dead')));
      for (const [scene, v] of version) {
        const rk = pairs.find(([id]) => id === scene)![1];
        assert.equal(w.plex.item(rk)?.scalars.title, `v${v}`, `scene ${scene}: Plex shows Stash's latest title`);
        assert.equal(w.plex.item(rk)?.scalars.summary, `details of save ${v}`, `scene ${scene}: Plex shows Stash's latest details`);
      }
    }),
    { numRuns: FINAL_STATE_CASES, endOnFailure: true },
  );
  t.diagnostic(`${caseNo} cases`);
});
