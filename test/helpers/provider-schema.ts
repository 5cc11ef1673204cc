// The provider answers Plex expects, written from Plex's provider
// documentation (MediaProvider.md, Metadata.md and API Endpoints.md of
// plexinc/tmdb-example-provider), independently of src/provider/wire.ts, so a
// field the implementation gets wrong fails here. Strict objects: a field
// the documentation does not list is an error too.
import * as v from 'valibot';

const IDENTIFIER = /^tv\.plex\.agents\.custom\.[A-Za-z0-9.]+$/;
/** {scheme}://{movie|show|season|episode|collection}/{ratingKey}, ratingKey in [a-zA-Z0-9_-]. */
const GUID = /^tv\.plex\.agents\.custom\.[A-Za-z0-9.]+:\/\/(movie|show|season|episode|collection)\/[A-Za-z0-9_-]+$/;
const absoluteUrl = v.pipe(v.string(), v.url());
const date = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/));

export const ManifestSchema = v.strictObject({
  MediaProvider: v.strictObject({
    identifier: v.pipe(v.string(), v.regex(IDENTIFIER)),
    title: v.pipe(v.string(), v.minLength(1)),
    version: v.optional(v.string()),
    Types: v.pipe(
      v.array(v.strictObject({ type: v.picklist([1, 2, 3, 4, 18]), Scheme: v.pipe(v.array(v.strictObject({ scheme: v.pipe(v.string(), v.regex(IDENTIFIER)) })), v.minLength(1)) })),
      v.minLength(1),
    ),
    Feature: v.pipe(v.array(v.strictObject({ type: v.picklist(['metadata', 'match', 'collection']), key: v.pipe(v.string(), v.startsWith('/')) })), v.minLength(2)),
  }),
});

const Person = v.strictObject({ tag: v.pipe(v.string(), v.minLength(1)), thumb: v.optional(absoluteUrl), role: v.optional(v.string()), order: v.optional(v.pipe(v.number(), v.integer())) });
const Tag = v.strictObject({ tag: v.pipe(v.string(), v.minLength(1)), originalTag: v.optional(v.string()) });
const Image = v.strictObject({ type: v.picklist(['background', 'backgroundSquare', 'clearLogo', 'coverPoster', 'snapshot']), url: absoluteUrl, alt: v.optional(v.string()) });

export const MetadataSchema = v.strictObject({
  ratingKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/)),
  key: v.pipe(v.string(), v.startsWith('/')),
  guid: v.pipe(v.string(), v.regex(GUID)),
  type: v.picklist(['movie', 'show', 'season', 'episode', 'collection']),
  title: v.pipe(v.string(), v.minLength(1)),
  // The documentation marks it required; a Stash scene may have no date, and
  // inventing one would be worse than leaving it out.
  originallyAvailableAt: v.optional(date),
  thumb: v.optional(absoluteUrl),
  art: v.optional(absoluteUrl),
  contentRating: v.optional(v.string()),
  originalTitle: v.optional(v.string()),
  titleSort: v.optional(v.string()),
  year: v.optional(v.pipe(v.number(), v.integer())),
  summary: v.optional(v.string()),
  isAdult: v.optional(v.boolean()),
  duration: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  tagline: v.optional(v.string()),
  studio: v.optional(v.string()),
  /** Match answers: a confidence Plex shows in Fix Match. */
  score: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
  Image: v.optional(v.array(Image)),
  Genre: v.optional(v.array(Tag)),
  Guid: v.optional(v.array(v.strictObject({ id: v.pipe(v.string(), v.regex(/^[a-z0-9]+:\/\/.+$/)) }))),
  Collection: v.optional(
    v.array(
      v.strictObject({
        guid: v.pipe(v.string(), v.regex(GUID)),
        key: v.pipe(v.string(), v.startsWith('/')),
        tag: v.pipe(v.string(), v.minLength(1)),
        summary: v.optional(v.string()),
        art: v.optional(absoluteUrl),
        thumb: v.optional(absoluteUrl),
      }),
    ),
  ),
  Country: v.optional(v.array(Tag)),
  Role: v.optional(v.array(Person)),
  Director: v.optional(v.array(Person)),
  Producer: v.optional(v.array(Person)),
  Writer: v.optional(v.array(Person)),
  Studio: v.optional(v.array(Tag)),
  Rating: v.optional(
    v.array(
      v.strictObject({
        image: v.picklist(['imdb://image.rating', 'themoviedb://image.rating', 'rottentomatoes://image.rating.ripe', 'rottentomatoes://image.rating.upright']),
        type: v.picklist(['audience', 'critic']),
        value: v.pipe(v.number(), v.minValue(0), v.maxValue(10)),
      }),
    ),
  ),
  Similar: v.optional(v.array(v.strictObject({ guid: v.string(), tag: v.optional(v.string()) }))),
});

export const MediaContainerSchema = v.strictObject({
  MediaContainer: v.pipe(
    v.strictObject({
      offset: v.pipe(v.number(), v.integer(), v.minValue(0)),
      totalSize: v.pipe(v.number(), v.integer(), v.minValue(0)),
      identifier: v.string(),
      size: v.pipe(v.number(), v.integer(), v.minValue(0)),
      Metadata: v.optional(v.array(MetadataSchema)),
      Image: v.optional(v.array(Image)),
    }),
    v.check((c) => c.size === (c.Metadata ?? c.Image ?? []).length, 'size must count the entries'),
  ),
});

/** Throws with every issue, path included, when `value` breaks the schema. */
export function assertValid<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issues = result.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
  throw new Error(`answer breaks the provider schema:\n${issues.join('\n')}`);
}
