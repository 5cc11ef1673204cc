// Runs the build and the whole test suite on a given Node version, installed
// from the npm registry (the `node` package) into .cache/node-<version>, so
// the suite runs on the oldest supported Node (22.13) as well as the current
// LTS, never on whatever Node the machine has. The built plugin and the
// processes the tests spawn run on that Node too (they use process.execPath).
//
//   npm run test:node -- 22.13.1
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = process.argv[2];
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
  console.error('usage: node scripts/test-on-node.ts <exact Node version, e.g. 22.13.1>');
  process.exit(2);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function installedNode(): string {
  if (process.version === `v${version}`) return process.execPath;
  const prefix = join(root, '.cache', `node-${version}`);
  const bin = join(prefix, 'node_modules', '.bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    // The `node` package downloads its binary in a preinstall script: approve it by name.
    writeFileSync(
      join(prefix, 'package.json'),
      `${JSON.stringify({ private: true, dependencies: { node: version }, allowScripts: { node: true } }, null, 2)}\n`,
    );
    run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error']);
  }
  return bin;
}

const node = installedNode();
const reported = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (reported !== `v${version}`) {
  console.error(`${node} reports ${reported}, expected v${version}`);
  process.exit(1);
}
console.log(`testing on Node ${reported} (${node})`);
// Node 22 runs .ts files only with type stripping switched on; NODE_OPTIONS
// carries the flag to every Node process the tests start.
const [major] = version.split('.').map(Number);
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
if ((major ?? 0) < 23) env.NODE_OPTIONS = [process.env.NODE_OPTIONS, '--experimental-strip-types'].filter(Boolean).join(' ');
run(node, ['scripts/build.ts'], env);
// Four files at a time, as `npm test` runs them: most end-to-end files wait on
// child processes, loopback servers and timers, not on the CPU, so four keep
// two cores busy where two left them half idle.
run(node, ['--test', '--test-reporter=spec', '--test-concurrency=4', '--test-timeout=300000', ...(process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['test/**/*.test.ts'])], env);
