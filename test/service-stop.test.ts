// SIGTERM while the service drains: running jobs finish or go back to the
// queue within 10 s, the exit code is 0, and a restart loses nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, sql } from '../src/db/database.ts';
import { counts, enqueueMany } from '../src/queue/operations.ts';
import { currentLease } from '../src/worker/lease.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'stop-test-api-key-0123456789';
const SCENES = 30;

async function world(t: Parameters<typeof tempDir>[0]) {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  const scenes = Array.from({ length: SCENES }, (_, i) => {
    const file = `/data/videos/stop/${i}.mp4`;
    const ratingKey = plex.addItem({ title: `file ${i}`, file, size: 100 + i }).ratingKey;
    return { id: stash.addScene({ title: `Stopped ${i}`, files: [{ path: file, size: 100 + i }] }), ratingKey };
  });
  const db = await openDatabase(dataDir);
  t.after(() => db.close());
  return { stash, plex, dataDir, db, scenes, env: { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: dataDir } };
}

test('SIGTERM mid-drain: exit 0 within 10 s, nothing in progress or lost, and a restart syncs the rest', async (t) => {
  const w = await world(t);
  // Slow Plex, so the drain is well under way but far from done when the signal comes.
  w.plex.setLatency(150);
  const service = await startServiceProcess(t, w.env);
  enqueueMany(w.db, w.scenes.map((s) => ({ kind: 'scene' as const, entityId: s.id })));
  await waitFor('a few scenes synced', () => (counts(w.db).done >= 3 ? true : undefined), 60_000);
  const stopped = await service.stop('SIGTERM');
  assert.equal(stopped.code, 0, service.stderr());
  assert.ok(stopped.ms < 10_000, `stopped after ${stopped.ms} ms`);
  const after = counts(w.db);
  assert.equal(after.inProgress, 0, 'no job left claimed');
  assert.equal(after.dead, 0);
  assert.ok(after.pending > 0, `the drain was cut short (${JSON.stringify(after)})`);
  assert.equal(after.done + after.pending, SCENES, `every scene is done or queued: ${JSON.stringify(after)}`);
  assert.equal(currentLease(w.db), undefined, 'the worker lease was released');

  w.plex.setLatency(0);
  const again = await startServiceProcess(t, w.env);
  await waitFor('the rest synced', () => (counts(w.db).pending === 0 && counts(w.db).inProgress === 0 ? true : undefined), 60_000);
  for (const s of w.scenes) assert.equal(w.plex.item(s.ratingKey)!.scalars.title, `Stopped ${w.scenes.indexOf(s)}`);
  assert.equal((await again.stop()).code, 0);
});

test('a job that cannot finish (Plex hangs) goes back to the queue at SIGTERM, its attempt refunded, exit 0 within 10 s', async (t) => {
  const w = await world(t);
  const service = await startServiceProcess(t, w.env);
  // Sync one scene first, so the library index is built and the next job reaches the edit.
  enqueueMany(w.db, [{ kind: 'scene' as const, entityId: w.scenes[0]!.id }]);
  await waitFor('the first scene', () => (counts(w.db).done === 1 ? true : undefined), 60_000);
  w.plex.setHang(true);
  enqueueMany(w.db, [{ kind: 'scene' as const, entityId: w.scenes[1]!.id }]);
  await waitFor('the job running', () => (counts(w.db).inProgress === 1 ? true : undefined), 30_000);
  const stopped = await service.stop('SIGTERM');
  assert.equal(stopped.code, 0, service.stderr());
  assert.ok(stopped.ms < 10_000, `stopped after ${stopped.ms} ms`);
  const job = sql(w.db, `SELECT status, attempts FROM jobs WHERE job_key = ?`).get(`scene:${w.scenes[1]!.id}`) as { status: string; attempts: number };
  assert.deepEqual({ ...job }, { status: 'pending', attempts: 0 });
  assert.match(service.stderr(), /went back to the queue/);
  w.plex.setHang(false);
});
