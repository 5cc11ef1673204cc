// `npm run test:unit`: the fast tests, in one process. A test file is
// end-to-end, and left to `npm test`, when it runs the built plugin or CLI
// (startWorld, runPlugin, startServiceProcess, dist/), runs another program (execFile), runs the
// benchmarks, or drives a browser (test/ui). The rest are unit tests (one
// may still start a throwaway Node, e.g. to get the pid of an exited process).
// Extra arguments go to `node --test` (e.g. --test-name-pattern=...).
// `--list` prints the unit test files instead of running them;
// `--mutation` keeps only those that import the code mutation testing
// mutates (stryker.config.json); it is the command `npm run test:mutation`
// runs for each mutant, and there it runs only the files whose imports reach
// the mutant's source file (found by its id in the instrumented sources).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const END_TO_END = /\b(?:startWorld|runPlugin|startServiceProcess|runServeToExit|execFile|execFileSync)\(|'dist'|\.\.\/bench\//;
/** A value import of the mutated folders (src/queue, worker, sync, match, hooks) or of the Plex edit query. */
const REACHES_MUTATED = /^import (?!type )[^;]*from '\.\.\/src\/(?:(?:queue|worker|sync|match|hooks)\/|plex\/edit-query\.ts)/m;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'ui' ? [] : testFiles(path);
      return entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

function unitTestFiles(mutation: boolean): string[] {
  return testFiles(join(root, 'test'))
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return !END_TO_END.test(text) && (!mutation || REACHES_MUTATED.test(text));
    })
    .map((file) => relative(root, file));
}

/** Every file a module imports, directly or not (relative .ts imports only). */
function importClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file) || !existsSync(file)) return seen;
  seen.add(file);
  for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+\.ts)'/g)) {
    importClosure(resolve(dirname(file), target!), seen);
  }
  return seen;
}

/** The source file that holds an instrumented mutant, by its id. */
function mutantFile(id: string): string | undefined {
  const marker = `stryMutAct_9fa48("${id}")`;
  const walk = (dir: string): string | undefined => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const found = entry.isDirectory() ? walk(path) : entry.name.endsWith('.ts') && readFileSync(path, 'utf8').includes(marker) ? path : undefined;
      if (found) return found;
    }
    return undefined;
  };
  return walk(join(root, 'src'));
}

const args = process.argv.slice(2);
const own = new Set(['--list', '--mutation']);
let files = unitTestFiles(args.includes('--mutation'));
const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
if (args.includes('--mutation') && mutant !== undefined) {
  const source = mutantFile(mutant);
  if (source) {
    // The files that import it directly first: they are likeliest to kill it soon.
    const importPath = `/src/${relative(join(root, 'src'), source)}'`;
    const direct = (file: string) => (readFileSync(join(root, file), 'utf8').includes(importPath) ? 0 : 1);
    files = files.filter((file) => importClosure(join(root, file)).has(source)).sort((a, b) => direct(a) - direct(b));
  }
  // No unit test reaches the file: nothing can kill the mutant.
  if (files.length === 0) process.exit(0);
}
if (args.includes('--mutation') && !args.includes('--list')) {
  // In this process, stopping at the first failure: a mutant is killed by one failing test.
  const { run } = await import('node:test');
  const stream = run({ files: files.map((file) => join(root, file)), isolation: 'none', cwd: root });
  stream.on('test:fail', (event) => {
    process.stderr.write(`killed by: ${event.name} (${event.file ?? ''})\n`);
    process.exit(1);
  });
  stream.on('data', () => {});
  await new Promise((resolve) => stream.on('end', resolve));
  process.exit(0);
}
if (args.includes('--list')) {
  process.stdout.write(`${files.join('\n')}\n`);
} else {
  // One process for all files: starting Node once per file costs more than the tests.
  const run = spawnSync(process.execPath, ['--test', '--test-isolation=none', ...args.filter((a) => !own.has(a)), ...files], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
