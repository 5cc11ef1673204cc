// Benchmark 6: the metadata provider's answers against a large Stash, the
// way a library scan asks for them: a match per file, then the item's
// metadata, several requests at once.
import { createLogger } from '../src/log/logger.ts';
import { parsePathMap } from '../src/match/pathmap.ts';
import { startProvider } from '../src/provider/server.ts';
import { StashClient } from '../src/stash/client.ts';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_FIND_SCENE } from '../src/provider/queries.ts';
import { type Benchmark, ms, percentile, type Scale, Scope } from './lib.ts';

const SCENES: Record<Scale, number> = { smoke: 40, quick: 5000, full: 50_000 };
const METADATA_REQUESTS: Record<Scale, number> = { smoke: 40, quick: 1000, full: 5000 };
const MATCH_REQUESTS: Record<Scale, number> = { smoke: 20, quick: 200, full: 500 };
/** Requests in flight at once (Plex refreshes several items in parallel). */
const CONCURRENCY = 4;
const TARGET_P99_MS = 200;
const API_KEY = 'bench-api-key';
const CHILD = join(import.meta.dirname, 'provider-stash-child.ts');

/** Starts the fake Stash child and waits (bounded) for its URL. */
function stashChild(scope: Scope, scenes: number): Promise<string> {
  const child = spawn(process.execPath, [CHILD, String(scenes), API_KEY], { stdio: ['pipe', 'pipe', 'inherit'] });
  scope.after(() => {
    child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    return new Promise<void>((resolve) => child.on('close', () => resolve())).finally(() => clearTimeout(killer));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake Stash child did not start within 10 minutes')), 600_000);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.on('close', (code) => reject(new Error(`the fake Stash child exited with ${code}`)));
  });
}

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
      const stashUrl = await stashChild(scope, n);
      const client = new StashClient({ baseUrl: stashUrl, apiKey: API_KEY, timeoutMs: 30_000 });
      const mappings = parsePathMap('/stash/videos=>/data/videos');
      const server = await startProvider({ host: '127.0.0.1', port: 0, stash: client, settings: () => ({ mappings, contentRating: '', titleTemplate: '' }), log: createLogger((line) => process.stderr.write(line.replace(/[\x01\x02]/g, ' '))) });
      scope.after(() => server.close());

      const pick = lcg(42);
      const metadataIds = Array.from({ length: METADATA_REQUESTS[scale] }, () => String(1 + Math.floor(pick() * n)));
      // The same questions put to Stash directly: how much of the answer time is Stash's.
      const direct = await timed(metadataIds.length, (i) =>
        fetch(`${stashUrl}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ApiKey: API_KEY },
          body: JSON.stringify({ query: PROVIDER_FIND_SCENE, variables: { id: metadataIds[i] } }),
        }),
      );
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
        setup: `${n.toLocaleString('en')} scenes in the fake Stash (two performers and three tags each), the fake Stash in a process of its own (bench/provider-stash-child.ts), the provider on loopback in the benchmark's process, ${CONCURRENCY} requests in flight: ${metadata.length.toLocaleString('en')} metadata requests for random scenes, then ${match.length} match requests by full Plex path through pathMap.`,
        rows: [
          { metric: 'Stash alone, the same findScene requests: p50 / p99', value: `${ms(percentile(direct, 50))} / ${ms(percentile(direct, 99))}`, target: '' },
          { metric: 'metadata p50', value: ms(percentile(metadata, 50)), target: '' },
          { metric: 'metadata p99', value: ms(p99), target: `< ${TARGET_P99_MS} ms`, pass: p99 < TARGET_P99_MS },
          { metric: 'match p50', value: ms(percentile(match, 50)), target: '' },
          { metric: 'match p99', value: ms(percentile(match, 99)), target: '< 90 s (Plex\u2019s provider timeout)', pass: percentile(match, 99) < 90_000 },
        ],
        notes: [
          `Load average of the shared machine at the end of the run: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; Stash's own answers, measured alongside, show how much of each figure is the machine.`,
          'A match asks Stash one question (scenes with a file of that basename); the fake Stash answers it by testing every file, as SQLite does without an index on the basename column, so match time grows with the library while metadata time does not.',
        ],
      };
    } finally {
      await scope.close();
    }
  },
};
