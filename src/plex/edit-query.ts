// One PlexEdit -> the query string of one edit request (CONTRACT sec. 11).
//
// Keys are sent raw (`genre[0].tag.tag`: Plex wants the brackets literally);
// every value is percent-encoded once with encodeURIComponent, so `&`, `=`,
// `+`, `%`, `#` and non-ASCII text reach Plex unchanged after its one decode.
//
// Removals are the subtle part. Plex decodes `genre[].tag.tag-` once, splits
// the result on commas and decodes each name again. So each name is encoded
// on its own (a comma inside a name becomes %2C and is not a separator), the
// names are joined with literal commas, and the joined value is encoded once
// more as every value is. python-plexapi does the same since commit 0e958f61
// ("Fix unable to remove tags with special characters"): `quote()` per name in
// EditTagsMixin._tagHelper, then `quote(value, safe='')` in utils.joinArgs.

import type { PlexEdit, ScalarField, TagField } from '../sync/model.ts';

export interface EncodeOptions {
  /** Plex's metadata type: 1 = movie (every "Other Videos" item is one). */
  type: 1;
}

const SCALAR_ORDER: readonly ScalarField[] = ['title', 'titleSort', 'summary', 'originallyAvailableAt', 'studio', 'contentRating'];
const TAG_ORDER: readonly TagField[] = ['actor', 'genre', 'director', 'collection', 'label'];

// encodeURIComponent throws on a lone surrogate, which JSON from Stash can
// carry; Plex could not store one anyway, so it becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function encode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}

function pair(key: string, value: string): string {
  return `${key}=${encode(value)}`;
}

export function encodeEdit(edit: PlexEdit, opts: EncodeOptions): string {
  const parts: string[] = [pair('type', String(opts.type))];
  for (const field of SCALAR_ORDER) {
    const value = edit.scalars[field];
    if (value !== undefined) parts.push(pair(`${field}.value`, value));
  }
  for (const field of TAG_ORDER) {
    const change = edit.tags[field];
    if (!change) continue;
    change.set.forEach((name, index) => {
      parts.push(pair(`${field}[${index}].tag.tag`, name));
      // An actor's photo travels with its tag (python-plexapi #462, PR #510).
      const thumb = field === 'actor' ? edit.actorThumbs?.[name] : undefined;
      if (thumb !== undefined) parts.push(pair(`${field}[${index}].tag.thumb`, thumb));
    });
    if (change.remove.length > 0) {
      parts.push(pair(`${field}[].tag.tag-`, change.remove.map(encode).join(',')));
    }
  }
  for (const name of new Set(edit.lock)) parts.push(pair(`${name}.locked`, '1'));
  return parts.join('&');
}
