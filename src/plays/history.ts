// New plays from Plex's history, per account and searched section, oldest
// first, from a margin before the newest play seen there. Every entry is
// recorded in the ledger as soon as it arrives; the watermark moves after.
import type { Db } from '../db/database.ts';
import type { PlexClient } from '../plex/client.ts';
import type { PlexHistoryEntry } from '../plex/wire.ts';
import { getWatermark, recordEntries, setWatermark } from './ledger.ts';
import type { PlayEntry } from './model.ts';

const PAGE_SIZE = 500;
/** A bound on one account's pages in one section per run: 5 million plays. */
const MAX_PAGES = 10_000;
/**
 * Plays can reach Plex's history late (a client that was offline, a clock
 * off); asking again from a day before the newest seen costs a page, and the
 * ledger keeps each play once.
 */
export const OVERLAP_SECONDS = 24 * 3600;

export function toEntry(e: PlexHistoryEntry, fallbackAccount: number, sectionId: string): PlayEntry | undefined {
  if (e.ratingKey === undefined || typeof e.viewedAt !== 'number') return undefined;
  const accountId = typeof e.accountID === 'number' ? e.accountID : fallbackAccount;
  const ratingKey = String(e.ratingKey);
  const key = e.historyKey ? String(e.historyKey) : `${accountId}:${ratingKey}:${e.viewedAt}`;
  const section = e.librarySectionID === undefined ? sectionId : String(e.librarySectionID);
  return { key, accountId, ratingKey, sectionId: section, viewedAt: Math.floor(e.viewedAt) };
}

export interface FetchResult {
  seen: number;
  added: number;
}

export async function fetchNewPlays(
  db: Db,
  plex: PlexClient,
  accountId: number,
  sectionId: string,
  signal?: AbortSignal,
  record = true,
): Promise<FetchResult & { entries: PlayEntry[] }> {
  const watermark = getWatermark(db, accountId, sectionId);
  const viewedAfter = watermark === undefined ? 0 : Math.max(0, watermark - OVERLAP_SECONDS);
  const result = { seen: 0, added: 0, entries: [] as PlayEntry[] };
  let start = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { entries, totalSize } = await plex.historyPage({ accountId, sectionId, viewedAfter }, start, PAGE_SIZE, signal);
    // Plex filters by account already; an entry of another account is not ours to take.
    const plays = entries.flatMap((e) => toEntry(e, accountId, sectionId) ?? []).filter((p) => p.accountId === accountId);
    result.seen += plays.length;
    if (record) {
      result.added += recordEntries(db, plays);
      const newest = plays.reduce((max, p) => Math.max(max, p.viewedAt), 0);
      if (newest > 0) setWatermark(db, accountId, sectionId, newest);
    } else result.entries.push(...plays);
    start += entries.length;
    if (entries.length < PAGE_SIZE || start >= totalSize) break;
  }
  return result;
}
