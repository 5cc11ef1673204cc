// What Plex shows of every matched item for the token's account: resume
// point and rating. Few matched items in a section are fetched by key (40 per
// request); many are read from the section listing, 1000 items a page, which
// carries the same per-account attributes.
import { type Db, sql } from '../db/database.ts';
import type { PlexClient } from '../plex/client.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { PlexPlayState } from './model.ts';

const LISTING_PAGE = 1000;
/** Below this many matched items in a section, fetching by key is cheaper than listing it. */
const BY_KEY_BELOW = 400;
const MAX_PAGES = 10_000;

export interface MatchedItem {
  sceneId: string;
  ratingKey: string;
  sectionId: string | null;
}

export function matchedItems(db: Db): MatchedItem[] {
  const rows = sql(db, 'SELECT scene_id, rating_key, section_id FROM sync_records ORDER BY scene_id').all() as {
    scene_id: string;
    rating_key: string;
    section_id: string | null;
  }[];
  return rows.map((r) => ({ sceneId: r.scene_id, ratingKey: r.rating_key, sectionId: r.section_id }));
}

export function toPlayState(item: PlexMetadata): PlexPlayState {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const offset = num(item.viewOffset);
  return {
    ratingKey: String(item.ratingKey),
    viewOffsetMs: offset !== null && offset > 0 ? offset : null,
    userRating: num(item.userRating),
    lastRatedAt: num(item.lastRatedAt),
  };
}

export async function readPlexStates(plex: PlexClient, items: readonly MatchedItem[], signal?: AbortSignal): Promise<Map<string, PlexPlayState>> {
  const states = new Map<string, PlexPlayState>();
  const bySection = new Map<string | null, Set<string>>();
  for (const item of items) {
    const keys = bySection.get(item.sectionId) ?? new Set<string>();
    keys.add(item.ratingKey);
    bySection.set(item.sectionId, keys);
  }
  for (const [sectionId, keys] of bySection) {
    if (sectionId === null || keys.size < BY_KEY_BELOW) {
      for (const item of await plex.getItems([...keys], signal)) states.set(String(item.ratingKey), toPlayState(item));
      continue;
    }
    let start = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { items: listed, totalSize } = await plex.listSectionPage(sectionId, start, LISTING_PAGE, signal);
      for (const item of listed) if (keys.has(String(item.ratingKey))) states.set(String(item.ratingKey), toPlayState(item));
      start += listed.length;
      if (listed.length < LISTING_PAGE || start >= totalSize) break;
    }
  }
  return states;
}
