// What the provider asks of Stash, in its own terms. Every lookup is one
// bounded GraphQL request; nothing walks the whole library, so a match costs
// the same on 50 scenes or 50,000.
//
// No answer is cached past its request: a Stash edit followed by a Plex
// refresh must see the edit, and Plex asks for one item a few times in a row
// only while a request is in flight (match, then metadata, then images),
// which the in-flight sharing below covers.
import { PlexSyncError } from '../errors.ts';
import type { StashClient } from '../stash/client.ts';
import { toProviderGroup, toProviderScene } from './map.ts';
import type { ProviderGroup, ProviderScene } from './model.ts';
import { PROVIDER_FIND_GROUP, PROVIDER_FIND_SCENE, PROVIDER_GROUP_SCENES, PROVIDER_SCENES_BY_BASENAME, PROVIDER_SCENES_BY_TITLE } from './queries.ts';
import type { WireProviderGroup, WireProviderScene, WireProviderScenes } from './stash-wire.ts';

/** More files of one name than this is a library no basename can match anyway. */
export const CANDIDATE_LIMIT = 50;

export interface SceneSource {
  scene(id: string): Promise<ProviderScene | null>;
  scenesByBasename(basename: string): Promise<ProviderScene[]>;
  scenesByTitle(title: string): Promise<ProviderScene[]>;
  group(id: string): Promise<ProviderGroup | null>;
  groupScenes(id: string, start: number, size: number): Promise<{ total: number; scenes: ProviderScene[] }>;
}

/**
 * One more try when the connection dropped: a kept-alive socket Stash closed
 * just as the request went out fails at once, and Plex would otherwise get a
 * 503 for nothing. Reads only, so repeating one is harmless; anything else
 * (Stash down, slow, refusing the key) is answered as it is.
 */
async function read<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    const dropped = err instanceof PlexSyncError && err.code === 'stash_unavailable' && err.http?.status === undefined;
    if (!dropped) throw err;
    return request();
  }
}

export class StashSceneSource implements SceneSource {
  readonly #stash: StashClient;
  readonly #inFlight = new Map<string, Promise<ProviderScene | null>>();

  constructor(stash: StashClient) {
    this.#stash = stash;
  }

  scene(id: string): Promise<ProviderScene | null> {
    const pending = this.#inFlight.get(id);
    if (pending) return pending;
    const request = read(() => this.#stash.graphql<{ findScene: WireProviderScene | null }>(PROVIDER_FIND_SCENE, { id }))
      .then((data) => (data.findScene ? toProviderScene(data.findScene) : null))
      .finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, request);
    return request;
  }

  async scenesByBasename(basename: string): Promise<ProviderScene[]> {
    const data = await read(() => this.#stash.graphql<WireProviderScenes>(PROVIDER_SCENES_BY_BASENAME, { basename, perPage: CANDIDATE_LIMIT }));
    return data.findScenes.scenes.map(toProviderScene);
  }

  async scenesByTitle(title: string): Promise<ProviderScene[]> {
    const data = await read(() => this.#stash.graphql<WireProviderScenes>(PROVIDER_SCENES_BY_TITLE, { title, perPage: CANDIDATE_LIMIT }));
    return data.findScenes.scenes.map(toProviderScene);
  }

  async group(id: string): Promise<ProviderGroup | null> {
    const data = await read(() => this.#stash.graphql<WireProviderGroup>(PROVIDER_FIND_GROUP, { id }));
    return data.findGroup ? toProviderGroup(data.findGroup) : null;
  }

  /** `start` 0-based; Stash pages are 1-based, so the page holding `start` is fetched and cut. */
  async groupScenes(id: string, start: number, size: number): Promise<{ total: number; scenes: ProviderScene[] }> {
    const page = Math.floor(start / size) + 1;
    const data = await read(() => this.#stash.graphql<WireProviderScenes>(PROVIDER_GROUP_SCENES, { groupId: id, page, perPage: size }));
    const skip = start - (page - 1) * size;
    const first = data.findScenes.scenes.slice(skip).map(toProviderScene);
    if (skip === 0 || first.length === 0) return { total: data.findScenes.count, scenes: first };
    // `start` not on a page boundary: the rest comes from the next page.
    const next = await read(() => this.#stash.graphql<WireProviderScenes>(PROVIDER_GROUP_SCENES, { groupId: id, page: page + 1, perPage: size }));
    return { total: data.findScenes.count, scenes: [...first, ...next.findScenes.scenes.slice(0, skip).map(toProviderScene)] };
  }
}
