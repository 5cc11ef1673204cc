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
  studio: { id: string; name: string; parent?: { id: string; name: string } | null } | null;
  /** `imageUrl`: Stash's performer image address (no credentials in it), if any. */
  performers: { id: string; name: string; imageUrl?: string | null }[];
  /** `parents`: the names of the tag's direct parent tags. */
  tags: { id: string; name: string; parents?: string[] }[];
  /** `coverUrl` / `description`: the group's front image and synopsis, for its Plex collection. */
  groups: { id: string; name: string; coverUrl?: string | null; description?: string | null }[];
  /** How many StashIDs (stash-box links) the scene has. */
  stashIdCount?: number;
  files: { path: string; size: number | null }[];
  /** Absolute URL of the screenshot / cover, if any. */
  screenshotUrl: string | null;
}

export type ScalarField = 'title' | 'titleSort' | 'summary' | 'originallyAvailableAt' | 'studio' | 'contentRating';
export type TagField = 'actor' | 'genre' | 'director' | 'collection' | 'label';

/** What Plex should show for a scene. Undefined fields are left alone. */
export interface DesiredState {
  scalars: Partial<Record<ScalarField, string>>;
  tags: Partial<Record<TagField, string[]>>;
  /** 0..10, null = unrated; undefined = leave alone. */
  rating?: number | null;
  /** Where to fetch the poster; undefined = leave alone. */
  posterUrl?: string | null;
  /** Photo URL per actor name, sent with the actor tags; undefined = send none. */
  actorThumbs?: Record<string, string>;
}

/** What a Plex item shows now (from the full item, not a listing). */
export interface PlexItemState {
  ratingKey: string;
  sectionId: string | null;
  title: string;
  summary: string;
  titleSort: string;
  originallyAvailableAt: string;
  studio: string;
  contentRating: string;
  tags: Record<TagField, string[]>;
  /** Photo URL per actor name, as Plex shows it (`Role[].thumb`). */
  actorThumbs: Record<string, string>;
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
  /** Photo URL per actor in `tags.actor.set`, sent as `actor[i].tag.thumb`. */
  actorThumbs?: Record<string, string>;
  /** Field names to lock (`<name>.locked=1`): scalars and tag fields. */
  lock: string[];
}

export function isEmptyEdit(edit: PlexEdit): boolean {
  return Object.keys(edit.scalars).length === 0 && Object.keys(edit.tags).length === 0 && edit.lock.length === 0;
}
