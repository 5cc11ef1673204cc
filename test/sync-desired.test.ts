import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ALL_FIELDS_ON, desiredState, type FieldToggles, plexRating } from '../src/sync/desired.ts';
import type { StashScene } from '../src/sync/model.ts';
import { DEFAULT_RULES } from '../src/sync/rules.ts';

function scene(overrides: Partial<StashScene> = {}): StashScene {
  return {
    id: '42',
    title: 'A Title',
    code: null,
    details: 'Line one\nLine two',
    director: 'Jane Doe',
    date: '2024-03-09',
    rating100: 85,
    organized: true,
    updatedAt: '2024-03-10T00:00:00Z',
    studio: { id: '1', name: 'Studio One' },
    performers: [
      { id: '1', name: 'Bea' },
      { id: '2', name: 'Ann' },
    ],
    tags: [
      { id: '1', name: 'outdoor' },
      { id: '2', name: 'Night' },
    ],
    groups: [{ id: '1', name: 'Series A' }],
    files: [{ path: '/data/a.mp4', size: 1000 }],
    screenshotUrl: 'http://127.0.0.1:9999/scene/42/screenshot',
    ...overrides,
  };
}

const id = (name: string, i = 0) => ({ id: String(i), name });

test('every field maps to its Plex counterpart', () => {
  assert.deepEqual(desiredState(scene(), ALL_FIELDS_ON), {
    scalars: { title: 'A Title', summary: 'Line one\nLine two', originallyAvailableAt: '2024-03-09', studio: 'Studio One' },
    tags: { actor: ['Bea', 'Ann'], genre: ['outdoor', 'Night'], director: ['Jane Doe'], collection: ['Series A'] },
    rating: 8.5,
    posterUrl: 'http://127.0.0.1:9999/scene/42/screenshot',
  });
});

for (const title of [null, '', '   ', '\n\t']) {
  test(`blank title ${JSON.stringify(title)} leaves Plex's title alone`, () => {
    assert.equal('title' in desiredState(scene({ title }), ALL_FIELDS_ON).scalars, false);
  });
}

test('emptied Stash fields clear Plex fields', () => {
  const d = desiredState(
    scene({ details: null, date: null, studio: null, director: null, performers: [], tags: [], groups: [], rating100: null, screenshotUrl: null }),
    ALL_FIELDS_ON,
  );
  assert.deepEqual(d.scalars, { title: 'A Title', summary: '', originallyAvailableAt: '', studio: '' });
  assert.deepEqual(d.tags, { actor: [], genre: [], director: [], collection: [] });
  assert.equal(d.rating, null);
  assert.equal(d.posterUrl, null);
});

const ratings: [number, number][] = [
  [0, 0],
  [1, 0.1],
  [20, 2],
  [85, 8.5],
  [99, 9.9],
  [100, 10],
];
for (const [rating100, rating] of ratings) {
  test(`rating100 ${rating100} becomes Plex rating ${rating}`, () => {
    assert.equal(desiredState(scene({ rating100 }), ALL_FIELDS_ON).rating, rating);
  });
}

const toggleCases: [keyof FieldToggles, (d: ReturnType<typeof desiredState>) => boolean][] = [
  ['title', (d) => 'title' in d.scalars],
  ['summary', (d) => 'summary' in d.scalars],
  ['date', (d) => 'originallyAvailableAt' in d.scalars],
  ['studio', (d) => 'studio' in d.scalars],
  ['performers', (d) => 'actor' in d.tags],
  ['tags', (d) => 'genre' in d.tags],
  ['director', (d) => 'director' in d.tags],
  ['collections', (d) => 'collection' in d.tags],
  ['rating', (d) => 'rating' in d],
  ['poster', (d) => 'posterUrl' in d],
];
for (const [toggle, present] of toggleCases) {
  test(`toggled-off ${toggle} is left alone, the rest still syncs`, () => {
    const d = desiredState(scene(), { ...ALL_FIELDS_ON, [toggle]: false });
    assert.equal(present(d), false);
    const others = toggleCases.filter(([t]) => t !== toggle);
    assert.deepEqual(
      others.map(([t, p]) => [t, p(d)]),
      others.map(([t]) => [t, true]),
    );
  });
}

test('tag lists are trimmed, emptied names dropped, duplicates removed case-sensitively in first-seen order', () => {
  const d = desiredState(
    scene({
      tags: [' b ', 'a', '', 'B', 'b', '  ', 'a'].map(id),
      performers: ['Ann', ' Ann', 'Bea'].map(id),
      groups: ['G', 'G '].map(id),
      director: '  ',
    }),
    ALL_FIELDS_ON,
  );
  assert.deepEqual(d.tags, { genre: ['b', 'a', 'B'], actor: ['Ann', 'Bea'], collection: ['G'], director: [] });
});

test('performers keep Stash order', () => {
  const d = desiredState(scene({ performers: ['Zoe', 'Amy', 'Mia'].map(id) }), ALL_FIELDS_ON);
  assert.deepEqual(d.tags.actor, ['Zoe', 'Amy', 'Mia']);
});

// Characters that break naive query strings, XML or CSV handling.
const awkward = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('Ünïcødé', '😀🎬 emoji', 'עברית RTL \u200f', '"quotes" \'single\'', 'a & b', '100% sure', 'one, two', 'x\ny\r\nz', '<tag>', '+ = ?#'),
);
const awkwardName = awkward.map((s) => s.trim()).filter((s) => s !== '');

test('awkward strings survive desiredState unchanged', () => {
  fc.assert(
    fc.property(awkward, awkward, awkwardName, fc.uniqueArray(awkwardName, { maxLength: 5 }), (title, details, studio, names) => {
      const d = desiredState(
        scene({ title, details, studio: { id: '1', name: studio }, tags: names.map(id), performers: names.map(id), groups: names.map(id) }),
        ALL_FIELDS_ON,
      );
      assert.equal(d.scalars.title, title.trim() === '' ? undefined : title);
      assert.equal(d.scalars.summary, details);
      assert.equal(d.scalars.studio, studio);
      assert.deepEqual(d.tags.genre, names);
      assert.deepEqual(d.tags.actor, names);
      assert.deepEqual(d.tags.collection, names);
    }),
    { numRuns: 300 },
  );
});

test('any rating100 in 0..100 maps into 0..10 with at most one decimal', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100 }), (rating100) => {
      const rating = desiredState(scene({ rating100 }), ALL_FIELDS_ON).rating!;
      assert.ok(rating >= 0 && rating <= 10);
      assert.equal(Math.round(rating * 10), rating100);
    }),
  );
});

test('the studio name is trimmed', () => {
  assert.equal(desiredState(scene({ studio: { id: '1', name: '  Studio One \t' } }), ALL_FIELDS_ON).scalars.studio, 'Studio One');
});

test('a label rule by parent tag alone still sends labels', () => {
  const rules = { ...DEFAULT_RULES, labelTags: { names: [], parents: ['Audience'] } };
  const d = desiredState(scene({ tags: [{ id: '1', name: 'Kids OK', parents: ['Audience'] }, { id: '2', name: 'outdoor' }] }), ALL_FIELDS_ON, rules);
  assert.deepEqual(d.tags.label, ['Kids OK']);
  assert.deepEqual(d.tags.genre, ['outdoor']);
});

test('performer photos go by trimmed name; a blank-named performer or one without an image sends none', () => {
  const d = desiredState(
    scene({
      performers: [
        { id: '1', name: ' Bea ', imageUrl: 'http://127.0.0.1:9999/performer/1/image' },
        { id: '2', name: '  ', imageUrl: 'http://127.0.0.1:9999/performer/2/image' },
        { id: '3', name: 'Ann', imageUrl: null },
      ],
    }),
    ALL_FIELDS_ON,
    { ...DEFAULT_RULES, performerPhotos: true },
  );
  assert.deepEqual(d.actorThumbs, { Bea: 'http://127.0.0.1:9999/performer/1/image' });
  assert.deepEqual(d.tags.actor, ['Bea', 'Ann']);
});

test('a rating that is no number is unrated; one outside 0..100 is clamped', () => {
  for (const rating100 of [null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) assert.equal(plexRating(rating100), null, String(rating100));
  assert.equal(plexRating(150), 10);
  assert.equal(plexRating(-5), 0);
});
