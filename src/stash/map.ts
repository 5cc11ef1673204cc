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
    studio: wire.studio ? { id: wire.studio.id, name: wire.studio.name } : null,
    performers: wire.performers.map((p) => ({ id: p.id, name: p.name })),
    tags: wire.tags.map((t) => ({ id: t.id, name: t.name })),
    groups: wire.groups.map((g) => ({ id: g.group.id, name: g.group.name })),
    files: files(wire.files),
    screenshotUrl: wire.paths.screenshot || null,
  };
}

export function toSceneStamp(wire: WireSceneStamp): SceneStamp {
  return { id: wire.id, updatedAt: wire.updated_at, files: files(wire.files) };
}
