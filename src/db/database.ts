// The one SQLite database that holds every piece of durable state.
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { migrations } from './migrations.ts';

// Builtins come through getBuiltinModule rather than static imports across the
// bundle: an ESM import builds the module's export facade, and for node:fs that
// evaluates lazy getters (streams, fs/promises), for node:crypto and
// node:child_process it loads the whole module. A hook process needs none of
// that; bench/hook-latency.ts measures the difference.
const { chmodSync, closeSync, mkdirSync, openSync } = process.getBuiltinModule('node:fs');

export type Db = DatabaseSync;

export const DB_FILE = 'plexsync.db';

/**
 * How long a statement waits for another connection's write lock before it
 * fails. Generous: a hook that fails loses the save (Stash does not retry
 * hooks), and on a busy NAS many hook processes may queue for the lock.
 */
export const BUSY_TIMEOUT_MS = 30_000;

let sqlite: typeof import('node:sqlite') | undefined;

/**
 * Node 22 prints an ExperimentalWarning when node:sqlite loads; Stash would log
 * it as an error line on every hook. Load it with that one warning muted.
 */
function loadSqlite(): typeof import('node:sqlite') {
  if (sqlite) return sqlite;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // getBuiltinModule, not import(): no ES module facade to build.
    sqlite = process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

export interface OpenOptions {
  /**
   * SQLite's page cache, per connection (its default is 2 MiB). The queue's
   * hot pages are few and the OS caches the file anyway; a long-lived worker
   * keeps less resident with a small one.
   */
  pageCacheKib?: number;
}

export async function openDatabase(dataDir: string, options: OpenOptions = {}): Promise<Db> {
  const { DatabaseSync } = loadSqlite();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  // Create the file (and let WAL/SHM siblings inherit) with owner-only access.
  const previousMask = process.umask(0o077);
  try {
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      // Node 22.13 ignores the `timeout` option (busy_timeout stays 0 and a
      // hook fails at once on a locked database, losing the save): set it here.
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      refuseNewerSchema(db, file);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA foreign_keys = ON');
      // Negative: a size in KiB rather than in pages.
      if (options.pageCacheKib !== undefined) db.exec(`PRAGMA cache_size = -${Math.trunc(options.pageCacheKib)}`);
      migrate(db);
      return db;
    } catch (err) {
      db.close();
      throw explainDatabaseError(err, file);
    }
  } catch (err) {
    throw explainDatabaseError(err, file);
  } finally {
    process.umask(previousMask);
  }
}

type Statement = ReturnType<Db['prepare']>;
const statements = new WeakMap<Db, Map<string, Statement>>();

/**
 * A prepared statement, compiled once per connection. Each `db.prepare` holds
 * a native SQLite program that is only freed when the garbage collector gets
 * round to its small JS wrapper, so preparing per call grows a long-lived
 * worker's memory by hundreds of megabytes over a few thousand jobs.
 */
export function sql(db: Db, text: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

/** A database written by a newer PlexSync is left exactly as it is: a downgrade would corrupt it. */
function refuseNewerSchema(db: Db, file: string): void {
  const version = schemaVersion(db);
  if (version > migrations.length) {
    throw new DatabaseError(
      `${file} has schema version ${version}, newer than this PlexSync's ${migrations.length}: it was written by a newer PlexSync. ` +
        'Install that version again (nothing was changed), or move the file aside to start afresh.',
    );
  }
}

/** The database file is unusable as it stands: the message names it and the way out. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

/** Primary SQLite result codes of a disk or lock that may come back: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN. */
const STORAGE_CODES = new Set([5, 6, 8, 10, 13, 14]);

/**
 * True for failures of the storage under the database that pass when the disk
 * does (full, read-only, I/O error, locked): worth waiting for, never a reason
 * to give the queue up.
 */
export function isStorageFault(err: unknown): boolean {
  const errcode = (err as { errcode?: unknown } | undefined)?.errcode;
  if (typeof errcode === 'number') return STORAGE_CODES.has(errcode & 0xff);
  return /database or disk is full|disk I\/O error|readonly database|database is locked|unable to open database/i.test(
    err instanceof Error ? err.message : String(err),
  );
}

/** SQLite's codes for a file that is not (or no longer) a sound database. */
const DAMAGED = /SQLITE_CORRUPT|SQLITE_NOTADB|file is not a database|database disk image is malformed/i;

/**
 * Turns SQLite's "file is not a database" and the like into a message that
 * names the file and what to do. Other errors pass unchanged.
 */
export function explainDatabaseError(err: unknown, file: string): unknown {
  if (err instanceof DatabaseError) return err;
  const text = err instanceof Error ? `${err.message} ${(err as { code?: unknown }).code ?? ''} ${(err as { errstr?: unknown }).errstr ?? ''}` : String(err);
  if (!DAMAGED.test(text)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new DatabaseError(
    `the PlexSync database ${file} is damaged (${reason}). Nothing was reset: move it aside ` +
      '(rename it, with its -wal and -shm files), then run the "Reconcile with Plex" task to rebuild the queue from Stash.',
    { cause: err },
  );
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

function migrate(db: Db): void {
  if (schemaVersion(db) >= migrations.length) return;
  transaction(db, () => {
    // Re-read inside the write lock: another process may have just migrated.
    for (let version = schemaVersion(db); version < migrations.length; version++) {
      db.exec(migrations[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }
  });
}

/** BEGIN IMMEDIATE takes the write lock up front, so busy_timeout applies. */
export function transaction<T>(db: Db, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

export function getKv(db: Db, key: string): string | undefined {
  const row = sql(db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setKv(db: Db, key: string, value: string): void {
  sql(db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

export function deleteKv(db: Db, key: string): void {
  sql(db, 'DELETE FROM kv WHERE key = ?').run(key);
}
