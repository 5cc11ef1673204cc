// The GraphQL documents the provider sends to Stash. Values always travel as
// variables; test/provider-queries.test.ts validates each against Stash's
// schema. The provider reads more of a scene than edit mode does (performer
// photos, the studio's parent, stash_ids, durations), so it has its own
// fragment rather than widening the worker's.

const PROVIDER_SCENE_FIELDS = `
fragment PlexSyncProviderScene on Scene {
  id
  title
  code
  details
  director
  date
  rating100
  updated_at
  studio { id name parent_studio { id name } }
  performers { id name image_path }
  tags { id name }
  groups { group { id name } }
  files { path basename duration }
  paths { screenshot }
  stash_ids { endpoint stash_id }
}`;

export const PROVIDER_FIND_SCENE = `
query PlexSyncProviderFindScene($id: ID!) {
  findScene(id: $id) { ...PlexSyncProviderScene }
}
${PROVIDER_SCENE_FIELDS}`;

/**
 * Scenes with a file of this basename. Stash compares with SQL LIKE (case
 * folded, \`_\` and \`%\` are wildcards), so the answer can be wider than the
 * name: callers compare exactly afterwards. Bounded by $perPage.
 */
export const PROVIDER_SCENES_BY_BASENAME = `
query PlexSyncProviderScenesByBasename($basename: String!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { files_filter: { basename: { value: $basename, modifier: EQUALS } } }
  ) {
    count
    scenes { ...PlexSyncProviderScene }
  }
}
${PROVIDER_SCENE_FIELDS}`;

/** Scenes titled so (LIKE again: exact comparison is the caller's). */
export const PROVIDER_SCENES_BY_TITLE = `
query PlexSyncProviderScenesByTitle($title: String!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { title: { value: $title, modifier: EQUALS } }
  ) {
    count
    scenes { ...PlexSyncProviderScene }
  }
}
${PROVIDER_SCENE_FIELDS}`;

export const PROVIDER_FIND_GROUP = `
query PlexSyncProviderFindGroup($id: ID!) {
  findGroup(id: $id) { id name synopsis date front_image_path }
}`;

/** One page of a group's scenes, for a collection's children. */
export const PROVIDER_GROUP_SCENES = `
query PlexSyncProviderGroupScenes($groupId: ID!, $page: Int!, $perPage: Int!) {
  findScenes(
    filter: { page: $page, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { groups: { value: [$groupId], modifier: INCLUDES } }
  ) {
    count
    scenes { ...PlexSyncProviderScene }
  }
}
${PROVIDER_SCENE_FIELDS}`;
