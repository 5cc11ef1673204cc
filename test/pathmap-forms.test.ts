// CONTRACT sec. 10 paths in their less common spellings: UNC shares written
// with forward slashes, drive roots, Unicode normalisation forms, and a
// library location that contains a path only at a folder boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { folderOf, isInside, isWindowsPath, mapStashPath, pathKey, samePath } from '../src/match/pathmap.ts';
import { startWorld } from './helpers/world.ts';
import { jobs, waitFor } from './fault-support.ts';

const NFC = 'Am\u00e9lie'; // é as one code point (Linux, Windows)
const NFD = 'Ame\u0301lie'; // e + combining acute (macOS, Synology)

test('//nas/share is a Windows path and ignores case', () => {
  assert.ok(isWindowsPath('//nas/share/a.mp4'));
  assert.ok(samePath('//NAS/Share/A.mp4', '\\\\nas\\share\\a.mp4'));
  assert.equal(pathKey('//NAS/Share/A.mp4'), pathKey('\\\\nas\\share\\a.mp4'));
  assert.equal(isWindowsPath('/data/a.mp4'), false);
});

test('the folder of a file at a drive root is the root itself', () => {
  assert.equal(folderOf('C:\\a.mp4'), 'C:\\');
  assert.equal(folderOf('C:/a.mp4'), 'C:/');
  assert.equal(folderOf('C:\\Videos\\a.mp4'), 'C:\\Videos');
  assert.equal(folderOf('/a.mp4'), '/');
});

test('NFC and NFD spellings of one name are one path', () => {
  assert.ok(samePath(`/data/${NFC}.mp4`, `/data/${NFD}.mp4`));
  assert.equal(pathKey(`/data/${NFD}.mp4`), pathKey(`/data/${NFC}.mp4`));
  assert.equal(mapStashPath(`/stash/${NFD}/x.mp4`, [{ stash: `/stash/${NFC}`, plex: '/plex' }]), '/plex/x.mp4');
});

test('a location contains a path only at a folder boundary', () => {
  assert.ok(isInside('/data/a/x.mp4', '/data/a'));
  assert.ok(isInside('/data/a/x.mp4', '/data/a/'));
  assert.equal(isInside('/data/ab/x.mp4', '/data/a'), false);
  assert.ok(isInside('c:\\videos\\x.mp4', 'C:\\Videos'));
  assert.equal(isInside('C:\\Videos2\\x.mp4', 'C:\\Videos'), false);
  assert.ok(isInside('/x.mp4', '/'));
});

test('a Stash path in NFD finds the Plex item whose path is NFC', async (t) => {
  const w = await startWorld(t);
  const rk = w.plex.addItem({ title: 'x', file: `/data/videos/${NFC}.mp4`, size: 9 }).ratingKey;
  const scene = w.stash.addScene({ title: 'Decomposed', files: [{ path: `/data/videos/${NFD}.mp4`, size: 9 }] });
  await w.hook('Scene.Update.Post', scene);
  assert.equal((await w.settle()).dead, 0);
  assert.equal(w.plex.item(rk)!.scalars.title, 'Decomposed');
});

test('a scan is asked of the library whose location holds the file at a folder boundary', async (t) => {
  const w = await startWorld(t, {
    plex: {
      sections: [
        { id: '1', title: 'A', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/a'] },
        { id: '2', title: 'AB', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/data/ab'] },
      ],
    },
    settings: { maxAttempts: 2 },
  });
  const scene = w.stash.addScene({ title: 'Unscanned', files: [{ path: '/data/ab/new.mp4', size: 3 }] });
  await w.hook('Scene.Update.Post', scene);
  await waitFor('a scan request', () => w.plex.scans.length > 0 || undefined);
  await waitFor('a not_scanned retry', async () => (await jobs(w.dataDir)).some((j) => j.error_code === 'not_scanned'));
  assert.deepEqual(w.plex.scans[0], { sectionId: '2', path: '/data/ab' });
  await w.settle(30_000);
});
