// The user's metadata rules, as pure functions of a scene: which scenes sync
// at all, the title Plex shows, which tags become labels, which collections a
// scene joins. No I/O, no settings parsing: the sync (desired.ts) and the
// provider mode both call these with the same rules and get the same answer.

import type { Settings } from '../config/settings.ts';
import type { StashScene } from './model.ts';

/** Tags chosen by name, or as children (direct) of a parent tag. Both empty: no tag matches. */
export interface TagRule {
  names: string[];
  parents: string[];
}

export interface CollectionRules {
  /** Each of the scene's groups (the default). */
  groups: boolean;
  studio: boolean;
  /** The studio's parent studio, when it has one. */
  parentStudio: boolean;
  /** One collection per performer. */
  performers: boolean;
  /** Tags matching the rule become collections of the same name. */
  tags: TagRule;
  /** Name of the collection every organized scene joins; '' = none. */
  organized: string;
}

export interface SyncFilters {
  onlyOrganized: boolean;
  onlyWithStashId: boolean;
  /** Scenes carrying any of these tags (by name) are never synced. */
  excludeTags: string[];
}

export interface MetadataRules {
  /** '' = Stash's title as is; otherwise `{studio} - {date} - {title}` and the like. */
  titleTemplate: string;
  /** '' = leave Plex's content rating alone. */
  contentRating: string;
  /** Tags matching the rule go to Plex labels instead of genres. */
  labelTags: TagRule;
  collections: CollectionRules;
  filters: SyncFilters;
  /** Send performer photo URLs with the actors (only when they carry no credentials). */
  performerPhotos: boolean;
}

export const NO_TAGS: Readonly<TagRule> = Object.freeze({ names: [], parents: [] });

/** Today's behaviour: group collections only, plain titles, no labels, every scene. */
export const DEFAULT_RULES: Readonly<MetadataRules> = Object.freeze({
  titleTemplate: '',
  contentRating: '',
  labelTags: NO_TAGS,
  collections: Object.freeze({ groups: true, studio: false, parentStudio: false, performers: false, tags: NO_TAGS, organized: '' }),
  filters: Object.freeze({ onlyOrganized: false, onlyWithStashId: false, excludeTags: [] }),
  performerPhotos: false,
});

/** The placeholders a title template may use. */
export const TITLE_PLACEHOLDERS = ['title', 'studio', 'parentStudio', 'date', 'year', 'code', 'performers', 'director'] as const;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** The unknown placeholders in a template ([] when it is fine), for settings validation. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TITLE_PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.has(name));
}

/**
 * The title Plex shows and the sort title beside it. With a template, the
 * plain Stash title becomes the sort title so the library still sorts by
 * what the scene is called. Empty placeholders vanish with their separator
 * ("{studio} - {title}" without a studio is just the title). null: Stash's
 * title is blank, so there is no title to set and Plex's own stays.
 */
export interface TitleSource {
  title: string | null;
  code: string | null;
  date: string | null;
  director: string | null;
  studio: { name: string; parent?: { name: string } | null } | null;
  performers: readonly { name: string }[];
}

export function titleFor(scene: TitleSource, template: string): { title: string; titleSort: string | null } | null {
  const plain = scene.title?.trim() ?? '';
  // Without a template the title goes as Stash has it, untrimmed (as always).
  if (template.trim() === '') return plain === '' ? null : { title: scene.title!, titleSort: null };
  if (plain === '') return null;
  const values: Record<string, string> = {
    title: plain,
    studio: scene.studio?.name.trim() ?? '',
    parentStudio: scene.studio?.parent?.name.trim() ?? '',
    date: scene.date ?? '',
    year: scene.date?.slice(0, 4) ?? '',
    code: scene.code?.trim() ?? '',
    performers: scene.performers.map((p) => p.name.trim()).filter((n) => n !== '').join(', '),
    director: scene.director?.trim() ?? '',
  };
  // literals[i] is the text before placeholder i; the last one is the tail.
  const literals: string[] = [];
  const filled: string[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, match.index));
    filled.push(values[match[1]!] ?? match[0]);
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  // A separator is written only between two values that are there, and the
  // tail only after a last value that is ("{title} ({year})" without a year
  // is just the title).
  let out = literals[0]!;
  let any = false;
  filled.forEach((value, i) => {
    if (value === '') return;
    if (any) out += literals[i]!;
    out += value;
    any = true;
  });
  if (filled.at(-1) !== '') out += literals.at(-1)!;
  const title = out.replace(/\s+/g, ' ').trim();
  return { title: title === '' ? plain : title, titleSort: plain };
}

export function tagMatches(tag: StashScene['tags'][number], rule: TagRule): boolean {
  const name = tag.name.trim();
  if (rule.names.includes(name)) return true;
  return (tag.parents ?? []).some((parent) => rule.parents.includes(parent.trim()));
}

/** Which of the scene's tags go to genres and which to labels. */
export function splitTags(scene: StashScene, labelRule: TagRule): { genres: string[]; labels: string[] } {
  const genres: string[] = [];
  const labels: string[] = [];
  for (const tag of scene.tags) (tagMatches(tag, labelRule) ? labels : genres).push(tag.name);
  return { genres, labels };
}

/** The collections a scene belongs to under the rules, in a stable order. */
export function collectionsFor(scene: StashScene, rules: CollectionRules): string[] {
  const names: string[] = [];
  if (rules.groups) names.push(...scene.groups.map((g) => g.name));
  if (rules.studio && scene.studio) names.push(scene.studio.name);
  if (rules.parentStudio && scene.studio?.parent) names.push(scene.studio.parent.name);
  if (rules.performers) names.push(...scene.performers.map((p) => p.name));
  names.push(...scene.tags.filter((t) => tagMatches(t, rules.tags)).map((t) => t.name));
  if (rules.organized !== '' && scene.organized) names.push(rules.organized);
  return names;
}

/**
 * Why a scene is outside the sync filters, or null when it is inside. A
 * scene outside is not written at all: what Plex shows for it stays as the
 * last sync left it.
 */
export function filteredOut(scene: StashScene, filters: SyncFilters): string | null {
  if (filters.onlyOrganized && !scene.organized) return 'not organized';
  if (filters.onlyWithStashId && (scene.stashIdCount ?? 0) === 0) return 'no StashID';
  const excluded = scene.tags.find((t) => filters.excludeTags.includes(t.name.trim()));
  if (excluded) return `tagged ${JSON.stringify(excluded.name)}`;
  return null;
}

/**
 * The metadata rules the settings ask for. Performer photos go to Plex as
 * Stash image URLs that Plex stores and fetches itself, so they are sent only
 * when Stash needs no credentials: a session or API key never goes into a URL
 * Plex keeps.
 */
export function rulesFrom(s: Settings, stashNeedsCredentials: boolean): MetadataRules {
  return {
    titleTemplate: s.titleTemplate,
    contentRating: s.contentRating,
    labelTags: { names: s.labelTags, parents: s.labelTagParents },
    collections: {
      groups: !s.skipCollections,
      studio: s.studioCollections,
      parentStudio: s.parentStudioCollections,
      performers: s.performerCollections,
      tags: { names: s.collectionTags, parents: s.collectionTagParents },
      organized: s.organizedCollection,
    },
    filters: { onlyOrganized: s.onlyOrganized, onlyWithStashId: s.onlyWithStashId, excludeTags: s.excludeTags },
    performerPhotos: s.performerPhotos && !stashNeedsCredentials,
  };
}

/** Collections are synced when any rule makes some; which ones is up to the rules. */
export function anyCollectionRule(s: Settings): boolean {
  return (
    !s.skipCollections ||
    s.studioCollections ||
    s.parentStudioCollections ||
    s.performerCollections ||
    s.collectionTags.length > 0 ||
    s.collectionTagParents.length > 0 ||
    s.organizedCollection !== ''
  );
}
