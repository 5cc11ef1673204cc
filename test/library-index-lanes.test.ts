// The library index under the drain loop's lanes: one build at a time per
// section, and a rebuild never empties rows another lane is reading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, sql } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { LibraryIndex } from '../src/match/library-index.ts';
import { PlexClient } from '../src/plex/client.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { tempDir } from './helpers/temp.ts';

const quiet = createLogger(() => {});

async function setup(t: Parameters<typeof tempDir>[0]) {
  const plex = await startFakePlex();
  const db = await openDatabase(tempDir(t));
  const client = new PlexClient({ baseUrl: plex.url, token: plex.token, clientIdentifier: 'lanes', timeoutMs: 10_000 });
  t.after(async () => {
    client.close();
    db.close();
    await plex.close();
  });
  for (let i = 0; i < 30; i++) plex.addItem({ title: `item ${String(i).padStart(2, '0')}`, file: `/data/videos/f${i}.mp4`, size: i + 1 });
  const index = new LibraryIndex(db, client, { libraries: [], pageSize: 10, log: quiet });
  const listings = () => plex.requestCount({ method: 'GET', path: '/library/sections/1/all' });
  return { plex, db, index, listings };
}

test('three lanes building the index at once list a three-page section once', async (t) => {
  const { index, listings } = await setup(t);
  await Promise.all([index.ensureBuilt(), index.ensureBuilt(), index.ensureBuilt()]);
  assert.equal(listings(), 3, 'one build of three pages');
  assert.equal(index.byPath('/data/videos/f29.mp4').length, 1);
});

test('while a section is rebuilt, readers still see its rows', async (t) => {
  const { plex, db, index } = await setup(t);
  await index.ensureBuilt();
  // Something asks for a full rebuild (a new index format, say), with a slow Plex.
  sql(db, 'UPDATE plex_sections SET indexed_at = NULL').run();
  plex.setLatency(100);
  let done = false;
  const build = index.ensureBuilt().finally(() => (done = true));
  let looks = 0;
  for (let i = 0; i < 400 && !done; i++) {
    assert.equal(index.byPath('/data/videos/f29.mp4').length, 1, `look ${looks}: the row is there`);
    looks++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await build;
  assert.ok(looks > 3, `looked ${looks} times during the rebuild`);
  assert.equal(index.byPath('/data/videos/f29.mp4').length, 1);
});

test('an item gone from Plex is dropped by the next full build', async (t) => {
  const { plex, db, index } = await setup(t);
  await index.ensureBuilt();
  const gone = plex.addItem({ title: 'zz late', file: '/data/videos/late.mp4', size: 5 }).ratingKey;
  sql(db, 'UPDATE plex_sections SET indexed_at = NULL').run();
  await index.ensureBuilt();
  assert.equal(index.byPath('/data/videos/late.mp4').length, 1);
  plex.item(gone)!.sectionId = '99'; // moved out of the section
  sql(db, 'UPDATE plex_sections SET indexed_at = NULL').run();
  await index.ensureBuilt();
  assert.deepEqual(index.byPath('/data/videos/late.mp4'), []);
  assert.equal(index.byPath('/data/videos/f0.mp4').length, 1);
});
