// The metadata rules as pure functions: titles, labels, collections, filters,
// and what desiredState and diffState make of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_FIELDS_ON, desiredState } from '../src/sync/desired.ts';
import { diffState } from '../src/sync/diff.ts';
import type { PlexItemState, StashScene } from '../src/sync/model.ts';
import { parseSettings } from '../src/config/settings.ts';
import { anyCollectionRule, collectionsFor, DEFAULT_RULES, filteredOut, type MetadataRules, rulesFrom, splitTags, titleFor, unknownPlaceholders } from '../src/sync/rules.ts';

function scene(overrides: Partial<StashScene> = {}): StashScene {
  return {
    id: '42',
    title: 'A Title',
    code: 'ABC-1',
    details: null,
    director: null,
    date: '2024-03-09',
    rating100: null,
    organized: true,
    updatedAt: '2024-03-10T00:00:00Z',
    studio: { id: '1', name: 'Studio One', parent: { id: '2', name: 'Network' } },
    performers: [
      { id: '1', name: 'Bea', imageUrl: 'http://127.0.0.1:9999/performer/1/image?t=5' },
      { id: '2', name: 'Ann', imageUrl: null },
    ],
    tags: [
      { id: '1', name: 'outdoor', parents: ['Setting'] },
      { id: '2', name: 'Kids OK', parents: [] },
      { id: '3', name: '4K', parents: ['Quality'] },
    ],
    groups: [{ id: '1', name: 'Series A' }],
    stashIdCount: 1,
    files: [{ path: '/data/a.mp4', size: 1000 }],
    screenshotUrl: null,
    ...overrides,
  };
}

function rules(overrides: Partial<MetadataRules> = {}): MetadataRules {
  return { ...DEFAULT_RULES, ...overrides };
}

function plexItem(overrides: Partial<PlexItemState> = {}): PlexItemState {
  return {
    ratingKey: '7',
    sectionId: '1',
    title: '',
    titleSort: '',
    summary: '',
    originallyAvailableAt: '',
    studio: '',
    contentRating: '',
    tags: { actor: [], genre: [], director: [], collection: [], label: [] },
    actorThumbs: {},
    userRating: null,
    locked: [],
    files: [],
    updatedAt: 1,
    ...overrides,
  };
}

test('a title template fills placeholders and keeps the plain title as sort title', () => {
  assert.deepEqual(titleFor(scene(), '{studio} - {date} - {title}'), { title: 'Studio One - 2024-03-09 - A Title', titleSort: 'A Title' });
  assert.deepEqual(titleFor(scene(), '{parentStudio}: {title} [{code}] {year}'), { title: 'Network: A Title [ABC-1] 2024', titleSort: 'A Title' });
  assert.deepEqual(titleFor(scene(), '{title} ({performers})'), { title: 'A Title (Bea, Ann)', titleSort: 'A Title' });
});

test('an empty placeholder vanishes with its separator', () => {
  assert.equal(titleFor(scene({ studio: null }), '{studio} - {date} - {title}')?.title, '2024-03-09 - A Title');
  assert.equal(titleFor(scene({ date: null }), '{studio} - {date} - {title}')?.title, 'Studio One - A Title');
  assert.equal(titleFor(scene({ date: null }), '{title} ({year})')?.title, 'A Title');
});

test('no template: the title as Stash has it and no sort title; a blank title sets nothing', () => {
  assert.deepEqual(titleFor(scene(), ''), { title: 'A Title', titleSort: null });
  assert.equal(titleFor(scene({ title: '  ' }), '{studio} - {title}'), null);
  assert.equal(titleFor(scene({ title: null }), ''), null);
});

test('unknown placeholders are reported for validation', () => {
  assert.deepEqual(unknownPlaceholders('{studio} - {titel} {Date}'), ['titel', 'Date']);
  assert.deepEqual(unknownPlaceholders('{studio} - {date} - {title}'), []);
});

test('tags split into genres and labels by name or by parent tag', () => {
  assert.deepEqual(splitTags(scene(), { names: ['Kids OK'], parents: [] }), { genres: ['outdoor', '4K'], labels: ['Kids OK'] });
  assert.deepEqual(splitTags(scene(), { names: [], parents: ['Quality', 'Setting'] }), { genres: ['Kids OK'], labels: ['outdoor', '4K'] });
  assert.deepEqual(splitTags(scene(), { names: [], parents: [] }), { genres: ['outdoor', 'Kids OK', '4K'], labels: [] });
});

test('collections by rule: groups by default, then studio, parent studio, performers, tags and organized', () => {
  assert.deepEqual(collectionsFor(scene(), DEFAULT_RULES.collections), ['Series A']);
  const every = { groups: true, studio: true, parentStudio: true, performers: true, tags: { names: ['4K'], parents: ['Setting'] }, organized: 'Organized' };
  assert.deepEqual(collectionsFor(scene(), every), ['Series A', 'Studio One', 'Network', 'Bea', 'Ann', 'outdoor', '4K', 'Organized']);
  assert.deepEqual(collectionsFor(scene({ organized: false, studio: { id: '1', name: 'Solo' } }), { ...every, groups: false, performers: false, tags: { names: [], parents: [] } }), ['Solo']);
});

test('sync filters: organized, StashID, excluded tag', () => {
  const none = DEFAULT_RULES.filters;
  assert.equal(filteredOut(scene({ organized: false, stashIdCount: 0 }), none), null);
  assert.equal(filteredOut(scene({ organized: false }), { ...none, onlyOrganized: true }), 'not organized');
  assert.equal(filteredOut(scene({ stashIdCount: 0 }), { ...none, onlyWithStashId: true }), 'no StashID');
  assert.equal(filteredOut(scene(), { ...none, excludeTags: ['Kids OK'] }), 'tagged "Kids OK"');
  assert.equal(filteredOut(scene(), { onlyOrganized: true, onlyWithStashId: true, excludeTags: ['Other'] }), null);
});

test('default rules give today\'s desired state: no sort title, labels, content rating or photos', () => {
  const d = desiredState(scene(), ALL_FIELDS_ON);
  assert.deepEqual(Object.keys(d.scalars).sort(), ['originallyAvailableAt', 'studio', 'summary', 'title']);
  assert.equal(d.tags.label, undefined);
  assert.equal(d.actorThumbs, undefined);
  assert.deepEqual(d.tags.collection, ['Series A']);
});

test('rules reach the desired state: template, sort title, content rating, labels, photos', () => {
  const d = desiredState(
    scene(),
    ALL_FIELDS_ON,
    rules({ titleTemplate: '{studio} - {title}', contentRating: 'XXX', labelTags: { names: ['Kids OK'], parents: [] }, performerPhotos: true }),
  );
  assert.equal(d.scalars.title, 'Studio One - A Title');
  assert.equal(d.scalars.titleSort, 'A Title');
  assert.equal(d.scalars.contentRating, 'XXX');
  assert.deepEqual(d.tags.genre, ['outdoor', '4K']);
  assert.deepEqual(d.tags.label, ['Kids OK']);
  assert.deepEqual(d.actorThumbs, { Bea: 'http://127.0.0.1:9999/performer/1/image?t=5' });
});

test('hand-made labels are never removed; managed ones that no longer apply are', () => {
  const d = desiredState(scene(), ALL_FIELDS_ON, rules({ labelTags: { names: ['Kids OK'], parents: [] } }));
  const current = plexItem({ tags: { ...plexItem().tags, label: ['Shared with Mum', 'Old Rule'] } });
  const plan = diffState(d, current, [], ['Old Rule']);
  assert.deepEqual(plan.edit.tags.label, { set: ['Kids OK'], remove: ['Old Rule'] });
  assert.deepEqual(plan.newManagedLabels, ['Kids OK']);
});

test('a label the item had before PlexSync first wrote it is never taken over, so never removed', () => {
  const d = desiredState(scene(), ALL_FIELDS_ON, rules({ labelTags: { names: ['Kids OK'], parents: [] } }));
  const current = plexItem({ tags: { ...plexItem().tags, label: ['kids ok', 'Old Rule'] } });
  // 'kids ok' was on the item before the first write: the rule wanting 'Kids OK' does not make it PlexSync's.
  const plan = diffState(d, current, [], ['Old Rule'], { label: ['kids ok'] });
  assert.deepEqual(plan.edit.tags.label, { set: ['Kids OK'], remove: ['Old Rule'] });
  assert.deepEqual(plan.newManagedLabels, []);
  // The tag leaves the label rule: the user's label stays.
  const off = desiredState(scene(), ALL_FIELDS_ON, rules({ labelTags: { names: ['Other'], parents: [] } }));
  const later = diffState(off, plexItem({ tags: { ...plexItem().tags, label: ['kids ok'] } }), plan.newManagedLabels, plan.newManagedLabels, { label: ['kids ok'] });
  assert.deepEqual(later.edit.tags.label?.remove ?? [], []);
});

test('an actor whose photo differs is sent again with it; matching photos cost nothing', () => {
  const d = desiredState(scene({ tags: [], groups: [] }), { ...ALL_FIELDS_ON, title: false, summary: false, date: false, studio: false, director: false, rating: false }, rules({ performerPhotos: true }));
  const locked = ['actor', 'genre', 'collection'];
  const stale = plexItem({ locked, tags: { ...plexItem().tags, actor: ['Bea', 'Ann'] }, actorThumbs: { Bea: 'http://old' } });
  const plan = diffState(d, stale, []);
  assert.deepEqual(plan.edit.tags.actor?.set, ['Bea', 'Ann']);
  assert.deepEqual(plan.edit.actorThumbs, { Bea: 'http://127.0.0.1:9999/performer/1/image?t=5' });
  const fresh = plexItem({ locked, tags: { ...plexItem().tags, actor: ['Bea', 'Ann'] }, actorThumbs: { Bea: 'http://127.0.0.1:9999/performer/1/image?t=5' } });
  assert.deepEqual(diffState(d, fresh, []).edit, { scalars: {}, tags: {}, lock: [] });
});

test('settings to rules: the defaults are today\'s rules; credentials turn performer photos off', () => {
  const settings = parseSettings({ plexUrl: 'http://127.0.0.1:32400', plexToken: 't' });
  assert.deepEqual(rulesFrom(settings, false), DEFAULT_RULES);
  assert.equal(anyCollectionRule(settings), true, 'groups are collections by default');
  const photos = parseSettings({ plexUrl: 'http://127.0.0.1:32400', plexToken: 't', performerPhotos: true, skipCollections: true, collectionTags: 'A, B' });
  assert.equal(rulesFrom(photos, false).performerPhotos, true);
  assert.equal(rulesFrom(photos, true).performerPhotos, false);
  assert.equal(rulesFrom(photos, false).collections.groups, false);
  assert.deepEqual(rulesFrom(photos, false).collections.tags, { names: ['A', 'B'], parents: [] });
  assert.equal(anyCollectionRule(photos), true);
  assert.equal(anyCollectionRule(parseSettings({ plexUrl: 'http://127.0.0.1:32400', plexToken: 't', skipCollections: true })), false);
});

test('a title template: blank values vanish with their separator, names are trimmed, whitespace collapsed', () => {
  const blank = scene({ studio: { id: '1', name: '  ', parent: { id: '2', name: ' \t' } }, code: '  ', director: '  ', performers: [{ id: '1', name: '  ' }] });
  for (const placeholder of ['studio', 'parentStudio', 'code', 'director', 'performers']) {
    assert.deepEqual(titleFor(blank, `{title} - {${placeholder}}`), { title: 'A Title', titleSort: 'A Title' }, placeholder);
  }
  const none = scene({ studio: { id: '1', name: 'Studio One' }, code: null, director: null });
  for (const placeholder of ['parentStudio', 'code', 'director']) {
    assert.deepEqual(titleFor(none, `{title} - {${placeholder}}`), { title: 'A Title', titleSort: 'A Title' }, placeholder);
  }
  const padded = scene({ title: ' A  Title ', director: ' Dee ', performers: [{ id: '1', name: ' Bea ' }, { id: '2', name: ' ' }, { id: '3', name: 'Ann' }] });
  assert.deepEqual(titleFor(padded, '  [{performers}] {director}: {title}  '), { title: '[Bea, Ann] Dee: A Title', titleSort: 'A  Title' });
});

test('a title template: the tail goes only after a last value that is there; no value at all gives the plain title', () => {
  assert.equal(titleFor(scene({ date: null }), '{title} - {studio} ({year})')!.title, 'A Title - Studio One');
  assert.equal(titleFor(scene(), '{title} - {studio} ({year})')!.title, 'A Title - Studio One (2024)');
  assert.deepEqual(titleFor(scene({ studio: null }), '{studio}'), { title: 'A Title', titleSort: 'A Title' });
  // A template of spaces is no template.
  assert.deepEqual(titleFor(scene({ title: ' A Title' }), '   '), { title: ' A Title', titleSort: null });
});

test('tag rules compare trimmed tag and parent names', () => {
  const tagged = scene({ tags: [{ id: '1', name: ' Kids OK ', parents: [] }, { id: '2', name: 'outdoor', parents: [' Setting '] }, { id: '3', name: 'plain' }] });
  assert.deepEqual(splitTags(tagged, { names: ['Kids OK'], parents: ['Setting'] }), { genres: ['plain'], labels: [' Kids OK ', 'outdoor'] });
  assert.equal(filteredOut(tagged, { ...DEFAULT_RULES.filters, excludeTags: ['Kids OK'] }), 'tagged " Kids OK "');
});

test('a parent-studio rule on a scene without a studio adds nothing', () => {
  assert.deepEqual(collectionsFor(scene({ studio: null }), { ...DEFAULT_RULES.collections, parentStudio: true }), ['Series A']);
});

test('collections are synced with only a tag-parent rule, or only an organized collection', () => {
  const base = { plexUrl: 'http://127.0.0.1:32400', plexToken: 't', skipCollections: true };
  assert.equal(anyCollectionRule(parseSettings({ ...base, collectionTagParents: 'Series' })), true);
  assert.equal(anyCollectionRule(parseSettings({ ...base, organizedCollection: 'Organized' })), true);
});
