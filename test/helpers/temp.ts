import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a test's leftover background worker gets to finish on its own. */
const WORKER_EXIT_MS = 30_000;

/** Live processes (other than this one) started with PLEXSYNC_DATA_DIR=dir: the folder's background workers. */
export function processesUsing(dir: string): number[] {
  const entry = `\0PLEXSYNC_DATA_DIR=${dir}\0`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (`\0${readFileSync(`/proc/${name}/environ`, 'latin1')}`.includes(entry)) pids.push(Number(name));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return pids;
}

/**
 * Waits for the folder's workers to exit (they idle out on their own), and
 * kills the ones still there after a generous wait: a folder is never
 * removed while a worker writes into it.
 */
export async function untilNoProcessUses(dir: string, timeoutMs = WORKER_EXIT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (processesUsing(dir).length > 0 && Date.now() < until) await sleep(50);
  const left = processesUsing(dir);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited in between.
    }
  }
  const killedBy = Date.now() + 5_000;
  while (processesUsing(dir).length > 0 && Date.now() < killedBy) await sleep(20);
}

/**
 * A fresh temp folder per test, removed afterwards, once no worker uses it.
 * `workerExitMs` is how long its workers get to finish first; 0 stops them
 * at once, for tests whose subject is not the worker (say, hooks whose
 * worker would wait seconds for a Stash that is not there).
 */
export function tempDir(t: { after(fn: () => unknown): void }, prefix = 'plexsync-', workerExitMs = WORKER_EXIT_MS): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(async () => {
    await untilNoProcessUses(dir, workerExitMs);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  return dir;
}
