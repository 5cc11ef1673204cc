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

let sqlite: typeof import('node:sqlite') | undefined;

/**
 * Node 22 prints an ExperimentalWarning when node:sqlite loads; Stash would log
 * it as an error line on every hook. Load it with that one warning muted.
 */
async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  if (sqlite) return sqlite;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqlite = await import('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

export async function openDatabase(dataDir: string): Promise<Db> {
  const { DatabaseSync } = await loadSqlite();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  // Create the file (and let WAL/SHM siblings inherit) with owner-only access.
  const previousMask = process.umask(0o077);
  try {
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    const db = new DatabaseSync(file, { timeout: 10_000 });
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    migrate(db);
    return db;
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
