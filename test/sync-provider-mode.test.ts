// Provider mode: which locked fields keep the provider out, and the advice to unlock them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockedOwnedFields, PROVIDER_OWNED_FIELDS, unlockAdvice } from '../src/sync/provider-mode.ts';

test('every field the provider fills counts when locked, in a stable order; the poster, labels and rating do not', () => {
  const owned = ['title', 'summary', 'originallyAvailableAt', 'studio', 'actor', 'genre', 'director', 'collection'];
  assert.deepEqual(PROVIDER_OWNED_FIELDS, owned);
  assert.deepEqual(lockedOwnedFields(['thumb', 'label', ...[...owned].reverse(), 'userRating']), owned);
  for (const field of owned) assert.deepEqual(lockedOwnedFields([field, 'thumb']), [field], field);
  assert.deepEqual(lockedOwnedFields(['thumb', 'label', '']), []);
});

test('the unlock advice names the item, its fields and the task', () => {
  assert.equal(
    unlockAdvice('42', ['title', 'genre']),
    'Plex item 42 has title, genre locked from edit mode, so the provider cannot update them: run the task "Unlock fields for provider mode"',
  );
});
