import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Candidate, type CandidateLookup, decideMatch, type MatchDecision } from '../src/match/decide.ts';
import { basenameOf, type PathMapping, pathKey } from '../src/match/pathmap.ts';

/** An in-memory index keyed the way the decision expects. */
function lookupOf(parts: Candidate[]): CandidateLookup {
  return {
    byPath: (path) => parts.filter((c) => pathKey(c.file) === pathKey(path)),
    byBasename: (name) => parts.filter((c) => basenameOf(c.file).toLowerCase() === name.toLowerCase()),
  };
}

const part = (ratingKey: string, file: string, size: number | null = 100, sectionId = '1'): Candidate => ({ ratingKey, sectionId, file, size });
const MAP: PathMapping[] = [{ stash: '/data', plex: '/media' }];

const cases: [string, { path: string; size: number | null }[], PathMapping[], Candidate[], MatchDecision][] = [
  [
    'exact mapped path is the match',
    [{ path: '/data/a.mp4', size: 100 }],
    MAP,
    [part('1', '/media/a.mp4'), part('2', '/other/a.mp4')],
    { kind: 'matched', ratingKey: '1', sectionId: '1', file: '/media/a.mp4', via: 'path' },
  ],
  [
    'exact path wins over a size mismatch',
    [{ path: '/data/a.mp4', size: 5 }],
    MAP,
    [part('1', '/media/a.mp4', 100)],
    { kind: 'matched', ratingKey: '1', sectionId: '1', file: '/media/a.mp4', via: 'path' },
  ],
  [
    'any of several files may hit',
    [
      { path: '/data/missing.mp4', size: 1 },
      { path: '/data/b.mp4', size: 2 },
    ],
    MAP,
    [part('9', '/media/b.mp4', 2, '3')],
    { kind: 'matched', ratingKey: '9', sectionId: '3', file: '/media/b.mp4', via: 'path' },
  ],
  [
    'two files of one Plex item are one match',
    [
      { path: '/data/cd1.mp4', size: 1 },
      { path: '/data/cd2.mp4', size: 2 },
    ],
    MAP,
    [part('4', '/media/cd1.mp4', 1), part('4', '/media/cd2.mp4', 2)],
    { kind: 'matched', ratingKey: '4', sectionId: '1', file: '/media/cd1.mp4', via: 'path' },
  ],
  [
    'exact hits on different items are ambiguous',
    [
      { path: '/data/a.mp4', size: 1 },
      { path: '/data/b.mp4', size: 2 },
    ],
    MAP,
    [part('1', '/media/a.mp4', 1), part('2', '/media/b.mp4', 2)],
    { kind: 'ambiguous', candidates: [part('1', '/media/a.mp4', 1), part('2', '/media/b.mp4', 2)] },
  ],
  [
    'one file in two libraries is ambiguous',
    [{ path: '/data/a.mp4', size: 1 }],
    MAP,
    [part('1', '/media/a.mp4', 1, '1'), part('2', '/media/a.mp4', 1, '2')],
    { kind: 'ambiguous', candidates: [part('1', '/media/a.mp4', 1, '1'), part('2', '/media/a.mp4', 1, '2')] },
  ],
  [
    'Windows Plex path matches ignoring case and separators',
    [{ path: '/data/Sub/A.mp4', size: 1 }],
    [{ stash: '/data', plex: 'C:\\Media' }],
    [part('1', 'c:\\media\\sub\\a.MP4', 1)],
    { kind: 'matched', ratingKey: '1', sectionId: '1', file: 'c:\\media\\sub\\a.MP4', via: 'path' },
  ],
  [
    'POSIX Plex path is case-sensitive: falls back to basename+size, which is case-sensitive too',
    [{ path: '/data/A.mp4', size: 1 }],
    MAP,
    [part('1', '/media/a.mp4', 1)],
    { kind: 'unmatched', tried: ['/media/A.mp4'] },
  ],
  [
    'same basename and size elsewhere is the match',
    [{ path: '/data/a.mp4', size: 100 }],
    MAP,
    [part('5', '/moved/a.mp4', 100)],
    { kind: 'matched', ratingKey: '5', sectionId: '1', file: '/moved/a.mp4', via: 'basename+size' },
  ],
  [
    'basename with a different size is no match',
    [{ path: '/data/a.mp4', size: 100 }],
    MAP,
    [part('5', '/moved/a.mp4', 101)],
    { kind: 'unmatched', tried: ['/media/a.mp4'] },
  ],
  [
    'unknown size in Stash never matches on basename',
    [{ path: '/data/a.mp4', size: null }],
    MAP,
    [part('5', '/moved/a.mp4', 100)],
    { kind: 'unmatched', tried: ['/media/a.mp4'] },
  ],
  [
    'unknown size in Plex never matches on basename',
    [{ path: '/data/a.mp4', size: 100 }],
    MAP,
    [part('5', '/moved/a.mp4', null)],
    { kind: 'unmatched', tried: ['/media/a.mp4'] },
  ],
  [
    'two items with the same basename and size are ambiguous',
    [{ path: '/data/a.mp4', size: 100 }],
    MAP,
    [part('5', '/x/a.mp4', 100), part('6', '/y/a.mp4', 100)],
    { kind: 'ambiguous', candidates: [part('5', '/x/a.mp4', 100), part('6', '/y/a.mp4', 100)] },
  ],
  [
    'unmatched carries every mapped path tried',
    [
      { path: '/data/a.mp4', size: 1 },
      { path: '/elsewhere/b.mp4', size: 2 },
    ],
    MAP,
    [],
    { kind: 'unmatched', tried: ['/media/a.mp4', '/elsewhere/b.mp4'] },
  ],
  ['a scene without files is unmatched', [], MAP, [part('1', '/media/a.mp4')], { kind: 'unmatched', tried: [] }],
];
for (const [name, files, mappings, parts, expected] of cases) {
  test(`decideMatch: ${name}`, () => {
    assert.deepEqual(decideMatch(files, mappings, lookupOf(parts)), expected);
  });
}

test('a lookup returning loose candidates cannot cause a wrong exact match', () => {
  const loose: CandidateLookup = { byPath: () => [part('1', '/media/other.mp4', 1)], byBasename: () => [] };
  assert.deepEqual(decideMatch([{ path: '/data/a.mp4', size: 1 }], MAP, loose), { kind: 'unmatched', tried: ['/media/a.mp4'] });
});

test('a match is always one of the candidates and never on basename alone', () => {
  const name = fc.constantFrom('a.mp4', 'b.mp4', 'A.mp4');
  const dir = fc.constantFrom('/media', '/other', '/data');
  const size = fc.option(fc.constantFrom(1, 2), { nil: null });
  const candidate = fc.record({ ratingKey: fc.constantFrom('1', '2', '3'), sectionId: fc.constant('1'), file: fc.tuple(dir, name).map((p) => p.join('/')), size });
  const sceneFile = fc.record({ path: fc.tuple(dir, name).map((p) => p.join('/')), size });
  fc.assert(
    fc.property(fc.array(sceneFile, { maxLength: 3 }), fc.array(candidate, { maxLength: 6 }), (files, parts) => {
      const decision = decideMatch(files, MAP, lookupOf(parts));
      fc.pre(decision.kind === 'matched');
      const matched = decision as Extract<MatchDecision, { kind: 'matched' }>;
      const backing = parts.filter((c) => c.ratingKey === matched.ratingKey && c.file === matched.file);
      const sizeBacked = backing.some((c) => c.size !== null && files.some((f) => f.size === c.size));
      assert.ok(backing.length > 0);
      assert.ok(matched.via === 'path' || sizeBacked);
    }),
    { numRuns: 500 },
  );
});

test('a Windows Plex file matches on basename and size ignoring case; a POSIX one does not', () => {
  const scene = [{ path: '/data/Clip.MP4', size: 100 }];
  assert.deepEqual(decideMatch(scene, MAP, lookupOf([part('7', 'D:\\moved\\clip.mp4', 100)])), {
    kind: 'matched',
    ratingKey: '7',
    sectionId: '1',
    file: 'D:\\moved\\clip.mp4',
    via: 'basename+size',
  });
  assert.deepEqual(decideMatch(scene, MAP, lookupOf([part('7', '/moved/clip.mp4', 100)])), { kind: 'unmatched', tried: ['/media/Clip.MP4'] });
});

test('a loose lookup cannot make another Windows name a basename-and-size match', () => {
  const loose: CandidateLookup = { byPath: () => [], byBasename: () => [part('7', 'D:\\moved\\other.mp4', 100)] };
  assert.deepEqual(decideMatch([{ path: '/data/clip.mp4', size: 100 }], MAP, loose), { kind: 'unmatched', tried: ['/media/clip.mp4'] });
});

test('the same part found twice is one candidate, the first one seen', () => {
  const first = part('1', '/media/a.mp4', 1, '1');
  const again = part('1', '/media/a.mp4', 1, '2');
  const twice: CandidateLookup = { byPath: () => [first, again], byBasename: () => [] };
  assert.deepEqual(decideMatch([{ path: '/data/a.mp4', size: 1 }], MAP, twice), {
    kind: 'matched',
    ratingKey: '1',
    sectionId: '1',
    file: '/media/a.mp4',
    via: 'path',
  });
});
