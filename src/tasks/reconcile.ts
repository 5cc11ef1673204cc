// The `reconcile` task: compare every scene with its Plex item and queue only
// those that differ, were never synced, or have no Plex item. Far cheaper
// than sync_all: no Stash request per scene, Plex items read 40 at a time,
// and not a single write to Plex.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { enqueueMany } from '../queue/operations.ts';
import type { NewJob } from '../queue/types.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';
import { ensureWorker } from '../worker/spawn.ts';
import { compareAll, type SceneOutcome } from './compare-all.ts';
import { recordMatchStats } from './match-stats.ts';

/** Scene ids kept per category in the output; the counts are complete. */
const SAMPLE = 20;

export interface ReconcileSummary {
  scenes: number;
  same: number;
  differs: number;
  neverSynced: number;
  /** No Plex item found for the scene's files (or the indexed one vanished). */
  missing: number;
  ambiguous: number;
  noFiles: number;
  /** Outside the sync filters (settings onlyOrganized, onlyWithStashId, excludeTags): left alone. */
  filtered: number;
  queued: number;
  /** Matched only by basename and size, not by exact path: many of these mean a wrong pathMap. */
  byBasename: number;
  /** How many scenes differ in each field (a scene may count in several). */
  fields: Record<string, number>;
  samples: { differs: string[]; neverSynced: string[]; missing: string[]; ambiguous: string[] };
}

export function emptySummary(): ReconcileSummary {
  return {
    scenes: 0,
    same: 0,
    differs: 0,
    neverSynced: 0,
    missing: 0,
    ambiguous: 0,
    noFiles: 0,
    filtered: 0,
    queued: 0,
    byBasename: 0,
    fields: {},
    samples: { differs: [], neverSynced: [], missing: [], ambiguous: [] },
  };
}

function sample(list: string[], id: string): void {
  if (list.length < SAMPLE) list.push(id);
}

/** Counts one outcome; true when the scene needs a sync. */
export function tally(s: ReconcileSummary, o: SceneOutcome): boolean {
  s.scenes++;
  switch (o.kind) {
    case 'no_files':
      s.noFiles++;
      return false;
    case 'filtered':
      s.filtered++;
      return false;
    case 'ambiguous':
      // A sync would refuse it too (dead letter); listed here for the user to sort out.
      s.ambiguous++;
      sample(s.samples.ambiguous, o.sceneId);
      return false;
    case 'unmatched':
    case 'missing':
      s.missing++;
      sample(s.samples.missing, o.sceneId);
      return true;
    case 'planned': {
      if (o.via === 'basename+size') s.byBasename++;
      for (const change of o.plan.changes) s.fields[change.field] = (s.fields[change.field] ?? 0) + 1;
      if (o.plan.status === 'same') {
        s.same++;
        return false;
      }
      if (o.plan.status === 'never_synced') {
        s.neverSynced++;
        sample(s.samples.neverSynced, o.sceneId);
      } else {
        s.differs++;
        sample(s.samples.differs, o.sceneId);
      }
      return true;
    }
  }
}

export async function reconcileTask(ctx: RunContext, db: Db): Promise<ReconcileSummary> {
  const { log } = ctx;
  const { sync, close } = await loadSyncDeps(ctx, db);
  const summary = emptySummary();
  try {
    log.info('Reconcile: comparing every Stash scene with its Plex item (no Plex writes)');
    log.progress(0);
    await compareAll(sync, (outcomes, progress) => {
      const jobs: NewJob[] = [];
      for (const outcome of outcomes) if (tally(summary, outcome)) jobs.push({ kind: 'scene', entityId: outcome.sceneId });
      // One transaction per page: hooks writing meanwhile wait at most one page.
      if (jobs.length > 0) {
        enqueueMany(db, jobs);
        summary.queued += jobs.length;
      }
      log.progress(progress.total === 0 ? 1 : Math.min(0.99, progress.seen / progress.total));
    });
  } finally {
    close();
  }
  log.progress(1);
  const withFiles = summary.scenes - summary.noFiles;
  const matched = withFiles - summary.missing;
  recordMatchStats(db, { by: 'reconcile', scenes: withFiles, matched, exact: matched - summary.ambiguous - summary.byBasename });
  logSummary(summary, ctx);
  if (summary.queued > 0) ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
  return summary;
}

function logSummary(s: ReconcileSummary, ctx: RunContext): void {
  const { log } = ctx;
  log.info(
    `Reconcile: ${s.scenes} scene(s): ${s.same} up to date, ${s.differs} differ, ${s.neverSynced} never synced, ` +
      `${s.missing} without a Plex item, ${s.ambiguous} ambiguous, ${s.noFiles} without files; ${s.queued} queued`,
  );
  if (s.byBasename > 0) log.info(`${s.byBasename} scene(s) matched their Plex item by file name and size only, not by exact path`);
  const fields = Object.entries(s.fields).sort((a, b) => b[1] - a[1]);
  if (fields.length > 0) log.info(`Differences by field: ${fields.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (s.ambiguous > 0) log.warn(`Several Plex items could be scene(s) ${s.samples.ambiguous.join(', ')}: not queued, see dry_run for details`);
}
