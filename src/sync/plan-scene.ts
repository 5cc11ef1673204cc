// "What would a sync of this scene change in Plex?", field by field, without
// writing anything. Pure: reconcile and dry_run call it with a scene, the
// full Plex item it matched (if any) and what the last sync recorded.
import { toPlexItemState } from '../plex/item-state.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import { desiredState, type FieldToggles } from './desired.ts';
import { diffState } from './diff.ts';
import type { StashScene } from './model.ts';
import type { SyncRecord } from './records.ts';
import { DEFAULT_RULES, type MetadataRules } from './rules.ts';

export interface FieldChange {
  /**
   * Plex's field name (title, titleSort, summary, originallyAvailableAt,
   * studio, contentRating, actor, genre, director, collection, label, rating,
   * poster), or actorPhoto and collectionArt for what goes with them.
   */
  field: string;
  from: string | number | string[] | null;
  to: string | number | string[] | null;
  /** True when the value already matches and only the lock is missing. */
  lockOnly?: boolean;
}

export type PlanStatus = 'same' | 'differs' | 'never_synced';

export interface ScenePlan {
  sceneId: string;
  ratingKey: string;
  status: PlanStatus;
  changes: FieldChange[];
}

export interface PlanOptions {
  rules?: Readonly<MetadataRules>;
  /** In provider mode a missing lock is no difference: the provider's fields are not locked. */
  syncMode?: 'edit' | 'provider';
}

/**
 * `record` is what the last sync of the scene wrote (undefined: never
 * synced). In provider mode a value that differs still counts (a refresh
 * brings Stash's), a lock that is missing does not. A record for another
 * Plex item counts as never synced, and so do its managed collections and
 * poster.
 */
export function planScene(
  scene: StashScene,
  item: PlexMetadata,
  sectionId: string,
  record: SyncRecord | undefined,
  toggles: FieldToggles,
  { rules = DEFAULT_RULES, syncMode = 'edit' }: PlanOptions = {},
): ScenePlan {
  const current = toPlexItemState(item, sectionId);
  const ours = record?.ratingKey === current.ratingKey ? record : undefined;
  const desired = desiredState(scene, toggles, rules);
  // Before PlexSync first writes an item, every collection and label it has is the user's.
  const handMade = {
    collection: ours ? (ours.handMadeCollections ?? []) : current.tags.collection,
    label: ours ? (ours.handMadeLabels ?? []) : current.tags.label,
  };
  const plan = diffState(desired, current, ours?.collections ?? [], ours?.labels ?? [], handMade);
  const changes: FieldChange[] = [];

  for (const [field, to] of Object.entries(plan.edit.scalars)) {
    const from = current[field as keyof typeof plan.edit.scalars];
    changes.push({ field, from, to, ...(from === to ? { lockOnly: true } : {}) });
  }
  for (const [field, change] of Object.entries(plan.edit.tags)) {
    const have = current.tags[field as keyof typeof current.tags];
    // Collections and labels: only the ones PlexSync manages (or would) are compared.
    const from = field === 'collection' || field === 'label' ? have.filter((n) => change.set.includes(n) || change.remove.includes(n)) : have;
    const same = from.length === change.set.length && from.every((n, i) => n === change.set[i]);
    const photos = field === 'actor' ? changedPhotos(plan.edit.actorThumbs, current.actorThumbs) : [];
    changes.push({ field, from, to: change.set, ...(same && photos.length === 0 ? { lockOnly: true } : {}) });
    if (photos.length > 0) changes.push({ field: 'actorPhoto', from: photos.map((n) => current.actorThumbs[n] ?? '(none)'), to: photos.map((n) => `${n}: ${plan.edit.actorThumbs![n]}`) });
  }
  if (plan.rating !== undefined) changes.push({ field: 'rating', from: current.userRating, to: plan.rating });
  // The poster is compared by Stash's screenshot URL (it carries a change
  // stamp): no image is downloaded to plan.
  const posterUrl = desired.posterUrl;
  if (posterUrl && ours?.posterUrl !== posterUrl) changes.push({ field: 'poster', from: ours?.posterUrl ?? null, to: posterUrl });

  // Provider mode locks nothing the provider owns: a missing lock is no difference there.
  const counted = syncMode === 'provider' ? changes.filter((c) => !c.lockOnly) : changes;
  const status: PlanStatus = !ours ? 'never_synced' : counted.length > 0 ? 'differs' : 'same';
  return { sceneId: scene.id, ratingKey: current.ratingKey, status, changes: counted };
}

/** The actors whose photo the edit would change. */
function changedPhotos(want: Record<string, string> | undefined, have: Record<string, string>): string[] {
  return Object.entries(want ?? {})
    .filter(([name, url]) => have[name] !== url)
    .map(([name]) => name);
}

/** One readable line per change: `title: "Old" -> "New"`. */
export function describeChange(change: FieldChange): string {
  const show = (v: FieldChange['from']) => (v === null ? '(none)' : Array.isArray(v) ? `[${v.join(', ')}]` : JSON.stringify(clip(v)));
  return `${change.field}: ${show(change.from)} -> ${show(change.to)}${change.lockOnly ? ' (lock only)' : ''}`;
}

function clip(value: string | number): string | number {
  return typeof value === 'string' && value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
