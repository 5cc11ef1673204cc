// Benchmark 2: a bulk edit in Stash fires one Scene.Update.Post per scene, each
// carrying the whole BulkSceneUpdateInput. The hooks run back to back, as
// Stash runs them, interleaved with bare `node -e 0` starts; /proc is sampled
// for worker processes of this plugin copy throughout.
import { hookInput } from '../test/helpers/plugin.ts';
import { type Benchmark, benchWorld, ms, percentile, privatePlugin, processesWith, type Scale, Scope, timedRun } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 5, quick: 150, full: 1000 };

export const bulkEdit: Benchmark = {
  name: 'bulk-edit',
  async run(scale) {
    const n = SCENES[scale];
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      const w = await benchWorld(scope, { env: { PLEXSYNC_IDLE_EXIT_MS: '2000' } });
      const tag = w.stash.addTag('Bulk Tagged');
      const ids: string[] = [];
      const ratingKeys: string[] = [];
      for (let i = 0; i < n; i++) {
        const file = `/data/videos/bulk-${i}.mp4`;
        ratingKeys.push(w.plex.addItem({ title: `bulk-${i}`, file, size: 5000 + i }).ratingKey);
        ids.push(w.stash.addScene({ title: `Bulk ${i}`, files: [{ path: file, size: 5000 + i }] }));
      }
      // The edit itself has happened in Stash; then the hooks fire.
      for (const id of ids) w.stash.updateScene(id, { tagIds: [tag] });
      const bulkInput = { ids, tag_ids: { ids: [tag], mode: 'ADD' } };
      const connection = w.stash.serverConnection();
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };

      let maxWorkers = 0;
      let samples = 0;
      const sampler = setInterval(() => {
        samples++;
        maxWorkers = Math.max(maxWorkers, processesWith(script, '--worker').length);
      }, 25);
      const hookMs: number[] = [];
      const bareMs: number[] = [];
      let failures = 0;
      const started = performance.now();
      try {
        for (let i = 0; i < n; i++) {
          const stdin = JSON.stringify(hookInput(connection, 'Scene.Update.Post', Number(ids[i]), bulkInput, ['ids', 'tag_ids']));
          const run = await timedRun([script], stdin, env);
          hookMs.push(run.ms);
          if (run.code !== 0) failures++;
          // A bare start after every other hook: half the samples, same conditions.
          if (i % 2 === 0) bareMs.push((await timedRun(['-e', '0'], '')).ms);
        }
      } finally {
        clearInterval(sampler);
      }
      const wall = (performance.now() - started) / 1000;
      const settled = await w.settle(300_000);
      const synced = ratingKeys.filter((rk) => w.plex.item(rk)?.tags.Genre?.includes('Bulk Tagged')).length;

      const hookTotal = hookMs.reduce((a, b) => a + b, 0);
      const bareTotal = (bareMs.reduce((a, b) => a + b, 0) / bareMs.length) * n;
      const ratio = hookTotal / bareTotal;
      return {
        title: 'Bulk edit',
        setup: `${n} Scene.Update.Post hooks in sequence, each with the whole BulkSceneUpdateInput (${n} ids, tag_ids ADD), interleaved with ${n} \`node -e 0\` starts; /proc sampled every 25 ms (${samples} samples) for worker processes`,
        rows: [
          { metric: `${n} hooks total / ${n} bare starts (estimated)`, value: `${(hookTotal / 1000).toFixed(1)} s / ${(bareTotal / 1000).toFixed(1)} s`, target: '' },
          { metric: 'total ratio', value: ratio.toFixed(2), target: '≤ 1.3', pass: ratio <= 1.3 },
          { metric: 'hook p50 / bare p50', value: `${ms(percentile(hookMs, 50))} / ${ms(percentile(bareMs, 50))}`, target: '' },
          { metric: 'most worker processes alive at one sample', value: String(maxWorkers), target: '≤ 1', pass: maxWorkers <= 1 },
          { metric: 'scenes synced to Plex in the end', value: `${synced} of ${n}`, target: `${n}`, pass: synced === n },
          { metric: 'failed hooks / dead letters', value: `${failures} / ${settled.dead}`, target: '0 / 0', pass: failures === 0 && settled.dead === 0 },
        ],
        notes: [`The whole run, hooks and bare starts interleaved, took ${wall.toFixed(0)} s; the worker synced while the hooks ran.`],
      };
    } finally {
      await scope.close();
    }
  },
};
