// The background worker's body in this process: it takes the lease, loads its
// dependencies (patiently while Stash is away), drains, closes and gives the
// lease up. Stand-in dependencies and a real database; no process is spawned.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENV_DEFAULTS, type EnvKnobs } from '../src/config/env.ts';
import { type Db, getKv, openDatabase } from '../src/db/database.ts';
import type { RunContext } from '../src/entry/context.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { counts, enqueue } from '../src/queue/operations.ts';
import type { WorkerDeps } from '../src/worker/deps.ts';
import { acquireLease, currentLease } from '../src/worker/lease.ts';
import { COLLECT_EVERY_MS } from '../src/worker/collector.ts';
import { runBackgroundWorker, workerFileLogger } from '../src/worker/run.ts';
import { tempDir } from './helpers/temp.ts';

const OWNER = 'run-test';

interface World {
  db: Db;
  ctx: RunContext;
  lines: string[];
  dataDir: string;
}

async function world(t: Parameters<typeof tempDir>[0], env: Partial<EnvKnobs> = {}): Promise<World> {
  const dataDir = tempDir(t);
  const db = await openDatabase(dataDir);
  t.after(() => db.close());
  const lines: string[] = [];
  const ctx = {
    input: {},
    connection: {},
    env: { ...ENV_DEFAULTS, dataDir, plexTvUrl: 'http://127.0.0.1:9', idleExitMs: 0, ...env },
    dataDir,
    log: createLogger((line) => lines.push(line)),
    script: join(dataDir, 'no-such-plugin.mjs'),
  } as unknown as RunContext;
  return { db, ctx, lines, dataDir };
}

/** Dependencies whose processor records the jobs it ran. */
function deps(extra: Partial<WorkerDeps> = {}): WorkerDeps & { ran: string[]; closed: number } {
  const d = {
    ran: [] as string[],
    closed: 0,
    processor: async (job: { key: string }) => {
      d.ran.push(job.key);
      return { summary: 'stand-in sync' };
    },
    maxAttempts: 3,
    concurrency: 1,
    close() {
      d.closed++;
    },
    ...extra,
  };
  return d as unknown as WorkerDeps & { ran: string[]; closed: number };
}

test('drains the queue under its lease, closes its dependencies and gives the lease up', async (t) => {
  const w = await world(t);
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  enqueue(w.db, { kind: 'scene', entityId: '2' });
  const d = deps();
  let leaseWhileLoading: string | undefined;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    leaseWhileLoading = currentLease(w.db)?.owner;
    return d;
  });
  assert.equal(leaseWhileLoading, OWNER, 'the lease is taken before the dependencies load');
  assert.deepEqual(d.ran.sort(), ['scene:1', 'scene:2']);
  assert.equal(counts(w.db).pending, 0);
  assert.equal(d.closed, 1);
  assert.equal(currentLease(w.db), undefined, 'the lease is given up');
  assert.equal(getKv(w.db, 'settings_problem'), '', 'a former settings problem is cleared');
  assert.ok(w.lines.some((l) => l.includes(`worker ${process.pid} started`)));
  assert.ok(w.lines.some((l) => l.includes(`worker ${process.pid} stopping (idle): 2 synced, 0 retried, 0 dead`)), w.lines.join('\n'));
});

test('with --expose-gc the worker collects between jobs, at most once per interval', async (t) => {
  const w = await world(t);
  for (const id of ['1', '2', '3', '4']) enqueue(w.db, { kind: 'scene', entityId: id });
  // By hand, not t.mock.property: Node 22.13 has no property mocks.
  const exposed = globalThis.gc;
  t.after(() => {
    globalThis.gc = exposed;
  });
  const collectedAfter: number[] = [];
  globalThis.gc = (() => {
    collectedAfter.push(d.ran.length);
  }) as typeof globalThis.gc;
  const d = deps({
    processor: (async (job: { key: string }) => {
      // Each job outlasts the interval, so each one's end is due a collection.
      await new Promise((resolve) => setTimeout(resolve, COLLECT_EVERY_MS + 50));
      d.ran.push(job.key);
      return { summary: 'stand-in sync' };
    }) as WorkerDeps['processor'],
  });
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => d);
  assert.equal(d.ran.length, 4);
  assert.deepEqual(collectedAfter, [1, 2, 3, 4], 'one collection after each finished job, none while idle');
});

test('another live worker holding the lease means this one exits at once', async (t) => {
  const w = await world(t);
  assert.ok(acquireLease(w.db, 'someone-else', process.pid, 60_000));
  let loaded = 0;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loaded++;
    return deps();
  });
  assert.equal(loaded, 0);
  assert.equal(currentLease(w.db)?.owner, 'someone-else', 'the other worker keeps its lease');
  assert.ok(w.lines.some((l) => l.includes('another worker holds the lease: exiting')), w.lines.join('\n'));
});

test('the catch-up tick and the hand-over question reach the drain loop', async (t) => {
  const w = await world(t);
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  let ticks = 0;
  const d = deps({
    tick: async () => {
      ticks++;
    },
    shouldHandOver: () => ticks > 0,
  });
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => d);
  assert.equal(ticks, 1);
  assert.deepEqual(d.ran, [], 'handed over before the first job');
  assert.ok(w.lines.some((l) => l.includes('stopping (handover)')), w.lines.join('\n'));
  assert.equal(d.closed, 1);
  assert.equal(currentLease(w.db), undefined);
});

test('bad settings stop the worker at once and say why; the jobs stay queued', async (t) => {
  const w = await world(t);
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  let loads = 0;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loads++;
    throw new PermanentError('bad_settings', 'plexUrl is not a URL');
  });
  assert.equal(loads, 1);
  assert.equal(getKv(w.db, 'settings_problem'), 'plexUrl is not a URL');
  assert.ok(w.lines.some((l) => l.includes('cannot start syncing: plexUrl is not a URL')));
  assert.equal(counts(w.db).pending, 1);
  assert.equal(currentLease(w.db), undefined, 'the lease is given up all the same');
});

test('while Stash is away the worker keeps its lease and tries again, then drains', async (t) => {
  const w = await world(t, { workerLeaseMs: 30_000 });
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  const d = deps();
  const leases: (number | undefined)[] = [];
  let loads = 0;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    leases.push(currentLease(w.db)?.expiresAt);
    if (++loads < 3) throw new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
    return d;
  });
  assert.equal(loads, 3);
  assert.deepEqual(d.ran, ['scene:1']);
  assert.ok(w.lines.some((l) => l.includes('waiting for Stash (attempt 1): Stash is unreachable')));
  assert.ok(w.lines.some((l) => l.includes('waiting for Stash (attempt 2): Stash is unreachable')));
  // Renewed before each wait: the lease after the first wait (500 ms) outlasts the first one.
  assert.ok(leases[1]! >= leases[0]! && leases[2]! > leases[0]!, 'the lease is renewed while waiting');
  assert.equal(getKv(w.db, 'settings_problem'), '');
});

test('a Stash still away once an idle worker would have exited stops the worker, with the reason', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
  const w = await world(t, { idleExitMs: 20_000 });
  const loadedAt: number[] = [];
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loadedAt.push(Date.now());
    // Each attempt takes the mocked clock 11 s on: the second is past the 20 s.
    t.mock.timers.tick(11_000);
    throw new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
  });
  assert.equal(loadedAt.length, 2, 'tried until 20 s (the idle exit, above the 5 s floor) had passed');
  assert.equal(getKv(w.db, 'settings_problem'), 'Stash is unreachable');
  assert.ok(w.lines.some((l) => l.includes('cannot start syncing: Stash is unreachable')));
});

test('with a short idle exit, Stash still gets five seconds', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
  const w = await world(t, { idleExitMs: 0 });
  let loads = 0;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loads++;
    t.mock.timers.tick(3_000);
    throw new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
  });
  assert.equal(loads, 2, '3 s is within five seconds; 6 s is not');
});

test('the worker log goes to worker.log in the data folder, rolled over past 5 MB', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'worker.log');
  const log = workerFileLogger(dir);
  log.info('first line');
  assert.match(readFileSync(file, 'utf8'), /^\S+ INFO first line\n$/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(existsSync(`${file}.1`), false);
  writeFileSync(file, 'x'.repeat(5 * 1024 * 1024));
  log.warn('still at the limit');
  assert.equal(existsSync(`${file}.1`), false, 'exactly 5 MB is not rolled over');
  log.error('past it');
  assert.equal(existsSync(`${file}.1`), true);
  assert.match(readFileSync(file, 'utf8'), /^\S+ ERROR past it\n$/);
  assert.match(readFileSync(`${file}.1`, 'utf8'), /WARN still at the limit\n$/);
});

test('a log file that cannot be written does not stop the worker', (t) => {
  const dir = join(tempDir(t), 'missing', 'folder');
  const log = workerFileLogger(dir);
  assert.doesNotThrow(() => log.info('nowhere to go'));
});

test("the worker asks the dependencies' gate before each job and tells it the outcome", async (t) => {
  const w = await world(t);
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  const heard: string[] = [];
  const d = deps({
    gate: {
      async blockedUntil() {
        heard.push('asked');
        return undefined;
      },
      onSuccess() {
        heard.push('success');
      },
      onFailure() {
        heard.push('failure');
        return false;
      },
    },
  });
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => d);
  assert.deepEqual(d.ran, ['scene:1']);
  assert.deepEqual(heard.slice(0, 2), ['asked', 'success']);
});

test('a job that fails is retried after the backoff of the environment', async (t) => {
  const w = await world(t, { retryBaseMs: 1, retryCapMs: 1 });
  enqueue(w.db, { kind: 'scene', entityId: '1' });
  let calls = 0;
  const d = deps({
    processor: async () => {
      calls++;
      if (calls === 1) throw new TransientError('timeout', 'Plex was slow', { origin: 'plex' });
      return { summary: 'second time lucky' };
    },
  });
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => d);
  assert.equal(calls, 2);
  assert.ok(w.lines.some((l) => l.includes('scene:1: will retry in 0 s (attempt 1): Plex was slow')), w.lines.join('\n'));
  assert.ok(w.lines.some((l) => l.includes('stopping (idle): 1 synced, 1 retried, 0 dead')));
});

test('while Stash is away the waits double from half a second up to five seconds', async (t) => {
  const w = await world(t, { idleExitMs: 60_000 });
  const T = 1_800_000_000_000;
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T });
  const loadedAt: number[] = [];
  const flush = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const done = runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loadedAt.push(Date.now() - T);
    if (loadedAt.length <= 5) throw new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
    // Handing over at once ends the drain without a wait on the mocked clock.
    return deps({ shouldHandOver: () => true });
  });
  for (const gap of [500, 1_000, 2_000, 4_000, 5_000]) {
    await flush();
    const before = loadedAt.length;
    t.mock.timers.tick(gap - 1);
    await flush();
    assert.equal(loadedAt.length, before, `no attempt ${gap - 1} ms on`);
    t.mock.timers.tick(1);
    await flush();
    assert.equal(loadedAt.length, before + 1, `the next attempt ${gap} ms on`);
  }
  await done;
  assert.deepEqual(loadedAt, [0, 500, 1_500, 3_500, 7_500, 12_500]);
});

test('Stash still away exactly when an idle worker would have exited stops the worker', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
  const w = await world(t, { idleExitMs: 20_000 });
  let loads = 0;
  await runBackgroundWorker(w.ctx, w.db, OWNER, async () => {
    loads++;
    t.mock.timers.tick(10_000);
    throw new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
  });
  assert.equal(loads, 2, 'the second attempt ends at 20 s: no third');
});
