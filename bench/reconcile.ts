// Benchmark 5: the `reconcile` task over a large library, its memory, and the
// memory of a worker draining the queue reconcile leaves behind.
import { openDatabase, sql, transaction } from '../src/db/database.ts';
import { StashClient } from '../src/stash/client.ts';
import { connectionFromServer } from '../src/stash/connection.ts';
import { putRecord } from '../src/sync/records.ts';
import { counts } from '../src/queue/operations.ts';
import { taskInput } from '../test/helpers/plugin.ts';
import { type Benchmark, benchWorld, mb, memoryOf, privatePlugin, processesWith, type Scale, Scope, timedRun, waitFor } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 30, quick: 5000, full: 50_000 };
const LATENCY_MS = 5;
/** How long the worker's memory is watched while it drains. */
const WATCH_MS: Record<Scale, number> = { smoke: 1500, quick: 8000, full: 20_000 };

export const reconcile: Benchmark = {
  name: 'reconcile',
  async run(scale) {
    const n = SCENES[scale];
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      const w = await benchWorld(scope, { env: { PLEXSYNC_IDLE_EXIT_MS: '1000' } });
      for (let i = 0; i < n; i++) {
        const file = `/data/videos/rec-${i}.mp4`;
        w.plex.addItem({ title: `Scene ${i}`, file, size: 20_000 + i });
        w.stash.addScene({ title: `Scene ${i}`, files: [{ path: file, size: 20_000 + i }] });
      }
      w.plex.setLatency(LATENCY_MS);
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };
      const writes = () => w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' });
      const writesBefore = writes();
      let peak = 0;
      let pid = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, memoryOf(pid)?.peak ?? 0);
      }, 50);
      const run = await timedRun([script], JSON.stringify(taskInput(w.stash.serverConnection(), 'reconcile')), env, (p) => {
        pid = p;
      }).finally(() => clearInterval(sampler));
      const reconcileWrites = writes() - writesBefore;
      if (run.code !== 0) throw new Error(`reconcile failed: ${run.stdout} ${run.stderr.slice(-500)}`);
      const summary = JSON.parse(run.stdout).output as { scenes: number; same: number; neverSynced: number; queued: number };

      // Reconcile queued the never-synced scenes and started a worker: watch its memory as it drains.
      await waitFor('the worker reconcile started', () => processesWith(script, '--worker').length > 0, 15_000);
      const worker = processesWith(script, '--worker')[0]!;
      const db = await openDatabase(w.dataDir);
      const rss: { at: number; rss: number; done: number }[] = [];
      try {
        const until = Date.now() + WATCH_MS[scale];
        while (Date.now() < until) {
          const m = memoryOf(worker);
          if (!m) break;
          rss.push({ at: Date.now(), rss: m.rss, done: counts(db).done });
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      } finally {
        db.close();
      }
      // The worker was started by our run; stop it rather than wait for a full sync.
      for (const p of processesWith(script, '--worker')) process.kill(p, 'SIGKILL');
      // Phase 2: the same library as it is after a sync: every item locked and
      // matching, a sync record per scene. Reconcile must find all of them the same.
      const unchanged = await reconcileUnchanged(w, writes, () => timedRun([script], JSON.stringify(taskInput(w.stash.serverConnection(), 'reconcile')), env));

      const early = rss[Math.min(rss.length - 1, 2)];
      const late = rss[rss.length - 1];
      const growth = early && late ? late.rss - early.rss : 0;
      return {
        title: 'Full sync and reconcile',
        setup: `${n.toLocaleString('en')} scenes in the fake Stash, each with its Plex item (same file and size), fake Plex at ${LATENCY_MS} ms per request; the \`reconcile\` task run as Stash runs it. First with the scenes never synced (reconcile compares each with its item and queues all of them, and the worker's memory is watched as it drains), then with the library as a sync leaves it (every scene up to date).`,
        rows: [
          { metric: 'reconcile time', value: `${(run.ms / 1000).toFixed(1)} s for ${summary.scenes} scenes (${summary.neverSynced} never synced, ${summary.queued} queued)`, target: '< 2 min', pass: run.ms < 120_000 && summary.scenes === n },
          { metric: 'Plex writes during reconcile', value: String(reconcileWrites), target: '0', pass: reconcileWrites === 0 },
          { metric: 'peak RSS of the reconcile process', value: mb(peak), target: '< 300 MB', pass: peak > 0 && peak < 300 * 1024 * 1024 },
          {
            metric: 'reconcile of the unchanged library (every scene synced before)',
            value: `${(unchanged.ms / 1000).toFixed(1)} s: ${unchanged.same} of ${n} up to date, ${unchanged.queued} queued`,
            target: '< 2 min, 0 queued',
            pass: unchanged.ms < 120_000 && unchanged.same === n && unchanged.queued === 0,
          },
          { metric: 'Plex writes during that reconcile', value: String(unchanged.writes), target: '0', pass: unchanged.writes === 0 },
          {
            metric: `worker RSS with ${summary.queued.toLocaleString('en')} jobs queued, early → late`,
            value: early && late ? `${mb(early.rss)} (${early.done} done) → ${mb(late.rss)} (${late.done} done)` : 'not sampled',
            target: 'flat',
            pass: early !== undefined && growth < 30 * 1024 * 1024,
          },
        ],
        notes: [
          'The unchanged library is made by hand rather than by syncing 50,000 scenes first (that alone would take longer than the benchmark may): every Plex item gets the locks a sync leaves, and every scene a sync record naming its item and screenshot URL.',
          'The worker RSS is watched while it syncs the queued scenes: it does not grow with the queue, which lives in SQLite (the worker claims one job per lane). Long-running modes size the V8 heap for memory (`--optimize-for-size`); without that the heap grew to ~270 MB over 2,000 jobs with a live set of ~30 MB.',
        ],
      };
    } finally {
      await scope.close();
    }
  },
};

/** Locks every item, records every scene as synced to its item, then times a reconcile. */
async function reconcileUnchanged(
  w: Awaited<ReturnType<typeof benchWorld>>,
  writes: () => number,
  reconcileRun: () => ReturnType<typeof timedRun>,
): Promise<{ ms: number; same: number; queued: number; writes: number }> {
  const stash = new StashClient({ ...connectionFromServer(w.stash.serverConnection()), timeoutMs: 30_000 });
  const db = await openDatabase(w.dataDir);
  try {
    db.exec(`DELETE FROM jobs`);
    const lockNames = ['title', 'summary', 'originallyAvailableAt', 'studio', 'genre', 'actor', 'director', 'collection'];
    for (let page = 1; ; page++) {
      const { scenes } = await stash.findScenesPage(page, 1000);
      if (scenes.length === 0) break;
      transaction(db, () => {
        for (const scene of scenes) {
          const file = scene.files[0]!.path;
          const rk = sql(db, 'SELECT rating_key FROM plex_parts WHERE file = ?').get(file) as { rating_key: string } | undefined;
          if (!rk) continue;
          const item = w.plex.item(rk.rating_key);
          for (const name of lockNames) item?.locked.add(name);
          putRecord(db, {
            sceneId: scene.id,
            ratingKey: rk.rating_key,
            sectionId: '1',
            syncedAt: Date.now(),
            stateHash: null,
            posterHash: null,
            posterUrl: scene.screenshotUrl,
            collections: [],
            sceneUpdatedAt: scene.updatedAt,
          });
        }
      });
    }
  } finally {
    db.close();
  }
  const before = writes();
  const run = await reconcileRun();
  if (run.code !== 0) throw new Error(`reconcile failed: ${run.stdout} ${run.stderr.slice(-500)}`);
  const out = JSON.parse(run.stdout).output as { same: number; queued: number };
  return { ms: run.ms, same: out.same, queued: out.queued, writes: writes() - before };
}

