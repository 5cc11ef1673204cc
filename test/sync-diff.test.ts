import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diffState, editSteps, type SyncPlan, verifyApplied } from '../src/sync/diff.ts';
import { type DesiredState, isEmptyEdit, type PlexEdit, type PlexItemState, type TagField } from '../src/sync/model.ts';

const ALL_LOCKS = ['title', 'summary', 'originallyAvailableAt', 'studio', 'actor', 'genre', 'director', 'collection', 'label'];
const TAG_FIELDS: TagField[] = ['actor', 'genre', 'director', 'collection', 'label'];

function item(overrides: Partial<PlexItemState> = {}): PlexItemState {
  return {
    ratingKey: '7',
    sectionId: '1',
    title: 'A Title',
    titleSort: '',
    summary: 'Details',
    originallyAvailableAt: '2024-03-09',
    studio: 'Studio One',
    contentRating: '',
    tags: { actor: ['Bea', 'Ann'], genre: ['outdoor'], director: ['Jane'], collection: ['Series A'], label: [] },
    actorThumbs: {},
    userRating: 8.5,
    locked: [...ALL_LOCKS],
    files: [{ file: '/data/a.mp4', size: 1000 }],
    updatedAt: 1,
    ...overrides,
  };
}

function desired(overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    scalars: { title: 'A Title', summary: 'Details', originallyAvailableAt: '2024-03-09', studio: 'Studio One' },
    tags: { actor: ['Bea', 'Ann'], genre: ['outdoor'], director: ['Jane'], collection: ['Series A'] },
    rating: 8.5,
    ...overrides,
  };
}

/**
 * Plex as far as PlexSync relies on it, and as the fake Plex does it:
 * scalars replace; sent tags the item lacks are appended after the ones it
 * has, in the order sent, and then the removals are taken out; named fields
 * get locked; the rating is a separate call. `caseInsensitive` models a Plex
 * whose tag lookup folds case: adding a name the item holds in another
 * spelling changes nothing, and a removal takes every spelling away.
 */
function applyEdit(current: PlexItemState, edit: PlexEdit, caseInsensitive = false): PlexItemState {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const tags = { ...current.tags };
  for (const field of TAG_FIELDS) {
    const change = edit.tags[field];
    if (!change) continue;
    const merged = [...tags[field]];
    for (const n of change.set) if (!merged.some((m) => fold(m) === fold(n))) merged.push(n);
    tags[field] = merged.filter((n) => !change.remove.some((r) => fold(r) === fold(n)));
  }
  return { ...current, ...edit.scalars, tags, locked: [...new Set([...current.locked, ...edit.lock])] };
}

function applyPlan(current: PlexItemState, plan: SyncPlan): PlexItemState {
  const after = editSteps(plan.edit).reduce((state, step) => applyEdit(state, step), current);
  return plan.rating === undefined ? after : { ...after, userRating: plan.rating };
}

test('a fully matching, fully locked item needs zero writes', () => {
  const plan = diffState(desired(), item(), ['Series A']);
  assert.equal(isEmptyEdit(plan.edit), true);
  assert.equal('rating' in plan, false);
  assert.deepEqual(plan.newManagedCollections, ['Series A']);
});

test('a changed scalar is sent and locked, unchanged ones are not', () => {
  const plan = diffState(desired({ scalars: { title: 'New', summary: 'Details' } }), item(), []);
  assert.deepEqual(plan.edit.scalars, { title: 'New' });
  assert.deepEqual(plan.edit.lock, ['title']);
});

test('a matching but unlocked scalar is sent again to lock it', () => {
  const plan = diffState(desired(), item({ locked: ALL_LOCKS.filter((f) => f !== 'studio') }), ['Series A']);
  assert.deepEqual(plan.edit, { scalars: { studio: 'Studio One' }, tags: {}, lock: ['studio'] });
});

test('an emptied summary clears Plex', () => {
  const plan = diffState(desired({ scalars: { summary: '' } }), item(), []);
  assert.deepEqual(plan.edit.scalars, { summary: '' });
});

test('a removed performer disappears from Plex', () => {
  const plan = diffState(desired(), item({ tags: { ...item().tags, actor: ['Bea', 'Ann', 'Old'] } }), ['Series A']);
  assert.deepEqual(plan.edit.tags, { actor: { set: ['Bea', 'Ann'], remove: ['Old'] } });
  assert.deepEqual(plan.edit.lock, ['actor']);
});

test('reordered performers are sent, reordered genres are not', () => {
  const d = desired({ tags: { actor: ['Ann', 'Bea'], genre: ['b', 'a'] } });
  const plan = diffState(d, item({ tags: { ...item().tags, genre: ['a', 'b'] } }), []);
  // Both are taken off first, then sent in order (see the appending test below).
  assert.deepEqual(plan.edit.tags, { actor: { set: ['Ann', 'Bea'], remove: ['Bea', 'Ann'] } });
});

test('an unlocked tag field is sent even when equal', () => {
  const plan = diffState(desired(), item({ locked: ALL_LOCKS.filter((f) => f !== 'genre') }), ['Series A']);
  assert.deepEqual(plan.edit.tags, { genre: { set: ['outdoor'], remove: [] } });
  assert.deepEqual(plan.edit.lock, ['genre']);
});

test('a case-only rename removes the old spelling and sets the new one', () => {
  const plan = diffState(desired({ tags: { genre: ['BDSM'] } }), item({ tags: { ...item().tags, genre: ['bdsm'] } }), []);
  assert.deepEqual(plan.edit.tags, { genre: { set: ['BDSM'], remove: ['bdsm'] } });
});

test('a case-only rename is split so a case-insensitive Plex ends with the new spelling', () => {
  const before = item({ tags: { ...item().tags, genre: ['bdsm', 'old'] } });
  const plan = diffState(desired({ tags: { genre: ['BDSM', 'new'] } }), before, []);
  const steps = editSteps(plan.edit);
  assert.deepEqual(
    steps.map((s) => s.tags.genre),
    [
      { set: [], remove: ['bdsm'] },
      { set: ['BDSM', 'new'], remove: ['old'] },
    ],
  );
  const after = steps.reduce((state, step) => applyEdit(state, step, true), before);
  assert.deepEqual(after.tags.genre, ['BDSM', 'new']);
  // Sent as one request, the same edit would lose the tag altogether.
  assert.deepEqual(applyEdit(before, plan.edit, true).tags.genre, ['new']);
});

test('an edit without case-only renames is one step', () => {
  const plan = diffState(desired({ tags: { genre: ['a'] } }), item({ tags: { ...item().tags, genre: ['b'] } }), []);
  assert.deepEqual(editSteps(plan.edit), [plan.edit]);
});

test('hand-made Plex collections are never removed nor counted as a difference', () => {
  const plan = diffState(desired(), item({ tags: { ...item().tags, collection: ['Series A', 'My Favourites'] } }), ['Series A']);
  assert.equal(isEmptyEdit(plan.edit), true);
});

test('a group the scene left is removed from Plex, hand-made ones stay', () => {
  const current = item({ tags: { ...item().tags, collection: ['Series A', 'Series B', 'Mine'] } });
  const plan = diffState(desired({ tags: { collection: ['Series A'] } }), current, ['Series A', 'Series B', 'Gone From Plex']);
  assert.deepEqual(plan.edit.tags, { collection: { set: ['Series A'], remove: ['Series B'] } });
  assert.deepEqual(plan.newManagedCollections, ['Series A']);
});

test('toggled-off collections keep the managed list and touch nothing', () => {
  const plan = diffState(desired({ tags: {} }), item(), ['Series A']);
  assert.equal(isEmptyEdit(plan.edit), true);
  assert.deepEqual(plan.newManagedCollections, ['Series A']);
});

const ratingCases: [number | null | undefined, number | null, number | null | undefined][] = [
  [8.5, 8.5, undefined],
  [8.5, 8.500000001, undefined],
  // Plex's rating is a float; a tenth apart is a different rating (rating100 steps by 1, so 0.1 here).
  [8.5, 8.4, 8.5],
  [8.5, 8.6, 8.5],
  [0.1, 0, 0.1],
  [null, null, undefined],
  [undefined, 3, undefined],
  [8.5, 7, 8.5],
  [null, 7, null],
  [6, null, 6],
  [0, null, 0],
  // Unrated is not a rating of 0, either way.
  [null, 0, null],
];
for (const [want, have, expected] of ratingCases) {
  test(`rating wanted ${want} with Plex at ${have} -> ${expected === undefined ? 'no change' : expected}`, () => {
    const plan = diffState(desired({ rating: want }), item({ userRating: have }), ['Series A']);
    assert.equal(plan.rating, expected);
    assert.equal('rating' in plan, expected !== undefined);
  });
}

test('verifyApplied names the fields Plex did not take', () => {
  const after = item({ title: 'Stale', userRating: 2, tags: { ...item().tags, genre: [], collection: ['Series A', 'Mine'] } });
  assert.deepEqual(verifyApplied(desired(), after, ['Series A']), ['title', 'genre', 'rating']);
});

test('verifyApplied flags a managed collection that should have gone', () => {
  const after = item({ tags: { ...item().tags, collection: ['Series A', 'Old Group'] } });
  assert.deepEqual(verifyApplied(desired(), after, ['Series A', 'Old Group']), ['collection']);
});

// Generators: small alphabets so that overlaps, case variants and reorders happen.
const name: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'B', 'c', 'Ann', 'ann', 'Zoë', '😀', 'x & y', 'p, q');
const names = fc.uniqueArray(name, { maxLength: 5 });
const text = fc.constantFrom('', 'x', 'X', 'line\nbreak', 'עברית');
const rating = fc.option(fc.integer({ min: 0, max: 100 }).map((r) => r / 10), { nil: null });
const tagLists = fc.record({ actor: names, genre: names, director: names, collection: names, label: names });
const plexItem = fc.record({
  title: text,
  summary: text,
  originallyAvailableAt: fc.constantFrom('', '2024-01-02', '1999-12-31'),
  studio: text,
  tags: tagLists,
  userRating: rating,
  locked: fc.subarray(ALL_LOCKS),
});
const wanted = fc.record(
  {
    scalars: fc.record(
      { title: text.filter((t) => t !== ''), summary: text, originallyAvailableAt: fc.constantFrom('', '2024-01-02'), studio: text },
      { requiredKeys: [] },
    ),
    tags: fc.record({ actor: names, genre: names, director: names, collection: names, label: names }, { requiredKeys: [] }),
    rating,
  },
  { requiredKeys: ['scalars', 'tags'] },
);

test('diff, apply as Plex does, diff again: nothing left to write', () => {
  fc.assert(
    fc.property(wanted, plexItem, names, (d, state, managed) => {
      const before = item(state);
      const plan = diffState(d, before, managed, managed);
      const after = applyPlan(before, plan);
      // Plex holds one spelling per case-folded name: the first one Stash lists.
      const oneSpelling = (list: string[]) => list.filter((n, i) => list.findIndex((m) => m.toLowerCase() === n.toLowerCase()) === i);
      assert.deepEqual(after.tags.actor, d.tags.actor ? oneSpelling(d.tags.actor) : before.tags.actor, 'actors in Stash order');
      const again = diffState(d, after, plan.newManagedCollections, plan.newManagedLabels);
      assert.equal(isEmptyEdit(again.edit), true, JSON.stringify(again.edit));
      assert.equal('rating' in again, false);
      assert.deepEqual(verifyApplied(d, after, managed, managed), []);
    }),
    { numRuns: 500 },
  );
});

test('hand-made collections survive any sync', () => {
  fc.assert(
    fc.property(wanted, plexItem, names, (d, state, managed) => {
      const before = item(state);
      const handMade = before.tags.collection.filter((c) => !managed.includes(c) && !(d.tags.collection ?? []).includes(c));
      const after = applyPlan(before, diffState(d, before, managed));
      assert.deepEqual(
        handMade.filter((c) => !after.tags.collection.includes(c)),
        [],
      );
    }),
    { numRuns: 300 },
  );
});

test('hand-made labels survive any sync (sharing restrictions live there)', () => {
  fc.assert(
    fc.property(wanted, plexItem, names, (d, state, managed) => {
      const before = item(state);
      const handMade = before.tags.label.filter((l) => !managed.includes(l) && !(d.tags.label ?? []).includes(l));
      const after = applyPlan(before, diffState(d, before, [], managed));
      assert.deepEqual(
        handMade.filter((l) => !after.tags.label.includes(l)),
        [],
      );
    }),
    { numRuns: 300 },
  );
});

test('applying the steps on a case-insensitive Plex also converges', () => {
  fc.assert(
    fc.property(wanted, plexItem, (d, state) => {
      // A case-insensitive Plex cannot hold two spellings of one name.
      const noCaseTwins = (list: string[]) => list.filter((n, i) => list.findIndex((m) => m.toLowerCase() === n.toLowerCase()) === i);
      const tags = Object.fromEntries(Object.entries(d.tags).map(([k, v]) => [k, noCaseTwins(v)]));
      const want: DesiredState = { ...d, tags };
      const plexTags = Object.fromEntries(Object.entries(state.tags).map(([k, v]) => [k, noCaseTwins(v)])) as PlexItemState['tags'];
      const before = item({ ...state, tags: plexTags });
      const plan = diffState(want, before, []);
      const after = editSteps(plan.edit).reduce((s, step) => applyEdit(s, step, true), before);
      for (const field of ['actor', 'genre', 'director'] as const) {
        assert.deepEqual(new Set(after.tags[field]), new Set(want.tags[field] ?? before.tags[field]), field);
      }
      // Plex appends what it is sent, yet actors end in Stash's order.
      assert.deepEqual(after.tags.actor, want.tags.actor ?? before.tags.actor);
    }),
    { numRuns: 300 },
  );
});

test('reordered performers reach Stash order even when Plex appends, then cost nothing', () => {
  const d = desired({ tags: { ...desired().tags, actor: ['Ann', 'Bea', 'Cid'] } });
  const before = item({ tags: { ...item().tags, actor: ['Bea', 'Ann', 'Old'] } });
  const plan = diffState(d, before, ['Series A']);
  const steps = editSteps(plan.edit);
  assert.equal(steps.length, 2, 'first take the misplaced actors off, then send the list');
  const after = steps.reduce((state, step) => applyEdit(state, step), before);
  assert.deepEqual(after.tags.actor, ['Ann', 'Bea', 'Cid']);
  assert.deepEqual(diffState(d, after, ['Series A']).edit.tags, {});
});

test('a performer added at the end is appended without re-sending the others', () => {
  const d = desired({ tags: { ...desired().tags, actor: ['Ann', 'Bea', 'Cid'] } });
  const plan = diffState(d, item({ tags: { ...item().tags, actor: ['Ann', 'Bea'] } }), ['Series A']);
  assert.deepEqual(plan.edit.tags.actor, { set: ['Ann', 'Bea', 'Cid'], remove: [] });
  assert.equal(editSteps(plan.edit).length, 1);
});

test('titleSort and contentRating are sent and locked like the other scalars', () => {
  const plan = diffState(desired({ scalars: { ...desired().scalars, titleSort: 'Title, A', contentRating: 'XXX' } }), item(), ['Series A']);
  assert.deepEqual(plan.edit.scalars, { titleSort: 'Title, A', contentRating: 'XXX' });
  assert.deepEqual(plan.edit.lock, ['titleSort', 'contentRating']);
  assert.deepEqual(verifyApplied(desired({ scalars: { titleSort: 'Title, A', contentRating: 'XXX' } }), item(), ['Series A']), ['titleSort', 'contentRating']);
});

test('without labels wanted or managed, none are managed after the edit', () => {
  assert.deepEqual(diffState(desired(), item(), ['Series A']).newManagedLabels, []);
});

test('genres not in Stash order are not taken off: only the ones Stash lacks are removed', () => {
  const plan = diffState(desired({ tags: { genre: ['night', 'outdoor'] } }), item({ tags: { ...item().tags, genre: ['outdoor', 'old'] } }), []);
  assert.deepEqual(plan.edit.tags.genre, { set: ['night', 'outdoor'], remove: ['old'] });
});

test('the actor photos go with the edit even when other tag fields change too', () => {
  const plan = diffState(desired({ tags: { actor: ['Bea', 'Ann'], genre: ['night'], director: ['Joe'] }, actorThumbs: { Bea: 'http://127.0.0.1:9999/performer/1/image' } }), item(), []);
  assert.deepEqual(plan.edit.actorThumbs, { Bea: 'http://127.0.0.1:9999/performer/1/image' });
});

test('an actor without a Stash photo does not make Plex\'s photo a difference', () => {
  const plan = diffState(desired({ actorThumbs: {} }), item({ actorThumbs: { Bea: 'http://plex.example/bea.jpg' } }), ['Series A']);
  assert.equal(isEmptyEdit(plan.edit), true);
});

test('a managed name that is also hand-made is never removed', () => {
  const current = item({ tags: { ...item().tags, collection: ['Series A', 'Mine'] } });
  const plan = diffState(desired(), current, ['Series A', 'Mine'], [], { collection: ['mine'] });
  assert.deepEqual(plan.edit.tags.collection, { set: ['Series A'], remove: [] });
  assert.deepEqual(plan.newManagedCollections, ['Series A']);
});

test('verifyApplied: a wanted collection that is hand-made is neither needed nor counted', () => {
  const want = desired({ tags: { collection: ['Series A', 'Mine'] } });
  for (const collection of [['Series A', 'Mine'], ['Series A']]) {
    assert.deepEqual(verifyApplied(want, item({ tags: { ...item().tags, collection } }), ['Series A'], [], { collection: ['mine'] }), [], collection.join());
  }
  assert.deepEqual(verifyApplied(want, item({ tags: { ...item().tags, collection: ['Mine'] } }), ['Series A'], [], { collection: ['mine'] }), ['collection']);
});

test('editSteps: the removal step locks nothing; the second keeps the locks and actor photos', () => {
  const thumbs = { Ann: 'http://127.0.0.1:9999/performer/2/image' };
  const steps = editSteps({ scalars: { title: 'T' }, tags: { actor: { set: ['Ann', 'Bea'], remove: ['Bea', 'Ann'] } }, lock: ['title', 'actor'], actorThumbs: thumbs });
  assert.deepEqual(steps, [
    { scalars: {}, tags: { actor: { set: [], remove: ['Bea', 'Ann'] } }, lock: [] },
    { scalars: { title: 'T' }, tags: { actor: { set: ['Ann', 'Bea'], remove: [] } }, lock: ['title', 'actor'], actorThumbs: thumbs },
  ]);
});

test('names are folded by lower case: "Straße" and "STRASSE" are two names, "Blonde" and "BLONDE" one', () => {
  const plan = diffState(desired({ tags: { genre: ['Straße', 'STRASSE', 'Blonde', 'BLONDE'] } }), item({ tags: { ...item().tags, genre: [] } }), []);
  assert.deepEqual(plan.edit.tags.genre, { set: ['Straße', 'STRASSE', 'Blonde'], remove: [] });
});

test('isEmptyEdit: an edit with a scalar, a tag field or only a lock is not empty', () => {
  assert.equal(isEmptyEdit({ scalars: {}, tags: {}, lock: [] }), true);
  assert.equal(isEmptyEdit({ scalars: { title: '' }, tags: {}, lock: [] }), false);
  assert.equal(isEmptyEdit({ scalars: {}, tags: { genre: { set: [], remove: [] } }, lock: [] }), false);
  assert.equal(isEmptyEdit({ scalars: {}, tags: {}, lock: ['title'] }), false);
});
