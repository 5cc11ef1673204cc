// Wire item -> domain item. Only meaningful for a FULL item (GET
// /library/metadata/{rk}): listings truncate tag lists and omit Field[].

import type { PlexItemState } from '../sync/model.ts';
import type { PlexMetadata, PlexTag } from './wire.ts';

function tagNames(tags: PlexTag[] | undefined): string[] {
  return Array.isArray(tags) ? tags.map((t) => t.tag).filter((t) => typeof t === 'string') : [];
}

export function toPlexItemState(item: PlexMetadata, sectionId: string | null): PlexItemState {
  const files: PlexItemState['files'] = [];
  for (const media of item.Media ?? []) {
    for (const part of media.Part ?? []) {
      if (typeof part.file === 'string') files.push({ file: part.file, size: typeof part.size === 'number' ? part.size : null });
    }
  }
  const locked = (item.Field ?? []).filter((f) => f.locked === true || f.locked === 1).map((f) => f.name);
  return {
    ratingKey: String(item.ratingKey),
    sectionId,
    title: item.title ?? '',
    summary: item.summary ?? '',
    titleSort: item.titleSort ?? '',
    originallyAvailableAt: item.originallyAvailableAt ?? '',
    studio: item.studio ?? '',
    contentRating: item.contentRating ?? '',
    tags: {
      // Actors are edited as `actor` but come back as `Role`.
      actor: tagNames(item.Role),
      genre: tagNames(item.Genre),
      director: tagNames(item.Director),
      collection: tagNames(item.Collection),
      label: tagNames(item.Label),
    },
    actorThumbs: Object.fromEntries((item.Role ?? []).flatMap((r) => (typeof r.tag === 'string' && typeof r.thumb === 'string' && r.thumb !== '' ? [[r.tag, r.thumb]] : []))),
    userRating: typeof item.userRating === 'number' ? item.userRating : null,
    locked,
    files,
    updatedAt: typeof item.updatedAt === 'number' ? item.updatedAt : null,
  };
}
