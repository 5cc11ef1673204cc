// Housekeeping on its own: which rows it removes, what it says, and how often
// the worker's ticker lets it run (a mocked clock; the ticker reads Date.now()).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { HOUSEKEEPING_EVERY_MS, housekeeping, housekeepingTicker } from '../src/worker/housekeeping.ts';
import { tempDir } from './helpers/temp.ts';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

async function seeded(t: Parameters<typeof tempDir>[0]): Promise<Db> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  const insert = db.prepare(
    `INSERT INTO jobs (job_key, kind, entity_id, status, attempts, run_at, last_error, created_at, updated_at, finished_at)
     VALUES (?, 'scene', ?, ?, 1, 0, NULL, 0, 0, ?)`,
  );
  insert.run('scene:1', '1', 'dead', NOW - 8 * DAY);
  insert.run('scene:2', '2', 'dead', NOW - 6 * DAY);
  insert.run('scene:3', '3', 'done', NOW - DAY - 1);
  insert.run('scene:4', '4', 'done', NOW - DAY + 3 * 3_600_000);
  return db;
}

function keys(db: Db): string[] {
  return (db.prepare('SELECT job_key FROM jobs ORDER BY job_key').all() as { job_key: string }[]).map((r) => r.job_key);
}

function logLines(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger((line) => lines.push(line)), lines };
}

test('dead letters past their retention and jobs finished over a day ago go; the rest stay', async (t) => {
  const db = await seeded(t);
  const { log, lines } = logLines();
  housekeeping(db, 7, log, NOW);
  assert.deepEqual(keys(db), ['scene:2', 'scene:4']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /housekeeping: removed 1 dead letter\(s\) older than 7 days and 1 finished job\(s\)/);
});

test('nothing to remove says nothing', async (t) => {
  const db = await seeded(t);
  const { log, lines } = logLines();
  housekeeping(db, 30, log, NOW - 2 * DAY);
  assert.deepEqual(keys(db), ['scene:1', 'scene:2', 'scene:3', 'scene:4']);
  assert.deepEqual(lines, []);
});

test('only dead letters, or only finished jobs, to remove is still said', async (t) => {
  const db = await seeded(t);
  const { log, lines } = logLines();
  housekeeping(db, 30, log, NOW);
  assert.deepEqual(keys(db), ['scene:1', 'scene:2', 'scene:4']);
  housekeeping(db, 7, log, NOW - DAY + 1);
  assert.deepEqual(keys(db), ['scene:2', 'scene:4']);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /removed 0 dead letter\(s\) older than 30 days and 1 finished job\(s\)/);
  assert.match(lines[1]!, /removed 1 dead letter\(s\) older than 7 days and 0 finished job\(s\)/);
});

test('the ticker runs at once, then not again until an hour has passed', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
  const db = await seeded(t);
  const { log } = logLines();
  const tick = housekeepingTicker(db, 7, log);
  const insert = db.prepare(
    `INSERT INTO jobs (job_key, kind, entity_id, status, attempts, run_at, last_error, created_at, updated_at, finished_at)
     VALUES (?, 'scene', ?, 'done', 1, 0, NULL, 0, 0, ?)`,
  );
  tick();
  assert.deepEqual(keys(db), ['scene:2', 'scene:4'], 'the first tick runs housekeeping');
  insert.run('scene:5', '5', NOW - 2 * DAY);
  t.mock.timers.tick(HOUSEKEEPING_EVERY_MS - 1);
  tick();
  assert.deepEqual(keys(db), ['scene:2', 'scene:4', 'scene:5'], 'a tick within the hour does nothing');
  t.mock.timers.tick(1);
  tick();
  assert.deepEqual(keys(db), ['scene:2', 'scene:4'], 'a tick an hour after the last run runs it again');
  insert.run('scene:6', '6', NOW - 2 * DAY);
  tick();
  assert.deepEqual(keys(db), ['scene:2', 'scene:4', 'scene:6'], 'the hour counts from the latest run');
  assert.equal(HOUSEKEEPING_EVERY_MS, 60 * 60_000);
});
