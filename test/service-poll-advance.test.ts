// The poller's watermark on its own: which objects of Stash's answer are new.
// (test/service-poll.test.ts runs the poller in the built service.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advance } from '../src/service/poll-changes.ts';

test('advance skips objects already seen in the watermark second and keeps only that second', () => {
  const state = { since: '2026-03-01T10:00:05+01:00', seen: { '7': Date.parse('2026-03-01T10:00:05+01:00') } };
  // Stash answers from the second before: the seen object again, and one edited later within that same second.
  const same = advance(state, [
    { id: '7', updated_at: '2026-03-01T10:00:05+01:00' },
    { id: '9', updated_at: '2026-03-01T10:00:05+01:00' },
  ]);
  assert.deepEqual(same.fresh.map((s) => s.id), ['9']);
  assert.deepEqual(Object.keys(same.next.seen).sort(), ['7', '9']);
  // Nothing changed: nothing fresh, state unchanged.
  const idle = advance(same.next, [
    { id: '7', updated_at: '2026-03-01T10:00:05+01:00' },
    { id: '9', updated_at: '2026-03-01T10:00:05+01:00' },
  ]);
  assert.deepEqual(idle.fresh, []);
  assert.deepEqual(idle.next, same.next);
  // A newer edit, written in another zone (Stash restarted with another TZ): compared as instants.
  const later = advance(idle.next, [
    { id: '7', updated_at: '2026-03-01T10:00:05+01:00' },
    { id: '4', updated_at: '2026-03-01T09:00:06Z' },
  ]);
  assert.deepEqual(later.fresh.map((s) => s.id), ['4']);
  assert.equal(later.next.since, '2026-03-01T09:00:06Z');
  assert.deepEqual(Object.keys(later.next.seen), ['4']);
  // An object edited again gets a newer stamp and is fresh even though its id was seen.
  const again = advance(later.next, [{ id: '4', updated_at: '2026-03-01T09:00:09Z' }]);
  assert.deepEqual(again.fresh.map((s) => s.id), ['4']);
});
