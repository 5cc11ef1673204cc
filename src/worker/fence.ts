// Fencing: right before every Plex write the worker proves it still holds its
// worker lease and the job's lease. A worker frozen past its lease (SIGSTOP, a
// suspended VM) and resumed would otherwise finish its in-flight writes with
// what it read before, over a newer worker's newer data. The check for the
// job in hand travels with the job's async context, so the Plex client asks
// it without knowing about jobs.
import type { AsyncLocalStorage } from 'node:async_hooks';
import { PlexSyncError } from '../errors.ts';

/** This process no longer holds the lease it worked under: it must write nothing more. */
export class LeaseLostError extends PlexSyncError {
  override readonly name = 'LeaseLostError';
  readonly transient = true;
  constructor(what: string) {
    super('lease_lost', `${what} lost: another worker has taken over`);
  }
}

type Check = () => void;
// Created on first use: hooks never need async_hooks.
let store: AsyncLocalStorage<Check> | undefined;

export function runFenced<T>(check: Check, work: () => Promise<T>): Promise<T> {
  store ??= new (process.getBuiltinModule('node:async_hooks').AsyncLocalStorage)<Check>();
  return store.run(check, work);
}

/** Throws LeaseLostError when the job running in this async context lost its leases. */
export function assertFence(): void {
  store?.getStore()?.();
}
