// The walk shared by reconcile and dry_run: every Stash scene, a page at a
// time, matched through the library index (no Plex request per scene), the
// matched Plex items fetched in batches, and a plan per scene. Nothing is
// written to Plex. Memory stays flat: one page is held at a time.
import { decideMatch } from '../match/decide.ts';
import { toPlexItemState } from '../plex/item-state.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { StashScene } from '../sync/model.ts';
import { planScene, type ScenePlan } from '../sync/plan-scene.ts';
import { getRecord } from '../sync/records.ts';
import { artDue } from '../sync/collection-art.ts';
import { filteredOut } from '../sync/rules.ts';
import type { SceneSyncDeps } from '../sync/scene-sync.ts';

export type SceneOutcome =
  | { kind: 'planned'; sceneId: string; plan: ScenePlan; via: 'path' | 'basename+size' }
  | { kind: 'no_files'; sceneId: string }
  /** Outside the sync filters: a sync leaves its Plex item as it is. */
  | { kind: 'filtered'; sceneId: string; reason: string }
  | { kind: 'unmatched'; sceneId: string; tried: string[] }
  | { kind: 'ambiguous'; sceneId: string; ratingKeys: string[] }
  /** The index named an item that Plex no longer has with that file. */
  | { kind: 'missing'; sceneId: string; ratingKey: string };

/** Full scenes per Stash request: big enough for few round trips, small enough for flat memory. */
export const COMPARE_PAGE = 500;
/** Item batches of 40 (the client's unit) fetched at once. */
const PARALLEL_ITEM_REQUESTS = 4;

export interface CompareProgress {
  seen: number;
  total: number;
}

/**
 * Walks every scene (or those the filter selects) and hands each page's
 * outcomes to `onPage`. Pages are keyset-walked by id, so a scene deleted
 * meanwhile shifts nothing.
 */
export async function compareAll(
  deps: SceneSyncDeps,
  onPage: (outcomes: SceneOutcome[], progress: CompareProgress) => void,
  signal?: AbortSignal,
): Promise<CompareProgress> {
  await deps.index.ensureBuilt(signal);
  await deps.index.refresh(signal);
  const progress: CompareProgress = { seen: 0, total: 0 };
  let afterId = 0;
  for (let first = true; ; first = false) {
    const page = await deps.stash.findScenesPage(1, COMPARE_PAGE, { id: { value: afterId, modifier: 'GREATER_THAN' } });
    if (first) progress.total = page.count;
    if (page.scenes.length === 0) break;
    const outcomes = await compareScenes(page.scenes, deps, signal);
    progress.seen += page.scenes.length;
    onPage(outcomes, { ...progress, total: Math.max(progress.total, progress.seen) });
    if (page.scenes.length < COMPARE_PAGE) break;
    const last = Number(page.scenes[page.scenes.length - 1]!.id);
    if (!(last > afterId)) break;
    afterId = last;
  }
  return progress;
}

export async function compareScenes(scenes: readonly StashScene[], deps: SceneSyncDeps, signal?: AbortSignal): Promise<SceneOutcome[]> {
  const outcomes: (SceneOutcome | { kind: 'matched'; scene: StashScene; ratingKey: string; sectionId: string; file: string; via: 'path' | 'basename+size' })[] = [];
  for (const scene of scenes) {
    const outside = filteredOut(scene, deps.rules.filters);
    if (outside !== null) {
      outcomes.push({ kind: 'filtered', sceneId: scene.id, reason: outside });
      continue;
    }
    if (scene.files.length === 0) {
      outcomes.push({ kind: 'no_files', sceneId: scene.id });
      continue;
    }
    const decision = decideMatch(scene.files, deps.mappings, deps.index);
    if (decision.kind === 'unmatched') outcomes.push({ kind: 'unmatched', sceneId: scene.id, tried: decision.tried });
    else if (decision.kind === 'ambiguous') {
      outcomes.push({ kind: 'ambiguous', sceneId: scene.id, ratingKeys: [...new Set(decision.candidates.map((c) => c.ratingKey))] });
    } else outcomes.push({ kind: 'matched', scene, ratingKey: decision.ratingKey, sectionId: decision.sectionId, file: decision.file, via: decision.via });
  }
  const keys = [...new Set(outcomes.flatMap((o) => (o.kind === 'matched' ? [o.ratingKey] : [])))];
  const items = await fetchItems(keys, deps, signal);
  return outcomes.map((o): SceneOutcome => {
    if (o.kind !== 'matched') return o;
    const item = items.get(o.ratingKey);
    const files = item?.Media?.flatMap((m) => m.Part?.map((p) => p.file) ?? []) ?? [];
    if (!item || !files.includes(o.file)) return { kind: 'missing', sceneId: o.scene.id, ratingKey: o.ratingKey };
    const record = getRecord(deps.db, o.scene.id);
    const plan = planScene(o.scene, item, o.sectionId, record, deps.toggles, { rules: deps.rules, syncMode: deps.syncMode });
    // groupCollectionArt implies group collections, so every group is (or will be) one;
    // a hand-made collection of the same name never gets art, as in the sync.
    if (deps.groupCollectionArt) {
      const handMade = record?.ratingKey === plan.ratingKey ? (record.handMadeCollections ?? []) : toPlexItemState(item, o.sectionId).tags.collection;
      const theirs = new Set(handMade.map((n) => n.toLocaleLowerCase('und')));
      const groups = o.scene.groups.map((g) => g.name.trim()).filter((n) => !theirs.has(n.toLocaleLowerCase('und')));
      const art = artDue(deps.db, o.scene, o.sectionId, groups);
      if (art.length > 0) {
        plan.changes.push({ field: 'collectionArt', from: null, to: art });
        if (plan.status === 'same') plan.status = 'differs';
      }
    }
    return { kind: 'planned', sceneId: o.scene.id, via: o.via, plan };
  });
}

async function fetchItems(keys: readonly string[], deps: SceneSyncDeps, signal?: AbortSignal): Promise<Map<string, PlexMetadata>> {
  const batch = 40;
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += batch) chunks.push(keys.slice(i, i + batch));
  const items = new Map<string, PlexMetadata>();
  for (let i = 0; i < chunks.length; i += PARALLEL_ITEM_REQUESTS) {
    const answers = await Promise.all(chunks.slice(i, i + PARALLEL_ITEM_REQUESTS).map((chunk) => deps.plex.getItems(chunk, signal)));
    for (const item of answers.flat()) items.set(String(item.ratingKey), item);
  }
  return items;
}
