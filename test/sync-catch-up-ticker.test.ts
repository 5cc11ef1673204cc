// The worker's catch-up ticker: when it asks Stash, what it says, and that a
// failure is said and tried again later. A stand-in Stash, a real database and
// a mocked clock (the ticker reads Date.now()).
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { getKv, openDatabase, setKv } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { getPending } from '../src/queue/operations.ts';
import type { StashClient } from '../src/stash/client.ts';
import type { SceneStamp } from '../src/stash/map.ts';
import { catchUp, catchUpTicker, secondBefore, WATERMARK_KEY } from '../src/sync/catch-up.ts';
import { tempDir } from './helpers/temp.ts';

const T = Date.parse('2026-03-01T12:00:00Z');
const INTERVAL = 60_000;

function stand(pages: SceneStamp[][]): StashClient & { asked: string[]; fail: string | undefined } {
  const s = {
    asked: [] as string[],
    fail: undefined as string | undefined,
    async *scenesUpdatedSince(since: string) {
      s.asked.push(since);
      if (s.fail) throw new Error(s.fail);
      for (const page of pages) yield page.filter((p) => Date.parse(p.updatedAt) > Date.parse(since));
    },
  };
  return s as unknown as StashClient & { asked: string[]; fail: string | undefined };
}

async function setup(t: TestContext, pages: SceneStamp[][], intervalMs = INTERVAL) {
  t.mock.timers.enable({ apis: ['Date'], now: T });
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const lines: string[] = [];
  const stash = stand(pages);
  const tick = catchUpTicker(db, stash, createLogger((line) => lines.push(line)), intervalMs);
  return { db, stash, lines, tick };
}

test('the first tick sets the watermark and says so; later ticks wait for the interval', async (t) => {
  const stamp = (id: string, at: number): SceneStamp => ({ id, updatedAt: new Date(at).toISOString().replace('.000', ''), files: [] });
  const pages: SceneStamp[][] = [];
  const s = await setup(t, pages);
  await s.tick();
  assert.equal(getKv(s.db, WATERMARK_KEY), '2026-03-01T12:00:00Z');
  assert.ok(s.lines.some((l) => l.includes('catch-up: watching for scenes changed after 2026-03-01T12:00:00Z')));
  assert.deepEqual(s.stash.asked, [], 'a first start asks Stash nothing');
  pages.push([stamp('1', T + 5_000), stamp('2', T + 7_000)]);
  t.mock.timers.tick(INTERVAL - 1);
  await s.tick();
  assert.deepEqual(s.stash.asked, [], 'not before the interval');
  t.mock.timers.tick(1);
  await s.tick();
  assert.deepEqual(s.stash.asked, ['2026-03-01T11:59:59Z']);
  assert.deepEqual(getPending(s.db).map((j) => j.key), ['scene:1', 'scene:2']);
  assert.ok(s.lines.some((l) => l.includes('catch-up: queued 2 scene(s) changed without a hook (up to 2026-03-01T12:00:07Z)')), s.lines.join('\n'));
  // Nothing new: asked again after the interval, and nothing said.
  const said = s.lines.length;
  pages.length = 0;
  t.mock.timers.tick(INTERVAL);
  await s.tick();
  assert.equal(s.stash.asked.length, 2);
  assert.equal(s.lines.length, said);
});

test('an interval of 0 catches up at the start only', async (t) => {
  const s = await setup(t, [], 0);
  setKv(s.db, WATERMARK_KEY, '2026-03-01T11:00:00Z');
  await s.tick();
  assert.equal(s.stash.asked.length, 1);
  t.mock.timers.tick(10 * INTERVAL);
  await s.tick();
  assert.equal(s.stash.asked.length, 1);
});

test('a failed catch-up is said and tried again at the next interval; the watermark stays', async (t) => {
  const s = await setup(t, []);
  setKv(s.db, WATERMARK_KEY, '2026-03-01T11:00:00Z');
  s.stash.fail = 'Stash is unreachable';
  await s.tick();
  assert.ok(s.lines.some((l) => l.includes('catch-up failed, will try again later: Stash is unreachable')));
  assert.equal(getKv(s.db, WATERMARK_KEY), '2026-03-01T11:00:00Z');
  s.stash.fail = undefined;
  t.mock.timers.tick(INTERVAL);
  await s.tick();
  assert.equal(s.stash.asked.length, 2);
});

test('the watermark only moves forward, and only to a time Stash reported', async (t) => {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  setKv(db, WATERMARK_KEY, '2026-03-01T11:00:00Z');
  // Stash answers an older stamp and one it cannot parse: neither moves the watermark.
  const stash = {
    async *scenesUpdatedSince() {
      yield [
        { id: '1', updatedAt: '2026-03-01T10:00:00Z', files: [] },
        { id: '2', updatedAt: 'not a time', files: [] },
      ];
    },
  } as unknown as StashClient;
  const result = await catchUp(db, stash);
  assert.equal(result.watermark, '2026-03-01T11:00:00Z');
  assert.equal(result.queued, 2, 'both are queued all the same');
  assert.equal(getKv(db, WATERMARK_KEY), '2026-03-01T11:00:00Z');
  // A watermark that no longer parses is replaced by any readable stamp.
  setKv(db, WATERMARK_KEY, 'garbage');
  const next = await catchUp(db, stash);
  assert.equal(next.watermark, '2026-03-01T10:00:00Z');
});

test('a stamp secondBefore cannot read is asked for as it is; fractions and a space separator are read', () => {
  assert.equal(secondBefore('yesterday'), 'yesterday');
  assert.equal(secondBefore(' 2026-03-01 12:00:00.123+01:00 '), '2026-03-01T11:59:59+01:00');
  assert.equal(secondBefore('0999-01-01T00:00:01Z'), '0999-01-01T00:00:00Z');
});
