// Benchmark 6: the metadata provider's answers against a large Stash, the
// way a library scan asks for them: a match per file, then the item's
// metadata, several requests at once.
import { createLogger } from '../src/log/logger.ts';
import { parsePathMap } from '../src/match/pathmap.ts';
import { startProvider } from '../src/provider/server.ts';
import { StashClient } from '../src/stash/client.ts';
import { startFakeStash } from '../test/fakes/stash-server.ts';
import { type Benchmark, ms, percentile, type Scale, Scope } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 40, quick: 5000, full: 50_000 };
const METADATA_REQUESTS: Record<Scale, number> = { smoke: 40, quick: 1000, full: 5000 };
const MATCH_REQUESTS: Record<Scale, number> = { smoke: 20, quick: 200, full: 500 };
/** Requests in flight at once (Plex refreshes several items in parallel). */
const CONCURRENCY = 4;
const TARGET_P99_MS = 200;

/** A fixed pseudo-random sequence, so runs ask for the same scenes. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

async function timed(count: number, request: (i: number) => Promise<Response>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const started = performance.now();
      const res = await request(i);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`provider answered ${res.status} to request ${i}`);
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return times;
}

export const provider: Benchmark = {
  name: 'provider',
  async run(scale) {
    const n = SCENES[scale];
    const scope = new Scope();
    try {
      const stash = await startFakeStash({ session: false, apiKey: 'bench-api-key' });
      scope.after(() => stash.close());
      const performers = Array.from({ length: 200 }, (_, i) => stash.addPerformer(`Performer ${i}`));
      const tags = Array.from({ length: 300 }, (_, i) => stash.addTag(`Tag ${i}`));
      const studio = stash.addStudio('Studio');
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(
          stash.addScene({
            title: `Scene ${i}`,
            details: `Details of scene ${i}. `.repeat(8),
            date: '2024-05-06',
            studioId: studio,
            performerIds: [performers[i % 200]!, performers[(i * 7) % 200]!],
            tagIds: [tags[i % 300]!, tags[(i * 3) % 300]!, tags[(i * 11) % 300]!],
            files: [{ path: `/stash/videos/${i % 100}/scene-${i}.mp4`, size: 1000 + i, duration: 600 }],
          }),
        );
      }
      const client = new StashClient({ baseUrl: stash.url, apiKey: 'bench-api-key', timeoutMs: 30_000 });
      const mappings = parsePathMap('/stash/videos=>/data/videos');
      const server = await startProvider({ host: '127.0.0.1', port: 0, stash: client, settings: () => ({ mappings, contentRating: '' }), log: createLogger((line) => process.stderr.write(line.replace(/[\x01\x02]/g, ' '))) });
      scope.after(() => server.close());

      const pick = lcg(42);
      const metadataIds = Array.from({ length: METADATA_REQUESTS[scale] }, () => ids[Math.floor(pick() * n)]!);
      const metadata = await timed(metadataIds.length, (i) => fetch(`${server.url}/library/metadata/${metadataIds[i]}`, { headers: { Accept: 'application/json' } }));
      const matchIds = Array.from({ length: MATCH_REQUESTS[scale] }, () => Math.floor(pick() * n));
      const match = await timed(matchIds.length, (i) =>
        fetch(`${server.url}/library/metadata/matches`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ type: 1, title: `scene-${matchIds[i]}`, filename: `/data/videos/${matchIds[i]! % 100}/scene-${matchIds[i]}.mp4` }),
        }),
      );
      const p99 = percentile(metadata, 99);
      return {
        title: 'Metadata provider',
        setup: `${n.toLocaleString('en')} scenes in the fake Stash (two performers and three tags each), the provider on loopback in the same process as the fake Stash (so Stash's own time is counted), ${CONCURRENCY} requests in flight: ${metadata.length.toLocaleString('en')} metadata requests for random scenes, then ${match.length} match requests by full Plex path through pathMap.`,
        rows: [
          { metric: 'metadata p50', value: ms(percentile(metadata, 50)), target: '' },
          { metric: 'metadata p99', value: ms(p99), target: `< ${TARGET_P99_MS} ms`, pass: p99 < TARGET_P99_MS },
          { metric: 'match p50', value: ms(percentile(match, 50)), target: '' },
          { metric: 'match p99', value: ms(percentile(match, 99)), target: '< 90 s (Plex\u2019s provider timeout)', pass: percentile(match, 99) < 90_000 },
        ],
        notes: [
          'A match asks Stash one question (scenes with a file of that basename); the fake Stash answers it by testing every file, as SQLite does without an index on the basename column, so match time grows with the library while metadata time does not.',
        ],
      };
    } finally {
      await scope.close();
    }
  },
};
