// Dead letters older than the dlqRetentionDays setting and finished jobs older
// than a day are removed by the background worker; newer ones stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { startWorld } from './helpers/world.ts';

const DAY = 86_400_000;

test('the worker purges dead letters past their retention and old finished jobs', async (t) => {
  const w = await startWorld(t, { settings: { dlqRetentionDays: 7 } });
  const now = Date.now();
  const seed = await openDatabase(w.dataDir);
  const insert = seed.prepare(
    `INSERT INTO jobs (job_key, kind, entity_id, status, attempts, run_at, last_error, created_at, updated_at, finished_at)
     VALUES (?, 'scene', ?, ?, 1, 0, 'reason', 0, 0, ?)`,
  );
  insert.run('scene:900', '900', 'dead', now - 8 * DAY);
  insert.run('scene:901', '901', 'dead', now - 6 * DAY);
  insert.run('scene:902', '902', 'done', now - 2 * DAY);
  insert.run('scene:903', '903', 'done', now - 60_000);
  seed.close();

  w.plex.addItem({ title: 'x', file: '/data/videos/k.mp4', size: 1 });
  const scene = w.stash.addScene({ title: 'Kept', files: [{ path: '/data/videos/k.mp4', size: 1 }] });
  await w.hook('Scene.Update.Post', scene);
  await w.settle();

  const db = await openDatabase(w.dataDir);
  t.after(() => db.close());
  const keys = (db.prepare(`SELECT job_key FROM jobs WHERE job_key LIKE 'scene:90%' ORDER BY job_key`).all() as { job_key: string }[]).map((r) => r.job_key);
  assert.deepEqual(keys, ['scene:901', 'scene:903']);
});
