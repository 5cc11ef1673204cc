// From a scene's files to its Plex item, by CONTRACT section 10 only: an exact
// mapped path, else one item with the same basename and size. Anything else
// is no match, and PlexSync never edits an item it did not match this way.
import { PermanentError, TransientError } from '../errors.ts';
import { type Candidate, decideMatch, fallbackCandidates } from '../match/decide.ts';
import { basenameOf, folderOf, isInside, mapStashPath, samePath } from '../match/pathmap.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { StashScene } from './model.ts';
import { scenesRecordedFor } from './records.ts';
import type { SceneSyncDeps } from './scene-sync.ts';

export interface FoundItem {
  ratingKey: string;
  sectionId: string;
  item: PlexMetadata;
}

/** Scans are asked for on the first attempts only; later retries just look again. */
const SCAN_ATTEMPTS = 2;

export async function findPlexItem(scene: StashScene, attempt: number, deps: SceneSyncDeps, signal?: AbortSignal): Promise<FoundItem> {
  const { index, plex, mappings } = deps;
  if (scene.files.length === 0) throw new PermanentError('bad_input', `scene ${scene.id} has no files, so no Plex item can show it`);
  await index.ensureBuilt(signal);
  for (let look = 0; look < 3; look++) {
    const decideNow = async () => decideMatch(scene.files, mappings, index, { ownedElsewhere: await ownedElsewhere(scene, deps) });
    let decision = await decideNow();
    if (decision.kind === 'unmatched') {
      await index.refresh(signal, { force: attempt > 1 });
      decision = await decideNow();
    }
    if (decision.kind === 'ambiguous') {
      const names = decision.candidates.map((c) => `item ${c.ratingKey} (${c.file})`).join(', ');
      throw new PermanentError('ambiguous_match', `several Plex items could be scene ${scene.id}: ${names}; none was edited`);
    }
    if (decision.kind === 'unmatched') {
      const scanned = attempt <= SCAN_ATTEMPTS && deps.requestScans ? await requestScan(decision.tried, deps, signal) : [];
      const asked = scanned.length > 0 ? `; asked Plex to scan ${scanned.join(', ')}` : '';
      throw new TransientError('not_scanned', `Plex has no item for ${decision.tried.join(' or ')} yet${asked}`);
    }
    // The index may be stale: trust the full item's own file list only.
    const item = (await plex.getItems([decision.ratingKey], signal))[0];
    const files = item?.Media?.flatMap((m) => m.Part?.map((p) => p.file) ?? []) ?? [];
    if (item && files.includes(decision.file)) {
      index.remember(item, decision.sectionId);
      return { ratingKey: decision.ratingKey, sectionId: decision.sectionId, item };
    }
    deps.log.debug(`Plex item ${decision.ratingKey} no longer plays ${decision.file}: looking again`);
    index.forget(decision.ratingKey);
  }
  throw new TransientError('not_scanned', `Plex's library changed while matching scene ${scene.id}; will look again`);
}

/**
 * The basename-and-size candidates another scene owns: its sync record names
 * the item, or one of its files maps exactly to the item's file (CONTRACT
 * sec. 10: two scenes never write one item). Costs nothing when the scene
 * has no such candidates, i.e. almost always.
 */
async function ownedElsewhere(scene: StashScene, deps: SceneSyncDeps): Promise<Set<string>> {
  const owned = new Set<string>();
  const candidates = fallbackCandidates(scene.files, deps.mappings, deps.index);
  if (candidates.length === 0) return owned;
  for (const key of new Set(candidates.map((c) => c.ratingKey))) {
    if (scenesRecordedFor(deps.db, key).some((id) => id !== scene.id)) owned.add(key);
  }
  const open: Candidate[] = candidates.filter((c) => !owned.has(c.ratingKey));
  for (const name of new Set(open.map((c) => basenameOf(c.file)))) {
    for (const other of await deps.stash.scenesWithPathLike(name)) {
      if (other.id === scene.id) continue;
      for (const file of other.files) {
        const mapped = mapStashPath(file.path, deps.mappings);
        for (const c of open) if (samePath(c.file, mapped)) owned.add(c.ratingKey);
      }
    }
  }
  return owned;
}

/** Asks each section that holds a tried path's folder to scan that folder. */
async function requestScan(tried: readonly string[], deps: SceneSyncDeps, signal?: AbortSignal): Promise<string[]> {
  const sections = await deps.index.sections(signal);
  const asked: string[] = [];
  for (const path of tried) {
    const folder = folderOf(path);
    const section = sections.find((s) => s.locations.some((loc) => isInside(path, loc)));
    if (!section || asked.includes(folder)) continue;
    await deps.plex.scanFolder(section.id, folder, signal);
    asked.push(folder);
  }
  return asked;
}
