import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSceneStamp, toStashScene } from '../src/stash/map.ts';
import type { WireScene } from '../src/stash/types.ts';

const wire: WireScene = {
  id: '7',
  title: '',
  code: null,
  details: 'a\nb',
  director: null,
  date: '2020-01-02',
  rating100: 0,
  organized: false,
  updated_at: '2026-01-11T10:30:00+01:00',
  studio: null,
  performers: [{ id: '2', name: 'B' }],
  tags: [],
  groups: [
    { group: { id: '9', name: 'Z' } },
    { group: { id: '3', name: 'A' } },
  ],
  files: [{ path: '/a.mp4', size: null }],
  paths: { screenshot: '' },
};

describe('Stash wire scene to domain scene', () => {
  it('keeps values exactly, flattens groups in Stash order, and an empty screenshot is none', () => {
    const scene = toStashScene(wire);
    assert.equal(scene.title, '');
    assert.equal(scene.rating100, 0);
    assert.deepEqual(scene.groups, [
      { id: '9', name: 'Z', coverUrl: null, description: null },
      { id: '3', name: 'A', coverUrl: null, description: null },
    ]);
    assert.equal(scene.screenshotUrl, null);
    assert.equal(scene.updatedAt, '2026-01-11T10:30:00+01:00');
  });

  it('brings parent studio, tag parents, StashIDs, group covers; performer images only when real and free of credentials', () => {
    const scene = toStashScene({
      ...wire,
      studio: { id: '1', name: 'S', parent_studio: { id: '2', name: 'P' } },
      performers: [
        { id: '1', name: 'Has', image_path: 'http://stash:9999/performer/1/image?t=5' },
        { id: '2', name: 'Default', image_path: 'http://stash:9999/performer/2/image?t=5&default=true' },
        { id: '3', name: 'Keyed', image_path: 'http://stash:9999/performer/3/image?t=5&apikey=secret' },
        { id: '4', name: 'User', image_path: 'http://u:p@stash:9999/performer/4/image?t=5' },
      ],
      tags: [{ id: '5', name: 'T', parents: [{ name: 'Parent' }] }],
      groups: [{ group: { id: '9', name: 'G', synopsis: 'About', front_image_path: 'http://stash:9999/group/9/frontimage?t=1' } }],
      stash_ids: [{ stash_id: 'abc' }],
    });
    assert.deepEqual(scene.studio, { id: '1', name: 'S', parent: { id: '2', name: 'P' } });
    assert.deepEqual(
      scene.performers.map((p) => p.imageUrl),
      ['http://stash:9999/performer/1/image?t=5', null, null, null],
    );
    assert.deepEqual(scene.tags, [{ id: '5', name: 'T', parents: ['Parent'] }]);
    assert.deepEqual(scene.groups, [{ id: '9', name: 'G', coverUrl: 'http://stash:9999/group/9/frontimage?t=1', description: 'About' }]);
    assert.equal(scene.stashIdCount, 1);
  });

  it('a stamp carries id, updated_at and files only', () => {
    assert.deepEqual(toSceneStamp(wire), { id: '7', updatedAt: '2026-01-11T10:30:00+01:00', files: [{ path: '/a.mp4', size: null }] });
  });
});
