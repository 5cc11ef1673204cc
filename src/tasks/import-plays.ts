// The `import_plays` task (CONTRACT section 15): plays, resume points and,
// with importRatings, ratings of matched items, from Plex into Stash. With
// importPlays off it succeeds and says so; `dryRun` lists what it would take.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import type { Logger } from '../log/logger.ts';
import type { ImportSummary } from '../plays/model.ts';
import { runPlaysImport } from '../plays/run.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';

export async function importPlaysTask(ctx: RunContext, db: Db): Promise<ImportSummary> {
  const { log } = ctx;
  const dryRun = flagArg(ctx, 'dryRun');
  const { settings, sync, close } = await loadSyncDeps(ctx, db);
  try {
    log.progress(0);
    if (settings.importPlays) log.info(`Import plays from Plex${dryRun ? ' (dry run: nothing is written)' : ''}`);
    const summary = await runPlaysImport(db, settings, sync, log, { dryRun, wait: true, progress: (f) => log.progress(f) });
    logSummary(summary, log);
    log.progress(1);
    return summary;
  } finally {
    close();
  }
}

export function logSummary(s: ImportSummary, log: Logger): void {
  log.info(`Import plays: ${s.message}`);
  for (const line of s.planned) log.info(`  would write: ${line}`);
}

/** Stash passes task arguments as given: the manifest's strings, or booleans from the API. */
function flagArg(ctx: RunContext, key: string): boolean {
  const value = (ctx.input.args as Record<string, unknown> | null | undefined)?.[key];
  return value === true || (typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim()));
}
