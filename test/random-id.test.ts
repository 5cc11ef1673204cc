// Random ids for leases and client identifiers: UUID-shaped and unique.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomUuid } from '../src/random-id.ts';

test('a random id is a version 4 UUID', () => {
  for (let i = 0; i < 1_000; i++) assert.match(randomUuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('100,000 random ids are all different', () => {
  const seen = new Set(Array.from({ length: 100_000 }, randomUuid));
  assert.equal(seen.size, 100_000);
});
