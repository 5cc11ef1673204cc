// The path helpers one by one (pure): separators, roots, drive letters, UNC
// shares, case and Unicode forms, and segment boundaries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basenameKey, basenameOf, folderOf, isInside, isWindowsPath, mapStashPath, pathKey, samePath } from '../src/match/pathmap.ts';

const NFC = 'Am\u00e9lie';
const NFD = 'Ame\u0301lie';

test('what is a Windows path: a drive letter alone or before a separator, or a UNC share', () => {
  for (const path of ['C:', 'C:\\', 'c:/videos', 'Z:\\a.mp4', '\\\\server\\share', '//server/share', '//n']) assert.equal(isWindowsPath(path), true, path);
  for (const path of ['', '/', '/data/a.mp4', 'C:videos', 'CD:\\x', '1:\\x', '//', '\\\\', '///x', 'relative\\x', ' C:\\x']) assert.equal(isWindowsPath(path), false, path);
});

test('the basename is after the last separator of either kind', () => {
  assert.equal(basenameOf('/data/videos/a.mp4'), 'a.mp4');
  assert.equal(basenameOf('C:\\Videos\\b.mp4'), 'b.mp4');
  assert.equal(basenameOf('C:\\Videos/mixed\\c.mp4'), 'c.mp4');
  assert.equal(basenameOf('d/e\\f.mp4'), 'f.mp4');
  assert.equal(basenameOf('plain.mp4'), 'plain.mp4');
  assert.equal(basenameOf('/data/'), '');
  assert.equal(basenameKey(`${NFD}.MP4`), `${NFC.toLowerCase()}.mp4`);
});

test('the folder keeps the separator style; a root keeps its separator', () => {
  assert.equal(folderOf('/data/videos/a.mp4'), '/data/videos');
  assert.equal(folderOf('/a.mp4'), '/');
  assert.equal(folderOf('a.mp4'), '');
  assert.equal(folderOf('C:\\a.mp4'), 'C:\\');
  assert.equal(folderOf('c:/a.mp4'), 'c:/');
  assert.equal(folderOf('C:\\Videos\\a.mp4'), 'C:\\Videos');
  assert.equal(folderOf('\\\\nas\\share\\a.mp4'), '\\\\nas\\share');
  assert.equal(folderOf('ab/c.mp4'), 'ab', 'two characters before the cut are a folder, not a drive');
  assert.equal(folderOf('/ab/c.mp4'), '/ab');
});

test('a path is inside a folder only at a folder boundary, Windows folders ignoring case and separators', () => {
  assert.ok(isInside('/data/a/x.mp4', '/data/a'));
  assert.ok(isInside('/data/a/x.mp4', '/data/a//'));
  assert.ok(isInside('/data/a', '/data/a'), 'the folder itself');
  assert.equal(isInside('/data/ab/x.mp4', '/data/a'), false);
  assert.equal(isInside('/Data/a/x.mp4', '/data/a'), false, 'POSIX folders compare exactly');
  assert.ok(isInside('/anything.mp4', '/'));
  assert.ok(isInside('c:/videos/x.mp4', 'C:\\Videos\\'));
  assert.ok(isInside('C:\\VIDEOS\\x.mp4', 'c:/videos'));
  assert.equal(isInside('C:\\Videos2\\x.mp4', 'C:\\Videos'), false);
  assert.equal(isInside('C:\\Videos\\x.mp4', '/Videos'), false, 'a Windows path is never inside a POSIX folder');
  assert.equal(isInside('/Videos/x.mp4', 'C:\\Videos'), false);
  assert.ok(isInside(`/data/${NFD}/x.mp4`, `/data/${NFC}`), 'Unicode forms are one name');
  assert.equal(isInside('/data/a\\x.mp4', '/data/a'), false, 'a backslash is no POSIX separator');
});

test('path keys fold Windows paths only; samePath uses them', () => {
  assert.equal(pathKey('C:\\Videos\\A.mp4'), 'c:/videos/a.mp4');
  assert.equal(pathKey('/Data/A.mp4'), '/Data/A.mp4');
  assert.equal(pathKey(`/d/${NFD}`), `/d/${NFC}`);
  assert.ok(samePath('C:\\Videos\\A.mp4', 'c:/videos/a.mp4'));
  assert.ok(samePath('/a/b.mp4', '/a/b.mp4'));
  assert.ok(samePath(`/a/${NFD}`, `/a/${NFC}`));
  assert.equal(samePath('/a/B.mp4', '/a/b.mp4'), false);
  assert.equal(samePath('C:\\a.mp4', '/a.mp4'), false);
  assert.equal(samePath('c:/a.mp4', 'C:\\b.mp4'), false);
});

test('mapping: the longest prefix wins, the rest takes the target side separator, roots stay roots', () => {
  const maps = [
    { stash: '/data', plex: '/media' },
    { stash: '/data/videos', plex: 'D:\\Videos' },
  ];
  assert.equal(mapStashPath('/data/videos/a/b.mp4', maps), 'D:\\Videos\\a\\b.mp4');
  assert.equal(mapStashPath('/data/other/b.mp4', maps), '/media/other/b.mp4');
  assert.equal(mapStashPath('/data/videos', maps), 'D:\\Videos', 'the prefix itself');
  assert.equal(mapStashPath('/database/x.mp4', maps), '/database/x.mp4', 'not at a segment boundary');
  assert.equal(mapStashPath('C:\\Stash\\Sub\\x.mp4', [{ stash: 'c:/stash/', plex: '/mnt/' }]), '/mnt/Sub/x.mp4', 'Windows to POSIX: separators turned, trailing ones trimmed');
  assert.equal(mapStashPath('/stash', [{ stash: '/stash', plex: '/' }]), '/', 'mapped onto a root');
  assert.equal(mapStashPath('/stash/x.mp4', [{ stash: '/stash', plex: '/' }]), '/x.mp4');
  assert.equal(mapStashPath('/x.mp4', [{ stash: '/', plex: '/media' }]), '/media/x.mp4', 'from a root');
  assert.equal(mapStashPath('/a/x.mp4', [{ stash: '/a', plex: '/b' }, { stash: '/a', plex: '/c' }]), '/b/x.mp4', 'the first of two equal prefixes');
  assert.equal(mapStashPath('/a/x\\y.mp4', [{ stash: '/a', plex: '/b' }]), '/b/x\\y.mp4', 'a POSIX source keeps its backslashes');
  assert.equal(mapStashPath(`/s/${NFD}.mp4`, []), `/s/${NFC}.mp4`, 'unmapped paths come back in NFC');
});

test('a folder at a cut of two characters is a drive only when the path starts with one', () => {
  assert.equal(folderOf('ab/c:d.mp4'), 'ab', 'a colon in the name is no drive');
  assert.equal(folderOf('C:/d.mp4'), 'C:/');
});

test('a Windows path is never inside a POSIX root, and another drive or folder of the same length holds nothing', () => {
  assert.equal(isInside('C:\\x.mp4', '/'), false);
  assert.equal(isInside('//nas/share/x.mp4', '/'), false);
  assert.equal(isInside('D:\\Movies\\x.mp4', 'C:\\Videos'), false);
  assert.ok(isInside('c:\\videos\\x.mp4', 'C:\\Videos'));
});

test('a POSIX prefix never maps a Windows path; a Windows prefix maps only its own drive and folder', () => {
  assert.equal(mapStashPath('//nas/share/x.mp4', [{ stash: '/', plex: '/srv' }]), '//nas/share/x.mp4');
  assert.equal(mapStashPath('D:\\Movies\\x.mp4', [{ stash: 'C:\\Videos', plex: '/mnt' }]), 'D:\\Movies\\x.mp4');
  assert.equal(mapStashPath('c:\\videos\\x.mp4', [{ stash: 'C:\\Videos', plex: '/mnt' }]), '/mnt/x.mp4');
});
