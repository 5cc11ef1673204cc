// Stash's JSON shapes, as the documents in queries.ts ask for them. Field
// names are Stash's (snake_case); nothing outside src/stash sees these.

export interface WireNamed {
  id: string;
  name: string;
}

export interface WireVideoFile {
  path: string;
  /** Int64 scalar: a JSON number. */
  size: number | null;
}

export interface WireScene {
  id: string;
  title: string | null;
  code: string | null;
  details: string | null;
  director: string | null;
  date: string | null;
  rating100: number | null;
  organized: boolean;
  /** RFC3339 with Stash's local offset, e.g. 2026-01-11T09:30:00+01:00 */
  updated_at: string;
  studio: (WireNamed & { parent_studio?: WireNamed | null }) | null;
  /** image_path: Stash's own URL (with a change stamp); a default silhouette when none was set. */
  performers: (WireNamed & { image_path?: string | null })[];
  tags: (WireNamed & { parents?: { name: string }[] })[];
  groups: { group: WireNamed & { synopsis?: string | null; front_image_path?: string | null } }[];
  stash_ids?: { stash_id: string }[];
  files: WireVideoFile[];
  paths: { screenshot: string | null };
}

export interface WireSceneStamp {
  id: string;
  updated_at: string;
  files: WireVideoFile[];
}

export interface WireFindScene {
  findScene: WireScene | null;
}

export interface WireFindScenes<S> {
  findScenes: { count: number; scenes: S[] };
}

export interface WirePluginSettings {
  configuration: { plugins: Record<string, Record<string, unknown> | null> | null };
}

/** A GraphQL response body: gqlgen sends `data: null` with validation errors. */
export interface WireGraphqlResponse<T> {
  data?: T | null;
  errors?: { message?: string; path?: (string | number)[] }[];
}

/** The subset of Stash's SceneFilterType PlexSync builds. */
export type WireSceneFilter = Record<string, unknown>;

/** A scene's play state, as FIND_SCENE_PLAYS asks for it. */
export interface WireScenePlays {
  id: string;
  rating100: number | null;
  updated_at: string;
  resume_time: number | null;
  /** Time scalars: RFC3339 in Stash's zone. */
  play_history: string[];
}
