// Shared pieces of the fault, crash, concurrency and secrets tests: a library
// of matching scenes, direct looks into the database, the worker's process,
// and an "outage" listener that counts every connection Plex would have seen.
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import type { World } from './helpers/world.ts';

/** Adds `count` scenes to Stash, each with its own matching Plex item. Returns scene id -> rating key. */
export function addLibrary(w: World, count: number, prefix = 'clip'): Map<string, string> {
  const pairs = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const file = `/data/videos/${prefix}-${i}.mp4`;
    const rk = w.plex.addItem({ title: `${prefix}-${i}`, file, size: 1000 + i }).ratingKey;
    const scene = w.stash.addScene({ title: `${prefix} title ${i}`, files: [{ path: file, size: 1000 + i }] });
    pairs.set(scene, rk);
  }
  return pairs;
}

/** Scenes whose Plex item does not show the Stash title yet. */
export function unsynced(w: World, pairs: Map<string, string>, prefix = 'clip'): string[] {
  const missing: string[] = [];
  let i = 0;
  for (const [scene, rk] of pairs) {
    if (w.plex.item(rk)?.scalars.title !== `${prefix} title ${i}`) missing.push(scene);
    i++;
  }
  return missing;
}

/** Runs `tasks` with at most `width` at a time. */
export async function inBatches<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

/** A short-lived connection to the data directory's database. */
export async function withDb<T>(dataDir: string, read: (db: Awaited<ReturnType<typeof openDatabase>>) => T): Promise<T> {
  const db = await openDatabase(dataDir);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export async function integrity(dataDir: string): Promise<string> {
  return withDb(dataDir, (db) => (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check);
}

export interface LeaseRow {
  owner: string;
  pid: number;
  expires_at: number;
}

export async function leaseRow(dataDir: string): Promise<LeaseRow | undefined> {
  return withDb(dataDir, (db) => db.prepare(`SELECT owner, pid, expires_at FROM worker_lease WHERE name = 'worker'`).get() as LeaseRow | undefined);
}

/** The command line of a live process, '' when it is gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Pids of live background workers started from this plugin build (scanning /proc). */
export function workerPids(plugin: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const line = cmdline(Number(name));
    if (line.includes(plugin) && line.includes('--worker')) pids.push(Number(name));
  }
  return pids;
}

/**
 * Stands in for a Plex that is down at `port`: every connection is counted and
 * reset, at once as a crashed server's host answers, or after `resetAfterMs`
 * as a server that takes a while to fail does. `requests` holds each
 * connection's request line and when the connection came. Call close()
 * before the real fake Plex listens on the port again.
 */
export async function outageListener(
  port: number,
  options: { resetAfterMs?: number } = {},
): Promise<{ connections: () => number; times: number[]; requests: { at: number; line: string }[]; close: () => Promise<void> }> {
  const times: number[] = [];
  const requests: { at: number; line: string }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const at = Date.now();
    times.push(at);
    sockets.add(socket);
    socket.on('error', () => {});
    if (!options.resetAfterMs) {
      socket.resetAndDestroy();
      return;
    }
    const entry = { at, line: '' };
    requests.push(entry);
    socket.once('data', (chunk: Buffer) => {
      entry.line = chunk.toString('latin1').split('\r\n')[0] ?? '';
    });
    const timer = setTimeout(() => socket.resetAndDestroy(), options.resetAfterMs);
    socket.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    connections: () => times.length,
    times,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Every file in the data directory, as bytes (database, -wal, -shm, worker.log). */
export function dataFiles(dataDir: string): { name: string; bytes: Buffer }[] {
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ name: entry.name, bytes: readFileSync(join(dataDir, entry.name)) }));
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Polls `check` until it returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<Exclude<T, false | undefined>> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface JobLook {
  key: string;
  status: string;
  attempts: number;
  error_code: string | null;
  last_error: string | null;
}

export async function jobs(dataDir: string): Promise<JobLook[]> {
  return withDb(dataDir, (db) => db.prepare('SELECT job_key AS key, status, attempts, error_code, last_error FROM jobs ORDER BY id').all() as unknown as JobLook[]);
}
