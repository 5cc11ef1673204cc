// The fake Plex's custom metadata agent: what PMS 1.43+ does for a library
// whose agent is a Custom Metadata Provider (plex-findings.md A6). On a scan
// of a new file, and on PUT /library/metadata/{rk}/refresh, it asks the
// provider's match feature (POST, JSON body with type, title, filename)
// unless the item already carries the provider's guid, then its metadata
// feature, and stores what it got. Locked fields keep their value, as on a
// refresh with any agent (plex-findings.md A3).
import type { FakeItem } from './plex-server-library.ts';

export interface AgentOptions {
  /** The provider's base URL, as entered under Settings > Metadata Agents. */
  providerUrl: string;
  /** Send `filename` relative to the section's location (the documentation's form) instead of the full path. */
  relative?: boolean;
}

interface ProviderMetadata {
  guid: string;
  ratingKey: string;
  title?: string;
  summary?: string;
  originallyAvailableAt?: string;
  year?: number;
  studio?: string;
  contentRating?: string;
  thumb?: string;
  Genre?: { tag: string }[];
  Role?: { tag: string; thumb?: string }[];
  Director?: { tag: string }[];
  Collection?: { tag: string }[];
  Rating?: { value: number }[];
}

interface Container {
  MediaContainer?: { Metadata?: ProviderMetadata[] };
}

export type AgentRun = (item: FakeItem, locations: readonly string[]) => Promise<void>;

export function customAgent(options: AgentOptions): AgentRun {
  const base = options.providerUrl.replace(/\/+$/, '');
  return async (item, locations) => {
    const file = item.media[0]?.file ?? '';
    let ratingKey = item.guid?.startsWith('tv.plex.agents.custom.plexsync://movie/') ? item.guid.split('/').pop() : undefined;
    if (!ratingKey) {
      const location = locations.find((l) => file.startsWith(`${l.replace(/\/+$/, '')}/`));
      const filename = options.relative && location ? file.slice(location.replace(/\/+$/, '').length) : file;
      // Plex's title hint for a new file is its name without the extension.
      const title = (file.split('/').pop() ?? '').replace(/\.[^.]+$/, '');
      const res = await fetch(`${base}/library/metadata/matches`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ type: 1, title, filename }),
      });
      if (res.status !== 200) throw new Error(`provider match answered ${res.status}`);
      const best = ((await res.json()) as Container).MediaContainer?.Metadata?.[0];
      if (!best) return; // no match: the fallback agent's values stay
      ratingKey = best.ratingKey;
    }
    const res = await fetch(`${base}/library/metadata/${ratingKey}`, { headers: { Accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`provider metadata answered ${res.status}`);
    const meta = ((await res.json()) as Container).MediaContainer?.Metadata?.[0];
    if (!meta) throw new Error('provider metadata answered no item');
    store(item, meta);
  };
}

function store(item: FakeItem, m: ProviderMetadata): void {
  const open = (field: string) => !item.locked.has(field);
  item.guid = m.guid;
  if (open('title') && m.title) item.scalars.title = m.title;
  if (open('summary')) item.scalars.summary = m.summary ?? '';
  if (open('originallyAvailableAt')) {
    item.scalars.originallyAvailableAt = m.originallyAvailableAt ?? '';
    item.year = m.year ?? null;
  }
  if (open('studio')) item.scalars.studio = m.studio ?? '';
  if (open('contentRating')) item.scalars.contentRating = m.contentRating ?? '';
  const tags = (list: { tag: string }[] | undefined) => (list ?? []).map((t) => t.tag);
  if (open('genre')) item.tags['Genre'] = tags(m.Genre);
  if (open('actor')) {
    item.tags['Role'] = tags(m.Role);
    item.roleThumbs = Object.fromEntries((m.Role ?? []).filter((r) => r.thumb).map((r) => [r.tag, r.thumb!]));
  }
  if (open('director')) item.tags['Director'] = tags(m.Director);
  if (open('collection')) item.tags['Collection'] = tags(m.Collection);
  item.audienceRating = m.Rating?.[0]?.value ?? null;
  // Plex downloads the provider's poster and serves its own copy.
  if (open('thumb') && m.thumb) {
    item.providerThumb = m.thumb;
    item.thumb = `/library/metadata/${item.ratingKey}/thumb/${Math.floor(Date.now() / 1000)}`;
  }
  item.updatedAt = Math.floor(Date.now() / 1000);
}
