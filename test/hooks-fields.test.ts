// Which entity updates queue their scenes: the name, and the fields the
// metadata rules read (images, parents, group cover and synopsis).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requiresPlexSync } from '../src/hooks/handlers.ts';

const update = (type: string, fields: string[]) => requiresPlexSync({ id: '1', type, input: Object.fromEntries(fields.map((f) => [f, 'x'])), inputFields: ['id', ...fields] });

test('entity fields the rules read queue the scenes; others do not', () => {
  assert.equal(update('Performer.Update.Post', ['image']), true);
  assert.equal(update('Studio.Update.Post', ['parent_id']), true);
  assert.equal(update('Tag.Update.Post', ['parent_ids']), true);
  assert.equal(update('Group.Update.Post', ['front_image']), true);
  assert.equal(update('Group.Update.Post', ['synopsis']), true);
  for (const type of ['Performer.Update.Post', 'Studio.Update.Post', 'Tag.Update.Post', 'Group.Update.Post']) assert.equal(update(type, ['name']), true, type);
  assert.equal(update('Performer.Update.Post', ['details']), false);
  assert.equal(update('Tag.Update.Post', ['image', 'description']), false);
  assert.equal(update('Studio.Update.Post', ['details']), false);
  assert.equal(update('Group.Update.Post', ['back_image']), false);
});
