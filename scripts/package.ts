// Packs dist/PlexSync/ for a Stash plugin source (CONTRACT section 2):
// dist/PlexSync.zip holds the folder's contents with no top directory (Stash
// extracts it into <plugins>/<source>/PlexSync/), and dist/index.yml lists
// it with the zip's sha256, which Stash checks before installing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Zippable, zipSync } from 'fflate';
import { stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const folder = join(dist, 'PlexSync');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** Every file under `dir`, absolute. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Zip paths (always `/`) relative to the plugin folder, sorted for a stable zip. */
function zipPaths(): string[] {
  return walk(folder)
    .map((p) => relative(folder, p).split(sep).join('/'))
    .sort();
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, the date format of Stash's index.yml. */
function stashDate(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

const entries: Zippable = {};
// A fixed timestamp keeps the zip (and its sha256) the same for the same files.
const mtime = new Date('2000-01-01T00:00:00Z');
for (const file of zipPaths()) entries[file] = [readFileSync(join(folder, file)), { mtime }];
const zip = zipSync(entries, { level: 9 });
writeFileSync(join(dist, 'PlexSync.zip'), zip);

const index = [
  {
    id: 'PlexSync',
    name: 'PlexSync',
    metadata: {},
    version: pkg.version,
    date: stashDate(new Date()),
    requires: [],
    path: 'PlexSync.zip',
    sha256: createHash('sha256').update(zip).digest('hex'),
  },
];
// Quoted: a bare date or version could be read as a timestamp or a number.
writeFileSync(join(dist, 'index.yml'), stringify(index, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }));
console.log(`packed ${join(dist, 'PlexSync.zip')} and index.yml`);
