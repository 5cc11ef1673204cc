// Builds the library index of one Plex section in a process of its own, so
// its peak memory is the index's alone, then times lookups.
// Usage: node bench/library-index-child.ts <plexUrl> <token> <dataDir> <library> <items> <folder>
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { LibraryIndex } from '../src/match/library-index.ts';
import { PlexClient } from '../src/plex/client.ts';

const [url, token, dataDir, library, count, folder] = process.argv.slice(2) as [string, string, string, string, string, string];
const items = Number(count);
const db = await openDatabase(dataDir);
const plex = new PlexClient({ baseUrl: url, token, clientIdentifier: 'plexsync-bench', timeoutMs: 60_000 });
const index = new LibraryIndex(db, plex, { libraries: [library], log: createLogger(() => {}) });
const started = performance.now();
await index.ensureBuilt();
const buildMs = performance.now() - started;

const LOOKUPS = 2000;
const t0 = performance.now();
let found = 0;
for (let i = 0; i < LOOKUPS; i++) {
  const n = (i * 7919) % items;
  found += index.byPath(`${folder}/item-${n}.mp4`).length + index.byBasename(`item-${n}.mp4`).length;
}
const lookupUs = ((performance.now() - t0) * 1000) / (LOOKUPS * 2);
plex.close();
db.close();
process.stdout.write(`${JSON.stringify({ buildMs, peakRss: process.resourceUsage().maxRSS * 1024, lookupUs, found, lookups: LOOKUPS * 2 })}\n`);
