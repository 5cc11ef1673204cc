// collectBetweenJobs on its own, with a hand-driven clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLLECT_EVERY_MS, collectBetweenJobs } from '../src/worker/collector.ts';

test('without a collector (no --expose-gc) there is no step callback', () => {
  assert.equal(collectBetweenJobs(undefined), undefined);
});

test('jobs finishing close together share one collection per interval', () => {
  let clock = 1_000;
  let collections = 0;
  const onStep = collectBetweenJobs(() => collections++, 100, () => clock);
  assert.ok(onStep);
  onStep(); // right after the worker started: too soon
  assert.equal(collections, 0);
  clock += 99;
  onStep();
  assert.equal(collections, 0, 'not before the interval is up');
  clock += 1;
  onStep();
  assert.equal(collections, 1, 'once it is');
  for (let i = 0; i < 10; i++) {
    clock += 10;
    onStep();
  }
  assert.equal(collections, 2, 'ten jobs over 100 ms: one more collection');
});

test('the interval counts from the end of a collection, so a slow one is not run back to back', () => {
  let clock = 0;
  let collections = 0;
  const onStep = collectBetweenJobs(
    () => {
      collections++;
      clock += 60; // the collection itself takes 60 ms
    },
    100,
    () => clock,
  );
  clock = 100;
  onStep?.();
  assert.equal(collections, 1);
  clock = 200; // 100 ms after it began, 40 after it ended
  onStep?.();
  assert.equal(collections, 1);
  clock = 260;
  onStep?.();
  assert.equal(collections, 2);
});

test('the default interval keeps collections a small share of a drain', () => {
  assert.ok(COLLECT_EVERY_MS >= 50 && COLLECT_EVERY_MS <= 1_000);
});
