// What Plex should show for a Stash scene (CONTRACT sec. 9). Pure: no I/O.
// Stash is the source of truth, so an emptied Stash field clears Plex's;
// only a toggled-off field (and a blank title) leaves Plex alone.

import type { DesiredState, StashScene } from './model.ts';

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

export function desiredState(scene: StashScene, toggles: FieldToggles): DesiredState {
  const desired: DesiredState = { scalars: {}, tags: {} };
  const { scalars, tags } = desired;

  // A scene without a title would otherwise blank a title Plex derived
  // from the file name, which is worse than leaving it.
  if (toggles.title && scene.title !== null && scene.title.trim() !== '') scalars.title = scene.title;
  if (toggles.summary) scalars.summary = scene.details ?? '';
  if (toggles.date) scalars.originallyAvailableAt = scene.date ?? '';
  if (toggles.studio) scalars.studio = scene.studio?.name.trim() ?? '';

  if (toggles.performers) tags.actor = cleanNames(scene.performers.map((p) => p.name));
  if (toggles.tags) tags.genre = cleanNames(scene.tags.map((t) => t.name));
  if (toggles.director) tags.director = cleanNames(scene.director === null ? [] : [scene.director]);
  if (toggles.collections) tags.collection = cleanNames(scene.groups.map((g) => g.name));

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
