// The fake Plex's routes. Each answers { status, json? }; the server turns a
// non-200 status into Plex's HTML error page. Unknown routes and wrong
// methods answer 404, as Plex does (plex-api.md).

import type { IncomingHttpHeaders } from 'node:http';
import { ensureCollection, type FakeCollection, type FakeState, runAgent } from './plex-server.ts';
import { type FakeItem, applyEdit, renderItem, renderSection } from './plex-server-library.ts';
import { listAccounts, listHistory } from './plex-server-history.ts';

export interface RouteResult {
  status: number;
  json?: unknown;
}

const NOT_FOUND: RouteResult = { status: 404 };
const EMPTY_OK: RouteResult = { status: 200 };

export function route(
  state: FakeState,
  method: string,
  path: string,
  query: [string, string][],
  body: Buffer,
  headers: IncomingHttpHeaders,
): RouteResult {
  const param = (name: string) => query.find(([k]) => k === name)?.[1];
  const get = method === 'GET';
  if (path === '/identity' && get) {
    return { status: 200, json: { MediaContainer: { size: 0, claimed: true, machineIdentifier: state.options.machineIdentifier, version: state.options.version } } };
  }
  if (path === '/library/sections' && get) {
    const dirs = state.options.sections.map(renderSection);
    return { status: 200, json: { MediaContainer: { size: dirs.length, allowSync: false, title1: 'Plex Library', Directory: dirs } } };
  }
  if (path === '/:/rate' && method === 'PUT') return rate(state, param('key'), param('identifier'), param('rating'));
  if (path === '/status/sessions/history/all' && get) return { status: 200, json: listHistory(state.history, query, headers) };
  if (path === '/accounts' && get) return { status: 200, json: listAccounts(state.history) };

  const sectionCollections = /^\/library\/sections\/([^/]+)\/collections$/.exec(path);
  if (sectionCollections && get) {
    if (!state.options.sections.some((s) => s.id === sectionCollections[1])) return NOT_FOUND;
    const list = [...state.collectionItems.values()].filter((c) => c.sectionId === sectionCollections[1]).map(renderCollection);
    return { status: 200, json: { MediaContainer: { size: list.length, ...(list.length > 0 ? { Metadata: list } : {}) } } };
  }

  const section = /^\/library\/sections\/([^/]+)\/(all|refresh)$/.exec(path);
  if (section) {
    const sectionId = section[1]!;
    if (!state.options.sections.some((s) => s.id === sectionId)) return NOT_FOUND;
    if (section[2] === 'refresh') {
      // Since PMS 1.32.7 only GET triggers a partial scan; PUT/POST answer 404 (plex-api.md).
      if (!get) return NOT_FOUND;
      recordScan(state, sectionId, param('path') ?? null);
      return EMPTY_OK;
    }
    if (get) return listSection(state, sectionId, param, headers);
    if (method === 'PUT') return editSection(state, sectionId, query, param('id'));
    return NOT_FOUND;
  }

  const poster = /^\/library\/metadata\/([^/]+)\/posters$/.exec(path);
  if (poster && method === 'POST') {
    const collection = state.collectionItems.get(poster[1]!);
    if (collection) {
      const list = state.posters.get(collection.ratingKey) ?? [];
      list.push({ bytes: new Uint8Array(body), contentType: String(headers['content-type'] ?? '') });
      state.posters.set(collection.ratingKey, list);
      collection.thumb = `/library/collections/${collection.ratingKey}/composite/${Date.now()}`;
      return EMPTY_OK;
    }
    const item = state.items.get(poster[1]!);
    if (!item) return NOT_FOUND;
    if (state.faults.ignorePosters > 0) {
      state.faults.ignorePosters--;
      return EMPTY_OK;
    }
    const list = state.posters.get(item.ratingKey) ?? [];
    list.push({ bytes: new Uint8Array(body), contentType: String(headers['content-type'] ?? '') });
    state.posters.set(item.ratingKey, list);
    // The upload becomes the selected poster (plex-api.md "Images").
    item.updatedAt = Math.floor(state.options.now() / 1000);
    item.thumb = `/library/metadata/${item.ratingKey}/thumb/${item.updatedAt}`;
    return EMPTY_OK;
  }

  // Refresh answers at once and runs the agent afterwards (python-plexapi
  // `refresh()` is PUT .../refresh; PMS queues the work). Without a custom
  // agent there is nothing new to fetch for these items.
  const refresh = /^\/library\/metadata\/([^/]+)\/refresh$/.exec(path);
  if (refresh && method === 'PUT') {
    const item = state.items.get(refresh[1]!);
    if (!item) return NOT_FOUND;
    runAgent(state, item);
    return EMPTY_OK;
  }

  const metadata = /^\/library\/metadata\/([^/]+)$/.exec(path);
  if (metadata && get) {
    // Several keys at once, comma-separated (python-plexapi fetchItems);
    // unknown keys are left out, none found is a 404.
    const items = metadata[1]!.split(',').flatMap((rk) => state.items.get(rk) ?? []);
    if (items.length === 0) return NOT_FOUND;
    const rendered = items.map((item) => renderItem(item, sectionOf(state, item), true, state.actorThumbs));
    return { status: 200, json: { MediaContainer: { size: rendered.length, Metadata: rendered } } };
  }
  const collection = metadata && method === 'PUT' ? state.collectionItems.get(metadata[1]!) : undefined;
  if (collection) {
    // A collection's own fields are edited on its ratingKey like an item's.
    for (const [key, value] of query) {
      if (key === 'summary.value') collection.summary = value;
      else if (key === 'title.value') collection.title = value;
      const lock = /^(\w+)\.locked$/.exec(key)?.[1];
      if (lock && value === '1') collection.locked.add(lock);
    }
    return EMPTY_OK;
  }
  if (metadata && method === 'PUT' && state.options.metadataEditRoute) {
    const item = state.items.get(metadata[1]!);
    if (!item) return NOT_FOUND;
    edit(state, item, query);
    return EMPTY_OK;
  }
  return NOT_FOUND;
}

function sectionOf(state: FakeState, item: FakeItem) {
  return state.options.sections.find((s) => s.id === item.sectionId);
}

function edit(state: FakeState, item: FakeItem, query: [string, string][]): void {
  const collections = applyEdit(item, query, { foldCase: state.options.foldTagCase, actorThumbs: state.actorThumbs });
  // `collection[0].tag.tag=Name` creates the collection if missing (plex-api.md).
  for (const name of collections) ensureCollection(state, item.sectionId, name);
}

function renderCollection(c: FakeCollection): Record<string, unknown> {
  return {
    ratingKey: c.ratingKey,
    key: `/library/collections/${c.ratingKey}/children`,
    type: 'collection',
    subtype: 'movie',
    title: c.title,
    ...(c.summary !== '' ? { summary: c.summary } : {}),
    ...(c.thumb !== null ? { thumb: c.thumb } : {}),
  };
}

/**
 * python-plexapi's route. With `id` (comma-separated keys) it edits those
 * items; WITHOUT `id` it edits every item of the type in the section
 * (plex-api.md), a trap this fake reproduces on purpose.
 */
function editSection(state: FakeState, sectionId: string, query: [string, string][], ids: string | undefined): RouteResult {
  const inSection = [...state.items.values()].filter((i) => i.sectionId === sectionId);
  const targets = ids === undefined ? inSection : inSection.filter((i) => ids.split(',').includes(i.ratingKey));
  const fields = query.filter(([k]) => k !== 'id' && k !== 'type');
  for (const item of targets) edit(state, item, fields);
  return EMPTY_OK;
}

function listSection(
  state: FakeState,
  sectionId: string,
  param: (name: string) => string | undefined,
  headers: IncomingHttpHeaders,
): RouteResult {
  // Paging by header or by query parameter (plex-api.md "Libraries and items").
  const start = Number(headers['x-plex-container-start'] ?? param('X-Plex-Container-Start') ?? 0);
  const sizeText = headers['x-plex-container-size'] ?? param('X-Plex-Container-Size');
  const title = param('title')?.toLowerCase();
  const section = state.options.sections.find((s) => s.id === sectionId);
  const all = sortedSection(state, sectionId, title, param('sort'));
  const end = sizeText === undefined ? all.length : start + Number(sizeText);
  const page = all.slice(start, end).map((item) => renderItem(item, section, false, state.actorThumbs));
  const container: Record<string, unknown> = {
    size: page.length,
    totalSize: all.length,
    offset: start,
    librarySectionID: Number(sectionId),
    librarySectionTitle: section?.title,
  };
  // An empty page omits Metadata altogether (plex-api.md).
  if (page.length > 0) container['Metadata'] = page;
  return { status: 200, json: { MediaContainer: container } };
}

interface Listing {
  items: FakeItem[];
  /** Each item's sort and filter fields when the list was made: any change means a stale list. */
  keys: string[];
  inSection: number;
}

/**
 * Sorting a 100,000-item library on every page request would make paging
 * quadratic, so a section's sorted listing is kept until an item joins or
 * leaves the section or a listed item's title or timestamps change (tests
 * may edit the live item objects directly, so this is re-checked each time).
 */
const listings = new WeakMap<FakeState, Map<string, Listing>>();

const listingKey = (item: FakeItem) => `${item.sectionId}\u0000${item.scalars.titleSort}\u0000${item.scalars.title}\u0000${item.updatedAt}\u0000${item.addedAt}`;

function sortedSection(state: FakeState, sectionId: string, title: string | undefined, sort: string | undefined): FakeItem[] {
  const cacheKey = `${sectionId}\u0000${title ?? ''}\u0000${sort ?? ''}`;
  const cache = listings.get(state) ?? new Map<string, Listing>();
  listings.set(state, cache);
  let inSection = 0;
  for (const item of state.items.values()) if (item.sectionId === sectionId) inSection++;
  // A title search is not cached: an item outside the result may be renamed into it.
  const cached = title === undefined ? cache.get(cacheKey) : undefined;
  if (cached && cached.inSection === inSection && cached.items.every((item, i) => listingKey(item) === cached.keys[i])) return cached.items;
  const items = [...state.items.values()]
    .filter((i) => i.sectionId === sectionId)
    .filter((i) => title === undefined || i.scalars.title.toLowerCase().includes(title))
    .sort(order(sort));
  if (title === undefined) cache.set(cacheKey, { items, keys: items.map(listingKey), inSection });
  return items;
}

/** The same order as String.prototype.localeCompare, without building a collator per call. */
const collator = new Intl.Collator();

function sortTitle(item: FakeItem): string {
  return (item.scalars.titleSort || item.scalars.title).toLowerCase();
}

/**
 * `sort=field:dir` (python-plexapi LibrarySection.search builds the same).
 * Without it Plex orders by sort title, so an edit that changes a title moves
 * the item between pages, as on a real server. Ties fall back to ratingKey.
 */
function order(sort: string | undefined): (a: FakeItem, b: FakeItem) => number {
  const [field, dir] = (sort ?? 'titleSort:asc').split(':');
  const sign = dir === 'desc' ? -1 : 1;
  const byKey = (a: FakeItem, b: FakeItem) => Number(a.ratingKey) - Number(b.ratingKey);
  if (field === 'updatedAt' || field === 'addedAt') {
    return (a, b) => sign * (a[field] - b[field]) || byKey(a, b);
  }
  return (a, b) => sign * collator.compare(sortTitle(a), sortTitle(b)) || byKey(a, b);
}

function recordScan(state: FakeState, sectionId: string, path: string | null): void {
  state.scans.push({ sectionId, path });
  for (const pending of state.pending) {
    const covered = path === null || pending.item.media.some((m) => m.file.startsWith(path));
    if (pending.scansLeft !== undefined && pending.scansLeft > 0 && pending.item.sectionId === sectionId && covered) {
      pending.scansLeft--;
    }
  }
}

/** PUT /:/rate: rating 0..10, -1 clears (python-plexapi RatingMixin.rate). */
function rate(state: FakeState, key: string | undefined, identifier: string | undefined, rating: string | undefined): RouteResult {
  const value = Number(rating);
  const valid = rating !== undefined && rating !== '' && (value === -1 || (value >= 0 && value <= 10));
  if (key === undefined || identifier !== 'com.plexapp.plugins.library' || !valid) return { status: 400 };
  const item = state.items.get(key);
  if (!item) return NOT_FOUND;
  item.userRating = value === -1 ? null : value;
  item.updatedAt = Math.floor(Date.now() / 1000);
  item.lastRatedAt = item.updatedAt;
  return EMPTY_OK;
}
