// The fake Plex's in-memory library: items, how edits change them, and the
// JSON Plex would answer with. Sources for each behaviour are noted inline;
// "plex-api.md" is shared/reference/plex-api.md beside this repository.

export interface FakeSection {
  id: string;
  title: string;
  type: string;
  agent: string;
  locations: string[];
}

/** Wire key of each tag type, by the name used in edit parameters. */
const TAG_PARAM_TO_WIRE: Record<string, string> = {
  genre: 'Genre',
  actor: 'Role', // edited as `actor`, returned as `Role` (plex-api.md, python-plexapi ActorMixin)
  director: 'Director',
  writer: 'Writer',
  producer: 'Producer',
  collection: 'Collection',
  label: 'Label',
  country: 'Country',
};
const SCALARS = ['title', 'titleSort', 'originalTitle', 'summary', 'tagline', 'studio', 'contentRating', 'originallyAvailableAt'] as const;
type Scalar = (typeof SCALARS)[number];

export interface FakeItem {
  ratingKey: string;
  sectionId: string;
  scalars: Record<Scalar, string>;
  year: number | null;
  userRating: number | null;
  /** The token's account's play state (Plex keeps these per account). Epoch seconds / ms. */
  lastRatedAt: number | null;
  viewOffset: number | null;
  viewCount: number;
  lastViewedAt: number | null;
  thumb: string | null;
  addedAt: number;
  updatedAt: number;
  /** By wire key (Genre, Role, ...), in the order Plex shows them. */
  tags: Record<string, string[]>;
  locked: Set<string>;
  media: { file: string; size: number }[];
  /** Set by a custom agent (plex-server-agent.ts); null for items no agent matched. */
  guid: string | null;
  audienceRating: number | null;
  /** The provider's image URL Plex fetched the poster from. */
  providerThumb: string | null;
  roleThumbs: Record<string, string>;
}

export interface NewItem {
  ratingKey?: string;
  sectionId?: string;
  title: string;
  file: string;
  size: number;
  summary?: string;
  studio?: string;
  originallyAvailableAt?: string;
  userRating?: number;
  genres?: string[];
  actors?: string[];
  directors?: string[];
  collections?: string[];
  labels?: string[];
  /** Field names to report as locked. */
  locked?: string[];
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function yearOf(date: string): number | null {
  const year = Number.parseInt(date.slice(0, 4), 10);
  return Number.isNaN(year) ? null : year;
}

export function createItem(spec: NewItem, ratingKey: string, defaultSection: string): FakeItem {
  const scalars = Object.fromEntries(SCALARS.map((s) => [s, ''])) as Record<Scalar, string>;
  scalars.title = spec.title;
  scalars.summary = spec.summary ?? '';
  scalars.studio = spec.studio ?? '';
  scalars.originallyAvailableAt = spec.originallyAvailableAt ?? '';
  // Items start with timestamps in the past so that an edit visibly bumps updatedAt.
  const past = nowSeconds() - 86_400;
  return {
    ratingKey,
    sectionId: spec.sectionId ?? defaultSection,
    scalars,
    year: yearOf(scalars.originallyAvailableAt),
    userRating: spec.userRating ?? null,
    lastRatedAt: null,
    viewOffset: null,
    viewCount: 0,
    lastViewedAt: null,
    thumb: null,
    addedAt: past,
    updatedAt: past,
    tags: {
      Genre: [...(spec.genres ?? [])],
      Role: [...(spec.actors ?? [])],
      Director: [...(spec.directors ?? [])],
      Collection: [...(spec.collections ?? [])],
      Label: [...(spec.labels ?? [])],
    },
    locked: new Set(spec.locked ?? []),
    media: [{ file: spec.file, size: spec.size }],
    guid: null,
    audienceRating: null,
    providerThumb: null,
    roleThumbs: {},
  };
}

/**
 * Query decoding as Plex does it: one percent-decode per value. `+` is read
 * as a space (form encoding), so a client that sends a raw `+` loses it here
 * just as it would risk losing it on a real server.
 */
export function decodeQuery(search: string): [string, string][] {
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (text === '') return [];
  return text.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    return [decodeLenient(rawKey), decodeLenient(rawValue)];
  });
}

function decodeLenient(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Applies one edit request's parameters. Unknown parameters are ignored
 * silently (plex-api.md: "a 200 proves nothing"). Returns the collection
 * names the edit used, which Plex creates on the fly.
 */
export function applyEdit(
  item: FakeItem,
  params: [string, string][],
  options: { foldCase?: boolean; actorThumbs?: Map<string, string> } = {},
): string[] {
  const same = (a: string, b: string) => a === b || (options.foldCase === true && a.toLowerCase() === b.toLowerCase());
  const actorThumbs = options.actorThumbs;
  const adds = new Map<string, string[]>();
  // `actor[i].tag.thumb` sets the photo of the actor named by `actor[i].tag.tag`
  // in the same request (python-plexapi issue #462, where the plexapi
  // maintainers found it; PR #510 uses it to change an existing actor's photo
  // too). An actor is one tag for the whole library, so its photo shows on
  // every item and the last one sent wins (AvalonXmlAgent.bundle issue #1).
  const actorAt = new Map<string, string>();
  const thumbAt = new Map<string, string>();
  const removes = new Map<string, string[]>();
  for (const [key, value] of params) {
    const scalar = /^(\w+)\.value$/.exec(key)?.[1];
    if (scalar && (SCALARS as readonly string[]).includes(scalar)) {
      item.scalars[scalar as Scalar] = value;
      // Plex derives `year` from the release date (plex-api.md).
      if (scalar === 'originallyAvailableAt') item.year = value === '' ? null : yearOf(value);
      continue;
    }
    const lock = /^(\w+)\.locked$/.exec(key)?.[1];
    if (lock) {
      if (value === '1') item.locked.add(lock);
      else if (value === '0') item.locked.delete(lock);
      continue;
    }
    const thumb = /^actor\[(\d+)\]\.tag\.thumb$/.exec(key)?.[1];
    if (thumb !== undefined) {
      thumbAt.set(thumb, value);
      continue;
    }
    const actorIndex = /^actor\[(\d+)\]\.tag\.tag$/.exec(key)?.[1];
    if (actorIndex !== undefined) actorAt.set(actorIndex, value);
    const add = /^(\w+)\[\d+\]\.tag\.tag$/.exec(key)?.[1];
    const addWire = add ? TAG_PARAM_TO_WIRE[add] : undefined;
    if (addWire && value !== '') {
      adds.set(addWire, [...(adds.get(addWire) ?? []), value]);
      continue;
    }
    const remove = /^(\w+)\[\]\.tag\.tag-$/.exec(key)?.[1];
    const removeWire = remove ? TAG_PARAM_TO_WIRE[remove] : undefined;
    if (removeWire) {
      // The value was decoded once above; Plex splits on commas and decodes
      // each name again (python-plexapi 0e958f61 encodes each name for this).
      const names = value.split(',').map((n) => decodeName(n));
      removes.set(removeWire, [...(removes.get(removeWire) ?? []), ...names]);
    }
  }
  // Adding never removes: new names join the existing list (plex-api.md
  // "Adding does not remove existing tags in practice").
  for (const [wire, names] of adds) {
    const list = item.tags[wire] ?? [];
    for (const name of names) if (!list.some((have) => same(have, name))) list.push(name);
    item.tags[wire] = list;
  }
  for (const [wire, names] of removes) {
    item.tags[wire] = (item.tags[wire] ?? []).filter((n) => !names.some((name) => same(n, name)));
  }
  for (const [index, url] of thumbAt) {
    const name = actorAt.get(index);
    if (name !== undefined && name !== '' && url !== '') actorThumbs?.set(name, url);
  }
  item.updatedAt = nowSeconds();
  return adds.get('Collection') ?? [];
}

/** The inner decode of removal names: plain percent-decoding, no `+` rule. */
function decodeName(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

let nextTagId = 1000;
const tagIds = new Map<string, number>();
function tagId(wire: string, name: string): number {
  const key = `${wire}\u0000${name}`;
  let id = tagIds.get(key);
  if (id === undefined) {
    id = nextTagId++;
    tagIds.set(key, id);
  }
  return id;
}

/**
 * The item as JSON. Plex omits empty attributes and arrays. Listings are
 * partial: no Field[], and tag lists cut to a few entries (plex-api.md
 * "Listings are partial (tag lists truncated)"); files are always complete.
 */
export function renderItem(item: FakeItem, section: FakeSection | undefined, full: boolean, actorThumbs?: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ratingKey: item.ratingKey,
    key: `/library/metadata/${item.ratingKey}`,
    type: 'movie',
  };
  if (item.guid !== null) out['guid'] = item.guid;
  if (item.audienceRating !== null) out['audienceRating'] = item.audienceRating;
  for (const s of SCALARS) if (item.scalars[s] !== '') out[s] = item.scalars[s];
  if (item.year !== null) out['year'] = item.year;
  if (item.userRating !== null) out['userRating'] = item.userRating;
  // Listings carry the account's play state too (python-plexapi video.py reads it from either).
  if (item.lastRatedAt !== null) out['lastRatedAt'] = item.lastRatedAt;
  if (item.viewOffset !== null) out['viewOffset'] = item.viewOffset;
  if (item.viewCount > 0) out['viewCount'] = item.viewCount;
  if (item.lastViewedAt !== null) out['lastViewedAt'] = item.lastViewedAt;
  if (item.thumb !== null) out['thumb'] = item.thumb;
  out['addedAt'] = item.addedAt;
  out['updatedAt'] = item.updatedAt;
  out['librarySectionID'] = Number(item.sectionId);
  if (section) out['librarySectionTitle'] = section.title;
  out['Media'] = item.media.map((m, i) => ({
    id: Number(item.ratingKey) * 10 + i,
    Part: [{ id: Number(item.ratingKey) * 10 + i, key: `/library/parts/${item.ratingKey}${i}/file`, file: m.file, size: m.size }],
  }));
  for (const [wire, names] of Object.entries(item.tags)) {
    const shown = full ? names : names.slice(0, 3);
    if (shown.length > 0) {
      out[wire] = shown.map((tag) => {
        const thumb = wire === 'Role' ? actorThumbs?.get(tag) : undefined;
        return { id: tagId(wire, tag), filter: `${wire.toLowerCase()}=${tagId(wire, tag)}`, tag, ...(thumb ? { thumb } : {}) };
      });
    }
  }
  if (full && item.locked.size > 0) out['Field'] = [...item.locked].map((name) => ({ locked: true, name }));
  return out;
}

export function renderSection(section: FakeSection): Record<string, unknown> {
  return {
    key: section.id,
    type: section.type,
    title: section.title,
    agent: section.agent,
    Location: section.locations.map((path, i) => ({ id: Number(section.id) * 100 + i, path })),
  };
}
