// Docs check: the commands, settings, environment knobs, links and path
// mapping examples in README.md and docs/ agree with the code.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { SETTING_DEFAULTS } from '../src/config/settings.ts';
import { SETTINGS_SPEC } from '../src/config/settings-spec.ts';
import { ENV_DEFAULTS } from '../src/config/env.ts';
import { mapStashPath, parsePathMap } from '../src/match/pathmap.ts';
import { REPO } from './helpers/plugin.ts';

const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(REPO, file), 'utf8');
const configuration = read('docs/configuration.md');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** npm's own commands that need no script. */
const NPM_BUILTINS = new Set(['ci', 'install']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The row of a markdown table whose first cell is `key` in backticks. */
function row(doc: string, key: string): string[] | undefined {
  const line = doc.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
  return line?.split('|').slice(1, -1).map((cell) => cell.trim());
}

test('every npm command in the docs is a package.json script or an npm built-in', () => {
  for (const file of DOCS) {
    for (const [, command] of read(file).matchAll(/\bnpm ((?:run )?[\w:-]+)/g)) {
      const [verb, script] = command!.startsWith('run ') ? ['run', command!.slice(4)] : [command!, command!];
      if (verb !== 'run' && NPM_BUILTINS.has(verb)) continue;
      assert.ok(Object.hasOwn(pkg.scripts, script), `${file}: "npm ${command}" is not a script in package.json`);
    }
  }
});

test('every setting is documented with its type and default', () => {
  for (const spec of SETTINGS_SPEC) {
    const cells = row(configuration, spec.key);
    assert.ok(cells, `docs/configuration.md has no row for ${spec.key}`);
    assert.equal(cells[1], spec.type, `${spec.key} type`);
    const key = spec.key === 'pathMap' ? 'pathMapRaw' : spec.key;
    const fallback = (SETTING_DEFAULTS as unknown as Record<string, unknown>)[key];
    if (fallback === undefined) assert.equal(cells[2], 'required', `${spec.key} has no default, so it is required`);
    else if (typeof fallback === 'number') assert.equal(cells[2], String(fallback), `${spec.key} default`);
    else if (typeof fallback === 'boolean') assert.equal(cells[2], fallback ? 'on' : 'off', `${spec.key} default`);
    else if (fallback === '' || (Array.isArray(fallback) && fallback.length === 0)) assert.match(cells[2]!, /^empty/, `${spec.key} default`);
    else assert.equal(cells[2], `\`${String(fallback)}\``, `${spec.key} default`);
  }
});

test('every environment variable the code reads is documented, with its default', () => {
  const names = new Set(sourceFiles(join(REPO, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bPLEXSYNC_[A-Z_]+\b/g)].map((m) => m[0])));
  assert.ok(names.size >= 3);
  for (const name of names) assert.ok(row(configuration, name), `docs/configuration.md has no row for ${name}`);
  // Each knob's default, as env.ts pairs them: positiveInt(env, 'NAME', ENV_DEFAULTS.key[, why0]).
  const pairs = [...read('src/config/env.ts').matchAll(/'(PLEXSYNC_\w+)', ENV_DEFAULTS\.(\w+)[,)]/g)];
  assert.ok(pairs.length >= 3);
  const defaults = ENV_DEFAULTS as unknown as Record<string, number>;
  const envRows = Object.fromEntries(pairs.map(([, name, key]) => [name!, defaults[key!]!]));
  for (const [name, fallback] of Object.entries(envRows)) assert.equal(row(configuration, name)?.[1], String(fallback), `${name} default`);
});

test('relative links in the docs point at files that exist', () => {
  for (const file of DOCS) {
    for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
      const path = join(REPO, dirname(file), target!.split('#')[0]!);
      assert.ok(existsSync(path), `${file}: link ${target} does not resolve`);
    }
  }
});

test('the worked path mapping examples give the documented Plex paths', () => {
  const doc = read('docs/path-mapping.md');
  const section = doc.slice(doc.indexOf('## Worked examples'), doc.indexOf('## When nothing matches'));
  const rows = section.split('\n').filter((l) => l.startsWith('|') && !l.startsWith('|---') && !l.startsWith('| setup'));
  assert.ok(rows.length >= 6);
  const code = (cell: string) => (cell === '(empty)' ? '' : cell.replace(/^`|`$/g, ''));
  for (const line of rows) {
    const [, map, stash, plex] = line.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(mapStashPath(code(stash!), parsePathMap(code(map!))), code(plex!), line);
  }
});

test('the derived Stash image (for hooks) adds Node to the official Stash image and checks node:sqlite', () => {
  const dockerfile = read('docker/stash-with-node.Dockerfile');
  assert.match(dockerfile, /^FROM \$\{STASH_IMAGE\}$/m);
  assert.match(dockerfile, /ARG STASH_IMAGE=stashapp\/stash:/);
  assert.match(dockerfile, /apk add --no-cache nodejs/);
  assert.match(dockerfile, /require\('node:sqlite'\)/);
  const compose = read('docker/docker-compose.stash-with-node.yml');
  assert.match(compose, /dockerfile: stash-with-node.Dockerfile/);
  assert.match(compose, /\/root\/\.stash/);
  // The compose file's comment states the mapping that path-mapping.md's Docker example uses.
  assert.match(compose, /Path mapping: \/data=>\/media\/videos/);
});
