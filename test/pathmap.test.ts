import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { basenameOf, mapStashPath, type PathMapping, parsePathMap, pathKey, samePath } from '../src/match/pathmap.ts';

test('an empty or blank setting maps nothing', () => {
  assert.deepEqual(parsePathMap(''), []);
  assert.deepEqual(parsePathMap('  ;  '), []);
});

test('pairs are split on ";" and "=>" with whitespace trimmed', () => {
  assert.deepEqual(parsePathMap(' /data => /media ; C:\\Videos=>/mnt/videos; '), [
    { stash: '/data', plex: '/media' },
    { stash: 'C:\\Videos', plex: '/mnt/videos' },
  ]);
});

const malformed: [string, RegExp][] = [
  ['/a=>/b;/c=>/d;/data', /^pathMap entry 3 "\/data" has no "=>"$/],
  ['/a=>/b=>/c', /^pathMap entry 1 "\/a=>\/b=>\/c" has more than one "=>"$/],
  ['=>/media', /^pathMap entry 1 "=>\/media" has an empty Stash prefix$/],
  ['/data=> ', /^pathMap entry 1 "\/data=>" has an empty Plex prefix$/],
];
for (const [raw, message] of malformed) {
  test(`malformed setting ${JSON.stringify(raw)} is refused naming the entry`, () => {
    assert.throws(() => parsePathMap(raw), { name: 'PermanentError', code: 'bad_settings', message });
  });
}

const m = (stash: string, plex: string): PathMapping => ({ stash, plex });

const cases: [string, string, PathMapping[], string][] = [
  ['no mapping leaves the path alone', '/data/a.mp4', [], '/data/a.mp4'],
  ['plain prefix swap', '/data/x/a.mp4', [m('/data', '/media')], '/media/x/a.mp4'],
  ['whole segments only', '/database/x.mp4', [m('/data', '/media')], '/database/x.mp4'],
  ['trailing slash on the Stash side', '/data/a.mp4', [m('/data/', '/media')], '/media/a.mp4'],
  ['trailing slash on the Plex side', '/data/a.mp4', [m('/data', '/media/')], '/media/a.mp4'],
  ['the prefix itself maps', '/data', [m('/data', '/media')], '/media'],
  ['longest prefix wins', '/data/special/a.mp4', [m('/data', '/media'), m('/data/special', '/fast')], '/fast/a.mp4'],
  ['longest prefix wins in any order', '/data/special/a.mp4', [m('/data/special', '/fast'), m('/data', '/media')], '/fast/a.mp4'],
  ['root Stash prefix', '/a/b.mp4', [m('/', '/srv')], '/srv/a/b.mp4'],
  ['root Plex prefix', '/data/a/b.mp4', [m('/data', '/')], '/a/b.mp4'],
  ['POSIX is case-sensitive', '/Data/a.mp4', [m('/data', '/media')], '/Data/a.mp4'],
  ['Windows to POSIX', 'C:\\Videos\\Sub\\a.mp4', [m('C:\\Videos', '/mnt/videos')], '/mnt/videos/Sub/a.mp4'],
  ['Windows with mixed slashes', 'C:\\Videos/Sub\\a.mp4', [m('C:/Videos/', '/mnt/videos')], '/mnt/videos/Sub/a.mp4'],
  ['Windows drive letter and case ignored', 'c:\\videos\\a.mp4', [m('C:\\Videos', '/mnt/v')], '/mnt/v/a.mp4'],
  ['Windows whole segments only', 'C:\\VideosOld\\a.mp4', [m('C:\\Videos', '/mnt/v')], 'C:\\VideosOld\\a.mp4'],
  ['Windows drive root', 'D:\\a\\b.mp4', [m('D:\\', '/mnt/d')], '/mnt/d/a/b.mp4'],
  ['POSIX to Windows', '/data/Sub/a.mp4', [m('/data', 'D:\\Media\\')], 'D:\\Media\\Sub\\a.mp4'],
  ['UNC share to POSIX', '\\\\nas\\share\\a.mp4', [m('\\\\nas\\share', '/mnt/nas')], '/mnt/nas/a.mp4'],
  ['Windows prefix never maps a POSIX path', '/C:/a.mp4', [m('C:\\', '/mnt/c')], '/C:/a.mp4'],
];
for (const [name, path, mappings, expected] of cases) {
  test(`mapStashPath: ${name}`, () => {
    assert.equal(mapStashPath(path, mappings), expected);
  });
}

const basenames: [string, string][] = [
  ['/data/a b.mp4', 'a b.mp4'],
  ['C:\\Videos\\a.mp4', 'a.mp4'],
  ['C:\\Videos/x\\y/z.mkv', 'z.mkv'],
  ['plain.mp4', 'plain.mp4'],
  ['/data/dir/', ''],
];
for (const [path, expected] of basenames) {
  test(`basenameOf(${JSON.stringify(path)}) is ${JSON.stringify(expected)}`, () => {
    assert.equal(basenameOf(path), expected);
  });
}

test('Windows paths compare without case or separator differences, POSIX paths exactly', () => {
  assert.equal(samePath('C:\\Videos\\A.mp4', 'c:/videos/a.mp4'), true);
  assert.equal(pathKey('C:\\Videos\\A.mp4'), pathKey('c:/videos/a.mp4'));
  assert.equal(samePath('/data/A.mp4', '/data/a.mp4'), false);
});

// Segment names without separators; some awkward characters on purpose.
const segment = fc.stringMatching(/^[A-Za-z0-9 ._&%,'()\u00e9\u05d0-\u05d4-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
const segments = fc.array(segment, { minLength: 1, maxLength: 4 });
const posixPrefix = segments.map((s) => `/${s.join('/')}`);
const windowsPrefix = fc.tuple(fc.constantFrom('C', 'D', 'z'), segments).map(([drive, s]) => `${drive}:\\${s.join('\\')}`);

test('mapping then the inverse mapping gives the original path', () => {
  const styled = fc.oneof(
    fc.record({ stash: posixPrefix, plex: posixPrefix }),
    fc.record({ stash: windowsPrefix, plex: posixPrefix }),
    fc.record({ stash: posixPrefix, plex: windowsPrefix }),
    fc.record({ stash: windowsPrefix, plex: windowsPrefix }),
  );
  fc.assert(
    fc.property(styled, fc.array(segment, { maxLength: 4 }), ({ stash, plex }, rest) => {
      const sep = stash.includes('\\') ? '\\' : '/';
      const original = [stash, ...rest].join(sep);
      const there = mapStashPath(original, [{ stash, plex }]);
      assert.equal(mapStashPath(there, [{ stash: plex, plex: stash }]), original);
    }),
    { numRuns: 500 },
  );
});

test('a path under no prefix is returned unchanged', () => {
  fc.assert(
    fc.property(posixPrefix, posixPrefix, posixPrefix, (stash, plex, path) => {
      fc.pre(path !== stash && !path.startsWith(`${stash}/`));
      assert.equal(mapStashPath(path, [{ stash, plex }]), path);
    }),
    { numRuns: 500 },
  );
});

test('a prefix maps only on a segment boundary', () => {
  fc.assert(
    fc.property(posixPrefix, segment, segment, (stash, glued, rest) => {
      const path = `${stash}${glued}/${rest}`;
      assert.equal(mapStashPath(path, [{ stash, plex: '/elsewhere' }]), path);
      assert.equal(mapStashPath(`${stash}/${rest}`, [{ stash, plex: '/elsewhere' }]), `/elsewhere/${rest}`);
    }),
    { numRuns: 500 },
  );
});
