// Plex Media Server's JSON shapes, as sent with `Accept: application/json`.
// Only the parts PlexSync reads are typed; everything is optional because
// Plex omits empty attributes and arrays (an empty page has no `Metadata`).

export interface PlexTag {
  id?: number;
  tag: string;
  filter?: string;
  /** Role only: the character name and picture. */
  role?: string;
  thumb?: string;
}

export interface PlexField {
  name: string;
  /** JSON gives a boolean; some versions and the XML-to-JSON path give 1. */
  locked: boolean | number;
}

export interface PlexPart {
  id?: number;
  key?: string;
  file?: string;
  size?: number;
  duration?: number;
}

export interface PlexMedia {
  id?: number;
  duration?: number;
  Part?: PlexPart[];
}

export interface PlexMetadata {
  ratingKey: string;
  key?: string;
  /** The agent's id for the item, e.g. tv.plex.agents.custom.plexsync://movie/42. */
  guid?: string;
  type?: string;
  title?: string;
  titleSort?: string;
  originalTitle?: string;
  summary?: string;
  tagline?: string;
  studio?: string;
  contentRating?: string;
  /** YYYY-MM-DD */
  originallyAvailableAt?: string;
  year?: number;
  /** 0..10, absent when unrated. */
  userRating?: number;
  /** Epoch seconds of the token's account's last rating. */
  lastRatedAt?: number;
  /** The token's account's resume point in ms; absent when none. */
  viewOffset?: number;
  viewCount?: number;
  /** Epoch seconds. */
  lastViewedAt?: number;
  thumb?: string;
  /** Epoch seconds. */
  addedAt?: number;
  updatedAt?: number;
  librarySectionID?: number | string;
  Media?: PlexMedia[];
  Genre?: PlexTag[];
  /** Actors: edited as `actor`, returned as `Role`. */
  Role?: PlexTag[];
  Director?: PlexTag[];
  Writer?: PlexTag[];
  Collection?: PlexTag[];
  Label?: PlexTag[];
  /** Only in full items: which fields are locked. */
  Field?: PlexField[];
}

export interface PlexLocation {
  id?: number;
  path: string;
}

export interface PlexDirectory {
  key: string;
  type: string;
  title: string;
  agent?: string;
  Location?: PlexLocation[];
}

/** One play in `GET /status/sessions/history/all` (plex-openapi listPlaybackHistory). */
export interface PlexHistoryEntry {
  /** `/status/sessions/history/<id>`: unique per play. */
  historyKey?: string;
  ratingKey?: string;
  librarySectionID?: number | string;
  accountID?: number;
  deviceID?: number;
  /** Epoch seconds. */
  viewedAt?: number;
  type?: string;
  title?: string;
}

/** A local account of the server (`GET /accounts`); the owner is id 1. */
export interface PlexAccount {
  id: number;
  name?: string;
}

export interface PlexMediaContainer {
  size?: number;
  totalSize?: number;
  offset?: number;
  librarySectionID?: number | string;
  machineIdentifier?: string;
  version?: string;
  Directory?: PlexDirectory[];
  Metadata?: PlexMetadata[];
  Account?: PlexAccount[];
}

export interface PlexResponse {
  MediaContainer: PlexMediaContainer;
}
