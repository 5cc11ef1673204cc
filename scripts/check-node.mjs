// Run first by the npm test scripts, on whatever `node` npm found: says which
// Node the tests need and how to get it, instead of letting an older Node
// fail on the first .ts file with ERR_UNKNOWN_FILE_EXTENSION. Plain
// JavaScript, so that an old Node can run it.
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const projectNode = join(root, 'node_modules', '.bin', 'node');
const [major, minor] = process.versions.node.split('.').map(Number);
const problems = [];
if (major < 22 || (major === 22 && minor < 13)) problems.push('it is older than 22.13');
if (!process.features.typescript) problems.push('it does not run TypeScript files (type stripping)');
if (!isBuiltin('node:sqlite')) problems.push('it has no node:sqlite');

if (problems.length > 0) {
  const lines = [
    `The tests need Node >= 22.13 with type stripping and node:sqlite; this is Node ${process.version} (${process.execPath}), and ${problems.join(', ')}.`,
  ];
  if (!existsSync(projectNode)) {
    lines.push(
      'The project brings its own Node (the `node` devDependency, installed into node_modules/.bin/node by its install script),',
      'and it is missing: `npm ci --ignore-scripts` skips that script. Run `npm ci` (without --ignore-scripts), then try again.',
    );
  } else {
    lines.push('Run the tests through npm (`npm test`, `npm run test:unit`), or with the project\'s Node directly:', '  node_modules/.bin/node --test test/queue.test.ts');
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
}
