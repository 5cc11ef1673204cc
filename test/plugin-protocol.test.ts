// The plugin as Stash runs it: hooks, task modes and bad input, through the
// built file, a real process and the stdin/stdout/stderr protocol.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DB_FILE, openDatabase } from '../src/db/database.ts';
import { counts, getPending } from '../src/queue/operations.ts';
import { currentLease } from '../src/worker/lease.ts';
import { hookInput, nowhereConnection, runPlugin, taskInput } from './helpers/plugin.ts';
import { tempDir } from './helpers/temp.ts';

const conn = nowhereConnection();

/**
 * The workers these hooks start wait about eight seconds for the Stash that
 * is not there; what they do is not the subject here, so the folder's
 * teardown stops them at once.
 */
const hookDir = (t: Parameters<typeof tempDir>[0]) => tempDir(t, 'plexsync-', 0);

function envFor(dataDir: string) {
  return { PLEXSYNC_DATA_DIR: dataDir, PLEXSYNC_IDLE_EXIT_MS: '100' };
}

async function queueOf(dataDir: string) {
  const db = await openDatabase(dataDir);
  try {
    return { counts: counts(db), pending: getPending(db, 1000) };
  } finally {
    db.close();
  }
}

// Each test has its own data folder: they run side by side.
describe('the plugin as Stash runs it', { concurrency: 4 }, () => {
  test('a scene title edit is queued and the hook answers with one JSON object', async (t) => {
    const dataDir = hookDir(t);
    const run = await runPlugin(hookInput(conn, 'Scene.Update.Post', 45, { id: '45', title: 'New' }, ['id', 'title']), {
      env: envFor(dataDir),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    const output = run.result.output as { queued: boolean; id: string; worker: string };
    assert.equal(output.queued, true);
    assert.equal(output.id, '45');
    const q = await queueOf(dataDir);
    assert.equal(q.pending.length + q.counts.inProgress, 1);
    assert.equal(q.pending[0]?.key ?? 'scene:45', 'scene:45');
  });

  test('play counts, o-counter and resume time alone do not queue a sync', async (t) => {
    const dataDir = hookDir(t);
    for (const fields of [['id', 'play_count'], ['id', 'o_counter'], ['id', 'resume_time', 'play_duration']]) {
      const run = await runPlugin(hookInput(conn, 'Scene.Update.Post', 3, { id: '3' }, fields), { env: envFor(dataDir) });
      assert.equal(run.code, 0);
      assert.equal((run.result.output as { queued: boolean }).queued, false);
    }
    assert.equal((await queueOf(dataDir)).counts.pending, 0);
  });

  test('bulk edits, scan-created scenes and null inputs each queue their scene', async (t) => {
    const dataDir = hookDir(t);
    const bulk = { ids: ['1', '2'], tag_ids: { ids: ['5'], mode: 'ADD' } };
    const runs = [
      hookInput(conn, 'Scene.Update.Post', 1, bulk, ['ids', 'tag_ids']),
      hookInput(conn, 'Scene.Update.Post', 2, bulk, ['ids', 'tag_ids']),
      hookInput(conn, 'Scene.Create.Post', 3, null),
      hookInput(conn, 'Scene.Update.Post', 4, null),
    ];
    for (const input of runs) {
      const run = await runPlugin(input, { env: envFor(dataDir) });
      assert.equal((run.result.output as { queued: boolean }).queued, true, run.stdout);
    }
    const keys = (await queueOf(dataDir)).pending.map((j) => j.key).sort();
    assert.deepEqual(keys, ['scene:1', 'scene:2', 'scene:3', 'scene:4']);
  });

  test('a renamed performer is recorded for propagation; other performer edits are not', async (t) => {
    const dataDir = hookDir(t);
    const rename = await runPlugin(hookInput(conn, 'Performer.Update.Post', 8, { id: '8', name: 'B' }, ['id', 'name']), {
      env: envFor(dataDir),
    });
    assert.equal((rename.result.output as { queued: boolean }).queued, true);
    const favourite = await runPlugin(hookInput(conn, 'Performer.Update.Post', 9, { id: '9', favorite: true }, ['id', 'favorite']), {
      env: envFor(dataDir),
    });
    assert.equal((favourite.result.output as { queued: boolean }).queued, false);
    assert.deepEqual(
      (await queueOf(dataDir)).pending.map((j) => j.key),
      ['performer:8'],
    );
  });

  test('thirty hooks at once, then repeats, leave exactly one job per scene', async (t) => {
    const dataDir = hookDir(t);
    const env = envFor(dataDir);
    const ids = Array.from({ length: 30 }, (_, i) => i + 1);
    const fire = () =>
      Promise.all(ids.map((id) => runPlugin(hookInput(conn, 'Scene.Update.Post', id, { id: String(id), title: `t${id}` }, ['id', 'title']), { env })));
    const first = await fire();
    const second = await fire();
    for (const run of [...first, ...second]) assert.equal(run.code, 0, run.stderr);
    const db = await openDatabase(dataDir);
    t.after(() => db.close());
    const rows = db.prepare(`SELECT job_key, count(*) AS n FROM jobs WHERE status IN ('pending', 'in_progress', 'done') GROUP BY job_key`).all() as {
      job_key: string;
      n: number;
    }[];
    assert.equal(rows.length, 30);
    for (const row of rows) assert.equal(row.n, 1, `${row.job_key} has ${row.n} jobs`);
    const events = db.prepare(`SELECT sum(events) AS n FROM jobs`).get() as { n: number };
    assert.equal(events.n, 60, 'every event recorded');
  });

  test('status reports the contract counts and logs a readable summary', async (t) => {
    const dataDir = hookDir(t);
    await runPlugin(hookInput(conn, 'Scene.Update.Post', 1, null), { env: envFor(dataDir) });
    const run = await runPlugin(taskInput(conn, 'status'), { env: envFor(dataDir) });
    assert.equal(run.code, 0);
    const output = run.result.output as Record<string, unknown>;
    for (const key of ['pending', 'inProgress', 'dead', 'synced']) assert.equal(Number.isInteger(output[key]), true, key);
    assert.equal((output.pending as number) + (output.inProgress as number), 1);
    assert.ok(run.logs.some((l) => l.level === 'i' && /PlexSync queue: /.test(l.message)));
  });

  test('dead-letter tasks retry, list and clear', async (t) => {
    const dataDir = hookDir(t);
    const db = await openDatabase(dataDir);
    db.prepare(
      `INSERT INTO jobs (job_key, kind, entity_id, status, attempts, run_at, error_class, error_code, last_error, created_at, updated_at, finished_at)
       VALUES ('scene:5', 'scene', '5', 'dead', 3, 0, 'PermanentError', 'ambiguous_match', 'two items', 0, 0, 0)`,
    ).run();
    db.close();
    const list = await runPlugin(taskInput(conn, 'dlq_list'), { env: envFor(dataDir) });
    assert.equal((list.result.output as { count: number }).count, 1);
    assert.ok(list.logs.some((l) => /two items/.test(l.message)));
    const retry = await runPlugin(taskInput(conn, 'dlq_retry'), { env: envFor(dataDir) });
    assert.deepEqual(retry.result.output, { retried: 1 });
    const q = await queueOf(dataDir);
    assert.equal(q.counts.dead, 0);
    const clear = await runPlugin(taskInput(conn, 'dlq_clear'), { env: envFor(dataDir) });
    assert.deepEqual(clear.result.output, { cleared: 0 });
  });

  const badInputs: [string, unknown][] = [
    ['empty stdin', ''],
    ['not JSON', '{"server_connection": '],
    ['a JSON array', '[1,2]'],
    ['no server_connection', { args: { mode: 'status' } }],
    ['unknown mode', taskInput(conn, 'explode')],
    ['mode of the wrong type', { server_connection: conn, args: { mode: 5 } }],
    ['no mode and no hook', { server_connection: conn, args: {} }],
    ['hook id that is not a number', hookInput(conn, 'Scene.Update.Post', 'abc')],
    ['inputFields of the wrong type', { server_connection: conn, args: { hookContext: { id: 1, type: 'Scene.Update.Post', input: null, inputFields: 'title' } } }],
  ];

  for (const [name, input] of badInputs) {
    test(`bad input (${name}) gives a clear error, a non-zero exit and changes nothing`, async (t) => {
      const dataDir = hookDir(t);
      await runPlugin(hookInput(conn, 'Scene.Update.Post', 77, null), { env: envFor(dataDir) });
      const before = await queueOf(dataDir);
      const run = await runPlugin(input, { env: envFor(dataDir) });
      assert.notEqual(run.code, 0);
      assert.equal(typeof run.result.error, 'string');
      assert.doesNotMatch(run.stdout, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout.trim().split('\n').length, 1);
      assert.ok(run.logs.some((l) => l.level === 'e'));
      const after = await queueOf(dataDir);
      assert.equal(after.counts.pending + after.counts.inProgress + after.counts.done, before.counts.pending + before.counts.inProgress + before.counts.done);
    });
  }

  test('without PLEXSYNC_DATA_DIR the data lives in <PluginDir>/data', async (t) => {
    const pluginDir = hookDir(t);
    const run = await runPlugin(hookInput(nowhereConnection(pluginDir), 'Scene.Update.Post', 1, null), {
      env: { PLEXSYNC_DATA_DIR: undefined, PLEXSYNC_IDLE_EXIT_MS: '100' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(readFileSync(join(pluginDir, 'data', DB_FILE)).length > 0);
  });

  test('the background worker a hook starts does not hold the pipes Stash reads', async (t) => {
    const dataDir = hookDir(t);
    // A worker that would idle for a minute: Stash must not wait for it.
    const run = await runPlugin(hookInput(conn, 'Scene.Update.Post', 12, null), {
      env: { PLEXSYNC_DATA_DIR: dataDir, PLEXSYNC_IDLE_EXIT_MS: '60000' },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((run.result.output as { worker: string }).worker, 'spawned');
    assert.ok(run.ms < 10_000, `stdout and stderr closed after ${run.ms.toFixed(0)} ms`);
    const db = await openDatabase(dataDir);
    t.after(() => db.close());
    const lease = currentLease(db);
    assert.ok(lease, 'the worker is still alive after the hook returned');
    // hookDir's teardown stops it.
  });
});
