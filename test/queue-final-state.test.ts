// Property: with the real queue, claim and drain loop (8 lanes) and a model of
// Stash and Plex in memory, random interleavings of saves of a few scenes and
// random Plex latency always leave Plex on Stash's latest version of every
// scene. One job per scene runs at a time; a save during a running job waits
// behind it, coalesced. (test/concurrency-final-state.test.ts checks the same
// end to end through the built plugin, with fewer cases.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { enqueue } from '../src/queue/operations.ts';
import { type DrainOptions, drain } from '../src/worker/drain.ts';
import { assertFence } from '../src/worker/fence.ts';
import { acquireLease } from '../src/worker/lease.ts';
import { SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

/** Cases per run; docs/reliability.md quotes this figure. */
export const CASES = 60;
const LANES = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`Plex ends on Stash's latest version of every scene (${CASES} random interleavings, ${LANES} lanes, random latency)`, async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const quiet = createLogger(() => {});
  let caseNo = 0;
  const scenario = fc.record({
    scenes: fc.integer({ min: 1, max: 4 }),
    // A step saves one scene or several at once (a bulk edit), then waits.
    saves: fc.array(fc.record({ scenes: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), gapMs: fc.integer({ min: 0, max: 15 }) }), {
      minLength: 2,
      maxLength: 20,
    }),
    // Each job's read of Stash and write to Plex take these, in turn.
    latencies: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 16 }),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async ({ scenes, saves, latencies }) => {
      caseNo++;
      const stash = new Map<string, number>();
      const plex = new Map<string, number>();
      let turn = 0;
      const latency = () => latencies[turn++ % latencies.length]!;
      let running = 0;
      let overlapped = false;
      const inFlight = new Set<string>();
      const worker = new SyncWorker({
        db,
        log: quiet,
        backoff: { baseMs: 5, capMs: 20 },
        maxAttempts: 5,
        jobLeaseMs: 60_000,
        owner: `case-${caseNo}`,
        workerLeaseMs: 60_000,
        processor: async (job) => {
          if (inFlight.has(job.key)) overlapped = true;
          inFlight.add(job.key);
          running++;
          try {
            await sleep(latency());
            const version = stash.get(job.entityId) ?? 0;
            await sleep(latency());
            assertFence();
            plex.set(job.entityId, version);
            return { summary: `v${version}` };
          } finally {
            running--;
            inFlight.delete(job.key);
          }
        },
      });
      assert.ok(acquireLease(db, `case-${caseNo}`, process.pid, 60_000));
      // Idle for a minute before the last save never ends the drain, however
      // slow the machine; after it, the drain ends as soon as the queue is empty.
      const options: DrainOptions = { db, worker, log: quiet, owner: `case-${caseNo}`, workerLeaseMs: 60_000, concurrency: LANES, idleExitMs: 60_000, pollMs: 5 };
      const drained = drain(options);
      for (const save of saves) {
        for (const scene of save.scenes) {
          const id = `${caseNo}-${scene % scenes}`;
          stash.set(id, (stash.get(id) ?? 0) + 1);
          enqueue(db, { kind: 'scene', entityId: id });
        }
        await sleep(save.gapMs);
      }
      options.idleExitMs = 0;
      const stats = await drained;
      assert.equal(stats.reason, 'idle');
      assert.equal(running, 0);
      assert.equal(overlapped, false, 'two jobs of one scene ran at once');
      for (const [id, version] of stash) assert.equal(plex.get(id), version, `scene ${id}: Plex shows Stash's latest version`);
    }),
    { numRuns: CASES, endOnFailure: true },
  );
  t.diagnostic(`${caseNo} cases`);
});
