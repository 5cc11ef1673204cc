// The `dry_run` task: what a sync would change in Plex, field by field, for
// one scene (args.sceneId) or for every scene, without writing or queueing.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { argString } from '../entry/input.ts';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { describeChange } from '../sync/plan-scene.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';
import { compareAll, compareScenes, type SceneOutcome } from './compare-all.ts';
import { recordMatchStats } from './match-stats.ts';
import { emptySummary, type ReconcileSummary, tally } from './reconcile.ts';

/** Scenes detailed in the output of a whole-library dry run; the summary counts all. */
const MAX_DETAILED = 200;

export interface DryRunResult {
  summary: ReconcileSummary;
  /** Outcomes of the scenes that would change (all of them for a single scene). */
  scenes: SceneOutcome[];
  truncated: boolean;
}

export async function dryRunTask(ctx: RunContext, db: Db): Promise<DryRunResult> {
  const sceneId = argString(ctx.input, 'sceneId');
  if (sceneId !== undefined && !/^\d{1,18}$/.test(sceneId)) {
    throw new PermanentError('bad_input', `args.sceneId must be a scene number, got ${JSON.stringify(sceneId.slice(0, 40))}`);
  }
  const { sync, close } = await loadSyncDeps(ctx, db);
  const { log } = ctx;
  const result: DryRunResult = { summary: emptySummary(), scenes: [], truncated: false };
  try {
    log.progress(0);
    if (sceneId !== undefined) {
      const scene = await sync.stash.findScene(sceneId);
      if (!scene) throw new PermanentError('scene_gone', `Stash has no scene ${sceneId}`);
      await sync.index.ensureBuilt();
      await sync.index.refresh();
      for (const outcome of await compareScenes([scene], sync)) {
        tally(result.summary, outcome);
        result.scenes.push(outcome);
        logOutcome(outcome, log);
      }
    } else {
      log.info('Dry run: what a sync of every scene would change in Plex (nothing is written)');
      await compareAll(sync, (outcomes, progress) => {
        for (const outcome of outcomes) {
          if (!tally(result.summary, outcome)) continue;
          if (result.scenes.length >= MAX_DETAILED) {
            result.truncated = true;
            continue;
          }
          result.scenes.push(outcome);
          logOutcome(outcome, log);
        }
        log.progress(progress.total === 0 ? 1 : Math.min(0.99, progress.seen / progress.total));
      });
      const withFiles = result.summary.scenes - result.summary.noFiles - result.summary.filtered;
      const matched = withFiles - result.summary.missing;
      recordMatchStats(db, { by: 'dry_run', scenes: withFiles, matched, exact: matched - result.summary.ambiguous - result.summary.byBasename });
    }
  } finally {
    close();
  }
  log.progress(1);
  const s = result.summary;
  log.info(
    `Dry run: ${s.scenes} scene(s): ${s.same} up to date, ${s.differs + s.neverSynced} would change, ` +
      `${s.missing} without a Plex item, ${s.ambiguous} ambiguous, ${s.filtered} outside the sync filters${result.truncated ? ` (first ${MAX_DETAILED} detailed)` : ''}`,
  );
  return result;
}

function logOutcome(o: SceneOutcome, log: Logger): void {
  switch (o.kind) {
    case 'planned':
      if (o.plan.changes.length === 0) log.info(`Scene ${o.sceneId} -> Plex item ${o.plan.ratingKey}: up to date`);
      else {
        const note = o.plan.status === 'never_synced' ? ' (never synced)' : '';
        log.info(`Scene ${o.sceneId} -> Plex item ${o.plan.ratingKey}${note}: ${o.plan.changes.map(describeChange).join('; ')}`);
      }
      return;
    case 'unmatched':
      log.info(`Scene ${o.sceneId}: Plex has no item for ${o.tried.join(' or ')}`);
      return;
    case 'missing':
      log.info(`Scene ${o.sceneId}: Plex item ${o.ratingKey} no longer plays its file; a sync would look again`);
      return;
    case 'ambiguous':
      log.warn(`Scene ${o.sceneId}: several Plex items could be it (${o.ratingKeys.join(', ')}); a sync would edit none`);
      return;
    case 'no_files':
      log.info(`Scene ${o.sceneId}: no files, so no Plex item`);
      return;
    case 'filtered':
      log.info(`Scene ${o.sceneId}: outside the sync filters (${o.reason}); Plex is left as it is`);
      return;
  }
}
