// A node:test reporter that says where the suite's time goes: failures as
// they come, then the counts and every file with the sum of its top-level
// tests' durations, slowest first. After `npm run build`:
//
//   node_modules/.bin/node --test --test-concurrency=4 \
//     --test-reporter=./scripts/test-times.mjs "test/**/*.test.ts"
export default async function* testTimes(source) {
  const files = new Map();
  const started = Date.now();
  for await (const event of source) {
    const data = event.data ?? {};
    const done = event.type === 'test:pass' || event.type === 'test:fail';
    if (done && data.nesting === 0 && data.file) {
      const file = files.get(data.file) ?? { ms: 0, tests: 0, failed: 0 };
      file.ms += data.details?.duration_ms ?? 0;
      file.tests++;
      if (event.type === 'test:fail') file.failed++;
      files.set(data.file, file);
    }
    if (event.type === 'test:fail' && data.details?.type !== 'suite') {
      yield `FAIL ${data.file ?? ''}: ${data.name}\n${String(data.details?.error?.cause ?? data.details?.error ?? '').slice(0, 2000)}\n`;
    }
    if (event.type === 'test:summary' && data.file === undefined) {
      yield `${JSON.stringify(data.counts)} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`;
    }
  }
  const rows = [...files].sort(([, a], [, b]) => b.ms - a.ms);
  for (const [path, file] of rows) {
    const name = path.slice(path.lastIndexOf('/test/') + 1);
    yield `${(file.ms / 1000).toFixed(1).padStart(7)} s ${String(file.tests).padStart(3)} tests${file.failed ? ` ${file.failed} failed` : ''}  ${name}\n`;
  }
}
