// A group's cover and synopsis on its Plex collection (sync/collection-art.ts),
// against stand-in Stash and Plex clients that record each call: what is
// sent, when nothing is, and what is remembered between syncs.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import type { PlexClient, PlexCollection } from '../src/plex/client.ts';
import type { StashClient } from '../src/stash/client.ts';
import { artDue, type CollectionArtDeps, syncCollectionArt } from '../src/sync/collection-art.ts';
import type { StashScene } from '../src/sync/model.ts';
import { blankScene } from './helpers/stash-scene.ts';
import { tempDir } from './helpers/temp.ts';

const COVER = 'http://127.0.0.1:9999/group/1/frontimage?t=1';

interface Stands {
  deps: CollectionArtDeps;
  db: Db;
  calls: string[];
  lines: string[];
  collections: PlexCollection[];
  /** The image Stash serves per URL; an Error is thrown instead. */
  images: Map<string, Uint8Array | Error>;
  failUpload?: Error;
}

async function stands(t: TestContext): Promise<Stands> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const s: Stands = { db, calls: [], lines: [], collections: [{ ratingKey: '900', title: 'Summer', summary: '' }], images: new Map([[COVER, new Uint8Array([1, 2, 3])]]), deps: undefined as unknown as CollectionArtDeps };
  const plex = {
    listCollections: async (sectionId: string) => {
      s.calls.push(`list ${sectionId}`);
      return s.collections.map((c) => ({ ...c }));
    },
    editCollectionSummary: async (ratingKey: string, summary: string) => {
      s.calls.push(`summary ${ratingKey} ${summary}`);
    },
    uploadPoster: async (ratingKey: string, bytes: Uint8Array, contentType: string) => {
      if (s.failUpload) throw s.failUpload;
      s.calls.push(`poster ${ratingKey} ${[...bytes].join(',')} ${contentType}`);
    },
  };
  const stash = {
    fetchImage: async (url: string) => {
      s.calls.push(`fetch ${url}`);
      const image = s.images.get(url);
      if (image instanceof Error) throw image;
      if (!image) throw new PermanentError('not_found', `no image at ${url}`);
      return { bytes: image, contentType: 'image/jpeg' };
    },
  };
  s.deps = { db, plex: plex as unknown as PlexClient, stash: stash as unknown as StashClient, log: createLogger((line) => s.lines.push(line)) };
  return s;
}

const scene = (groups: StashScene['groups']): StashScene => blankScene({ groups });

const summer = (overrides: Partial<StashScene['groups'][number]> = {}) => ({ id: '1', name: 'Summer', coverUrl: COVER, description: 'Four days by the sea.', ...overrides });

test('a managed group sends its synopsis and cover once; the next sync sends and asks nothing', async (t) => {
  const s = await stands(t);
  const sc = scene([summer()]);
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), ['Summer']);
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), ['summary of Summer', 'poster of Summer']);
  assert.deepEqual(s.calls, ['list 1', 'summary 900 Four days by the sea.', `fetch ${COVER}`, 'poster 900 1,2,3 image/jpeg']);
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), []);
  s.calls.length = 0;
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), []);
  assert.deepEqual(s.calls, []);
  // Another section is another collection: due there.
  assert.deepEqual(artDue(s.db, sc, '2', ['Summer']), ['Summer']);
});

test('groups PlexSync does not keep as collections are left alone; names are trimmed', async (t) => {
  const s = await stands(t);
  const sc = scene([summer({ name: ' Summer ' }), summer({ id: '2', name: 'Winter' })]);
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), ['Summer']);
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), ['summary of Summer', 'poster of Summer']);
  assert.deepEqual(await syncCollectionArt(scene([summer({ id: '2', name: 'Winter' })]), '1', ['Summer'], s.deps), []);
  assert.equal(s.calls.filter((c) => c.startsWith('list')).length, 1, 'one collection listing per sync, none when nothing is due');
});

test('a collection Plex does not have yet is tried again next time', async (t) => {
  const s = await stands(t);
  s.collections = [{ ratingKey: '901', title: 'Other', summary: '' }];
  const sc = scene([summer()]);
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), []);
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), ['Summer'], 'nothing remembered');
  s.collections = [{ ratingKey: '900', title: 'Summer', summary: '' }];
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), ['summary of Summer', 'poster of Summer']);
});

test('a summary written in Plex by hand keeps the collection untouched; one equal to the synopsis does not', async (t) => {
  const s = await stands(t);
  s.collections = [{ ratingKey: '900', title: 'Summer', summary: 'My own words' }];
  const sc = scene([summer()]);
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), []);
  assert.deepEqual(s.calls, ['list 1']);
  assert.ok(s.lines.some((l) => l.includes('Plex collection "Summer" has a summary PlexSync did not write')), s.lines.join(''));
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), ['Summer'], 'nothing remembered');
  s.collections = [{ ratingKey: '900', title: 'Summer', summary: 'Four days by the sea.' }];
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), ['summary of Summer', 'poster of Summer']);
});

test('once PlexSync wrote a summary, a changed one in Plex is overwritten with the new synopsis', async (t) => {
  const s = await stands(t);
  await syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps);
  s.collections = [{ ratingKey: '900', title: 'Summer', summary: 'Changed in Plex' }];
  s.calls.length = 0;
  assert.deepEqual(await syncCollectionArt(scene([summer({ description: 'Five days.' })]), '1', ['Summer'], s.deps), ['summary of Summer']);
  assert.deepEqual(s.calls, ['list 1', 'summary 900 Five days.']);
});

test('no synopsis and no cover: nothing is due for a collection never touched', async (t) => {
  const s = await stands(t);
  for (const group of [summer({ description: null, coverUrl: null }), summer({ description: '', coverUrl: undefined })]) {
    assert.deepEqual(artDue(s.db, scene([group]), '1', ['Summer']), []);
    assert.deepEqual(await syncCollectionArt(scene([group]), '1', ['Summer'], s.deps), []);
  }
  assert.deepEqual(s.calls, []);
  // A cover without a synopsis: only the cover.
  assert.deepEqual(await syncCollectionArt(scene([summer({ description: null })]), '1', ['Summer'], s.deps), ['poster of Summer']);
  // A synopsis emptied after one was sent is sent (empty).
  s.calls.length = 0;
  await syncCollectionArt(scene([summer({ description: 'Words' })]), '1', ['Summer'], s.deps);
  assert.deepEqual(await syncCollectionArt(scene([summer({ description: null })]), '1', ['Summer'], s.deps), ['summary of Summer']);
  assert.deepEqual(s.calls.at(-1), 'summary 900 ');
});

test('a new cover URL with the same bytes is fetched but not uploaded, and not fetched again', async (t) => {
  const s = await stands(t);
  await syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps);
  const moved = 'http://127.0.0.1:9999/group/1/frontimage?t=2';
  s.images.set(moved, new Uint8Array([1, 2, 3]));
  s.calls.length = 0;
  assert.deepEqual(await syncCollectionArt(scene([summer({ coverUrl: moved })]), '1', ['Summer'], s.deps), []);
  assert.deepEqual(s.calls, ['list 1', `fetch ${moved}`]);
  assert.deepEqual(artDue(s.db, scene([summer({ coverUrl: moved })]), '1', ['Summer']), []);
  s.images.set('http://127.0.0.1:9999/group/1/frontimage?t=3', new Uint8Array([4]));
  assert.deepEqual(await syncCollectionArt(scene([summer({ coverUrl: 'http://127.0.0.1:9999/group/1/frontimage?t=3' })]), '1', ['Summer'], s.deps), ['poster of Summer']);
  // A group whose cover went away keeps the last one: nothing due.
  assert.deepEqual(artDue(s.db, scene([summer({ coverUrl: null })]), '1', ['Summer']), []);
});

test('a cover Stash no longer has is none: the synopsis still goes, the cover is not fetched again for that URL', async (t) => {
  const s = await stands(t);
  s.images.clear();
  assert.deepEqual(await syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps), ['summary of Summer']);
  assert.deepEqual(artDue(s.db, scene([summer()]), '1', ['Summer']), []);
  // Later a cover arrives: uploaded even though no poster hash is known.
  const next = 'http://127.0.0.1:9999/group/1/frontimage?t=9';
  s.images.set(next, new Uint8Array([7]));
  assert.deepEqual(await syncCollectionArt(scene([summer({ coverUrl: next })]), '1', ['Summer'], s.deps), ['poster of Summer']);
});

test('a failure sends the error on and forgets the claim, so the next sync tries again', async (t) => {
  const s = await stands(t);
  s.failUpload = new TransientError('network', 'connection reset', { origin: 'plex' });
  await assert.rejects(syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps), /connection reset/);
  assert.deepEqual(artDue(s.db, scene([summer()]), '1', ['Summer']), ['Summer']);
  // After a first success, a failed new cover leaves the last success remembered.
  s.failUpload = undefined;
  await syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps);
  const next = 'http://127.0.0.1:9999/group/1/frontimage?t=2';
  s.images.set(next, new Error('Stash broke'));
  await assert.rejects(syncCollectionArt(scene([summer({ coverUrl: next })]), '1', ['Summer'], s.deps), /Stash broke/);
  assert.deepEqual(artDue(s.db, scene([summer({ coverUrl: next })]), '1', ['Summer']), ['Summer']);
  assert.deepEqual(artDue(s.db, scene([summer()]), '1', ['Summer']), []);
});

test('a synopsis without a cover is sent and remembered', async (t) => {
  const s = await stands(t);
  const sc = scene([summer({ coverUrl: null })]);
  assert.deepEqual(await syncCollectionArt(sc, '1', ['Summer'], s.deps), ['summary of Summer']);
  assert.deepEqual(artDue(s.db, sc, '1', ['Summer']), []);
  assert.deepEqual(s.calls, ['list 1', 'summary 900 Four days by the sea.']);
});

test('two scenes of one group synced side by side send its art once', async (t) => {
  const s = await stands(t);
  const sent = await Promise.all([syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps), syncCollectionArt(scene([summer()]), '1', ['Summer'], s.deps)]);
  assert.deepEqual(sent, [['summary of Summer', 'poster of Summer'], []]);
  assert.equal(s.calls.filter((c) => c.startsWith('poster') || c.startsWith('summary')).length, 2);
});
