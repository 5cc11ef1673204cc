// ensureWorker on its own: a stand-in worker script (a throwaway Node that
// writes down how it was started) instead of the plugin.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Db, openDatabase } from '../src/db/database.ts';
import { acquireLease, currentLease } from '../src/worker/lease.ts';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../src/worker/footprint.ts';
import { ensureWorker } from '../src/worker/spawn.ts';
import { tempDir } from './helpers/temp.ts';

/** Writes its arguments, Node's flags, its stdin and one variable to $SPAWN_REPORT, then exits. */
const STAND_IN = `
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const fs = require('node:fs');
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const session = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[3]);
  const out = [1, 2].map((fd) => fs.readlinkSync('/proc/self/fd/' + fd));
  fs.writeFileSync(process.env.SPAWN_REPORT, JSON.stringify({ argv: process.argv.slice(2), execArgv: process.execArgv, pid: process.pid, input, mark: process.env.SPAWN_MARK, session, out, gc: typeof globalThis.gc, malloc: [process.env.MALLOC_ARENA_MAX, process.env.MALLOC_TRIM_THRESHOLD_] }));
});
`;

interface Report {
  argv: string[];
  execArgv: string[];
  pid: number;
  input: string;
  mark: string;
  /** Field 6 of /proc/self/stat: the session the worker leads when detached. */
  session: number;
  /** Where its stdout and stderr go. */
  out: string[];
  /** typeof globalThis.gc: 'function' under --expose-gc. */
  gc: string;
  /** MALLOC_ARENA_MAX and MALLOC_TRIM_THRESHOLD_ as the worker sees them. */
  malloc: (string | undefined)[];
}

async function setup(t: Parameters<typeof tempDir>[0]): Promise<{ db: Db; script: string; report: string; dir: string }> {
  const dir = tempDir(t);
  const db = await openDatabase(dir);
  t.after(() => db.close());
  const script = join(dir, 'stand-in.cjs');
  writeFileSync(script, STAND_IN);
  return { db, script, report: join(dir, 'report.json'), dir };
}

async function reportOf(file: string): Promise<Report> {
  const end = Date.now() + 30_000;
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
    if (Date.now() > end) throw new Error('the spawned worker never reported');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}

test('with no worker alive, one is spawned: handed its lease, the input on stdin and the environment', async (t) => {
  const { db, script, report, dir } = await setup(t);
  const now = Date.now();
  const env = { ...process.env, PLEXSYNC_DATA_DIR: dir, SPAWN_REPORT: report, SPAWN_MARK: 'from-the-hook' };
  assert.equal(ensureWorker(db, { script, input: { server_connection: { Port: 9999 } }, env }, now), 'spawned');
  const lease = currentLease(db, now);
  assert.ok(lease, 'the lease is reserved for the child before it runs');
  assert.equal(lease.expiresAt, now + 15_000, 'the child gets 15 s to start and renew it');
  const seen = await reportOf(report);
  assert.deepEqual(seen.argv, ['--worker', lease.owner], 'the child is told which lease is its own');
  assert.deepEqual(
    seen.execArgv.filter((flag) => WORKER_NODE_FLAGS.includes(flag)),
    [...WORKER_NODE_FLAGS],
    'the worker runs with the lean V8 flags',
  );
  assert.equal(seen.gc, 'function', 'the worker may collect between jobs');
  assert.deepEqual(seen.malloc, [WORKER_MALLOC_ENV.MALLOC_ARENA_MAX, WORKER_MALLOC_ENV.MALLOC_TRIM_THRESHOLD_], 'glibc malloc is sized for a small process');
  assert.equal(lease.pid, seen.pid, 'the lease names the child, not the hook');
  assert.deepEqual(JSON.parse(seen.input), { server_connection: { Port: 9999 } });
  assert.equal(seen.mark, 'from-the-hook');
  assert.equal(seen.session, seen.pid, 'detached: the worker leads a session of its own');
  assert.deepEqual(seen.out, ['/dev/null', '/dev/null'], 'stdout and stderr go nowhere, so Stash does not wait on them');
});

test('a worker that cannot be started at all frees its reservation for the next hook', async (t) => {
  const { db, script } = await setup(t);
  // By hand, not t.mock.property: Node 22.13 has no property mocks.
  const execPath = process.execPath;
  t.after(() => {
    process.execPath = execPath;
  });
  process.execPath = join(tempDir(t), 'no-such-node');
  assert.equal(ensureWorker(db, { script, input: {} }), 'spawn_failed');
  assert.equal(currentLease(db), undefined, 'no lease is left reserved');
  // The spawn error comes a tick later; it must not reach the process as an unhandled error.
  await new Promise((resolve) => setImmediate(resolve));
});

test("the user's own malloc settings reach the worker unchanged", async (t) => {
  const { db, script, report, dir } = await setup(t);
  const env: NodeJS.ProcessEnv = { ...process.env, PLEXSYNC_DATA_DIR: dir, SPAWN_REPORT: report, MALLOC_ARENA_MAX: '4' };
  delete env.MALLOC_TRIM_THRESHOLD_;
  assert.equal(ensureWorker(db, { script, input: {}, env }), 'spawned');
  assert.deepEqual((await reportOf(report)).malloc, ['4', WORKER_MALLOC_ENV.MALLOC_TRIM_THRESHOLD_]);
});

test('a live worker lease means nothing is spawned', async (t) => {
  const { db, script, report } = await setup(t);
  assert.ok(acquireLease(db, 'running-worker', process.pid, 60_000));
  assert.equal(ensureWorker(db, { script, input: {}, env: { ...process.env, SPAWN_REPORT: report } }), 'running');
  assert.equal(currentLease(db)?.owner, 'running-worker');
  assert.equal(existsSync(report), false);
});

test('an expired lease is taken for a new worker', async (t) => {
  const { db, script, report, dir } = await setup(t);
  const now = Date.now();
  assert.ok(acquireLease(db, 'gone-worker', process.pid, 1_000, now - 2_000));
  assert.equal(ensureWorker(db, { script, input: {}, env: { ...process.env, PLEXSYNC_DATA_DIR: dir, SPAWN_REPORT: report } }, now), 'spawned');
  assert.notEqual(currentLease(db, now)?.owner, 'gone-worker');
  await reportOf(report);
});

test('many hooks at once spawn one worker', async (t) => {
  const { db, script, report, dir } = await setup(t);
  const env = { ...process.env, PLEXSYNC_DATA_DIR: dir, SPAWN_REPORT: report };
  const results = Array.from({ length: 50 }, () => ensureWorker(db, { script, input: {}, env }));
  assert.equal(results.filter((r) => r === 'spawned').length, 1);
  assert.equal(results.filter((r) => r === 'running').length, 49);
  await reportOf(report);
});

test('a spawned worker that exits before taking its lease over frees it at once: the next hook spawns another', async (t) => {
  const { db, script, report, dir } = await setup(t);
  const env = { ...process.env, PLEXSYNC_DATA_DIR: dir, SPAWN_REPORT: report };
  const now = Date.now();
  assert.equal(ensureWorker(db, { script, input: {}, env }, now), 'spawned');
  const { pid } = await reportOf(report);
  // The stand-in exits once it has reported: its pid is seen dead well within the 15 s grace.
  const end = Date.now() + 30_000;
  while (currentLease(db, now) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(currentLease(db, now), undefined, `the lease of exited pid ${pid} is free before it expires`);
  assert.equal(ensureWorker(db, { script, input: {}, env: { ...env, SPAWN_REPORT: join(dir, 'second.json') } }, now), 'spawned');
  assert.notEqual((await reportOf(join(dir, 'second.json'))).pid, pid);
});
