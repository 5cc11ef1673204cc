// What PlexSync asks of Stash, in domain terms. Retry-free: the worker's
// retry policy wraps it; failures arrive classified by the transport.
import { PermanentError } from '../errors.ts';
import type { StashScene } from '../sync/model.ts';
import { type SceneStamp, toSceneStamp, toStashScene } from './map.ts';
import {
  ALL_SCENE_STAMPS,
  CONFIGURE_PLUGIN,
  FIND_SCENE,
  FIND_SCENE_IDS_BY_GROUP,
  FIND_SCENE_IDS_BY_PERFORMER,
  FIND_SCENE_IDS_BY_STUDIO,
  FIND_SCENE_IDS_BY_TAG,
  FIND_SCENES_PAGE,
  FIND_SCENE_PLAYS,
  PLUGIN_SETTINGS,
  SCENE_ADD_PLAY,
  SCENE_SAVE_ACTIVITY,
  SCENE_SET_RATING,
  SCENES_UPDATED_SINCE,
  SCENES_WITH_PATH_LIKE,
} from './queries.ts';
import { type FetchedImage, StashTransport, type StashTransportOptions } from './transport.ts';
import type { WireFindScene, WireFindScenes, WirePluginSettings, WireScene, WireSceneFilter, WireScenePlays, WireSceneStamp } from './types.ts';

export type StashClientOptions = StashTransportOptions;

export interface ScenePlays {
  id: string;
  rating100: number | null;
  updatedAt: string;
  resumeTime: number | null;
  playHistory: string[];
}
export type RelatedKind = 'performer' | 'studio' | 'tag' | 'group';

/** The plugin id Stash stores our settings under (the manifest's file name). */
export const PLUGIN_ID = 'PlexSync';

const IDS_BY_KIND: Record<RelatedKind, string> = {
  performer: FIND_SCENE_IDS_BY_PERFORMER,
  studio: FIND_SCENE_IDS_BY_STUDIO,
  tag: FIND_SCENE_IDS_BY_TAG,
  group: FIND_SCENE_IDS_BY_GROUP,
};

// Large enough to keep round trips few on big libraries, small enough that
// one answer stays a few hundred KiB.
const DEFAULT_SCAN_PAGE = 500;

function sceneNumber(id: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n < 0) throw new PermanentError('bad_request', `Stash returned a scene id that is not a number: ${JSON.stringify(id)}`);
  return n;
}

export class StashClient {
  readonly #http: StashTransport;

  /** True when Stash asks for credentials (a session or an API key): its image URLs then need them too. */
  readonly needsCredentials: boolean;

  constructor(options: StashClientOptions) {
    this.#http = new StashTransport(options);
    this.needsCredentials = options.sessionCookie !== undefined || options.apiKey !== undefined;
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** The newest session cookie (Stash refreshes it), for handing on to a later process. */
  get sessionCookie(): { name: string; value: string } | undefined {
    return this.#http.sessionCookie;
  }

  graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.#http.graphql<T>(query, variables);
  }

  /** null when Stash has no such scene (deleted). */
  async findScene(id: string): Promise<StashScene | null> {
    const data = await this.graphql<WireFindScene>(FIND_SCENE, { id });
    return data.findScene ? toStashScene(data.findScene) : null;
  }

  /** One page (1-based) of full scenes in id order; perPage -1 means all. */
  async findScenesPage(page: number, perPage: number, sceneFilter?: WireSceneFilter): Promise<{ count: number; scenes: StashScene[] }> {
    const data = await this.graphql<WireFindScenes<WireScene>>(FIND_SCENES_PAGE, { page, perPage, sceneFilter: sceneFilter ?? null });
    return { count: data.findScenes.count, scenes: data.findScenes.scenes.map(toStashScene) };
  }

  /** Ids of every scene that shows this performer/studio/tag/group, a batch at a time. */
  async *sceneIdsShowing(kind: RelatedKind, id: string, perPage = DEFAULT_SCAN_PAGE): AsyncGenerator<string[]> {
    for await (const scenes of this.#walk<{ id: string }>(IDS_BY_KIND[kind], { id }, perPage)) yield scenes.map((s) => s.id);
  }

  /** Scenes whose updated_at is after `since` (RFC3339; Stash compares whole seconds). */
  async *scenesUpdatedSince(since: string, perPage = DEFAULT_SCAN_PAGE): AsyncGenerator<SceneStamp[]> {
    for await (const scenes of this.#walk<WireSceneStamp>(SCENES_UPDATED_SINCE, { since }, perPage)) yield scenes.map(toSceneStamp);
  }

  /** Every scene, light fields only, for a full sync. */
  async *allSceneStamps(perPage = DEFAULT_SCAN_PAGE): AsyncGenerator<SceneStamp[]> {
    for await (const scenes of this.#walk<WireSceneStamp>(ALL_SCENE_STAMPS, {}, perPage)) yield scenes.map(toSceneStamp);
  }

  /** Play state of the scenes that exist among `ids` (unknown ids are left out). */
  async scenePlays(ids: string[]): Promise<ScenePlays[]> {
    if (ids.length === 0) return [];
    const data = await this.graphql<WireFindScenes<WireScenePlays>>(FIND_SCENE_PLAYS, { ids, perPage: ids.length });
    return data.findScenes.scenes.map((s) => ({
      id: s.id,
      rating100: s.rating100 ?? null,
      updatedAt: s.updated_at,
      resumeTime: s.resume_time ?? null,
      playHistory: s.play_history ?? [],
    }));
  }

  /** Adds one play per time (RFC3339); the new play count. */
  async addPlays(sceneId: string, times: string[]): Promise<number> {
    const data = await this.graphql<{ sceneAddPlay: { count: number } }>(SCENE_ADD_PLAY, { id: sceneId, times });
    return data.sceneAddPlay.count;
  }

  async saveResumeTime(sceneId: string, seconds: number): Promise<void> {
    await this.graphql(SCENE_SAVE_ACTIVITY, { id: sceneId, resumeTime: seconds });
  }

  async setRating(sceneId: string, rating100: number | null): Promise<void> {
    await this.graphql(SCENE_SET_RATING, { id: sceneId, rating100 });
  }

  /** Scenes with a file whose path contains `name` (at most `limit`), light fields only. */
  async scenesWithPathLike(name: string, limit = 100): Promise<SceneStamp[]> {
    const data = await this.graphql<WireFindScenes<WireSceneStamp>>(SCENES_WITH_PATH_LIKE, { name, perPage: limit });
    return data.findScenes.scenes.map(toSceneStamp);
  }

  /** Our settings map as Stash stores it; {} when none was ever saved. */
  async pluginSettings(): Promise<Record<string, unknown>> {
    const data = await this.graphql<WirePluginSettings>(PLUGIN_SETTINGS, { include: [PLUGIN_ID] });
    return data.configuration.plugins?.[PLUGIN_ID] ?? {};
  }

  /**
   * Sets some settings and keeps the others: Stash replaces the whole map, so
   * the stored one is read first. Stash's answer (the map, token included)
   * is not passed on.
   */
  async savePluginSettings(changes: Record<string, unknown>): Promise<void> {
    const current = await this.pluginSettings();
    await this.graphql<unknown>(CONFIGURE_PLUGIN, { plugin_id: PLUGIN_ID, input: { ...current, ...changes } });
  }

  /** Image bytes (a screenshot URL from a scene), with the same credentials. */
  fetchImage(url: string): Promise<FetchedImage> {
    return this.#http.fetchImage(url);
  }

  /**
   * Keyset paging over a document taking $afterId and $perPage: each page asks
   * for ids above the last one seen, so deletions during the walk cannot shift
   * pages. Ends on a short page; refuses to go backwards, so it always ends.
   */
  async *#walk<S extends { id: string }>(query: string, variables: Record<string, unknown>, perPage: number): AsyncGenerator<S[]> {
    if (!Number.isInteger(perPage) || perPage < 1) throw new PermanentError('bad_request', `a scan needs a positive page size, got ${perPage}`);
    let afterId = 0;
    for (;;) {
      const data = await this.graphql<WireFindScenes<S>>(query, { ...variables, afterId, perPage });
      const scenes = data.findScenes.scenes;
      if (scenes.length > 0) yield scenes;
      if (scenes.length < perPage) return;
      afterId = this.#advance(afterId, scenes);
    }
  }

  #advance(afterId: number, scenes: { id: string }[]): number {
    const last = sceneNumber(scenes[scenes.length - 1]?.id ?? '');
    if (last <= afterId) throw new PermanentError('bad_request', `Stash paged backwards (scene ${last} after ${afterId}); stopping the scan`);
    return last;
  }
}
