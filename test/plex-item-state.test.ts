import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPlexItemState } from '../src/plex/item-state.ts';
import type { PlexMetadata } from '../src/plex/wire.ts';

describe('toPlexItemState', () => {
  it('maps a full item, actors from Role and locks from Field', () => {
    const item: PlexMetadata = {
      ratingKey: '42',
      title: 'T',
      summary: 'S\nS',
      titleSort: 'Sort',
      studio: 'Studio',
      contentRating: 'XXX',
      originallyAvailableAt: '2020-01-02',
      year: 2020,
      userRating: 8,
      updatedAt: 1700000000,
      Media: [{ Part: [{ file: '/a.mp4', size: 10 }, { file: '/b.mp4' }] }, { Part: [{ file: '/c.mp4', size: 5 }] }],
      Role: [{ tag: 'Ann', role: 'Self', thumb: 'http://stash:9999/performer/1/image?t=1' }, { tag: 'Bob' }],
      Genre: [{ tag: 'G' }],
      Director: [{ tag: 'D' }],
      Collection: [{ tag: 'C' }],
      Label: [{ tag: 'L' }],
      Field: [
        { name: 'title', locked: true },
        { name: 'genre', locked: 1 },
        { name: 'summary', locked: false },
      ],
    };
    assert.deepEqual(toPlexItemState(item, '3'), {
      ratingKey: '42',
      sectionId: '3',
      title: 'T',
      summary: 'S\nS',
      titleSort: 'Sort',
      originallyAvailableAt: '2020-01-02',
      studio: 'Studio',
      contentRating: 'XXX',
      tags: { actor: ['Ann', 'Bob'], genre: ['G'], director: ['D'], collection: ['C'], label: ['L'] },
      actorThumbs: { Ann: 'http://stash:9999/performer/1/image?t=1' },
      userRating: 8,
      locked: ['title', 'genre'],
      files: [
        { file: '/a.mp4', size: 10 },
        { file: '/b.mp4', size: null },
        { file: '/c.mp4', size: 5 },
      ],
      updatedAt: 1700000000,
    });
  });

  it('fills missing fields with empty values', () => {
    assert.deepEqual(toPlexItemState({ ratingKey: '1' }, null), {
      ratingKey: '1',
      sectionId: null,
      title: '',
      summary: '',
      titleSort: '',
      originallyAvailableAt: '',
      studio: '',
      contentRating: '',
      tags: { actor: [], genre: [], director: [], collection: [], label: [] },
      actorThumbs: {},
      userRating: null,
      locked: [],
      files: [],
      updatedAt: null,
    });
  });
});
