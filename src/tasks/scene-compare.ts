// The `scene_compare` operation behind the Plex tab: how one scene matches a
// Plex item (library, Plex's file path, by exact path or by file name and
// size) and what a sync would change, field by field (the dry run for one
// scene). Reads only: nothing is written to Plex or queued.
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { PermanentError } from '../errors.ts';
import { decideMatch } from '../match/decide.ts';
import { basenameOf, mapStashPath, samePath } from '../match/pathmap.ts';
import type { FieldChange, PlanStatus } from '../sync/plan-scene.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';
import { compareScenes } from './compare-all.ts';
import { withNextStep } from './next-step.ts';
import { sceneIdArg } from './args.ts';

export type SceneMatch =
  | { kind: 'matched'; via: 'path' | 'basename+size'; library: string | null; sectionId: string; plexFile: string; stashFile: string | null; ratingKey: string }
  | { kind: 'unmatched'; tried: string[]; nextStep: string }
  | { kind: 'ambiguous'; ratingKeys: string[]; nextStep: string }
  | { kind: 'missing'; ratingKey: string; nextStep: string }
  | { kind: 'no_files'; nextStep: string }
  /** Outside the sync filters: a sync leaves the Plex item as it is. */
  | { kind: 'filtered'; reason: string; nextStep: string };

export interface SceneComparison {
  sceneId: string;
  match: SceneMatch;
  /** 'same', 'differs' or 'never_synced' when matched. */
  status?: PlanStatus;
  changes: (FieldChange & { label: string })[];
}

/** The names Stash's scene page uses for the Plex fields PlexSync writes. */
const LABELS: Record<string, string> = {
  title: 'Title',
  titleSort: 'Sort title',
  summary: 'Details',
  originallyAvailableAt: 'Date',
  studio: 'Studio',
  contentRating: 'Content rating',
  actor: 'Performers',
  actorPhoto: 'Performer photos',
  genre: 'Tags',
  director: 'Director',
  collection: 'Collections',
  collectionArt: 'Group covers (on collections)',
  label: 'Tags (as labels)',
  rating: 'Rating',
  poster: 'Cover',
};

export async function sceneCompareTask(ctx: RunContext, db: Db): Promise<SceneComparison> {
  const sceneId = sceneIdArg(ctx);
  try {
    return await compareOne(ctx, db, sceneId);
  } catch (err) {
    throw withNextStep(err);
  }
}

async function compareOne(ctx: RunContext, db: Db, sceneId: string): Promise<SceneComparison> {
  const { sync, close } = await loadSyncDeps(ctx, db);
  try {
    const scene = await sync.stash.findScene(sceneId);
    if (!scene) throw new PermanentError('scene_gone', `Stash has no scene ${sceneId}`);
    await sync.index.ensureBuilt();
    await sync.index.refresh();
    const sections = await sync.index.sections();
    const [outcome] = await compareScenes([scene], sync);
    if (!outcome || outcome.kind === 'no_files') {
      return { sceneId, match: { kind: 'no_files', nextStep: 'The scene has no file in Stash, so there is nothing to find in Plex.' }, changes: [] };
    }
    if (outcome.kind === 'filtered') {
      return {
        sceneId,
        match: { kind: 'filtered', reason: outcome.reason, nextStep: `The scene is outside the sync filters (${outcome.reason}), so a sync leaves its Plex item as it is; change the filters in the plugin settings to sync it.` },
        changes: [],
      };
    }
    if (outcome.kind === 'unmatched') {
      const where = outcome.tried.join(' or ');
      return {
        sceneId,
        match: { kind: 'unmatched', tried: outcome.tried, nextStep: `Plex has no item at ${where}: check Path mapping and Plex libraries, or run Detect path mapping; if the path is right, let Plex scan that folder.` },
        changes: [],
      };
    }
    if (outcome.kind === 'ambiguous') {
      return {
        sceneId,
        match: {
          kind: 'ambiguous',
          ratingKeys: outcome.ratingKeys,
          nextStep: `Plex items ${outcome.ratingKeys.join(', ')} share this file's name and size: fix Path mapping so the exact path matches (run Detect path mapping). PlexSync edits none of them.`,
        },
        changes: [],
      };
    }
    if (outcome.kind === 'missing') {
      return { sceneId, match: { kind: 'missing', ratingKey: outcome.ratingKey, nextStep: 'Plex no longer plays this file from that item: press Sync now to match the scene again.' }, changes: [] };
    }
    // The plan says which item; the decision (same inputs) says how it was found.
    const decision = decideMatch(scene.files, sync.mappings, sync.index);
    if (decision.kind !== 'matched') throw new PermanentError('internal', `scene ${sceneId} matched and then did not; press Refresh`);
    const stashFile =
      scene.files.find((f) => (decision.via === 'path' ? samePath(mapStashPath(f.path, sync.mappings), decision.file) : basenameOf(mapStashPath(f.path, sync.mappings)) === basenameOf(decision.file)))?.path ?? null;
    const library = sections.find((s) => s.id === decision.sectionId)?.title ?? null;
    return {
      sceneId,
      match: { kind: 'matched', via: decision.via, library, sectionId: decision.sectionId, plexFile: decision.file, stashFile, ratingKey: outcome.plan.ratingKey },
      status: outcome.plan.status,
      changes: outcome.plan.changes.map((c) => ({ ...c, label: LABELS[c.field] ?? c.field })),
    };
  } finally {
    close();
  }
}
