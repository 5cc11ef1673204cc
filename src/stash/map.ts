// Wire scene -> domain scene. Kept apart from the client so it stays a pure
// function, tested without a server.
import type { StashScene } from '../sync/model.ts';
import type { WireScene, WireSceneStamp } from './types.ts';

/** The light view of a scene used by scans: enough to spot a change. */
export interface SceneStamp {
  id: string;
  updatedAt: string;
  files: { path: string; size: number | null }[];
}

function files(wire: WireSceneStamp['files']): SceneStamp['files'] {
  return wire.map((f) => ({ path: f.path, size: f.size ?? null }));
}

export function toStashScene(wire: WireScene): StashScene {
  return {
    id: wire.id,
    title: wire.title ?? null,
    code: wire.code ?? null,
    details: wire.details ?? null,
    director: wire.director ?? null,
    date: wire.date ?? null,
    rating100: wire.rating100 ?? null,
    organized: wire.organized,
    updatedAt: wire.updated_at,
    studio: wire.studio
      ? { id: wire.studio.id, name: wire.studio.name, parent: wire.studio.parent_studio ? { id: wire.studio.parent_studio.id, name: wire.studio.parent_studio.name } : null }
      : null,
    performers: wire.performers.map((p) => ({ id: p.id, name: p.name, imageUrl: storableImage(p.image_path) })),
    tags: wire.tags.map((t) => ({ id: t.id, name: t.name, parents: (t.parents ?? []).map((parent) => parent.name) })),
    groups: wire.groups.map((g) => ({
      id: g.group.id,
      name: g.group.name,
      coverUrl: storableImage(g.group.front_image_path),
      description: g.group.synopsis ?? null,
    })),
    stashIdCount: wire.stash_ids?.length ?? 0,
    files: files(wire.files),
    screenshotUrl: wire.paths.screenshot || null,
  };
}

/**
 * A performer image or group cover URL as PlexSync may use it. Stash answers `default=true`
 * when none was set (a generic picture, not worth sending),
 * and a URL carrying an API key must never reach Plex's database.
 */
function storableImage(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.searchParams.get('default') === 'true') return null;
  if ([...parsed.searchParams.keys()].some((key) => key.toLowerCase() === 'apikey')) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return url;
}

export function toSceneStamp(wire: WireSceneStamp): SceneStamp {
  return { id: wire.id, updatedAt: wire.updated_at, files: files(wire.files) };
}
