// detect_paths: the pure pathMap suggestion, for the layouts met in the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPathMap, type PlexFile, plexFileLookup, type SceneFiles } from '../src/match/detect-paths.ts';
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
  const many = Array.from({ length: 9 }, (_, i) => `/data/v/clip-${i}.mp4`);
  const { scenes, plex } = library([...many, '/other/x/lone.mp4'], (p) => p.replace('/data/', '/media/').replace('/other/', '/elsewhere/'));
  assert.equal(detectPathMap(scenes, plex, []).suggestion, '/data=>/media');
  assert.equal(detectPathMap(scenes, plex, [], { minAgree: 1 }).suggestion, '/data=>/media;/other=>/elsewhere');
  const few = library([...many.slice(1), '/other/x/lone.mp4'], (p) => p.replace('/data/', '/media/').replace('/other/', '/elsewhere/'));
  assert.equal(detectPathMap(few.scenes, few.plex, []).suggestion, '/data=>/media;/other=>/elsewhere');
});

const twin = (path: string, size: number | null = 1): PlexFile => ({ path, size });

test('the in-memory lookup finds Plex files by path key and by basename, each its own item', () => {
  const lookup = plexFileLookup([twin('/media/a.mp4', 5), twin('D:\\Media\\B.mp4', null), twin('/other/a.mp4', 6)]);
  assert.deepEqual(lookup.byPath('d:/media/b.mp4'), [{ ratingKey: '1', sectionId: '', file: 'D:\\Media\\B.mp4', size: null }]);
  assert.deepEqual(
    lookup.byBasename('A.MP4').map((c) => c.file),
    ['/media/a.mp4', '/other/a.mp4'],
  );
  assert.deepEqual(lookup.byPath('/media/none.mp4'), []);
  assert.deepEqual(lookup.byBasename('none.mp4'), []);
});

test('segments are aligned from the end as far as both paths go: a NAS share seen through UNC on one side', () => {
  assert.equal(detectPathMap([scene('1', '/nas/share/a.mp4')], [twin('\\\\nas\\share\\a.mp4')], []).suggestion, '/nas=>\\\\nas');
  assert.equal(detectPathMap([scene('1', '\\\\nas\\share\\a.mp4')], [twin('/nas/share/a.mp4')], []).suggestion, '\\\\nas=>/nas');
  assert.equal(detectPathMap([scene('1', '/data/v/a.mp4')], [twin('D:\\Media\\w\\a.mp4')], []).suggestion, '/data/v=>D:\\Media\\w', 'a Windows Plex folds case, not names');
});

test('a root prefix is named by the first shared folder from two shared segments on', () => {
  assert.equal(detectPathMap([scene('1', '/videos/a.mp4')], [twin('/mnt/videos/a.mp4')], []).suggestion, '/videos=>/mnt/videos');
});

test('a Stash file of unknown size still finds its twin by name; a name in another case on a Linux Plex is none', () => {
  assert.equal(detectPathMap([scene('1', '/data/v/a.mp4', null)], [twin('/media/v/a.mp4', 5)], []).suggestion, '/data=>/media');
  const d = detectPathMap([scene('1', '/data/A.mp4')], [twin('/media/a.mp4')], []);
  assert.deepEqual(d.mappings, []);
});

test('the best-aligned twin wins whichever comes first', () => {
  const stash = [scene('1', '/data/v/a.mp4', 5)];
  assert.equal(detectPathMap(stash, [twin('/x/a.mp4', 5), twin('/media/v/a.mp4', 5)], []).suggestion, '/data=>/media');
  assert.equal(detectPathMap(stash, [twin('/media/v/a.mp4', 5), twin('/x/a.mp4', 5)], []).suggestion, '/data=>/media');
});

test('a Windows Stash and Plex with the same paths, in any case, need no mapping', () => {
  const d = detectPathMap([scene('1', 'C:\\Videos\\a.mp4')], [twin('c:\\videos\\a.mp4')], []);
  assert.equal(d.suggestion, '');
  assert.equal(d.exactWithCurrent, 1);
});

test('pairs are listed most-agreed first, then by Stash prefix', () => {
  const three = ['p', 'q', 'r'];
  const scenes = [scene('1', '/b/x/lone.mp4'), ...three.map((n, i) => scene(String(i + 2), `/data/v/${n}.mp4`, i + 2))];
  const plex = [twin('/e/x/lone.mp4'), ...three.map((n, i) => twin(`/media/v/${n}.mp4`, i + 2))];
  assert.equal(detectPathMap(scenes, plex, []).suggestion, '/data=>/media;/b=>/e');
  const tied = detectPathMap([scene('1', '/z/x/a.mp4', 1), scene('2', '/b/x/b.mp4', 2)], [twin('/e1/x/a.mp4', 1), twin('/e2/x/b.mp4', 2)], []);
  assert.equal(tied.suggestion, '/b=>/e2;/z=>/e1');
});

test('one Stash prefix that cannot be told apart keeps only its first Plex prefix', () => {
  const d = detectPathMap([scene('1', '/data/a.mp4', 1), scene('2', '/data/b.mp4', 2)], [twin('/m1/a.mp4', 1), twin('/m2/b.mp4', 2)], []);
  assert.deepEqual(d.mappings, [{ stash: '/data', plex: '/m1', files: 1 }]);
});

test('colliding pairs move a segment at a time, up to the folder of the file, for at most 64 rounds', () => {
  const d = detectPathMap([scene('1', '/data/x/y/a.mp4', 1), scene('2', '/data/x/y/b.mp4', 2)], [twin('/m1/x/y/a.mp4', 1), twin('/m2/x/y/b.mp4', 2)], []);
  assert.equal(d.suggestion, '/data/x/y=>/m1/x/y');
  const deep = Array.from({ length: 70 }, (_, i) => `d${i}`).join('/');
  const deepest = detectPathMap([scene('1', `/data/${deep}/a.mp4`, 1), scene('2', `/data/${deep}/b.mp4`, 2)], [twin(`/m1/${deep}/a.mp4`, 1), twin(`/m2/${deep}/b.mp4`, 2)], []);
  assert.deepEqual(
    deepest.mappings.map((m) => m.stash.split('/').slice(-2)),
    [['d62', 'd63']],
    '64 segments moved',
  );
});

test('exact matches decide which mapping is better; the count of all matches only breaks a tie', () => {
  const ten = Array.from({ length: 10 }, (_, i) => `/data/v/c${i}.mp4`);
  const scenes = [...ten.map((f, i) => scene(String(i), f, i + 10)), scene('a', '/other/x/l1.mp4', 1), scene('b', '/more/y/l2.mp4', 2)];
  const plex = [...ten.map((f, i) => twin(f.replace('/data/', '/media/'), i + 10)), twin('/e1/x/l1.mp4', 1), twin('/e2/y/l2.mp4', 2)];
  // The suggestion (/data=>/media) matches 10 by path and the two lone files by name and size; a prefix
  // that is a whole file path renames c0 in the current pathMap, which loses it.
  const renamed = '/data/v/c0.mp4=>/gone/c0-renamed.mp4';
  const moreExact = detectPathMap(scenes, plex, parsePathMap(`/data=>/media;/other=>/e1;/more=>/e2;${renamed}`));
  assert.deepEqual([moreExact.exactWithSuggestion, moreExact.matchedWithSuggestion, moreExact.exactWithCurrent, moreExact.matchedWithCurrent], [10, 12, 11, 11]);
  assert.equal(moreExact.better, false);
  const tie = detectPathMap(scenes, plex, parsePathMap(`/data=>/media;/other=>/e1;${renamed}`));
  assert.deepEqual([tie.exactWithCurrent, tie.matchedWithCurrent], [10, 11]);
  assert.equal(tie.better, true);
});
