// Benchmark 1: what a hook costs Stash. Sequential hook processes (a title
// change on Scene.Update.Post, real stdin JSON, cwd outside the plugin) are
// interleaved with bare `node -e 0` runs of the same binary, while a live
// background worker syncs the scenes the hooks name.
import { hookInput } from '../test/helpers/plugin.ts';
import { type Benchmark, benchWorld, handlerMs, ms, percentile, privatePlugin, type Scale, Scope, timedRun, waitFor } from './lib.ts';
import { openDatabase } from '../src/db/database.ts';
import { currentLease } from '../src/worker/lease.ts';

const RUNS: Record<Scale, number> = { smoke: 5, quick: 60, full: 200 };

export const hookLatency: Benchmark = {
  name: 'hook-latency',
  async run(scale) {
    const runs = RUNS[scale];
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      // The worker stays alive for the whole run, as in real use during editing.
      const w = await benchWorld(scope, { env: { PLEXSYNC_IDLE_EXIT_MS: '5000' } });
      const ids: string[] = [];
      for (let i = 0; i < runs; i++) {
        const file = `/data/videos/hook-${i}.mp4`;
        w.plex.addItem({ title: `hook-${i}`, file, size: 1000 + i });
        ids.push(w.stash.addScene({ title: `Scene ${i}`, files: [{ path: file, size: 1000 + i }] }));
      }
      const connection = w.stash.serverConnection();
      const hook = (i: number) => {
        const id = ids[i % ids.length]!;
        const title = `Scene ${i} renamed`;
        w.stash.updateScene(id, { title });
        return JSON.stringify(hookInput(connection, 'Scene.Update.Post', Number(id), { id, title }, ['id', 'title']));
      };
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };
      // Warm up: start the worker and the page cache, then wait for the lease.
      await timedRun([script], hook(0), env);
      await timedRun(['-e', '0'], '');
      const db = await openDatabase(w.dataDir);
      try {
        await waitFor('the background worker', () => currentLease(db) !== undefined, 10_000);
      } finally {
        db.close();
      }

      const hookMs: number[] = [];
      const bareMs: number[] = [];
      const handler: number[] = [];
      let failures = 0;
      for (let i = 0; i < runs; i++) {
        // Alternate which goes first, so neither side always follows the other.
        const order = i % 2 === 0 ? ['hook', 'bare'] : ['bare', 'hook'];
        for (const which of order) {
          if (which === 'bare') {
            bareMs.push((await timedRun(['-e', '0'], '')).ms);
            continue;
          }
          const run = await timedRun([script], hook(i), env);
          hookMs.push(run.ms);
          const own = handlerMs(run.stderr);
          if (run.code !== 0 || own === undefined) failures++;
          else handler.push(own);
        }
      }
      const workerAlive = await (async () => {
        const check = await openDatabase(w.dataDir);
        try {
          return currentLease(check) !== undefined;
        } finally {
          check.close();
        }
      })();
      await w.settle(60_000);

      const [h50, b50, h95, b95] = [percentile(hookMs, 50), percentile(bareMs, 50), percentile(hookMs, 95), percentile(bareMs, 95)];
      const p99 = percentile(handler, 99);
      return {
        title: 'Hook latency',
        setup: `${runs} hook processes (Scene.Update.Post, title change) interleaved with ${runs} \`node -e 0\` runs, same node binary, background worker live and syncing`,
        rows: [
          { metric: 'hook process p50 / bare node p50', value: `${ms(h50)} / ${ms(b50)}` , target: '' },
          { metric: 'p50 ratio', value: (h50 / b50).toFixed(2), target: '≤ 1.25', pass: h50 / b50 <= 1.25 },
          { metric: 'hook process p95 / bare node p95', value: `${ms(h95)} / ${ms(b95)}`, target: '' },
          { metric: 'p95 ratio', value: (h95 / b95).toFixed(2), target: '≤ 1.4', pass: h95 / b95 <= 1.4 },
          { metric: "handler's own time p50 / p99", value: `${percentile(handler, 50).toFixed(2)} ms / ${p99.toFixed(2)} ms`, target: 'p99 < 5 ms', pass: p99 < 5 },
          { metric: 'failed hook runs', value: String(failures), target: '0', pass: failures === 0 },
          { metric: 'worker alive through the run', value: workerAlive ? 'yes' : 'no', target: 'yes', pass: workerAlive },
        ],
        notes: [],
      };
    } finally {
      await scope.close();
    }
  },
};
