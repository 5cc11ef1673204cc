// Benchmark 6: the `import_plays` task over a large matched library with a
// long Plex history: the first import, then a rerun with nothing new.
import { openDatabase, transaction } from '../src/db/database.ts';
import { putRecord } from '../src/sync/records.ts';
import { taskInput } from '../test/helpers/plugin.ts';
import { type Benchmark, benchWorld, mb, memoryOf, privatePlugin, type Scale, Scope, timedRun } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 20, quick: 1000, full: 5000 };
const PLAYS_PER_SCENE = 3;
const LATENCY_MS = 5;

export const playsImport: Benchmark = {
  name: 'plays-import',
  async run(scale) {
    const n = SCENES[scale];
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      const w = await benchWorld(scope, { settings: { importPlays: true, importRatings: true } });
      const start = Math.floor(Date.now() / 1000) - 365 * 86_400;
      const pairs: [string, string][] = [];
      for (let i = 0; i < n; i++) {
        const file = `/data/videos/played-${i}.mp4`;
        const rk = w.plex.addItem({ title: `Played ${i}`, file, size: 30_000 + i }).ratingKey;
        pairs.push([w.stash.addScene({ title: `Played ${i}`, files: [{ path: file, size: 30_000 + i }] }), rk]);
        for (let p = 0; p < PLAYS_PER_SCENE; p++) w.plex.addPlay({ ratingKey: rk, viewedAt: start + i * 600 + p * 60 });
        if (i % 10 === 0) w.plex.item(rk)!.viewOffset = 60_000 + i;
      }
      // The library as a sync leaves it: a sync record per scene naming its item.
      const db = await openDatabase(w.dataDir);
      try {
        transaction(db, () => {
          for (const [sceneId, ratingKey] of pairs) {
            putRecord(db, { sceneId, ratingKey, sectionId: '1', syncedAt: Date.now(), stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null });
          }
        });
      } finally {
        db.close();
      }
      w.plex.setLatency(LATENCY_MS);
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };
      const input = JSON.stringify(taskInput(w.stash.serverConnection(), 'import_plays'));
      const mutations = () => w.stash.requests.filter((r) => r.operationName === 'PlexSyncAddPlay' || r.operationName === 'PlexSyncSaveActivity').length;
      const plexRequests = () => w.plex.requests.length;

      let peak = 0;
      let pid = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, memoryOf(pid)?.peak ?? 0);
      }, 50);
      const before = { mutations: mutations(), plex: plexRequests() };
      const first = await timedRun([script], input, env, (p) => {
        pid = p;
      }).finally(() => clearInterval(sampler));
      if (first.code !== 0) throw new Error(`import_plays failed: ${first.stdout} ${first.stderr.slice(-500)}`);
      const firstSummary = JSON.parse(first.stdout).output as { playsAdded: number; resumePoints: number };
      const firstMutations = mutations() - before.mutations;
      const firstPlex = plexRequests() - before.plex;

      const again = { mutations: mutations(), plex: plexRequests() };
      const second = await timedRun([script], input, env);
      if (second.code !== 0) throw new Error(`second import_plays failed: ${second.stdout} ${second.stderr.slice(-500)}`);
      const secondSummary = JSON.parse(second.stdout).output as { playsAdded: number; resumePoints: number };
      const secondMutations = mutations() - again.mutations;
      const plays = n * PLAYS_PER_SCENE;
      const inStash = pairs.reduce((sum, [scene]) => sum + w.stash.plays(scene).history.length, 0);
      return {
        title: 'Import plays from Plex',
        setup: `${n.toLocaleString('en')} scenes matched to Plex items (a sync record each), ${plays.toLocaleString('en')} plays of the owner in Plex's history, a resume point on every tenth item, importRatings on; fake Plex at ${LATENCY_MS} ms per request; the \`import_plays\` task run as Stash runs it, twice.`,
        rows: [
          {
            metric: 'first import',
            value: `${(first.ms / 1000).toFixed(1)} s: ${firstSummary.playsAdded} plays, ${firstSummary.resumePoints} resume points; ${firstMutations} Stash mutations, ${firstPlex} Plex requests`,
            target: `every play once (${plays})`,
            pass: firstSummary.playsAdded === plays && inStash === plays,
          },
          { metric: 'peak RSS of the first import', value: mb(peak), target: '< 300 MB', pass: peak > 0 && peak < 300 * 1024 * 1024 },
          {
            metric: 'second import, nothing new',
            value: `${(second.ms / 1000).toFixed(1)} s: ${secondSummary.playsAdded} plays, ${secondMutations} Stash mutations`,
            target: '0 plays, 0 mutations',
            pass: secondSummary.playsAdded === 0 && secondMutations === 0,
          },
        ],
        notes: [
          "Most of the first import's time is the fake Stash: graphql-js validates and runs every request against Stash's whole schema, about 30 ms per `sceneAddPlay` on this machine (a loop of 200 calls against the fake alone).",
          'One `sceneAddPlay` per scene carries all its new plays; Stash is asked for the play state of 100 scenes at a time. The history is read 500 entries a page; a second run asks only from a day before the newest play seen, so it reads one page and writes nothing.',
        ],
      };
    } finally {
      await scope.close();
    }
  },
};
