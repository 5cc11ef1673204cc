// detect_paths: the pure pathMap suggestion, for the layouts met in the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPathMap, type PlexFile, type SceneFiles } from '../src/match/detect-paths.ts';
import { parsePathMap } from '../src/match/pathmap.ts';

function library(stashPaths: string[], toPlex: (p: string) => string | undefined) {
  const scenes: SceneFiles[] = stashPaths.map((path, i) => ({ sceneId: String(i + 1), files: [{ path, size: 1000 + i }] }));
  const plex: PlexFile[] = stashPaths.flatMap((path, i) => {
    const mapped = toPlex(path);
    return mapped === undefined ? [] : [{ path: mapped, size: 1000 + i }];
  });
  return { scenes, plex };
}

const names = (n: number, folder: string, sep = '/') => Array.from({ length: n }, (_, i) => `${folder}${sep}sub${i % 3}${sep}clip-${folder.length}-${i}.mp4`);

test('Docker volumes mounted apart: /data/videos in Stash is /media/videos in Plex', () => {
  const { scenes, plex } = library(names(20, '/data/videos'), (p) => p.replace('/data/', '/media/'));
  const d = detectPathMap(scenes, plex, []);
  assert.equal(d.suggestion, '/data=>/media');
  assert.equal(d.matchedWithSuggestion, 20);
  assert.equal(d.unexplainedCount, 0);
  // Without a mapping, basename+size already matches these: current counts them too.
  assert.equal(d.scenes, 20);
});

test('different depths: /videos in Stash, /mnt/user/media/videos in Plex, named by the first shared folder', () => {
  const { scenes, plex } = library(names(12, '/videos'), (p) => `/mnt/user/media${p}`);
  const d = detectPathMap(scenes, plex, []);
  assert.equal(d.suggestion, '/videos=>/mnt/user/media/videos');
  assert.equal(d.matchedWithSuggestion, 12);
});

test('several libraries under one Stash folder, mounted in different places in Plex', () => {
  const movies = names(10, '/data/movies');
  const clips = names(8, '/data/clips');
  const { scenes, plex } = library([...movies, ...clips], (p) => (p.startsWith('/data/movies') ? p.replace('/data/movies', '/mnt/movies') : p.replace('/data/clips', '/srv/clips')));
  const d = detectPathMap(scenes, plex, []);
  const map = Object.fromEntries(d.mappings.map((m) => [m.stash, m.plex]));
  assert.deepEqual(map, { '/data/movies': '/mnt/movies', '/data/clips': '/srv/clips' });
  assert.equal(d.matchedWithSuggestion, 18);
  // The suggestion parses as a pathMap setting.
  assert.equal(parsePathMap(d.suggestion).length, 2);
});

test('a Windows Stash (C:\\Videos\\...) and a Linux Plex (/media/videos/...)', () => {
  const windows = names(15, 'C:\\Videos', '\\');
  const { scenes, plex } = library(windows, (p) => p.replace('C:\\Videos', '/media/videos').replaceAll('\\', '/'));
  const d = detectPathMap(scenes, plex, []);
  assert.equal(d.suggestion, 'C:\\Videos=>/media/videos');
  assert.equal(d.matchedWithSuggestion, 15);
});

test('a Linux Stash and a Windows Plex (D:\\Media\\...)', () => {
  const { scenes, plex } = library(names(6, '/srv/media'), (p) => p.replace('/srv/media', 'D:\\Media').replaceAll('/', '\\'));
  const d = detectPathMap(scenes, plex, []);
  assert.equal(d.suggestion, '/srv/media=>D:\\Media');
  assert.equal(d.matchedWithSuggestion, 6);
});

test('same paths on both sides need no mapping; files Plex lacks are listed', () => {
  const { scenes, plex } = library(names(10, '/data/videos'), (p) => (p.endsWith('-9.mp4') ? undefined : p));
  const d = detectPathMap(scenes, plex, []);
  assert.equal(d.suggestion, '');
  assert.equal(d.matchedWithCurrent, 9);
  assert.equal(d.unexplainedCount, 1);
  assert.match(d.unexplained[0]!.path, /-9\.mp4$/);
});

test('the current mapping is measured too', () => {
  const { scenes, plex } = library(names(10, '/data/videos'), (p) => p.replace('/data/', '/media/'));
  // Different sizes on the Plex side defeat the basename+size fallback: only paths count.
  const resized = plex.map((f) => ({ ...f, size: null }));
  assert.equal(detectPathMap(scenes, resized, parsePathMap('/data=>/media')).matchedWithCurrent, 10);
  assert.equal(detectPathMap(scenes, resized, parsePathMap('/wrong=>/media')).matchedWithCurrent, 0);
  assert.equal(detectPathMap(scenes, resized, []).suggestion, '/data=>/media');
});
