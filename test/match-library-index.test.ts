// The library index on its own: a Plex stand-in that serves section pages
// from memory and counts them, and a real SQLite database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { LibraryIndex } from '../src/match/library-index.ts';
import type { PlexClient, PlexSection, PlexSectionPage } from '../src/plex/client.ts';
import type { PlexMetadata } from '../src/plex/wire.ts';
import { tempDir } from './helpers/temp.ts';

interface PageCall {
  sectionId: string;
  start: number;
  size: number;
  sort: string | undefined;
}

/** Plex as far as the index uses it: the section list and paged listings, newest first when asked. */
class PlexStandIn {
  sectionList: PlexSection[];
  items = new Map<string, PlexMetadata[]>();
  pageCalls: PageCall[] = [];
  sectionCalls = 0;
  /** Answer pages this much shorter than asked, to model a listing that ends early. */
  shortBy = 0;
  #release: (() => void) | undefined;
  #gate: Promise<void> | undefined;

  constructor(sections: PlexSection[]) {
    this.sectionList = sections;
  }

  /** Holds listings until release() is called. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release?.();
    this.#gate = undefined;
  }

  async sections(): Promise<PlexSection[]> {
    this.sectionCalls++;
    return this.sectionList;
  }

  async listSectionPage(sectionId: string, start: number, size: number, _signal?: AbortSignal, sort?: string): Promise<PlexSectionPage> {
    this.pageCalls.push({ sectionId, start, size, sort });
    await this.#gate;
    const all = [...(this.items.get(sectionId) ?? [])];
    if (sort === 'updatedAt:desc') all.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    return { items: all.slice(start, start + size - this.shortBy), offset: start, totalSize: all.length };
  }
}

const section = (id: string, title: string, type = 'movie'): PlexSection => ({ id, title, type, agent: 'tv.plex.agents.none', locations: ['/data'] });

function item(ratingKey: string, files: (string | undefined)[], updatedAt: number | undefined = 100, size = 10): PlexMetadata {
  return { ratingKey, updatedAt, Media: [{ Part: files.map((file) => ({ file, size })) }] } as PlexMetadata;
}

interface Setup {
  db: Db;
  plex: PlexStandIn;
  warnings: string[];
  debugs: string[];
  index(options?: { libraries?: string[]; pageSize?: number }): LibraryIndex;
}

async function setup(t: Parameters<typeof tempDir>[0], sections = [section('1', 'Videos')]): Promise<Setup> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const plex = new PlexStandIn(sections);
  const warnings: string[] = [];
  const debugs: string[] = [];
  const log = createLogger((line) => {
    if (line.startsWith('\x01w\x02')) warnings.push(line.trimEnd());
    if (line.startsWith('\x01d\x02')) debugs.push(line.trimEnd());
  });
  return {
    db,
    plex,
    warnings,
    debugs,
    index: (options = {}) => new LibraryIndex(db, plex as unknown as PlexClient, { libraries: options.libraries ?? [], pageSize: options.pageSize, log }),
  };
}

const keys = (candidates: { ratingKey: string }[]) => candidates.map((c) => c.ratingKey).sort();

test('a build indexes every file of every movie section; lookups by path and by basename', async (t) => {
  const s = await setup(t, [section('1', 'Videos'), section('2', 'Shows', 'show'), section('3', 'More')]);
  s.plex.items.set('1', [item('10', ['/data/a/Clip.mp4', '/data/a/clip-part2.mp4']), item('11', ['/data/b/clip.mp4'])]);
  s.plex.items.set('2', [item('20', ['/data/show.mkv'])]);
  s.plex.items.set('3', [item('30', ['/data/c/other.mp4'], 100, 77)]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(index.byPath('/data/a/Clip.mp4'), [{ ratingKey: '10', sectionId: '1', file: '/data/a/Clip.mp4', size: 10 }]);
  assert.deepEqual(keys(index.byPath('/data/a/clip-part2.mp4')), ['10']);
  assert.deepEqual(index.byPath('/data/a/clip.mp4'), [], 'paths are exact on a POSIX server');
  assert.deepEqual(keys(index.byBasename('CLIP.mp4')), ['10', '11'], 'basenames fold case');
  assert.deepEqual(index.byPath('/data/c/other.mp4'), [{ ratingKey: '30', sectionId: '3', file: '/data/c/other.mp4', size: 77 }]);
  assert.deepEqual(index.byPath('/data/show.mkv'), [], 'a show library is not searched unless named');
  assert.deepEqual(
    s.plex.pageCalls.map((c) => c.sectionId),
    ['1', '3'],
  );
  assert.equal(s.plex.pageCalls[0]!.sort, undefined, 'a full build needs no order');
  const rows = s.db.prepare('SELECT section_id, title, item_count FROM plex_sections ORDER BY section_id').all();
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [
      { section_id: '1', title: 'Videos', item_count: 2 },
      { section_id: '3', title: 'More', item_count: 1 },
    ],
  );
});

test('named libraries are matched by title in any case; unknown names are warned about', async (t) => {
  const s = await setup(t, [section('1', 'Videos'), section('2', 'Shows', 'show')]);
  s.plex.items.set('1', [item('10', ['/data/v.mp4'])]);
  s.plex.items.set('2', [item('20', ['/data/s.mkv'])]);
  const index = s.index({ libraries: ['shows', 'Nope'] });
  assert.deepEqual(
    (await index.sections()).map((x) => x.id),
    ['2'],
  );
  await index.ensureBuilt();
  assert.deepEqual(keys(index.byPath('/data/s.mkv')), ['20']);
  assert.deepEqual(index.byPath('/data/v.mp4'), []);
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0]!, /plexLibraries names unknown Plex libraries: Nope$/);
  await index.sections();
  assert.equal(s.plex.sectionCalls, 1, 'the section list is read once');
});

test('every named library found: no warning', async (t) => {
  const s = await setup(t, [section('1', 'Videos')]);
  await s.index({ libraries: ['VIDEOS'] }).ensureBuilt();
  assert.deepEqual(s.warnings, []);
});

test('a section is read page by page until the listing ends', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', ['a', 'b', 'c', 'd', 'e'].map((n, i) => item(String(i), [`/data/${n}.mp4`])));
  const index = s.index({ pageSize: 2 });
  await index.ensureBuilt();
  assert.deepEqual(
    s.plex.pageCalls.map((c) => [c.start, c.size]),
    [
      [0, 2],
      [2, 2],
      [4, 2],
    ],
  );
  for (const n of ['a', 'b', 'c', 'd', 'e']) assert.equal(index.byPath(`/data/${n}.mp4`).length, 1, n);
});

test('a listing that is a whole number of pages ends without asking for an empty one', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', ['a', 'b', 'c', 'd'].map((n, i) => item(String(i), [`/data/${n}.mp4`])));
  await s.index({ pageSize: 2 }).ensureBuilt();
  assert.equal(s.plex.pageCalls.length, 2);
});

test('a page shorter than asked ends the listing', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', ['a', 'b', 'c', 'd', 'e'].map((n, i) => item(String(i), [`/data/${n}.mp4`])));
  s.plex.shortBy = 1;
  await s.index({ pageSize: 3 }).ensureBuilt();
  assert.equal(s.plex.pageCalls.length, 1);
});

test('the default page is a thousand items', async (t) => {
  const s = await setup(t);
  await s.index().ensureBuilt();
  assert.equal(s.plex.pageCalls[0]!.size, 1000);
});

test('ensureBuilt builds a section once', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('10', ['/data/a.mp4'])]);
  const index = s.index();
  await index.ensureBuilt();
  await index.ensureBuilt();
  await s.index().ensureBuilt();
  assert.equal(s.plex.pageCalls.length, 1);
});

test('items without files and parts without a path are skipped', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [{ ratingKey: '1', updatedAt: 5 } as PlexMetadata, item('2', [undefined, '/data/real.mp4']), { ratingKey: '3', Media: [{}] } as PlexMetadata]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(keys(index.byPath('/data/real.mp4')), ['2']);
  assert.equal(s.db.prepare('SELECT count(*) AS n FROM plex_parts').get()!.n, 1);
});

test('Windows paths match whatever the case and slashes', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('10', ['D:\\Media\\Clip.MP4'])]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(keys(index.byPath('d:/media/clip.mp4')), ['10']);
  assert.deepEqual(index.byPath('d:/media/clip.mp4')[0]!.file, 'D:\\Media\\Clip.MP4', 'the file as Plex has it');
  assert.deepEqual(keys(index.byBasename('clip.mp4')), ['10']);
});

test('a refresh reads newest first and stops at what it has seen, re-reading the newest known second', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100), item('2', ['/data/two.mp4'], 200), item('3', ['/data/three.mp4'], 300)]);
  const index = s.index({ pageSize: 1 });
  await index.ensureBuilt();
  s.plex.pageCalls = [];
  // Item 3 moved within the newest known second; item 4 is new.
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100), item('2', ['/data/two.mp4'], 200), item('3', ['/data/moved.mp4'], 300), item('4', ['/data/four.mp4'], 400)]);
  await index.refresh(undefined, { force: true });
  assert.ok(s.plex.pageCalls.every((c) => c.sort === 'updatedAt:desc'));
  // Items 4 and 3 (the known second again), then item 2 shows the rest is known.
  assert.deepEqual(
    s.plex.pageCalls.map((c) => c.start),
    [0, 1, 2],
  );
  assert.deepEqual(keys(index.byPath('/data/four.mp4')), ['4']);
  assert.deepEqual(keys(index.byPath('/data/moved.mp4')), ['3']);
  assert.deepEqual(index.byPath('/data/three.mp4'), [], 'the old path went with the change');
  assert.deepEqual(keys(index.byPath('/data/one.mp4')), ['1'], 'older items stay indexed');
  const row = s.db.prepare('SELECT max_updated_at, item_count FROM plex_sections').get();
  assert.deepEqual({ ...row }, { max_updated_at: 400, item_count: 4 });
});

test('a refresh of a section never built lists it in full', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100)]);
  await s.index().refresh();
  assert.equal(s.plex.pageCalls[0]!.sort, undefined);
  assert.equal(s.db.prepare('SELECT max_updated_at FROM plex_sections').get()!.max_updated_at, 100);
});

test('a full build starts the section afresh', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'])]);
  await s.index().ensureBuilt();
  s.db.prepare('UPDATE plex_sections SET indexed_at = NULL').run();
  s.plex.items.set('1', [item('2', ['/data/two.mp4'])]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(index.byPath('/data/one.mp4'), [], 'an item gone from Plex is gone from the index');
  assert.deepEqual(keys(index.byPath('/data/two.mp4')), ['2']);
});

test('refreshes within two seconds of the last are skipped, unless forced', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100)]);
  const index = s.index();
  await index.ensureBuilt();
  await index.refresh();
  assert.equal(s.plex.pageCalls.length, 2, 'the first refresh looks');
  t.mock.timers.tick(1_999);
  await index.refresh();
  assert.equal(s.plex.pageCalls.length, 2, 'a refresh within 2 s shares the last look');
  await index.refresh(undefined, { force: true });
  assert.equal(s.plex.pageCalls.length, 3, 'a forced refresh always looks');
  t.mock.timers.tick(2_000);
  await index.refresh();
  assert.equal(s.plex.pageCalls.length, 4, 'two seconds on, it looks again');
});

test('concurrent refreshes share one look', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100)]);
  const index = s.index();
  await index.ensureBuilt();
  s.plex.hold();
  const first = index.refresh(undefined, { force: true });
  const second = index.refresh(undefined, { force: true });
  // Let the first call reach Plex before letting go.
  while (s.plex.pageCalls.length < 2) await new Promise((resolve) => setImmediate(resolve));
  s.plex.release();
  await Promise.all([first, second]);
  assert.equal(s.plex.pageCalls.length, 2, 'one build, one shared refresh');
  await index.refresh(undefined, { force: true });
  assert.equal(s.plex.pageCalls.length, 3, 'once it is done, the next refresh looks again');
});

test('a failed refresh lets the next one try', async (t) => {
  const s = await setup(t);
  const index = s.index();
  await index.ensureBuilt();
  const list = s.plex.listSectionPage.bind(s.plex);
  s.plex.listSectionPage = async () => {
    throw new Error('Plex is down');
  };
  await assert.rejects(index.refresh(undefined, { force: true }), /Plex is down/);
  s.plex.listSectionPage = list;
  await index.refresh(undefined, { force: true });
  assert.equal(s.plex.pageCalls.length, 2);
});

test('forget drops an item; remember records it again from its metadata', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('10', ['/data/a.mp4']), item('11', ['/data/b.mp4'])]);
  const index = s.index();
  await index.ensureBuilt();
  index.forget('10');
  assert.deepEqual(index.byPath('/data/a.mp4'), []);
  assert.deepEqual(keys(index.byPath('/data/b.mp4')), ['11'], 'only that item');
  index.remember(item('11', ['/data/b-renamed.mp4'], 500, 99), '1');
  assert.deepEqual(index.byPath('/data/b.mp4'), [], 'its old files are replaced');
  assert.deepEqual(index.byPath('/data/b-renamed.mp4'), [{ ratingKey: '11', sectionId: '1', file: '/data/b-renamed.mp4', size: 99 }]);
});

test('a part without a size is indexed with none', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [{ ratingKey: '10', Media: [{ Part: [{ file: '/data/a.mp4' }] }] } as PlexMetadata]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(index.byPath('/data/a.mp4'), [{ ratingKey: '10', sectionId: '1', file: '/data/a.mp4', size: null }]);
  assert.equal(s.db.prepare('SELECT max_updated_at FROM plex_sections').get()!.max_updated_at, 0);
});

test('every unknown library is named in the warning', async (t) => {
  const s = await setup(t, [section('1', 'Videos')]);
  await s.index({ libraries: ['Videos', 'Nope', 'Other'] }).sections();
  assert.match(s.warnings[0]!, /unknown Plex libraries: Nope, Other$/);
});

test('a build says how many items of which library it indexed, and how long it took', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const s = await setup(t);
  s.plex.items.set('1', [item('10', ['/data/a.mp4']), item('11', ['/data/b.mp4'])]);
  await s.index().ensureBuilt();
  assert.deepEqual(s.debugs, ['\x01d\x02indexed 2 item(s) of Plex library "Videos" (full) in 0 ms']);
});

test('a full build keeps items older than the newest known, and records the newest it listed', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100), item('3', ['/data/three.mp4'], 300)]);
  await s.index().ensureBuilt();
  s.db.prepare('UPDATE plex_sections SET indexed_at = NULL').run();
  // Item 3 is gone from Plex: the newest left is older than the newest known.
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100)]);
  const index = s.index();
  await index.ensureBuilt();
  assert.deepEqual(keys(index.byPath('/data/one.mp4')), ['1']);
  assert.deepEqual({ ...s.db.prepare('SELECT max_updated_at FROM plex_sections').get() }, { max_updated_at: 100 });
});

test('an incremental look that finds nothing new keeps the newest known', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100), item('3', ['/data/three.mp4'], 300)]);
  const index = s.index();
  await index.ensureBuilt();
  s.plex.items.set('1', [item('1', ['/data/one.mp4'], 100)]);
  await index.refresh(undefined, { force: true });
  assert.deepEqual({ ...s.db.prepare('SELECT max_updated_at FROM plex_sections').get() }, { max_updated_at: 300 });
});

test('a refresh of a section never built drops the items Plex no longer lists', async (t) => {
  const s = await setup(t);
  s.plex.items.set('1', [item('1', ['/data/one.mp4'])]);
  await s.index().ensureBuilt();
  s.db.prepare('UPDATE plex_sections SET indexed_at = NULL').run();
  s.plex.items.set('1', [item('2', ['/data/two.mp4'])]);
  const index = s.index();
  await index.refresh(undefined, { force: true });
  assert.deepEqual(index.byPath('/data/one.mp4'), []);
  assert.deepEqual(keys(index.byPath('/data/two.mp4')), ['2']);
});

test('a refresh asked while one is past its first section shares it', async (t) => {
  const s = await setup(t, [section('1', 'Videos'), section('2', 'More')]);
  const index = s.index();
  await index.ensureBuilt();
  const asked: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const list = s.plex.listSectionPage.bind(s.plex);
  s.plex.listSectionPage = async (sectionId, start, size, signal, sort) => {
    asked.push(sectionId);
    if (sectionId === '2') await gate;
    return list(sectionId, start, size, signal, sort);
  };
  const first = index.refresh(undefined, { force: true });
  for (let i = 0; i < 10_000 && asked.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(asked, ['1', '2'], 'the first refresh is at the second section');
  const second = index.refresh(undefined, { force: true });
  release();
  await Promise.all([first, second]);
  assert.deepEqual(asked, ['1', '2'], 'the second asked Plex nothing');
});
