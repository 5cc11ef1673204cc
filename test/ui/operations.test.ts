// The panel's backend modes, run through the built plugin as Stash's
// runPluginOperation runs them: scene_status for each state, with the Plex
// Web link when Stash's settings and Plex's identity can be had, and
// sync_scene queueing the scene.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { claim, enqueue, fail } from '../../src/queue/operations.ts';
import { putRecord } from '../../src/sync/records.ts';
import { nowhereConnection, runPlugin, taskInput } from '../helpers/plugin.ts';
import { tempDir } from '../helpers/temp.ts';
import { startWorld } from '../helpers/world.ts';

const SYNCED_AT = Date.parse('2026-01-02T03:04:05.000Z');

function record(sceneId: string, ratingKey: string) {
  return { sceneId, ratingKey, sectionId: '1', syncedAt: SYNCED_AT, stateHash: null, posterHash: null, posterUrl: null, collections: [], sceneUpdatedAt: null };
}

/** Scene 1 synced, 2 pending after an error, 3 a dead letter, 4 never seen. */
async function seed(dataDir: string): Promise<void> {
  const db = await openDatabase(dataDir);
  try {
    putRecord(db, record('1', '501'));
    enqueue(db, { kind: 'scene', entityId: '2' });
    const two = claim(db, 60_000);
    assert.ok(two);
    db.prepare(`UPDATE jobs SET status = 'pending', lease = NULL, last_error = 'Plex is not reachable', run_at = ? WHERE id = ?`).run(
      Date.now() + 60_000,
      two.id,
    );
    enqueue(db, { kind: 'scene', entityId: '3' });
    const three = claim(db, 60_000);
    assert.ok(three);
    fail(db, three, { errorClass: 'PermanentError', code: 'ambiguous', message: 'ambiguous match: 2 items' });
  } finally {
    db.close();
  }
}

/** One loopback server playing Stash's GraphQL (settings) and Plex's /identity. */
async function stashAndPlex(t: { after(fn: () => Promise<void> | void): void }): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/graphql') {
      req.resume();
      req.on('end', () =>
        res.end(JSON.stringify({ data: { configuration: { plugins: { PlexSync: { plexUrl: `http://127.0.0.1:${port}`, plexToken: 'secret-token' } } } } })),
      );
      return;
    }
    if (req.url === '/identity') {
      res.end(JSON.stringify({ MediaContainer: { size: 0, machineIdentifier: 'machine-abc', version: '1.41.0' } }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, requests };
}

async function status(dataDir: string, sceneId: unknown, connection = nowhereConnection()) {
  const run = await runPlugin(taskInput(connection, 'scene_status', { sceneId }), { env: { PLEXSYNC_DATA_DIR: dataDir } });
  return run;
}

test('scene_status tells synced, pending, failed and unknown scenes apart', async (t) => {
  const dataDir = tempDir(t);
  await seed(dataDir);
  const synced = (await status(dataDir, '1')).result.output as Record<string, unknown>;
  assert.equal(synced.state, 'synced');
  assert.equal(synced.ratingKey, '501');
  assert.equal(synced.syncedAt, '2026-01-02T03:04:05.000Z');
  assert.equal(synced.plexUrl, undefined, 'no link when Stash cannot be asked for the Plex URL');

  const pending = (await status(dataDir, 2)).result.output as Record<string, unknown>;
  assert.equal(pending.state, 'pending');
  assert.equal(pending.reason, 'Plex is not reachable');
  assert.equal(typeof pending.nextAttemptAt, 'string');

  const failed = (await status(dataDir, '3')).result.output as Record<string, unknown>;
  assert.equal(failed.state, 'failed');
  assert.equal(failed.reason, 'ambiguous match: 2 items');

  const unknown = (await status(dataDir, '4')).result.output as Record<string, unknown>;
  assert.deepEqual(unknown, { sceneId: '4', state: 'unknown' });
});

test('scene_status links a synced scene to its item in Plex Web', async (t) => {
  const dataDir = tempDir(t);
  await seed(dataDir);
  const { port, requests } = await stashAndPlex(t);
  const connection = { ...nowhereConnection(), Port: port };
  const run = await status(dataDir, '1', connection);
  const out = run.result.output as Record<string, unknown>;
  assert.equal(out.plexUrl, `http://127.0.0.1:${port}/web/index.html#!/server/machine-abc/details?key=%2Flibrary%2Fmetadata%2F501`);
  assert.ok(requests.includes('GET /identity'));
  assert.doesNotMatch(run.stdout + run.stderr, /secret-token/);
});

test('a bad sceneId is refused with a clear error', async (t) => {
  const dataDir = tempDir(t);
  for (const bad of ['abc', '1; DROP TABLE jobs', undefined]) {
    const run = await runPlugin(taskInput(nowhereConnection(), 'sync_scene', bad === undefined ? {} : { sceneId: bad }), {
      env: { PLEXSYNC_DATA_DIR: dataDir },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.result.error ?? '', /args\.sceneId must be a scene id made of digits/);
  }
});

test('sync_scene queues the scene and the status then says pending', async (t) => {
  const dataDir = tempDir(t);
  await seed(dataDir);
  const run = await runPlugin(taskInput(nowhereConnection(), 'sync_scene', { sceneId: '3' }), {
    env: { PLEXSYNC_DATA_DIR: dataDir, PLEXSYNC_IDLE_EXIT_MS: '100' },
  });
  assert.equal(run.code, 0, run.stderr);
  const out = run.result.output as Record<string, unknown>;
  assert.equal(out.queued, true);
  assert.equal(out.sceneId, '3');
  const after = (await status(dataDir, '3')).result.output as Record<string, unknown>;
  assert.ok(['pending', 'in_progress'].includes(String(after.state)), `state ${String(after.state)}`);
});

test('a dead letter and a failed scene carry the next step for their error', async (t) => {
  const dataDir = tempDir(t);
  await seed(dataDir);
  const db = await openDatabase(dataDir);
  try {
    db.prepare(`UPDATE jobs SET error_code = 'not_scanned', last_error = 'Plex has no item for /plex/media/x.mp4 yet' WHERE job_key = 'scene:3'`).run();
  } finally {
    db.close();
  }
  const failed = (await status(dataDir, '3')).result.output as Record<string, unknown>;
  assert.equal(failed.reason, 'Plex has no item for /plex/media/x.mp4 yet');
  assert.match(String(failed.nextStep), /^Check Path mapping and Plex libraries, or run Detect path mapping/);
  const list = await runPlugin(taskInput(nowhereConnection(), 'dlq_list'), { env: { PLEXSYNC_DATA_DIR: dataDir } });
  const letters = (list.result.output as { deadLetters: Record<string, unknown>[] }).deadLetters;
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.nextStep, failed.nextStep);
});

test('scene_compare tells how a scene matched and what a sync would change, field by field', async (t) => {
  const world = await startWorld(t, { settings: { pathMap: '/data=>/media' } });
  world.stash.addScene({ id: '7', title: 'Beach Day', date: '2024-05-06', files: [{ path: '/data/videos/beach.mp4', size: 4242 }] });
  world.plex.addItem({ ratingKey: '701', title: 'beach', file: '/media/videos/beach.mp4', size: 4242 });
  world.stash.addScene({ id: '8', title: 'Moved', files: [{ path: '/data/old/moved.mp4', size: 99 }] });
  world.plex.addItem({ ratingKey: '801', title: 'moved', file: '/media/new/moved.mp4', size: 99 });
  world.stash.addScene({ id: '9', title: 'Nowhere', files: [{ path: '/data/videos/nowhere.mp4', size: 5 }] });

  const exact = await world.task('scene_compare', { sceneId: '7' });
  assert.equal(exact.code, 0, exact.stderr);
  const out = exact.result.output as { match: Record<string, unknown>; status: string; changes: { field: string; label: string; from: unknown; to: unknown }[] };
  assert.deepEqual(out.match, { kind: 'matched', via: 'path', library: 'Videos', sectionId: '1', plexFile: '/media/videos/beach.mp4', stashFile: '/data/videos/beach.mp4', ratingKey: '701' });
  assert.equal(out.status, 'never_synced');
  const title = out.changes.find((c) => c.field === 'title');
  assert.deepEqual(title && { label: title.label, from: title.from, to: title.to }, { label: 'Title', from: 'beach', to: 'Beach Day' });
  assert.ok(out.changes.some((c) => c.field === 'originallyAvailableAt' && c.label === 'Date' && c.to === '2024-05-06'));
  assert.equal(world.plex.requestCount({ method: 'PUT' }), 0, 'a comparison writes nothing');

  const byName = (await world.task('scene_compare', { sceneId: '8' })).result.output as { match: Record<string, unknown> };
  assert.equal(byName.match.via, 'basename+size');
  assert.equal(byName.match.plexFile, '/media/new/moved.mp4');

  const none = (await world.task('scene_compare', { sceneId: '9' })).result.output as { match: Record<string, unknown> };
  assert.equal(none.match.kind, 'unmatched');
  assert.equal(none.match.nextStep, 'Plex has no item at /media/videos/nowhere.mp4: check Path mapping and Plex libraries, or run Detect path mapping; if the path is right, let Plex scan that folder.');
});

test('scene_compare with Plex down fails with what to do', async (t) => {
  const world = await startWorld(t);
  world.stash.addScene({ id: '7', title: 'Beach Day', files: [{ path: '/data/videos/beach.mp4', size: 4242 }] });
  await world.plex.setDown(true);
  const run = await world.task('scene_compare', { sceneId: '7' });
  assert.notEqual(run.code, 0);
  assert.match(run.result.error ?? '', /PlexSync retries by itself\. Otherwise start Plex, or correct Plex URL/);
});
