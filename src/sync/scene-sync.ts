// The sync of one scene: read it from Stash, find its Plex item, write only
// what differs, read it back, record what was done.
import { type Db, deleteKv, getKv, setKv } from '../db/database.ts';
import { errorCode, PermanentError, TransientError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { LibraryIndex } from '../match/library-index.ts';
import type { PathMapping } from '../match/pathmap.ts';
import type { PlexClient } from '../plex/client.ts';
import { toPlexItemState } from '../plex/item-state.ts';
import type { StashClient } from '../stash/client.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { FieldToggles } from './desired.ts';
import { desiredState } from './desired.ts';
import { diffState, editSteps, verifyApplied } from './diff.ts';
import { findPlexItem } from './find-item.ts';
import { type DesiredState, isEmptyEdit, type PlexEdit, type StashScene } from './model.ts';
import { lockedOwnedFields, PROVIDER_GUID_PREFIX, unlockAdvice } from './provider-mode.ts';
import { getRecord, putRecord } from './records.ts';
import { filteredOut, type MetadataRules } from './rules.ts';
import { syncCollectionArt } from './collection-art.ts';
import { sendSized, type SummaryCut } from './sized-edit.ts';
import { fingerprint } from './fingerprint.ts';

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
  /** edit: write and lock fields; provider: refresh from the provider, write only the cover and rating. */
  syncMode: 'edit' | 'provider';
  log: Logger;
  /** With importRatings: true when Plex's rating is the later change and must not be overwritten. */
  plexRatingStands?: (scene: StashScene, item: PlexMetadata) => boolean;
}

export interface SceneSyncResult {
  ratingKey: string;
  changed: string[];
  summary: string;
}

/** A scene without a generated screenshot has none to give: no poster, not a failure. */
async function fetchPoster(stash: StashClient, url: string) {
  try {
    return await stash.fetchImage(url);
  } catch (err) {
    if (errorCode(err) === 'not_found') return undefined;
    throw err;
  }
}

const CUT_KEY = (sceneId: string) => `summary_cut:${sceneId}`;

/** The desired state with the summary as Plex holds it, if it was cut before and Stash's is unchanged. */
function withKnownCut(db: Db, sceneId: string, wanted: DesiredState): DesiredState {
  const desired: DesiredState = { ...wanted, scalars: { ...wanted.scalars } };
  const raw = getKv(db, CUT_KEY(sceneId));
  const full = wanted.scalars.summary;
  if (!raw || full === undefined) return desired;
  const cut = JSON.parse(raw) as SummaryCut;
  if (cut.fullHash === fingerprint(full)) desired.scalars.summary = cut.cut;
  return desired;
}

/** Keeps (or forgets) the note that this scene's summary was cut, which `status` reports. */
function rememberCut(db: Db, sceneId: string, full: string | undefined, cut: string | undefined, deps: SceneSyncDeps): void {
  if (cut === undefined || full === undefined) {
    const known = getKv(db, CUT_KEY(sceneId));
    if (known && (full === undefined || (JSON.parse(known) as SummaryCut).fullHash !== fingerprint(full))) deleteKv(db, CUT_KEY(sceneId));
    return;
  }
  const note: SummaryCut = { fullHash: fingerprint(full), cut, fullLength: [...full].length, cutLength: [...cut].length };
  setKv(db, CUT_KEY(sceneId), JSON.stringify(note));
  deps.log.warn(`scene ${sceneId}: Plex refused the summary at full length, so it was cut to ${note.cutLength} of ${note.fullLength} characters`);
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
  // Before PlexSync first writes an item, every collection and label it has is the user's.
  const firstWrite = record?.ratingKey !== ratingKey;
  const handMade = {
    collection: firstWrite ? current.tags.collection : (record.handMadeCollections ?? []),
    label: firstWrite ? current.tags.label : (record.handMadeLabels ?? []),
  };
  const wanted = desiredState(scene, deps.toggles, deps.rules);
  if (deps.syncMode === 'provider') {
    // The provider owns every field: nothing is edited or locked, and the
    // rating and cover below are all PlexSync writes.
    wanted.scalars = {};
    wanted.tags = {};
  }
  // A summary Plex took only cut stays cut until Stash's changes: no rewrite per sync.
  const desired = withKnownCut(db, sceneId, wanted);
  // With importRatings, a newer Plex rating stands: the next import brings it into Stash.
  if (desired.rating !== undefined && deps.plexRatingStands?.(scene, item)) delete desired.rating;
  const plan = diffState(desired, current, managed, managedLabels, handMade);
  const changed = [...Object.keys(plan.edit.scalars), ...Object.keys(plan.edit.tags)];

  // The poster: fetched only when Stash's screenshot URL (which carries a
  // cache-busting timestamp) moved, uploaded only when the bytes differ.
  let poster: { bytes: Uint8Array; contentType: string; hash: string } | undefined;
  let posterHash = record?.ratingKey === ratingKey ? record.posterHash : null;
  const posterUrl = desired.posterUrl ?? null;
  if (posterUrl && (record?.ratingKey !== ratingKey || record.posterUrl !== posterUrl)) {
    const image = await fetchPoster(stash, posterUrl);
    if (image) {
      const hash = fingerprint(image.bytes);
      if (hash !== posterHash) poster = { ...image, hash };
      posterHash = hash;
    }
  }
  if (poster && !current.locked.includes('thumb')) plan.edit.lock.push('thumb');

  let wrote = false;
  let cutSummary: string | undefined;
  if (!isEmptyEdit(plan.edit)) {
    const sender = { send: (e: PlexEdit) => plex.editItem(ratingKey, sectionId, e, signal), length: (e: PlexEdit) => plex.editLength(ratingKey, e) };
    for (const step of editSteps(plan.edit)) cutSummary = (await sendSized(step, sender)).cutSummary ?? cutSummary;
    wrote = true;
  }
  if (cutSummary !== undefined) desired.scalars.summary = cutSummary;
  if (plan.rating !== undefined) {
    await plex.rate(ratingKey, plan.rating, signal);
    changed.push('rating');
    wrote = true;
  }
  if (poster) {
    await plex.uploadPoster(ratingKey, poster.bytes, poster.contentType, signal);
    changed.push('poster');
    wrote = true;
  }
  const notes: string[] = [];
  if (deps.syncMode === 'provider') {
    await plex.refreshItem(ratingKey, signal);
    notes.push('Plex asked to refresh it from the provider');
    const locked = lockedOwnedFields(current.locked);
    if (locked.length > 0) {
      notes.push(unlockAdvice(ratingKey, locked));
      deps.log.warn(unlockAdvice(ratingKey, locked));
    }
    const guid = item.guid ?? '';
    if (!guid.startsWith(PROVIDER_GUID_PREFIX)) notes.push(`Plex item ${ratingKey} is not matched by the PlexSync provider${guid ? ` (its guid is ${guid})` : ''}: check the library's agent`);
  }
  if (wrote) {
    // A 200 proves nothing: Plex ignores what it does not understand.
    const afterItem = await plex.getItem(ratingKey, signal);
    const after = toPlexItemState(afterItem, sectionId);
    const missing = verifyApplied(desired, after, managed, managedLabels, handMade);
    // An upload that took becomes the selected poster, so the item's thumb moves.
    if (poster && (afterItem.thumb ?? null) === (item.thumb ?? null)) missing.push('poster');
    if (missing.length > 0) {
      throw new TransientError('write_not_applied', `Plex accepted the edit of item ${ratingKey} but did not apply: ${missing.join(', ')}`);
    }
  }

  rememberCut(db, sceneId, wanted.scalars.summary, cutSummary, deps);
  // After the item: its edit is what makes Plex create a new collection.
  // Only managed collections get art: never a hand-made one.
  if (deps.groupCollectionArt && desired.tags.collection !== undefined) {
    const art = await syncCollectionArt(scene, sectionId, plan.newManagedCollections, deps, signal);
    changed.push(...art);
  }
  putRecord(db, {
    sceneId,
    ratingKey,
    sectionId,
    syncedAt: Date.now(),
    stateHash: fingerprint(JSON.stringify(wanted)),
    posterHash,
    posterUrl,
    collections: plan.newManagedCollections,
    labels: plan.newManagedLabels,
    sceneUpdatedAt: scene.updatedAt,
    handMadeCollections: [...handMade.collection],
    handMadeLabels: [...handMade.label],
  });
  const done = changed.length === 0 ? `already up to date in Plex item ${ratingKey}` : `updated ${changed.join(', ')} in Plex item ${ratingKey}`;
  const summary = [done, ...notes].join('; ');
  return { ratingKey, changed, summary };
}
