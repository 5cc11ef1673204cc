// Benchmark 4: the library index of a large, paged Plex library. Build time
// and peak memory of a process that builds it, lookup time at two library
// sizes, and the page requests of a refresh after one new item.
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { LibraryIndex } from '../src/match/library-index.ts';
import { PlexClient } from '../src/plex/client.ts';
import { startFakePlex } from '../test/fakes/plex-server.ts';
import { tempDir } from '../test/helpers/temp.ts';
import { type Benchmark, mb, type Scale, Scope, timedRun } from './lib.ts';

const SIZES: Record<Scale, { small: number; big: number }> = { smoke: { small: 50, big: 500 }, quick: { small: 1000, big: 20_000 }, full: { small: 1000, big: 100_000 } };
const LATENCY_MS = 5;
const CHILD = join(import.meta.dirname, 'library-index-child.ts');

interface ChildResult {
  buildMs: number;
  peakRss: number;
  lookupUs: number;
  found: number;
  lookups: number;
}

export const libraryIndex: Benchmark = {
  name: 'library-index',
  async run(scale) {
    const { small, big } = SIZES[scale];
    const scope = new Scope();
    try {
      const plex = await startFakePlex({
        sections: [
          { id: '1', title: 'Small', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/small'] },
          { id: '2', title: 'Big', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/big'] },
        ],
      });
      scope.after(() => plex.close());
      // Distinct update times, as items scanned over time have; the newest is last.
      const base = Math.floor(Date.now() / 1000) - 10 * 86_400;
      for (const [sectionId, folder, n] of [['1', '/data/small', small], ['2', '/data/big', big]] as const) {
        for (let i = 0; i < n; i++) {
          plex.addItem({ sectionId, title: `Item ${i}`, file: `${folder}/item-${i}.mp4`, size: 1_000_000 + i }).updatedAt = base + i;
        }
      }
      plex.setLatency(LATENCY_MS);
      const build = async (library: string, n: number, folder: string) => {
        const dataDir = tempDir(scope);
        const run = await timedRun([CHILD, plex.url, plex.token, dataDir, library, String(n), folder], '');
        if (run.code !== 0) throw new Error(`index child failed: ${run.stderr.slice(-800)}`);
        return { dataDir, ...(JSON.parse(run.stdout) as ChildResult) };
      };
      const smallRun = await build('Small', small, '/data/small');
      const pagesBefore = plex.requestCount({ path: '/library/sections/2/all' });
      const bigRun = await build('Big', big, '/data/big');
      const buildPages = plex.requestCount({ path: '/library/sections/2/all' }) - pagesBefore;

      // One new item, then a refresh by a fresh process's index over the same database.
      plex.addItem({ sectionId: '2', title: 'Brand new', file: '/data/big/brand-new.mp4', size: 42 }).updatedAt = base + big + 60;
      const db = await openDatabase(bigRun.dataDir);
      const client = new PlexClient({ baseUrl: plex.url, token: plex.token, clientIdentifier: 'plexsync-bench', timeoutMs: 60_000 });
      let refreshPages = 0;
      let newFound = 0;
      try {
        const index = new LibraryIndex(db, client, { libraries: ['Big'], log: createLogger(() => {}) });
        const before = plex.requestCount({ path: '/library/sections/2/all' });
        await index.refresh();
        refreshPages = plex.requestCount({ path: '/library/sections/2/all' }) - before;
        newFound = index.byPath('/data/big/brand-new.mp4').length;
      } finally {
        client.close();
        db.close();
      }
      const lookupRatio = bigRun.lookupUs / smallRun.lookupUs;
      const allFound = smallRun.found === smallRun.lookups && bigRun.found === bigRun.lookups;
      return {
        title: 'Library index',
        setup: `Fake Plex section of ${big.toLocaleString('en')} items (and one of ${small.toLocaleString('en')} for comparison), paged 1,000 per request, ${LATENCY_MS} ms per request; the index is built by a separate process (bench/library-index-child.ts) whose peak RSS is reported.`,
        rows: [
          { metric: `build time, ${big.toLocaleString('en')} items`, value: `${(bigRun.buildMs / 1000).toFixed(1)} s (${buildPages} page requests)`, target: '< 15 s', pass: bigRun.buildMs < 15_000 },
          { metric: 'peak RSS of the building process', value: mb(bigRun.peakRss), target: '< 300 MB', pass: bigRun.peakRss < 300 * 1024 * 1024 },
          { metric: `lookup (by path or basename), ${small.toLocaleString('en')} / ${big.toLocaleString('en')} items`, value: `${smallRun.lookupUs.toFixed(1)} µs / ${bigRun.lookupUs.toFixed(1)} µs`, target: 'flat (O(1))', pass: lookupRatio < 2 && allFound },
          { metric: 'refresh after one new item: page requests', value: `${refreshPages} (new item indexed: ${newFound === 1 ? 'yes' : 'no'})`, target: 'not the whole library', pass: refreshPages <= 1 && newFound === 1 },
        ],
        notes: [`Lookups are indexed SQLite queries (plex_parts_file_key, plex_parts_basename); the ratio of the two lookup times is ${lookupRatio.toFixed(2)}.`],
      };
    } finally {
      await scope.close();
    }
  },
};
