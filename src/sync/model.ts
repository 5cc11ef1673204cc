// The domain model of a sync, free of wire formats: what a Stash scene says,
// what a Plex item shows, and the edit that makes the second match the first.

export interface StashScene {
  id: string;
  title: string | null;
  code: string | null;
  details: string | null;
  director: string | null;
  /** YYYY-MM-DD */
  date: string | null;
  rating100: number | null;
  organized: boolean;
  updatedAt: string;
  studio: { id: string; name: string } | null;
  performers: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  groups: { id: string; name: string }[];
  files: { path: string; size: number | null }[];
  /** Absolute URL of the screenshot / cover, if any. */
  screenshotUrl: string | null;
}

export type ScalarField = 'title' | 'summary' | 'originallyAvailableAt' | 'studio';
export type TagField = 'actor' | 'genre' | 'director' | 'collection';

/** What Plex should show for a scene. Undefined fields are left alone. */
export interface DesiredState {
  scalars: Partial<Record<ScalarField, string>>;
  tags: Partial<Record<TagField, string[]>>;
  /** 0..10, null = unrated; undefined = leave alone. */
  rating?: number | null;
  /** Where to fetch the poster; undefined = leave alone. */
  posterUrl?: string | null;
}

/** What a Plex item shows now (from the full item, not a listing). */
export interface PlexItemState {
  ratingKey: string;
  sectionId: string | null;
  title: string;
  summary: string;
  originallyAvailableAt: string;
  studio: string;
  tags: Record<TagField, string[]>;
  userRating: number | null;
  /** Names of fields Plex reports as locked (`Field[].locked`). */
  locked: string[];
  files: { file: string; size: number | null }[];
  updatedAt: number | null;
}

/** One edit request's worth of changes. */
export interface PlexEdit {
  /** Scalar values to set; '' clears the field. */
  scalars: Partial<Record<ScalarField, string>>;
  /** Per tag field: the full desired list (sent in order) and names to remove. */
  tags: Partial<Record<TagField, { set: string[]; remove: string[] }>>;
  /** Field names to lock (`<name>.locked=1`): scalars and tag fields. */
  lock: string[];
}

export function isEmptyEdit(edit: PlexEdit): boolean {
  return Object.keys(edit.scalars).length === 0 && Object.keys(edit.tags).length === 0 && edit.lock.length === 0;
}
