import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeEdit } from '../src/plex/edit-query.ts';
import type { PlexEdit, TagField } from '../src/sync/model.ts';
import { decodeQuery } from './fakes/plex-server-library.ts';

/** Reads a query back the way Plex does: one decode per value, removal names decoded again. */
function decodeEdit(query: string) {
  const scalars: Record<string, string> = {};
  const set: Record<string, string[]> = {};
  const remove: Record<string, string[]> = {};
  const locked: string[] = [];
  for (const [key, value] of decodeQuery(query)) {
    const scalar = /^(\w+)\.value$/.exec(key)?.[1];
    const add = /^(\w+)\[(\d+)\]\.tag\.tag$/.exec(key);
    const rm = /^(\w+)\[\]\.tag\.tag-$/.exec(key)?.[1];
    const lock = /^(\w+)\.locked$/.exec(key)?.[1];
    if (scalar) scalars[scalar] = value;
    if (add) {
      const list = set[add[1]!] ?? [];
      list[Number(add[2])] = value;
      set[add[1]!] = list;
    }
    if (rm) remove[rm] = value.split(',').map((n) => decodeURIComponent(n));
    if (lock && value === '1') locked.push(lock);
  }
  return { scalars, set, remove, locked };
}

const TRICKY = [
  'Zoë Ünïcödé',
  '🎬 emoji 👩‍👩‍👧',
  'שלום עולם', // right-to-left
  'مرحبا',
  `"double" and 'single' quotes`,
  'Tom & Jerry',
  '100% sure',
  'C++ + more',
  'a=b=c',
  'Doe, Jane',
  'line one\nline two\r\nline three',
  '#hash ?query /slash \\back',
  '%41 already-encoded-looking %2C',
  '  spaced  ',
];

function edit(partial: Partial<PlexEdit>): PlexEdit {
  return { scalars: {}, tags: {}, lock: [], ...partial };
}

describe('encodeEdit', () => {
  it('writes scalars, ordered tags, removals and locks in one query', () => {
    const query = encodeEdit(
      edit({
        scalars: { title: 'A title', studio: 'Studio' },
        tags: { genre: { set: ['A', 'B'], remove: ['Old'] }, actor: { set: ['Jane'], remove: [] } },
        lock: ['title', 'studio', 'genre', 'actor'],
      }),
      { type: 1 },
    );
    assert.equal(
      query,
      'type=1&title.value=A%20title&studio.value=Studio&actor[0].tag.tag=Jane&genre[0].tag.tag=A&genre[1].tag.tag=B' +
        '&genre[].tag.tag-=Old&title.locked=1&studio.locked=1&genre.locked=1&actor.locked=1',
    );
  });

  it('writes every scalar, in one order, whatever order the edit lists them in', () => {
    const query = encodeEdit(
      edit({ scalars: { studio: 'S', originallyAvailableAt: '2024-03-09', summary: '', title: 'T' }, lock: ['originallyAvailableAt'] }),
      { type: 1 },
    );
    assert.equal(query, 'type=1&title.value=T&summary.value=&originallyAvailableAt.value=2024-03-09&studio.value=S&originallyAvailableAt.locked=1');
  });

  it('encodes each removed name and then the whole value again', () => {
    const query = encodeEdit(edit({ tags: { genre: { set: [], remove: ['Doe, Jane', 'R&B'] } } }), { type: 1 });
    // 'Doe, Jane' -> 'Doe%2C%20Jane' -> 'Doe%252C%2520Jane'; the separator comma is encoded once: %2C.
    assert.equal(query, 'type=1&genre[].tag.tag-=Doe%252C%2520Jane%2CR%2526B');
  });

  it('sends an empty value to clear a scalar', () => {
    assert.equal(encodeEdit(edit({ scalars: { summary: '' } }), { type: 1 }), 'type=1&summary.value=');
  });

  it('sends each lock once', () => {
    assert.equal(encodeEdit(edit({ lock: ['genre', 'genre'] }), { type: 1 }), 'type=1&genre.locked=1');
  });

  it('round-trips tricky names and values', () => {
    const summary = `${TRICKY.join(' | ')}\n${'x'.repeat(20_000)}`;
    const query = encodeEdit(
      edit({ scalars: { summary, title: TRICKY[3]! }, tags: { genre: { set: TRICKY, remove: TRICKY } }, lock: ['summary'] }),
      { type: 1 },
    );
    const back = decodeEdit(query);
    assert.equal(back.scalars['summary'], summary);
    assert.equal(back.scalars['title'], TRICKY[3]);
    assert.deepEqual(back.set['genre'], TRICKY);
    assert.deepEqual(back.remove['genre'], TRICKY);
    assert.deepEqual(back.locked, ['summary']);
  });

  it('replaces a lone surrogate instead of throwing', () => {
    const back = decodeEdit(encodeEdit(edit({ scalars: { title: 'a\uD800b' } }), { type: 1 }));
    assert.equal(back.scalars['title'], 'a\uFFFDb');
  });

  it('round-trips arbitrary unicode (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const names = fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), { maxLength: 6 });
    const field = fc.constantFrom<TagField>('actor', 'genre', 'director', 'collection');
    fc.assert(
      fc.property(text, text, field, names, names, (title, summary, tagField, set, remove) => {
        const back = decodeEdit(encodeEdit(edit({ scalars: { title, summary }, tags: { [tagField]: { set, remove } } }), { type: 1 }));
        assert.equal(back.scalars['title'], title);
        assert.equal(back.scalars['summary'], summary);
        assert.deepEqual(back.set[tagField] ?? [], set);
        assert.deepEqual(back.remove[tagField] ?? [], remove);
      }),
      { numRuns: 500 },
    );
  });

  it('never leaves a raw separator in a value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (value) => {
        const query = encodeEdit(edit({ scalars: { studio: value } }), { type: 1 });
        const raw = query.slice(query.indexOf('studio.value=') + 'studio.value='.length);
        assert.doesNotMatch(raw, /[&=+#\s,]/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeEdit: sort title, content rating, labels and actor photos', () => {
  it('sends titleSort and contentRating as values, labels as tags, a photo beside its actor', () => {
    const edit: PlexEdit = {
      scalars: { title: 'Studio - T', titleSort: 'T', contentRating: 'XXX' },
      tags: { actor: { set: ['Ann', 'Bea'], remove: [] }, label: { set: ['Kids OK'], remove: ['Old'] } },
      actorThumbs: { Bea: 'http://127.0.0.1:9999/performer/2/image?t=5&x=1' },
      lock: ['title', 'titleSort', 'contentRating', 'actor', 'label'],
    };
    const pairs = decodeQuery(encodeEdit(edit, { type: 1 }));
    const get = (key: string) => pairs.find(([k]) => k === key)?.[1];
    assert.equal(get('titleSort.value'), 'T');
    assert.equal(get('contentRating.value'), 'XXX');
    assert.equal(get('label[0].tag.tag'), 'Kids OK');
    assert.equal(get('label[].tag.tag-'), 'Old');
    assert.equal(get('actor[1].tag.tag'), 'Bea');
    assert.equal(get('actor[1].tag.thumb'), 'http://127.0.0.1:9999/performer/2/image?t=5&x=1');
    assert.equal(get('actor[0].tag.thumb'), undefined);
    assert.equal(get('label.locked'), '1');
  });

  it('sends a photo only beside an actor, not beside a genre or label of the same name', () => {
    const edit: PlexEdit = {
      scalars: {},
      tags: { actor: { set: ['Blue'], remove: [] }, genre: { set: ['Blue'], remove: [] }, label: { set: ['Blue'], remove: [] } },
      actorThumbs: { Blue: 'http://127.0.0.1:9999/performer/3/image' },
      lock: [],
    };
    const thumbs = decodeQuery(encodeEdit(edit, { type: 1 })).filter(([key]) => key.endsWith('.tag.thumb'));
    assert.deepEqual(thumbs, [['actor[0].tag.thumb', 'http://127.0.0.1:9999/performer/3/image']]);
  });
});
