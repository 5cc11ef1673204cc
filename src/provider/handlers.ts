// What each provider route answers, as plain values: the router (router.ts)
// turns them into HTTP. Stash failures propagate, classified; the router
// makes them a short error answer.
import * as v from 'valibot';
import type { PathMapping } from '../match/pathmap.ts';
import { basenameOf } from '../match/pathmap.ts';
import { bestMatch, needsTitleLookup, rankCandidates } from './match.ts';
import { groupMetadata, type MetadataOptions, sceneImages, sceneMetadata } from './metadata.ts';
import type { SceneSource } from './source.ts';
import { MatchRequestSchema, PROVIDER_IDENTIFIER, TYPE_MOVIE, type WireMediaContainer, type WireMetadata } from './wire.ts';

export type Answer = { status: 200; body: WireMediaContainer } | { status: 400 | 404; message: string };

/** The settings the provider uses, read per request so a change in Stash needs no restart. */
export interface ProviderSettings {
  mappings: readonly PathMapping[];
  contentRating: string;
  /** The titleTemplate setting, as edit mode uses it ('' for Stash's title). */
  titleTemplate: string;
}

export interface HandlerDeps {
  source: SceneSource;
  settings: () => ProviderSettings;
}

/** The paging defaults the provider documentation gives: 20 items from the start. */
export const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 500;

export function container(metadata: WireMetadata[], totalSize = metadata.length, offset = 0): WireMediaContainer {
  return { MediaContainer: { offset, totalSize, identifier: PROVIDER_IDENTIFIER, size: metadata.length, Metadata: metadata } };
}

export async function matchAnswer(body: unknown, deps: HandlerDeps, options: MetadataOptions): Promise<Answer> {
  const parsed = v.safeParse(MatchRequestSchema, body);
  if (!parsed.success) return { status: 400, message: `malformed match request: ${parsed.issues.map((i) => `${i.path?.map((p) => String(p.key)).join('.') ?? 'body'} ${i.message}`).join('; ')}` };
  const request = parsed.output;
  // Only movies are declared in the manifest; other types match nothing.
  if (request.type !== TYPE_MOVIE) return { status: 200, body: container([]) };
  const manual = request.manual === 1;

  // A guid of ours (Plex sends it when refreshing an item it matched) names the scene.
  const ours = /^tv\.plex\.agents\.custom\.plexsync:\/\/movie\/(\d{1,18})$/.exec(request.guid ?? '');
  if (ours) {
    const scene = await deps.source.scene(ours[1]!);
    return { status: 200, body: container(scene ? [{ ...sceneMetadata(scene, options), score: 100 }] : []) };
  }

  const hints = { filename: request.filename?.trim() || undefined, title: request.title ?? undefined, year: request.year ?? undefined };
  if (!hints.filename && !hints.title?.trim()) return { status: 400, message: 'malformed match request: neither filename nor title given' };
  const { mappings } = deps.settings();
  const base = hints.filename ? basenameOf(hints.filename) : '';
  const byFile = base === '' ? [] : await deps.source.scenesByBasename(base);
  const byTitle = needsTitleLookup(byFile, hints, mappings, manual) ? await deps.source.scenesByTitle(hints.title!.trim()) : [];
  const ranked = rankCandidates(byFile, byTitle, hints, mappings);
  const chosen = manual ? ranked : [bestMatch(ranked)].filter((c) => c !== undefined);
  return { status: 200, body: container(chosen.map((c) => ({ ...sceneMetadata(c.scene, options), score: c.score }))) };
}

export async function metadataAnswer(sceneId: string, deps: HandlerDeps, options: MetadataOptions): Promise<Answer> {
  const scene = await deps.source.scene(sceneId);
  if (!scene) return { status: 404, message: `no scene ${sceneId} in Stash` };
  return { status: 200, body: container([sceneMetadata(scene, options)]) };
}

export async function imagesAnswer(sceneId: string, deps: HandlerDeps, options: MetadataOptions): Promise<Answer> {
  const scene = await deps.source.scene(sceneId);
  if (!scene) return { status: 404, message: `no scene ${sceneId} in Stash` };
  const images = sceneImages(scene, options);
  return { status: 200, body: { MediaContainer: { offset: 0, totalSize: images.length, identifier: PROVIDER_IDENTIFIER, size: images.length, Image: images } } };
}

export async function collectionAnswer(groupId: string, deps: HandlerDeps, options: MetadataOptions): Promise<Answer> {
  const group = await deps.source.group(groupId);
  if (!group) return { status: 404, message: `no group ${groupId} in Stash` };
  return { status: 200, body: container([groupMetadata(group, options)]) };
}

export interface Paging {
  start: number;
  size: number;
}

/** X-Plex-Container-Start/Size from headers or the query; undefined when malformed. */
export function paging(get: (name: string) => string | undefined): Paging | undefined {
  const read = (name: string, fallback: number) => {
    const raw = get(name);
    if (raw === undefined || raw === '') return fallback;
    return /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  };
  const start = read('X-Plex-Container-Start', 0);
  const size = read('X-Plex-Container-Size', DEFAULT_PAGE_SIZE);
  if (Number.isNaN(start) || Number.isNaN(size) || size < 1) return undefined;
  return { start, size: Math.min(size, MAX_PAGE_SIZE) };
}

export async function collectionChildrenAnswer(groupId: string, page: Paging, deps: HandlerDeps, options: MetadataOptions): Promise<Answer> {
  const group = await deps.source.group(groupId);
  if (!group) return { status: 404, message: `no group ${groupId} in Stash` };
  const { total, scenes } = await deps.source.groupScenes(groupId, page.start, page.size);
  return { status: 200, body: container(scenes.map((s) => sceneMetadata(s, options)), total, page.start) };
}
