// Benchmark 3: the worker's throughput against a slow Plex. Changed scenes are
// queued and the `process` task drains them with the default settings; a
// second pass over the same, now unchanged, scenes must write nothing.
import { openDatabase } from '../src/db/database.ts';
import { enqueueMany } from '../src/queue/operations.ts';
import { taskInput } from '../test/helpers/plugin.ts';
import type { World } from '../test/helpers/world.ts';
import { type Benchmark, benchWorld, privatePlugin, type Scale, Scope, timedRun } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 10, quick: 300, full: 2000 };
const LATENCY_MS = 20;

async function enqueueScenes(w: World, ids: readonly string[]): Promise<void> {
  const db = await openDatabase(w.dataDir);
  try {
    enqueueMany(
      db,
      ids.map((entityId) => ({ kind: 'scene' as const, entityId })),
    );
  } finally {
    db.close();
  }
}

/** Requests made for one scene's sync, as opposed to the index pages and probes a pass makes once. */
function perSceneRequests(w: World): number {
  return w.plex.requestCount({ path: /^\/library\/metadata\// }) + w.plex.requestCount({ path: '/:/rate' });
}

export const syncThroughput: Benchmark = {
  name: 'sync-throughput',
  async run(scale) {
    const n = SCENES[scale];
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      const w = await benchWorld(scope);
      const performer = w.stash.addPerformer('Pat Performer');
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const file = `/data/videos/through-${i}.mp4`;
        w.plex.addItem({ title: `through-${i}`, file, size: 9000 + i });
        ids.push(w.stash.addScene({ title: `Changed title ${i}`, details: `Details of ${i}`, performerIds: [performer], files: [{ path: file, size: 9000 + i }] }));
      }
      w.plex.setLatency(LATENCY_MS);
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };
      const processTask = async () => {
        const before = { all: w.plex.requests.length, perScene: perSceneRequests(w), writes: w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' }) };
        const run = await timedRun([script], JSON.stringify(taskInput(w.stash.serverConnection(), 'process')), env);
        if (run.code !== 0) throw new Error(`process task failed: ${run.stdout} ${run.stderr.slice(-500)}`);
        const writes = w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' }) - before.writes;
        return { ms: run.ms, requests: w.plex.requests.length - before.all, perScene: perSceneRequests(w) - before.perScene, writes, output: JSON.parse(run.stdout).output as { done: number; dead: number } };
      };

      await enqueueScenes(w, ids);
      const changed = await processTask();
      await enqueueScenes(w, ids);
      const unchanged = await processTask();

      const rate = changed.output.done / (changed.ms / 1000);
      const perScene = changed.perScene / n;
      return {
        title: 'Sync throughput',
        setup: `${n} changed scenes (title, summary, performer differ from Plex) queued, drained by the \`process\` task with default settings (plexConcurrency 3), fake Plex answering every request after ${LATENCY_MS} ms; then the same ${n} scenes again, unchanged. Times include the process start, settings read and the library index build.`,
        rows: [
          { metric: 'changed scenes synced', value: `${changed.output.done} of ${n} in ${(changed.ms / 1000).toFixed(1)} s`, target: `${n}`, pass: changed.output.done === n },
          { metric: 'throughput', value: `${rate.toFixed(1)} scenes/s`, target: '≥ 30 scenes/s', pass: rate >= 30 },
          { metric: 'Plex requests per changed scene (item reads, edits, ratings, posters)', value: perScene.toFixed(2), target: '≤ 3', pass: perScene <= 3 },
          { metric: 'all Plex requests of the pass per scene (with index pages, probes)', value: (changed.requests / n).toFixed(2), target: '' },
          { metric: 'Plex writes per unchanged scene (second pass)', value: (unchanged.writes / n).toFixed(2), target: '0', pass: unchanged.writes === 0 },
          { metric: 'second pass: requests per scene, time', value: `${(unchanged.requests / n).toFixed(2)}, ${(unchanged.ms / 1000).toFixed(1)} s`, target: '' },
        ],
        notes: [
          'A changed scene costs GET item (full metadata: locks and complete tag lists, which listings truncate) + PUT edit + GET read-back; a rating change adds one PUT, a new poster one POST. The first GET is not skipped: the diff needs the full current item. Batching it across claimed jobs (GET /library/metadata/a,b,c) would save up to 1 request per scene but needs the worker to claim jobs in groups.',
        ],
      };
    } finally {
      await scope.close();
    }
  },
};
