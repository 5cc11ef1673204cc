// Makes sure a background worker is alive, without tying it to Stash's pipes.
import type { Db } from '../db/database.ts';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from './footprint.ts';
import { acquireLease, assignLease, currentLease, releaseLease } from './lease.ts';
import { randomUuid } from '../random-id.ts';

/**
 * A freshly spawned worker gets this long to start and renew the lease it was
 * handed. The lease names the child's pid from the moment it exists, so a
 * child that dies while starting is seen dead by the next hook, not after this.
 */
const STARTUP_GRACE_MS = 15_000;

export interface SpawnRequest {
  /** The bundled plugin file to run with `--worker`. */
  script: string;
  /** What the worker reads from stdin: the Stash connection (never written to disk). */
  input: unknown;
  env?: NodeJS.ProcessEnv;
}

export type EnsureResult = 'running' | 'spawned' | 'spawn_failed';

export function ensureWorker(db: Db, request: SpawnRequest, now = Date.now()): EnsureResult {
  if (currentLease(db, now)) return 'running';
  // Reserve the lease for the child before it exists, so 50 concurrent hooks
  // spawn one worker, not 50.
  const owner = randomUuid();
  if (!acquireLease(db, owner, process.pid, STARTUP_GRACE_MS, now)) return 'running';
  // Fetched here, not imported: most hooks find a worker running and never spawn.
  const child = process.getBuiltinModule('node:child_process').spawn(process.execPath, [...WORKER_NODE_FLAGS, request.script, '--worker', owner], {
    detached: true,
    // stdin is our own pipe (closed when we exit); stdout/stderr go nowhere, so
    // Stash, which reads our pipes to EOF, does not wait for the worker.
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...WORKER_MALLOC_ENV, ...(request.env ?? process.env) },
    windowsHide: true,
  });
  if (child.pid === undefined) {
    // Not started at all (EAGAIN, ENOMEM): free the reservation for the next try.
    releaseLease(db, owner);
    child.on('error', () => {});
    return 'spawn_failed';
  }
  assignLease(db, owner, child.pid);
  child.stdin?.end(JSON.stringify(request.input));
  child.stdin?.on('error', () => {
    // The worker died before reading: its reserved lease expires and the next hook retries.
  });
  child.unref();
  return 'spawned';
}
