// The GraphQL documents PlexSync sends to Stash, as plain strings. Values
// always travel as variables. test/stash-queries.test.ts validates every
// document here against Stash's real schema, so a misspelt field fails there.

/** Everything the Stash -> Plex mapping reads from a scene. */
const SCENE_FIELDS = `
fragment PlexSyncScene on Scene {
  id
  title
  code
  details
  director
  date
  rating100
  organized
  updated_at
  studio { id name parent_studio { id name } }
  performers { id name image_path }
  tags { id name parents { name } }
  groups { group { id name synopsis front_image_path } }
  stash_ids { stash_id }
  files { path size }
  paths { screenshot }
}`;

/** Enough to notice a change or match files, for scans over the whole library. */
const SCENE_STAMP_FIELDS = `
fragment PlexSyncSceneStamp on Scene {
  id
  updated_at
  files { path size }
}`;

export const FIND_SCENE = `
query PlexSyncFindScene($id: ID!) {
  findScene(id: $id) { ...PlexSyncScene }
}
${SCENE_FIELDS}`;

export const FIND_SCENES_PAGE = `
query PlexSyncFindScenes($page: Int!, $perPage: Int!, $sceneFilter: SceneFilterType) {
  findScenes(filter: { page: $page, per_page: $perPage, sort: "id", direction: ASC }, scene_filter: $sceneFilter) {
    count
    scenes { ...PlexSyncScene }
  }
}
${SCENE_FIELDS}`;

/** Every scene, light fields only, walked by id (see below) for a full sync. */
export const ALL_SCENE_STAMPS = `
query PlexSyncAllSceneStamps($afterId: Int!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { id: { value: $afterId, modifier: GREATER_THAN } }
  ) {
    count
    scenes { ...PlexSyncSceneStamp }
  }
}
${SCENE_STAMP_FIELDS}`;

// Scenes showing one performer/studio/tag/group, walked by id (keyset): each
// page asks for ids above the last one seen, so a scene deleted mid-walk
// cannot shift the pages and make us skip another. Performers take a
// MultiCriterionInput, the other three a HierarchicalMultiCriterionInput;
// depth is left at its default (0) because Plex shows a scene's own studio,
// tags and groups, not their parents.
function sceneIdsBy(name: string, criterion: string): string {
  return `
query PlexSyncSceneIdsBy${name}($id: ID!, $afterId: Int!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { ${criterion}: { value: [$id], modifier: INCLUDES }, id: { value: $afterId, modifier: GREATER_THAN } }
  ) {
    count
    scenes { id }
  }
}`;
}

export const FIND_SCENE_IDS_BY_PERFORMER = sceneIdsBy('Performer', 'performers');
export const FIND_SCENE_IDS_BY_STUDIO = sceneIdsBy('Studio', 'studios');
export const FIND_SCENE_IDS_BY_TAG = sceneIdsBy('Tag', 'tags');
export const FIND_SCENE_IDS_BY_GROUP = sceneIdsBy('Group', 'groups');

/**
 * Scenes changed after a moment, light fields only, walked by id like the
 * lookups above. Stash compares `updated_at` with one-second precision.
 */
export const SCENES_UPDATED_SINCE = `
query PlexSyncScenesUpdatedSince($since: String!, $afterId: Int!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { updated_at: { value: $since, modifier: GREATER_THAN }, id: { value: $afterId, modifier: GREATER_THAN } }
  ) {
    count
    scenes { ...PlexSyncSceneStamp }
  }
}
${SCENE_STAMP_FIELDS}`;

/** Replaces the plugin's whole settings map (Stash's ConfigurePlugin sets the map as given). */
export const CONFIGURE_PLUGIN = `
mutation PlexSyncConfigure($plugin_id: ID!, $input: Map!) {
  configurePlugin(plugin_id: $plugin_id, input: $input)
}`;

export const PLUGIN_SETTINGS = `
query PlexSyncSettings($include: [ID!]) {
  configuration { plugins(include: $include) }
}`;

/** What the play import compares with Plex, for a batch of scenes. */
export const FIND_SCENE_PLAYS = `
query PlexSyncScenePlays($ids: [ID!], $perPage: Int!) {
  findScenes(ids: $ids, filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }) {
    count
    scenes { id rating100 updated_at resume_time play_history }
  }
}`;

/** Fires no hook in Stash (resolver_mutation_scene.go), so it cannot loop back. */
export const SCENE_ADD_PLAY = `
mutation PlexSyncAddPlay($id: ID!, $times: [Timestamp!]) {
  sceneAddPlay(id: $id, times: $times) { count history }
}`;

/** Fires no hook either. */
export const SCENE_SAVE_ACTIVITY = `
mutation PlexSyncSaveActivity($id: ID!, $resumeTime: Float) {
  sceneSaveActivity(id: $id, resume_time: $resumeTime)
}`;

/** Fires Scene.Update.Post: the hook recognises the echo (src/plays/echo.ts). */
export const SCENE_SET_RATING = `
mutation PlexSyncSetRating($id: ID!, $rating100: Int) {
  sceneUpdate(input: { id: $id, rating100: $rating100 }) { id rating100 }
}`;

/**
 * Scenes with a file whose path contains a name (Stash's `path` criterion is
 * a LIKE over folder and basename). Used to learn whether another scene owns
 * a Plex item found by basename and size.
 */
export const SCENES_WITH_PATH_LIKE = `
query PlexSyncScenesWithPathLike($name: String!, $perPage: Int!) {
  findScenes(
    filter: { page: 1, per_page: $perPage, sort: "id", direction: ASC }
    scene_filter: { path: { value: $name, modifier: INCLUDES } }
  ) {
    count
    scenes { ...PlexSyncSceneStamp }
  }
}
${SCENE_STAMP_FIELDS}`;
