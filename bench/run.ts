// Runs the benchmarks and writes docs/benchmarks.md.
//   node bench/run.ts                 all, full size; rewrites the document
//   node bench/run.ts hook-latency    one (or several) by name; updates its section
//   node bench/run.ts --quick [names] smaller sizes; printed only, the document is left alone
// Each full result is kept in bench/results/<name>.json so that running one
// benchmark rewrites its own section and keeps the others.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './all.ts';
import { type BenchResult, machine, type Scale } from './lib.ts';
import { renderDocument } from './render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');

const args = process.argv.slice(2);
const scale: Scale = args.includes('--quick') ? 'quick' : 'full';
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));

const env = machine();
console.log(`${env.cpu}, ${env.cores} cores, ${env.memory}, node ${env.node}; scale ${scale}`);
for (const bench of chosen) {
  const started = performance.now();
  console.log(`\n== ${bench.name}`);
  const result: BenchResult = { name: bench.name, ...(await bench.run(scale)), seconds: (performance.now() - started) / 1000 };
  for (const row of result.rows) {
    const verdict = row.pass === undefined ? '' : row.pass ? '  ok' : '  MISSED';
    console.log(`  ${row.metric}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${verdict}`);
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
  console.log(`  (${result.seconds.toFixed(0)} s)`);
  if (scale === 'full') {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${bench.name}.json`), `${JSON.stringify({ machine: env, result }, null, 2)}\n`);
  }
}

if (scale === 'full') {
  const saved = BENCHMARKS.flatMap((b) => {
    try {
      return [JSON.parse(readFileSync(join(resultsDir, `${b.name}.json`), 'utf8')) as { machine: ReturnType<typeof machine>; result: BenchResult }];
    } catch {
      return [];
    }
  });
  writeFileSync(join(root, 'docs', 'benchmarks.md'), renderDocument(saved, BENCHMARKS.map((b) => b.name)));
  console.log('\nwrote docs/benchmarks.md');
}
// Fake servers and pooled sockets may linger; every benchmark has finished.
process.exit(0);
