// reconcile and dry_run: differences made behind the plugin's back are found
// and queued, nothing else is, and Plex receives no write while comparing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { getPending } from '../src/queue/operations.ts';
import { acquireLease, releaseLease } from '../src/worker/lease.ts';
import { startWorld, type World } from './helpers/world.ts';

async function syncedWorld(t: Parameters<typeof startWorld>[0], n: number) {
  const w = await startWorld(t);
  const scenes: { id: string; rk: string }[] = [];
  for (let i = 0; i < n; i++) {
    const file = `/data/videos/r/scene-${i}.mp4`;
    const rk = w.plex.addItem({ title: `file ${i}`, file, size: 100 + i }).ratingKey;
    const id = w.stash.addScene({ title: `Scene ${i}`, rating100: 60, files: [{ path: file, size: 100 + i }] });
    scenes.push({ id, rk });
  }
  const run = await w.task('sync_all');
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await w.settle()).dead, 0);
  return { w, scenes };
}

/** Keeps any background worker from starting, so the queue can be inspected as the task left it. */
async function holdWorker(w: World) {
  const db = await openDatabase(w.dataDir);
  assert.ok(acquireLease(db, 'test-holder', process.pid, 120_000));
  return {
    pending: () => getPending(db, 1000).map((j) => j.key).sort(),
    release: () => {
      releaseLease(db, 'test-holder');
      db.close();
    },
  };
}

const writes = (w: World) => w.plex.requestCount({ method: 'PUT' }) + w.plex.requestCount({ method: 'POST' });

test('reconcile queues exactly the scenes that differ, are missing in Plex or were never synced, without writing to Plex', async (t) => {
  const { w, scenes } = await syncedWorld(t, 30);
  const [changedInStash, changedInPlex, unlocked, rated] = [scenes[3]!, scenes[7]!, scenes[11]!, scenes[15]!];
  w.stash.updateScene(changedInStash.id, { title: 'Renamed in Stash' });
  w.plex.item(changedInPlex.rk)!.scalars.summary = 'edited in Plex';
  w.plex.item(unlocked.rk)!.locked.delete('title');
  w.plex.item(rated.rk)!.userRating = 2;
  const neverSyncedRk = w.plex.addItem({ title: 'new', file: '/data/videos/r/new.mp4', size: 7 }).ratingKey;
  const neverSynced = w.stash.addScene({ title: 'New scene', files: [{ path: '/data/videos/r/new.mp4', size: 7 }] });
  const missing = w.stash.addScene({ title: 'Not in Plex', files: [{ path: '/data/videos/r/absent.mp4', size: 8 }] });

  const hold = await holdWorker(w);
  const before = writes(w);
  const run = await w.task('reconcile');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(writes(w), before, 'reconcile never writes to Plex');
  assert.equal(run.progress.at(-1), 1);
  const out = run.result.output as { scenes: number; same: number; differs: number; neverSynced: number; missing: number; queued: number; fields: Record<string, number> };
  assert.equal(out.scenes, 32);
  assert.equal(out.same, 26);
  assert.equal(out.differs, 4);
  assert.equal(out.neverSynced, 1);
  assert.equal(out.missing, 1);
  assert.equal(out.queued, 6);
  assert.equal(out.fields.summary, 2, 'the Plex-side edit, and the never-synced scene whose summary is not locked yet');
  assert.equal(out.fields.rating, 1);
  assert.ok((out.fields.title ?? 0) >= 2);
  const expected = [changedInStash.id, changedInPlex.id, unlocked.id, rated.id, neverSynced, missing].map((id) => `scene:${id}`).sort();
  assert.deepEqual(hold.pending(), expected);
  assert.ok(run.logs.some((l) => /Differences by field: .*summary 2/.test(l.message)), JSON.stringify(run.logs));

  hold.release();
  await w.task('process');
  await w.settle();
  assert.equal(w.plex.item(changedInStash.rk)!.scalars.title, 'Renamed in Stash');
  assert.equal(w.plex.item(changedInPlex.rk)!.scalars.summary, '');
  assert.ok(w.plex.item(unlocked.rk)!.locked.has('title'));
  assert.equal(w.plex.item(rated.rk)!.userRating, 6);
  assert.equal(w.plex.item(neverSyncedRk)!.scalars.title, 'New scene');

  // Everything that can match now does: a second reconcile finds only the missing file.
  const again = await w.task('reconcile');
  const second = again.result.output as { same: number; missing: number; queued: number };
  assert.equal(second.same, 31);
  assert.equal(second.missing, 1);
  assert.equal(second.queued, 1);
});

test('dry_run shows old -> new per field for one scene and for everything, and writes nothing', async (t) => {
  const { w, scenes } = await syncedWorld(t, 5);
  const target = scenes[2]!;
  w.stash.updateScene(target.id, { title: 'After', details: 'New details' });
  const before = writes(w);

  const one = await w.task('dry_run', { sceneId: target.id });
  assert.equal(one.code, 0, one.stderr);
  const result = one.result.output as { scenes: { kind: string; plan: { changes: { field: string; from: unknown; to: unknown }[] } }[] };
  const changes = Object.fromEntries(result.scenes[0]!.plan.changes.map((c) => [c.field, [c.from, c.to]]));
  assert.deepEqual(changes.title, ['Scene 2', 'After']);
  assert.deepEqual(changes.summary, ['', 'New details']);
  assert.ok(one.logs.some((l) => l.message.includes('title: "Scene 2" -> "After"')), JSON.stringify(one.logs));

  const all = await w.task('dry_run');
  assert.equal(all.code, 0, all.stderr);
  const summary = (all.result.output as { summary: { scenes: number; same: number; differs: number } }).summary;
  assert.deepEqual([summary.scenes, summary.same, summary.differs], [5, 4, 1]);
  assert.equal(all.progress.at(-1), 1);
  assert.equal(writes(w), before);
  assert.equal((await w.queue()).pending, 0, 'dry_run queues nothing');

  const bad = await w.task('dry_run', { sceneId: 'abc' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.result.error ?? '', /sceneId/);
});
