// The plugin entry: read stdin, validate, dispatch a hook or a task, write
// exactly one JSON object to stdout. Errors become {"error": "..."} with a
// non-zero exit; stack traces never reach stdout.
import { join } from 'node:path';
import { readEnv } from '../config/env.ts';
import { DB_FILE, type Db, explainDatabaseError, openDatabase } from '../db/database.ts';
import { describeError } from '../errors.ts';
import { onSceneUpdate } from '../hooks/handlers.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { registerSecret } from '../log/redact.ts';
import { WORKER_PAGE_CACHE_KIB } from '../worker/footprint.ts';
import { ensureWorker } from '../worker/spawn.ts';
import { type RunContext, resolveDataDir, scriptPath } from './context.ts';
import { argString, InputError, type PluginInput, parseInput } from './input.ts';
import { writeResult } from './output.ts';

/**
 * Reads fd 0 synchronously: creating process.stdin loads net and the stream
 * machinery, several ms of every hook. A non-blocking stdin (EAGAIN) carries
 * on with the stream, keeping what was already read.
 */
async function readStdin(): Promise<string> {
  const fs = process.getBuiltinModule('node:fs');
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(64 * 1024);
  try {
    for (let n = fs.readSync(0, buffer); n > 0; n = fs.readSync(0, buffer)) chunks.push(Buffer.from(buffer.subarray(0, n)));
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
  }
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Workers and tasks allocate briskly (HTTP bodies, JSON) but keep little: with
 * V8's default heuristics the heap still grows to hundreds of megabytes over a
 * long drain. Sizing the heap for memory keeps it flat at the same speed
 * (docs/benchmarks.md). Hooks are too short-lived to care.
 */
function keepHeapSmall(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--optimize-for-size');
}

/**
 * The background worker runs at low CPU priority: on a small NAS it shares
 * the cores with Stash, whose saves wait for every hook process.
 */
function yieldToStash(): void {
  try {
    process.getBuiltinModule('node:os').setPriority(19);
  } catch {
    // Not permitted here (some containers): run at normal priority.
  }
}

function contextFor(input: PluginInput, log: Logger): RunContext {
  const env = readEnv();
  const connection = input.server_connection;
  registerSecret(connection.SessionCookie?.Value);
  return { input, connection, env, dataDir: resolveDataDir(env, connection), log, script: scriptPath() };
}

/**
 * A hook, by far the most frequent run, needs only the queue: the tasks, the
 * sync and the worker are imported where they are used, so a hook runs none
 * of their module code (bench/worker-memory.ts measures a hook's memory).
 */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--worker') return workerMain(argv[1] ?? '');
  const log = createLogger();
  let db: Db | undefined;
  let dbFile = DB_FILE;
  try {
    const input = parseInput(await readStdin());
    const ctx = contextFor(input, log);
    dbFile = join(ctx.dataDir, DB_FILE);
    const hook = input.args?.hookContext;
    if (hook) {
      db = await openDatabase(ctx.dataDir);
      const result = onSceneUpdate(db, { ...hook, input: hook.input ?? null, inputFields: hook.inputFields ?? undefined }, log);
      const worker = result.queued ? ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } }) : 'not needed';
      writeResult({ output: { ...result, worker } });
      return;
    }
    const [{ taskHandler }, { loadWorkerDeps }] = await Promise.all([import('../tasks/dispatch.ts'), import('../sync/worker-deps.ts')]);
    const handler = taskHandler(argString(input, 'mode'));
    keepHeapSmall();
    db = await openDatabase(ctx.dataDir);
    writeResult({ output: await handler(ctx, db, loadWorkerDeps) });
  } catch (err) {
    // A damaged database answers the same in every query: say which file and what to do.
    const message = err instanceof InputError ? err.message : describeError(explainDatabaseError(err, dbFile));
    log.error(message);
    writeResult({ error: message });
  } finally {
    db?.close();
  }
}

async function workerMain(owner: string): Promise<void> {
  let db: Db | undefined;
  let log: Logger | undefined;
  // Its heap is sized on the command line (WORKER_NODE_FLAGS), without node:v8.
  if (!process.execArgv.includes('--optimize-for-size')) keepHeapSmall();
  yieldToStash();
  try {
    const [{ runBackgroundWorker, workerFileLogger }, { loadWorkerDeps }] = await Promise.all([import('../worker/run.ts'), import('../sync/worker-deps.ts')]);
    const input = parseInput(await readStdin());
    const env = readEnv();
    const dataDir = resolveDataDir(env, input.server_connection);
    log = workerFileLogger(dataDir);
    const ctx = contextFor(input, log);
    db = await openDatabase(dataDir, { pageCacheKib: WORKER_PAGE_CACHE_KIB });
    await runBackgroundWorker(ctx, db, owner, loadWorkerDeps);
  } catch (err) {
    // Nobody reads a detached worker's stderr: its log file says why it stopped.
    // Its lease lapses and the next hook or task starts another.
    log?.error(`worker ${process.pid} failed: ${describeError(err)}`);
    process.exitCode = 1;
  } finally {
    db?.close();
  }
}
