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
      { id: '9', name: 'Z' },
      { id: '3', name: 'A' },
    ]);
    assert.equal(scene.screenshotUrl, null);
    assert.equal(scene.updatedAt, '2026-01-11T10:30:00+01:00');
  });

  it('a stamp carries id, updated_at and files only', () => {
    assert.deepEqual(toSceneStamp(wire), { id: '7', updatedAt: '2026-01-11T10:30:00+01:00', files: [{ path: '/a.mp4', size: null }] });
  });
});
