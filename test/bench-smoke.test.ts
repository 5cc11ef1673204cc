// Every benchmark in bench/ runs at a tiny size, so the benchmarks keep
// working as the code changes. Targets are not checked here: the figures of
// a few runs on a busy test machine mean nothing; `npm run bench` is for that.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BENCHMARKS } from '../bench/all.ts';

for (const bench of BENCHMARKS) {
  test(`benchmark ${bench.name} runs at smoke size and reports figures`, async () => {
    const result = await bench.run('smoke');
    assert.ok(result.rows.length > 0);
    for (const row of result.rows) assert.ok(row.value !== '' && !row.value.includes('NaN'), `${row.metric}: ${row.value}`);
  });
}
