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
