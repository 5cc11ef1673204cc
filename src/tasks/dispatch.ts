// args.mode -> task. Unknown modes are refused before anything is touched.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { PermanentError } from '../errors.ts';
import type { DepsLoader } from '../worker/run.ts';
import { ensureWorker } from '../worker/spawn.ts';
import { deadLetterClear, deadLetterList, deadLetterRetry } from './dead-letters.ts';
import { detectPathsTask } from './detect-paths.ts';
import { dryRunTask } from './dry-run.ts';
import { importPlaysTask } from './import-plays.ts';
import { processTask } from './process.ts';
import { providerUnlockTask } from './provider-unlock.ts';
import { reconcileTask } from './reconcile.ts';
import { logStatus, statusReport } from './status.ts';
import { syncAllTask } from './sync-all.ts';
import { SETUP_OPERATIONS } from './setup.ts';
import { UI_OPERATIONS } from './ui-operations.ts';
import { checkSetupTask } from './check-setup.ts';

export type TaskHandler = (ctx: RunContext, db: Db, loadDeps: DepsLoader) => Promise<unknown>;

const handlers: Record<string, TaskHandler> = {
  status: async (ctx, db) => {
    const report = statusReport(db);
    logStatus(report, ctx.log);
    return report;
  },
  process: (ctx, db, loadDeps) => processTask(ctx, db, loadDeps),
  sync_all: (ctx, db, loadDeps) => syncAllTask(ctx, db, loadDeps),
  reconcile: (ctx, db) => reconcileTask(ctx, db),
  dry_run: (ctx, db) => dryRunTask(ctx, db),
  detect_paths: (ctx, db) => detectPathsTask(ctx, db),
  provider_unlock: (ctx, db) => providerUnlockTask(ctx, db),
  dlq_list: async (ctx, db) => deadLetterList(db, ctx.log),
  dlq_retry: async (ctx, db) => {
    const result = deadLetterRetry(db, ctx.log);
    if (result.retried > 0) ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
    return result;
  },
  dlq_clear: async (ctx, db) => deadLetterClear(db, ctx.log),
  check_setup: (ctx, db) => checkSetupTask(ctx, db),
  import_plays: (ctx, db) => importPlaysTask(ctx, db),
  ...UI_OPERATIONS,
  ...SETUP_OPERATIONS,
};

export function knownModes(): string[] {
  return Object.keys(handlers);
}

export function taskHandler(mode: string | undefined): TaskHandler {
  if (mode === undefined || mode === '') {
    throw new PermanentError('bad_input', `no task mode given: expected args.mode, one of ${knownModes().join(', ')}`);
  }
  const handler = Object.hasOwn(handlers, mode) ? handlers[mode] : undefined;
  if (!handler) throw new PermanentError('bad_input', `unknown mode "${mode.slice(0, 60)}": expected one of ${knownModes().join(', ')}`);
  return handler;
}
