// The provider's domain: a Stash scene as the provider serves it, a Stash
// group as a collection, and a match candidate. Plain types, no wire shapes.

export interface ProviderScene {
  id: string;
  title: string | null;
  code: string | null;
  details: string | null;
  director: string | null;
  /** YYYY-MM-DD */
  date: string | null;
  rating100: number | null;
  studio: { id: string; name: string; parent: { id: string; name: string } | null } | null;
  /** In Stash's order; imageStamp null: no photo. */
  performers: { id: string; name: string; imageStamp: string | null }[];
  tags: { id: string; name: string }[];
  groups: { id: string; name: string }[];
  files: { path: string; basename: string; durationSeconds: number }[];
  /** Stash's change stamp of the screenshot URL (its `t`); null: no screenshot. */
  screenshotStamp: string | null;
  stashIds: { endpoint: string; stashId: string }[];
}

export interface ProviderGroup {
  id: string;
  name: string;
  synopsis: string | null;
  date: string | null;
  imageStamp: string | null;
}

/** Why a scene was offered for a match, best first. */
export type MatchReason = 'path' | 'relative_path' | 'basename' | 'title_year';

export interface MatchCandidate {
  scene: ProviderScene;
  reason: MatchReason;
  /** 0..100, as Plex shows match scores. */
  score: number;
}
