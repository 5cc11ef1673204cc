// What Plex should show for a Stash scene (CONTRACT sec. 9). Pure: no I/O.
// Stash is the source of truth, so an emptied Stash field clears Plex's;
// only a toggled-off field (and a blank title) leaves Plex alone.

import type { DesiredState, StashScene } from './model.ts';
import { collectionsFor, DEFAULT_RULES, type MetadataRules, splitTags, titleFor } from './rules.ts';

/** true = sync the field; false = leave Plex's value alone. */
export interface FieldToggles {
  title: boolean;
  summary: boolean;
  date: boolean;
  studio: boolean;
  performers: boolean;
  tags: boolean;
  director: boolean;
  rating: boolean;
  collections: boolean;
  poster: boolean;
}

export const ALL_FIELDS_ON: Readonly<FieldToggles> = Object.freeze({
  title: true,
  summary: true,
  date: true,
  studio: true,
  performers: true,
  tags: true,
  director: true,
  rating: true,
  collections: true,
  poster: true,
});

/**
 * `toggles.collections` says whether collections are synced at all; which
 * ones (groups, studios, tags...) is up to `rules.collections`.
 */
export function desiredState(scene: StashScene, toggles: FieldToggles, rules: Readonly<MetadataRules> = DEFAULT_RULES): DesiredState {
  const desired: DesiredState = { scalars: {}, tags: {} };
  const { scalars, tags } = desired;

  // A scene without a title would otherwise blank a title Plex derived
  // from the file name, which is worse than leaving it.
  const title = toggles.title ? titleFor(scene, rules.titleTemplate) : null;
  if (title) {
    scalars.title = title.title;
    if (title.titleSort !== null) scalars.titleSort = title.titleSort;
  }
  if (toggles.summary) scalars.summary = scene.details ?? '';
  if (toggles.date) scalars.originallyAvailableAt = scene.date ?? '';
  if (toggles.studio) scalars.studio = scene.studio?.name.trim() ?? '';
  if (rules.contentRating !== '') scalars.contentRating = rules.contentRating;

  if (toggles.performers) tags.actor = cleanNames(scene.performers.map((p) => p.name));
  if (toggles.tags) {
    const { genres, labels } = splitTags(scene, rules.labelTags);
    tags.genre = cleanNames(genres);
    // Without a label rule Plex's labels are left alone (sharing restrictions live there).
    if (rules.labelTags.names.length > 0 || rules.labelTags.parents.length > 0) tags.label = cleanNames(labels);
  }
  if (toggles.director) tags.director = cleanNames(scene.director === null ? [] : [scene.director]);
  if (toggles.collections) tags.collection = cleanNames(collectionsFor(scene, rules.collections));
  if (toggles.performers && rules.performerPhotos) {
    const thumbs: Record<string, string> = {};
    for (const p of scene.performers) if (p.imageUrl && p.name.trim() !== '') thumbs[p.name.trim()] = p.imageUrl;
    desired.actorThumbs = thumbs;
  }

  if (toggles.rating) desired.rating = plexRating(scene.rating100);
  if (toggles.poster) desired.posterUrl = scene.screenshotUrl;
  return desired;
}

/** Stash's 0-100 to Plex's 0-10 with one decimal (85 -> 8.5); null stays unrated. */
export function plexRating(rating100: number | null): number | null {
  if (rating100 === null || !Number.isFinite(rating100)) return null;
  const clamped = Math.min(100, Math.max(0, rating100));
  return Math.round(clamped) / 10;
}

/**
 * Trimmed, non-empty, first-seen order, duplicates dropped. Case is kept
 * and compared exactly: Stash may hold "bdsm" and "BDSM" as two tags, and
 * folding them here would hide which spelling the user wants.
 */
export function cleanNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name !== '') seen.add(name);
  }
  return [...seen];
}
