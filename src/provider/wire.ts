// Plex's JSON shapes for a metadata provider, as the provider documentation
// describes them (MediaProvider.md, Metadata.md, API Endpoints.md in Plex's
// example provider). Only what PlexSync sends is typed; the request Plex
// sends to `match` is validated here, once, at the boundary.
import * as v from 'valibot';

export const PROVIDER_IDENTIFIER = 'tv.plex.agents.custom.plexsync';
/** Plex's metadata type numbers. */
export const TYPE_MOVIE = 1;
export const TYPE_COLLECTION = 18;

export interface WireTag {
  tag: string;
}

export interface WirePerson {
  tag: string;
  thumb?: string;
  role?: string;
  order?: number;
}

export interface WireImage {
  type: 'coverPoster' | 'background' | 'snapshot' | 'clearLogo' | 'backgroundSquare';
  url: string;
  alt?: string;
}

export interface WireCollectionRef {
  guid: string;
  key: string;
  tag: string;
}

export interface WireRating {
  image: string;
  type: 'audience' | 'critic';
  value: number;
}

export interface WireMetadata {
  ratingKey: string;
  key: string;
  guid: string;
  type: 'movie' | 'collection';
  title: string;
  titleSort?: string;
  originallyAvailableAt?: string;
  year?: number;
  summary?: string;
  studio?: string;
  contentRating?: string;
  duration?: number;
  thumb?: string;
  art?: string;
  /** Match answers only: how sure the match is, 0..100. */
  score?: number;
  Image?: WireImage[];
  Genre?: WireTag[];
  Guid?: { id: string }[];
  Collection?: WireCollectionRef[];
  Role?: WirePerson[];
  Director?: WirePerson[];
  Studio?: WireTag[];
  Rating?: WireRating[];
}

export interface WireMediaContainer {
  MediaContainer: {
    offset: number;
    totalSize: number;
    identifier: string;
    size: number;
    Metadata?: WireMetadata[];
    Image?: WireImage[];
  };
}

export interface WireManifest {
  MediaProvider: {
    identifier: string;
    title: string;
    version: string;
    Types: { type: number; Scheme: { scheme: string }[] }[];
    Feature: { type: 'metadata' | 'match' | 'collection'; key: string }[];
  };
}

// Plex sends flags as 0/1 and numbers as JSON numbers; some clients send
// them as strings. Both are accepted; anything else is a malformed request.
const intLike = v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.regex(/^-?\d+$/), v.transform(Number))]);
const optionalText = v.optional(v.nullable(v.string()));

export const MatchRequestSchema = v.object({
  type: intLike,
  title: optionalText,
  year: v.optional(v.nullable(intLike)),
  filename: optionalText,
  guid: optionalText,
  manual: v.optional(v.nullable(intLike)),
  includeAdult: v.optional(v.nullable(intLike)),
});

export type MatchRequest = v.InferOutput<typeof MatchRequestSchema>;
