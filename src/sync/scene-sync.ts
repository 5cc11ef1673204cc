// The sync of one scene: read it from Stash, find its Plex item, write only
// what differs, read it back, record what was done.
import type { Db } from '../db/database.ts';
import { errorCode, PermanentError, TransientError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { LibraryIndex } from '../match/library-index.ts';
import type { PathMapping } from '../match/pathmap.ts';
import type { PlexClient } from '../plex/client.ts';
import { toPlexItemState } from '../plex/item-state.ts';
import type { StashClient } from '../stash/client.ts';
import type { FieldToggles } from './desired.ts';
import { desiredState } from './desired.ts';
import { diffState, editSteps, verifyApplied } from './diff.ts';
import { findPlexItem } from './find-item.ts';
import { isEmptyEdit } from './model.ts';
import { getRecord, putRecord } from './records.ts';
import { filteredOut, type MetadataRules } from './rules.ts';
import { syncCollectionArt } from './collection-art.ts';

export interface SceneSyncDeps {
  db: Db;
  stash: StashClient;
  plex: PlexClient;
  index: LibraryIndex;
  mappings: readonly PathMapping[];
  toggles: FieldToggles;
  rules: MetadataRules;
  /** Upload group covers and synopses to their Plex collections. */
  groupCollectionArt: boolean;
  requestScans: boolean;
  log: Logger;
}

export interface SceneSyncResult {
  ratingKey: string;
  changed: string[];
  summary: string;
}

const sha256 = (data: string | Uint8Array) => process.getBuiltinModule('node:crypto').createHash('sha256').update(data).digest('hex');

/** A scene without a generated screenshot has none to give: no poster, not a failure. */
async function fetchPoster(stash: StashClient, url: string) {
  try {
    return await stash.fetchImage(url);
  } catch (err) {
    if (errorCode(err) === 'not_found') return undefined;
    throw err;
  }
}

export async function syncScene(sceneId: string, attempt: number, deps: SceneSyncDeps, signal?: AbortSignal): Promise<SceneSyncResult> {
  const { db, stash, plex } = deps;
  const scene = await stash.findScene(sceneId);
  if (!scene) throw new PermanentError('scene_gone', `scene ${sceneId} no longer exists in Stash`);
  // Outside the filters: not written at all, so Plex keeps what it shows.
  const outside = filteredOut(scene, deps.rules.filters);
  if (outside !== null) return { ratingKey: '', changed: [], summary: `left alone in Plex: scene ${sceneId} is outside the sync filters (${outside})` };

  const { ratingKey, sectionId, item } = await findPlexItem(scene, attempt, deps, signal);
  const current = toPlexItemState(item, sectionId);
  const record = getRecord(db, sceneId);
  const managed = record?.ratingKey === ratingKey ? record.collections : [];
  const managedLabels = record?.ratingKey === ratingKey ? (record.labels ?? []) : [];
  const desired = desiredState(scene, deps.toggles, deps.rules);
  const plan = diffState(desired, current, managed, managedLabels);
  const changed = [...Object.keys(plan.edit.scalars), ...Object.keys(plan.edit.tags)];

  // The poster: fetched only when Stash's screenshot URL (which carries a
  // cache-busting timestamp) moved, uploaded only when the bytes differ.
  let poster: { bytes: Uint8Array; contentType: string; hash: string } | undefined;
  let posterHash = record?.ratingKey === ratingKey ? record.posterHash : null;
  const posterUrl = desired.posterUrl ?? null;
  if (posterUrl && (record?.ratingKey !== ratingKey || record.posterUrl !== posterUrl)) {
    const image = await fetchPoster(stash, posterUrl);
    if (image) {
      const hash = sha256(image.bytes);
      if (hash !== posterHash) poster = { ...image, hash };
      posterHash = hash;
    }
  }
  if (poster && !current.locked.includes('thumb')) plan.edit.lock.push('thumb');

  let wrote = false;
  if (!isEmptyEdit(plan.edit)) {
    for (const step of editSteps(plan.edit)) await plex.editItem(ratingKey, sectionId, step, signal);
    wrote = true;
  }
  if (plan.rating !== undefined) {
    await plex.rate(ratingKey, plan.rating, signal);
    changed.push('rating');
    wrote = true;
  }
  if (poster) {
    await plex.uploadPoster(ratingKey, poster.bytes, poster.contentType, signal);
    changed.push('poster');
  }
  if (wrote) {
    // A 200 proves nothing: Plex ignores what it does not understand.
    const after = toPlexItemState(await plex.getItem(ratingKey, signal), sectionId);
    const missing = verifyApplied(desired, after, managed, managedLabels);
    if (missing.length > 0) {
      throw new TransientError('write_not_applied', `Plex accepted the edit of item ${ratingKey} but did not apply: ${missing.join(', ')}`);
    }
  }

  // After the item: its edit is what makes Plex create a new collection.
  if (deps.groupCollectionArt && desired.tags.collection !== undefined) {
    const art = await syncCollectionArt(scene, sectionId, plan.newManagedCollections, deps, signal);
    changed.push(...art);
  }

  putRecord(db, {
    sceneId,
    ratingKey,
    sectionId,
    syncedAt: Date.now(),
    stateHash: sha256(JSON.stringify(desired)),
    posterHash,
    posterUrl,
    collections: plan.newManagedCollections,
    labels: plan.newManagedLabels,
    sceneUpdatedAt: scene.updatedAt,
  });
  const summary = changed.length === 0 ? `already up to date in Plex item ${ratingKey}` : `updated ${changed.join(', ')} in Plex item ${ratingKey}`;
  return { ratingKey, changed, summary };
}
