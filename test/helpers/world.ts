// A whole world on loopback: fake Stash and fake Plex servers, a data folder,
// and the built plugin run as Stash runs it. Waits are bounded in time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../src/db/database.ts';
import { counts } from '../../src/queue/operations.ts';
import { currentLease } from '../../src/worker/lease.ts';
import { type FakePlex, type FakePlexOptions, startFakePlex } from '../fakes/plex-server.ts';
import { type FakeStash, type FakeStashOptions, startFakeStash } from '../fakes/stash-server.ts';
import { hookInput, type PluginRun, type RunOptions, runPlugin, taskInput } from './plugin.ts';
import { tempDir } from './temp.ts';

export interface World {
  stash: FakeStash;
  plex: FakePlex;
  dataDir: string;
  env: Record<string, string>;
  hook(type: string, id: number | string, input?: unknown, inputFields?: string[]): Promise<PluginRun>;
  task(mode: string, extra?: Record<string, unknown>, options?: RunOptions): Promise<PluginRun>;
  /** Waits until nothing is pending or running and no worker holds the lease. */
  settle(timeoutMs?: number): Promise<{ pending: number; inProgress: number; dead: number; done: number }>;
  queue(): Promise<{ pending: number; inProgress: number; dead: number; done: number }>;
}

export interface WorldOptions {
  plex?: FakePlexOptions;
  stash?: FakeStashOptions;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}

type TestContext = Parameters<typeof tempDir>[0];

/** Longer than any retry backoff the tests configure, shorter than their timeouts. */
const STRANDED_MS = 15_000;

function workerLogTail(dataDir: string): string {
  const file = join(dataDir, 'worker.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no worker log)';
}

export async function startWorld(t: TestContext, options: WorldOptions = {}): Promise<World> {
  const stash = await startFakeStash(options.stash);
  const plex = await startFakePlex(options.plex);
  // After hooks run in the order they were added: first let the worker finish
  // against live servers, then close them; tempDir's hook, added next, removes
  // the folder once no worker of it is left.
  t.after(async () => {
    await world.settle(10_000).catch(() => undefined);
    await Promise.all([stash.close(), plex.close()]);
  });
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, ...options.settings });
  const dataDir = tempDir(t);
  const env = {
    PLEXSYNC_DATA_DIR: dataDir,
    PLEXSYNC_IDLE_EXIT_MS: '300',
    PLEXSYNC_RETRY_BASE_MS: '50',
    PLEXSYNC_RETRY_CAP_MS: '400',
    ...options.env,
  };
  const queue = async () => {
    const db = await openDatabase(dataDir);
    try {
      return counts(db);
    } finally {
      db.close();
    }
  };
  const world: World = {
    stash,
    plex,
    dataDir,
    env,
    hook: (type, id, input = null, inputFields) => runPlugin(hookInput(stash.serverConnection(), type, id, input, inputFields), { env }),
    task: (mode, extra = {}, runOptions = {}) =>
      runPlugin(taskInput(stash.serverConnection(), mode, extra), { ...runOptions, env: { ...env, ...runOptions.env } }),
    queue,
    async settle(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let strandedSince: number | undefined;
      while (Date.now() < until) {
        const db = await openDatabase(dataDir);
        try {
          const c = counts(db);
          const worker = currentLease(db);
          if (c.pending === 0 && c.inProgress === 0 && !worker) return c;
          // Work queued and nobody to do it: fail now, saying why, rather than at the timeout.
          strandedSince = worker ? undefined : (strandedSince ?? Date.now());
          if (strandedSince !== undefined && Date.now() - strandedSince > STRANDED_MS) {
            throw new Error(`jobs wait with no worker alive: ${JSON.stringify(c)}; worker log:\n${workerLogTail(dataDir)}`);
          }
        } finally {
          db.close();
        }
        await sleep(50);
      }
      throw new Error(`queue did not settle within ${timeoutMs} ms: ${JSON.stringify(await queue())}; worker log:\n${workerLogTail(dataDir)}`);
    },
  };
  return world;
}
