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
      studio: 'Studio',
      originallyAvailableAt: '2020-01-02',
      year: 2020,
      userRating: 8,
      updatedAt: 1700000000,
      Media: [{ Part: [{ file: '/a.mp4', size: 10 }, { file: '/b.mp4' }] }, { Part: [{ file: '/c.mp4', size: 5 }] }],
      Role: [{ tag: 'Ann', role: 'Self' }, { tag: 'Bob' }],
      Genre: [{ tag: 'G' }],
      Director: [{ tag: 'D' }],
      Collection: [{ tag: 'C' }],
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
      originallyAvailableAt: '2020-01-02',
      studio: 'Studio',
      tags: { actor: ['Ann', 'Bob'], genre: ['G'], director: ['D'], collection: ['C'] },
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
      originallyAvailableAt: '',
      studio: '',
      tags: { actor: [], genre: [], director: [], collection: [] },
      userRating: null,
      locked: [],
      files: [],
      updatedAt: null,
    });
  });
});
