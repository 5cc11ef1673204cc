// A Stash scene as Plex provider Metadata (CONTRACT sec. 14). Pure.
//
// Field by field, as edit mode writes them (CONTRACT sec. 9), plus what only
// a provider can carry: performer photos and their order, the studio's
// parent, Guid entries, durations. Images are URLs on this provider
// (images.ts), never on Stash.
import { cleanNames, plexRating } from '../sync/desired.ts';
import { titleFor } from '../sync/rules.ts';
import { imageUrl } from './images.ts';
import type { ProviderGroup, ProviderScene } from './model.ts';
import { PROVIDER_IDENTIFIER, type WireImage, type WireMetadata } from './wire.ts';

export interface MetadataOptions {
  /** The provider's address as Plex reaches it, without a trailing slash. */
  baseUrl: string;
  /** Sent as contentRating when set. */
  contentRating: string;
  /** As in edit mode: the title Plex shows, with Stash's plain title as the sort title. */
  titleTemplate: string;
}

/**
 * Plex shows every Rating with a badge of one of its built-in sources and
 * accepts no others; the audience badge of TheMovieDb is the least wrong
 * place for a user's own score (docs/provider.md says so).
 */
export const RATING_IMAGE = 'themoviedb://image.rating';

export function sceneGuid(sceneId: string): string {
  return `${PROVIDER_IDENTIFIER}://movie/${sceneId}`;
}

export function collectionGuid(groupId: string): string {
  return `${PROVIDER_IDENTIFIER}://collection/${groupId}`;
}

/** A stash-box endpoint's short name for a Guid scheme: https://stashdb.org/graphql -> stashdb. */
export function stashBoxScheme(endpoint: string): string | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  const labels = host.split('.').filter((l) => l !== '' && l !== 'www');
  const name = (labels.length > 1 ? labels[labels.length - 2] : labels[0])?.toLowerCase().replace(/[^a-z0-9]/g, '');
  return name || undefined;
}

function fileTitle(scene: ProviderScene): string {
  const base = scene.files[0]?.basename ?? '';
  const bare = base.replace(/\.[^.]+$/, '').trim();
  return bare || `Scene ${scene.id}`;
}

function year(date: string | null): number | undefined {
  const n = Number(date?.slice(0, 4));
  return /^\d{4}-\d{2}-\d{2}$/.test(date ?? '') && n > 0 ? n : undefined;
}

export function sceneMetadata(scene: ProviderScene, options: MetadataOptions): WireMetadata {
  // Plex needs a title; a scene without one shows its file name, as Plex
  // would have shown it.
  const titled = titleFor(scene, options.titleTemplate);
  const meta: WireMetadata = {
    ratingKey: scene.id,
    key: `/library/metadata/${scene.id}`,
    guid: sceneGuid(scene.id),
    type: 'movie',
    title: titled?.title.trim() || fileTitle(scene),
    summary: scene.details ?? '',
  };
  if (titled?.titleSort) meta.titleSort = titled.titleSort;
  const released = year(scene.date);
  if (scene.date && released !== undefined) {
    meta.originallyAvailableAt = scene.date;
    meta.year = released;
  }
  if (scene.studio) meta.studio = scene.studio.name;
  if (options.contentRating !== '') meta.contentRating = options.contentRating;
  const seconds = Math.max(0, ...scene.files.map((f) => f.durationSeconds || 0));
  if (seconds > 0) meta.duration = Math.round(seconds * 1000);

  if (scene.screenshotStamp !== null) {
    const url = imageUrl(options.baseUrl, 'scene', scene.id, scene.screenshotStamp);
    meta.thumb = url;
    meta.art = url;
    meta.Image = sceneImages(scene, options);
  }

  meta.Genre = cleanNames(scene.tags.map((t) => t.name)).map((tag) => ({ tag }));
  meta.Role = rolesOf(scene, options);
  meta.Director = cleanNames(scene.director ? [scene.director] : []).map((tag) => ({ tag, role: 'Director' }));
  meta.Studio = cleanNames([scene.studio?.name ?? '', scene.studio?.parent?.name ?? '']).map((tag) => ({ tag }));
  meta.Collection = uniqueGroups(scene).map((g) => ({ guid: collectionGuid(g.id), key: `/library/collections/${g.id}/children`, tag: g.name.trim() }));
  const rating = plexRating(scene.rating100);
  meta.Rating = rating === null ? [] : [{ image: RATING_IMAGE, type: 'audience', value: rating }];
  meta.Guid = guidsOf(scene);
  return meta;
}

export function sceneImages(scene: ProviderScene, options: MetadataOptions): WireImage[] {
  if (scene.screenshotStamp === null) return [];
  const url = imageUrl(options.baseUrl, 'scene', scene.id, scene.screenshotStamp);
  const alt = scene.title?.trim() || fileTitle(scene);
  return [
    { type: 'coverPoster', url, alt },
    { type: 'background', url, alt },
    { type: 'snapshot', url, alt },
  ];
}

/** Performers in Stash's order, a name once; `order` counts from 1 as Plex's own agents do. */
function rolesOf(scene: ProviderScene, options: MetadataOptions): NonNullable<WireMetadata['Role']> {
  const seen = new Set<string>();
  const roles: NonNullable<WireMetadata['Role']> = [];
  for (const p of scene.performers) {
    const tag = p.name.trim();
    if (tag === '' || seen.has(tag)) continue;
    seen.add(tag);
    roles.push({ tag, order: roles.length + 1, ...(p.imageStamp === null ? {} : { thumb: imageUrl(options.baseUrl, 'performer', p.id, p.imageStamp) }) });
  }
  return roles;
}

function uniqueGroups(scene: ProviderScene): { id: string; name: string }[] {
  const seen = new Set<string>();
  return scene.groups.filter((g) => g.name.trim() !== '' && !seen.has(g.id) && (seen.add(g.id), true));
}

function guidsOf(scene: ProviderScene): { id: string }[] {
  const ids = [`stash://scene/${scene.id}`];
  for (const s of scene.stashIds) {
    const scheme = stashBoxScheme(s.endpoint);
    if (scheme && s.stashId.trim() !== '') ids.push(`${scheme}://${s.stashId.trim()}`);
  }
  return [...new Set(ids)].map((id) => ({ id }));
}

/** A Stash group as a Plex collection (the `collection` feature). */
export function groupMetadata(group: ProviderGroup, options: MetadataOptions): WireMetadata {
  const meta: WireMetadata = {
    ratingKey: group.id,
    key: `/library/collections/${group.id}/children`,
    guid: collectionGuid(group.id),
    type: 'collection',
    title: group.name.trim() || `Group ${group.id}`,
    summary: group.synopsis ?? '',
  };
  const released = year(group.date);
  if (group.date && released !== undefined) {
    meta.originallyAvailableAt = group.date;
    meta.year = released;
  }
  if (group.imageStamp !== null) {
    const url = imageUrl(options.baseUrl, 'group', group.id, group.imageStamp);
    meta.thumb = url;
    meta.Image = [{ type: 'coverPoster', url, alt: meta.title }];
  }
  return meta;
}
