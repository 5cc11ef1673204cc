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

const scene = (sceneId: string, path: string, size: number | null = 1): SceneFiles => ({ sceneId, files: [{ path, size }] });

test('the whole report: pairs with their file counts, matches by path and by basename, and whether the suggestion is better', () => {
  const scenes = ['a', 'b', 'c'].map((n, i) => scene(String(i + 1), `/data/videos/${n}.mp4`, i + 1));
  const plex = ['a', 'b', 'c'].map((n, i) => ({ path: `/media/videos/${n}.mp4`, size: i + 1 }));
  assert.deepEqual(detectPathMap([...scenes, { sceneId: '9', files: [] }], plex, []), {
    suggestion: '/data=>/media',
    mappings: [{ stash: '/data', plex: '/media', files: 3 }],
    scenes: 3,
    matchedWithSuggestion: 3,
    matchedWithCurrent: 3,
    exactWithSuggestion: 3,
    exactWithCurrent: 0,
    better: true,
    unexplained: [],
    unexplainedCount: 0,
  });
  const same = detectPathMap(scenes, plex, parsePathMap('/data=>/media'));
  assert.equal(same.exactWithCurrent, 3);
  assert.equal(same.better, false, 'no better than the same mapping');
});

test('a prefix of one segment is the bare root: "/" or a drive with its separator', () => {
  assert.equal(detectPathMap([scene('1', '/clip.mp4')], [{ path: '/media/clip.mp4', size: 1 }], []).suggestion, '/=>/media');
  assert.equal(detectPathMap([scene('1', 'D:\\clip.mp4')], [{ path: '/media/clip.mp4', size: 1 }], []).suggestion, 'D:\\=>/media');
});

test('folder names are aligned ignoring case only when Plex runs on Windows', () => {
  assert.equal(detectPathMap([scene('1', '/data/Videos/A.mp4')], [{ path: 'D:\\Media\\videos\\a.mp4', size: 1 }], []).suggestion, '/data=>D:\\Media');
  assert.equal(detectPathMap([scene('1', '/data/Videos/a.mp4')], [{ path: '/media/videos/a.mp4', size: 1 }], []).suggestion, '/data/Videos=>/media/videos');
});

test('a Plex file of another size is no twin, however well it aligns', () => {
  const d = detectPathMap([scene('1', '/data/videos/a.mp4', 5)], [{ path: '/media/videos/a.mp4', size: 6 }, { path: '/x/a.mp4', size: 5 }], []);
  assert.equal(d.suggestion, '/data/videos=>/x');
});

test('two twins aligned equally well suggest nothing', () => {
  const d = detectPathMap([scene('1', '/data/v/a.mp4', 5)], [{ path: '/m1/v/a.mp4', size: 5 }, { path: '/m2/v/a.mp4', size: 5 }], []);
  assert.deepEqual(d.mappings, []);
  assert.deepEqual(d.unexplained, [{ sceneId: '1', path: '/data/v/a.mp4' }]);
});

test('the unexplained scenes are listed up to maxUnexplained, 50 by default, and all counted', () => {
  const scenes = Array.from({ length: 52 }, (_, i) => scene(String(i), `/data/missing-${i}.mp4`));
  assert.equal(detectPathMap(scenes, [], []).unexplained.length, 50);
  const d = detectPathMap(scenes, [], [], { maxUnexplained: 2 });
  assert.deepEqual(d.unexplained, [
    { sceneId: '0', path: '/data/missing-0.mp4' },
    { sceneId: '1', path: '/data/missing-1.mp4' },
  ]);
  assert.equal(d.unexplainedCount, 52);
});

test('a pair needs two files from ten aligned files on, one below, or minAgree', () => {
  const many = Array.from({ length: 10 }, (_, i) => `/data/v/clip-${i}.mp4`);
  const { scenes, plex } = library([...many, '/other/x/lone.mp4'], (p) => p.replace('/data/', '/media/').replace('/other/', '/elsewhere/'));
  assert.equal(detectPathMap(scenes, plex, []).suggestion, '/data=>/media');
  assert.equal(detectPathMap(scenes, plex, [], { minAgree: 1 }).suggestion, '/data=>/media;/other=>/elsewhere');
  const few = library(['/data/v/a.mp4', '/other/x/lone.mp4'], (p) => p.replace('/data/', '/media/').replace('/other/', '/elsewhere/'));
  assert.equal(detectPathMap(few.scenes, few.plex, []).suggestion, '/data=>/media;/other=>/elsewhere');
});
