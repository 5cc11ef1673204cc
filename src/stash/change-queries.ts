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
 * $<kind>Since per kind. Scenes come a page at a time in id order (a bulk
 * edit can touch the whole library; the rest is walked by id); the others all
 * at once (per_page -1), since offset paging over a changing set skips items.
 */
export const CHANGES_SINCE = `
query PlexSyncChanges($sceneSince: String!, $performerSince: String!, $studioSince: String!, $tagSince: String!, $groupSince: String!, $scenePage: Int!, $include: [ID!]) {
${CHANGE_KINDS.map((kind) => {
  const f = FIND[kind];
  const perPage = kind === 'scene' ? '$scenePage' : '-1';
  return `  ${f.list}: ${f.root}(filter: { page: 1, per_page: ${perPage}, sort: "id", direction: ASC }, ${f.filter}: { updated_at: { value: $${kind}Since, modifier: GREATER_THAN } }) {
    count
    ${f.list} { id updated_at }
  }`;
}).join('\n')}
  configuration { plugins(include: $include) }
}`;

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

export type WireChanges = {
  [K in 'scenes' | 'performers' | 'studios' | 'tags' | 'groups']: { count: number } & Record<K, WireStamp[]>;
} & { configuration: { plugins: Record<string, Record<string, unknown>> | null } };

export type WireNewest = { [K in 'scenes' | 'performers' | 'studios' | 'tags' | 'groups']: Record<K, WireStamp[]> };

export const LIST_OF: Record<ChangeKind, 'scenes' | 'performers' | 'studios' | 'tags' | 'groups'> = {
  scene: 'scenes',
  performer: 'performers',
  studio: 'studios',
  tag: 'tags',
  group: 'groups',
};
