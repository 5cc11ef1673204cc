// The service's change polling asks Stash everything in one request: scenes,
// performers, studios, tags and groups updated after a moment each, and the
// plugin settings (to notice a change there too). When nothing changed the
// answer holds only the few objects of the newest second already seen.
// test/stash-queries.test.ts validates these documents against Stash's schema.

export const RELATED_KINDS = ['performer', 'studio', 'tag', 'group'] as const;
export type ChangeKind = 'scene' | (typeof RELATED_KINDS)[number];
export const CHANGE_KINDS: readonly ChangeKind[] = ['scene', ...RELATED_KINDS];

const FIND: Record<ChangeKind, { root: string; filter: string; list: string }> = {
  scene: { root: 'findScenes', filter: 'scene_filter', list: 'scenes' },
  performer: { root: 'findPerformers', filter: 'performer_filter', list: 'performers' },
  studio: { root: 'findStudios', filter: 'studio_filter', list: 'studios' },
  tag: { root: 'findTags', filter: 'tag_filter', list: 'tags' },
  group: { root: 'findGroups', filter: 'group_filter', list: 'groups' },
};

/**
 * Per kind: what changed after the watermark's second ($<kind>Since, the
 * watermark itself: Stash compares whole seconds), and how many objects
 * there are from the watermark's second on ($<kind>Second, the second
 * before), as a count only. Scenes come a page at a time in id order (a
 * bulk edit can touch the whole library; the rest is walked by id); the
 * others all at once (per_page -1), since offset paging over a changing set
 * skips items.
 */
export const CHANGES_SINCE = `
query PlexSyncChanges(${CHANGE_KINDS.map((k) => `$${k}Since: String!, $${k}Second: String!`).join(', ')}, $scenePage: Int!, $include: [ID!]) {
${CHANGE_KINDS.map((kind) => {
  const f = FIND[kind];
  const perPage = kind === 'scene' ? '$scenePage' : '-1';
  return `  ${f.list}: ${f.root}(filter: { page: 1, per_page: ${perPage}, sort: "id", direction: ASC }, ${f.filter}: { updated_at: { value: $${kind}Since, modifier: GREATER_THAN } }) {
    count
    ${f.list} { id updated_at }
  }
  ${kind}Second: ${f.root}(filter: { page: 1, per_page: 1 }, ${f.filter}: { updated_at: { value: $${kind}Second, modifier: GREATER_THAN } }) {
    count
  }`;
}).join('\n')}
  configuration { plugins(include: $include) }
}`;

/** Every performer (studio, tag, group) updated after a moment, for the rare walk of one second. */
export const RELATED_SINCE: Record<Exclude<ChangeKind, 'scene'>, string> = Object.fromEntries(
  RELATED_KINDS.map((kind) => {
    const f = FIND[kind];
    const name = `${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    return [
      kind,
      `
query PlexSync${name}sSince($since: String!) {
  ${f.list}: ${f.root}(filter: { page: 1, per_page: -1, sort: "id", direction: ASC }, ${f.filter}: { updated_at: { value: $since, modifier: GREATER_THAN } }) {
    ${f.list} { id updated_at }
  }
}`,
    ];
  }),
) as Record<Exclude<ChangeKind, 'scene'>, string>;

/** The newest updated_at of each kind: where a first start begins watching. */
export const NEWEST_CHANGES = `
query PlexSyncNewestChanges {
${CHANGE_KINDS.map((kind) => {
  const f = FIND[kind];
  return `  ${f.list}: ${f.root}(filter: { page: 1, per_page: 1, sort: "updated_at", direction: DESC }) {
    ${f.list} { id updated_at }
  }`;
}).join('\n')}
}`;

export interface WireStamp {
  id: string;
  updated_at: string;
}

export type WireChanges = Record<string, { count: number } & Record<string, WireStamp[]>> & {
  configuration: { plugins: Record<string, Record<string, unknown>> | null };
};

export type WireNewest = { [K in 'scenes' | 'performers' | 'studios' | 'tags' | 'groups']: Record<K, WireStamp[]> };

export const LIST_OF: Record<ChangeKind, 'scenes' | 'performers' | 'studios' | 'tags' | 'groups'> = {
  scene: 'scenes',
  performer: 'performers',
  studio: 'studios',
  tag: 'tags',
  group: 'groups',
};
