// Wire scene -> provider scene. Pure.
import type { ProviderGroup, ProviderScene } from './model.ts';
import type { WireProviderGroup, WireProviderScene } from './stash-wire.ts';

/**
 * Stash's image URLs carry a change stamp (`?t=<unix time>`); the provider's
 * own image URLs repeat it, so Plex sees a new URL when the image changed.
 * null: Stash gave no URL, so there is no image.
 */
function stampOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url, 'http://stash.invalid/').searchParams.get('t') ?? '';
  } catch {
    return '';
  }
}

export function toProviderScene(wire: WireProviderScene): ProviderScene {
  const studio = wire.studio;
  return {
    id: wire.id,
    title: wire.title ?? null,
    code: wire.code ?? null,
    details: wire.details ?? null,
    director: wire.director ?? null,
    date: wire.date ?? null,
    rating100: wire.rating100 ?? null,
    studio: studio ? { id: studio.id, name: studio.name, parent: studio.parent_studio ? { id: studio.parent_studio.id, name: studio.parent_studio.name } : null } : null,
    performers: wire.performers.map((p) => ({ id: p.id, name: p.name, imageStamp: stampOf(p.image_path) })),
    tags: wire.tags.map((t) => ({ id: t.id, name: t.name })),
    groups: wire.groups.map((g) => ({ id: g.group.id, name: g.group.name })),
    files: wire.files.map((f) => ({ path: f.path, basename: f.basename, durationSeconds: f.duration })),
    screenshotStamp: stampOf(wire.paths.screenshot),
    stashIds: wire.stash_ids.map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })),
  };
}

export function toProviderGroup(wire: NonNullable<WireProviderGroup['findGroup']>): ProviderGroup {
  return { id: wire.id, name: wire.name, synopsis: wire.synopsis ?? null, date: wire.date ?? null, imageStamp: stampOf(wire.front_image_path) };
}
