// The fake Plex's play history and local accounts: GET
// /status/sessions/history/all (plex-openapi listPlaybackHistory, filters as
// python-plexapi server.history sends them) and GET /accounts (plexapi
// SystemAccount; the owner is id 1, plexapi server.py).

import type { IncomingHttpHeaders } from 'node:http';

export interface FakePlay {
  historyId: number;
  ratingKey: string;
  sectionId: string;
  accountId: number;
  deviceId: number;
  /** Epoch seconds. */
  viewedAt: number;
  title: string;
}

export interface FakeAccount {
  id: number;
  name: string;
}

export interface HistoryState {
  plays: FakePlay[];
  accounts: FakeAccount[];
  nextHistoryId: number;
}

export function newHistoryState(): HistoryState {
  return { plays: [], accounts: [{ id: 1, name: 'owner' }], nextHistoryId: 1 };
}

/**
 * Filters by accountID, librarySectionID, metadataItemID and viewedAt with
 * an operator in the key (`viewedAt>` means later than); sorts by `viewedAt` either way; pages with
 * X-Plex-Container-Start/Size in headers or query. Admin tokens see every
 * account's plays (plex-openapi: "Admin can see all users").
 */
export function listHistory(h: HistoryState, query: [string, string][], headers: IncomingHttpHeaders): unknown {
  const param = (name: string) => query.find(([k]) => k === name)?.[1];
  let plays = [...h.plays];
  const account = param('accountID');
  if (account !== undefined) plays = plays.filter((p) => String(p.accountId) === account);
  const section = param('librarySectionID');
  if (section !== undefined) plays = plays.filter((p) => p.sectionId === section);
  const item = param('metadataItemID');
  if (item !== undefined) plays = plays.filter((p) => p.ratingKey === item);
  for (const [key, value] of query) {
    // `viewedAt>=5` splits at its `=` into the key `viewedAt>` and the value 5.
    const op = /^viewedAt(>=|<=|>|<)$/.exec(key)?.[1];
    if (!op) continue;
    const n = Number(value);
    plays = plays.filter((p) => (op === '>' ? p.viewedAt > n : op === '>=' ? p.viewedAt >= n : op === '<' ? p.viewedAt < n : p.viewedAt <= n));
  }
  const desc = (param('sort') ?? 'viewedAt:desc').startsWith('viewedAt:desc');
  plays.sort((a, b) => (desc ? b.viewedAt - a.viewedAt || b.historyId - a.historyId : a.viewedAt - b.viewedAt || a.historyId - b.historyId));
  const start = Number(headers['x-plex-container-start'] ?? param('X-Plex-Container-Start') ?? 0);
  const sizeText = headers['x-plex-container-size'] ?? param('X-Plex-Container-Size');
  const page = plays.slice(start, sizeText === undefined ? undefined : start + Number(sizeText));
  const container: Record<string, unknown> = { size: page.length, totalSize: plays.length, offset: start };
  if (page.length > 0) {
    container['Metadata'] = page.map((p) => ({
      historyKey: `/status/sessions/history/${p.historyId}`,
      key: `/library/metadata/${p.ratingKey}`,
      ratingKey: p.ratingKey,
      librarySectionID: p.sectionId,
      title: p.title,
      type: 'movie',
      viewedAt: p.viewedAt,
      accountID: p.accountId,
      deviceID: p.deviceId,
    }));
  }
  return { MediaContainer: container };
}

export function listAccounts(h: HistoryState): unknown {
  const accounts = h.accounts.map((a) => ({ id: a.id, key: `/accounts/${a.id}`, name: a.name }));
  return { MediaContainer: { size: accounts.length, identifier: 'com.plexapp.system.accounts', Account: accounts } };
}
