import type { StashScene } from '../../src/sync/model.ts';

/** A scene as the worker reads it from Stash, with nothing set: tests fill in what they are about. */
export function blankScene(overrides: Partial<StashScene> = {}): StashScene {
  return {
    id: '5',
    title: 'T',
    code: null,
    details: null,
    director: null,
    date: null,
    rating100: null,
    organized: false,
    updatedAt: '2024-03-09T10:00:00Z',
    studio: null,
    performers: [],
    tags: [],
    groups: [],
    files: [],
    screenshotUrl: null,
    ...overrides,
  };
}
