// Refreshes the Stash GraphQL schema fixture (test/fixtures/stash-graphql)
// from a Stash checkout: `node scripts/refresh-stash-schema.ts /path/to/stash`.
// Copies graphql/schema/schema.graphql and graphql/schema/types/*.graphql
// verbatim, drops files Stash no longer has, and rewrites the version and
// commit in the fixture's README from the checkout's git history.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'test', 'fixtures', 'stash-graphql');
const readmePath = join(fixture, 'README.md');

function fail(message: string): never {
  process.stderr.write(`refresh-stash-schema: ${message}\n`);
  process.exit(1);
}

const checkout = process.argv[2];
if (!checkout) fail('usage: node scripts/refresh-stash-schema.ts <path to a Stash checkout>');
const source = join(resolve(checkout), 'graphql', 'schema');
if (!existsSync(join(source, 'schema.graphql')) || !existsSync(join(source, 'types'))) {
  fail(`${resolve(checkout)} is not a Stash checkout (no graphql/schema/schema.graphql and graphql/schema/types/)`);
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', resolve(checkout!), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const graphqlFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.graphql')).sort();
const target = join(fixture, 'graphql', 'schema');
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'types'), { recursive: true });
copyFileSync(join(source, 'schema.graphql'), join(target, 'schema.graphql'));
const types = graphqlFiles(join(source, 'types'));
for (const name of types) copyFileSync(join(source, 'types', name), join(target, 'types', name));

const commit = git('rev-parse', 'HEAD') ?? 'unknown (not a git checkout)';
const date = git('log', '-1', '--format=%cs', 'HEAD');
const describe = git('describe', '--tags', '--match', 'v*', 'HEAD');
const ahead = describe?.match(/^(v[^-]+(?:-[^-]+)*?)-(\d+)-g[0-9a-f]+$/);
const version = describe ? (ahead ? `${describe} (${ahead[2]} commits after ${ahead[1]})` : describe) : 'unknown (no version tag)';

const block = [
  '<!-- source: written by scripts/refresh-stash-schema.ts -->',
  '- Repository: https://github.com/stashapp/stash',
  `- Stash version: ${version}`,
  `- Commit: \`${commit}\`${date ? ` (${date})` : ''}`,
  '<!-- /source -->',
].join('\n');
const readme = readFileSync(readmePath, 'utf8');
const updated = readme.replace(/<!-- source:[^]*?<!-- \/source -->/, block);
if (updated === readme && !readme.includes(block)) fail(`${readmePath} has no source block to rewrite`);
writeFileSync(readmePath, updated);
process.stdout.write(`refresh-stash-schema: schema.graphql and ${types.length} type files from ${commit}, ${version}\n`);
