// A group's front cover and synopsis on its Plex collection. A collection is
// an item of its own in Plex: its ratingKey comes from the section's
// collection list, its summary is edited like an item field, and its poster
// is uploaded like an item's. What was last sent is recorded per (section,
// collection) in SQLite, so each cover is uploaded once and again only when
// it changes, and an unchanged group costs no request at all.
import { type Db, sql } from '../db/database.ts';
import { errorCode } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { PlexClient, PlexCollection } from '../plex/client.ts';
import type { StashClient } from '../stash/client.ts';
import type { StashScene } from './model.ts';
import { fingerprint } from './fingerprint.ts';

interface ArtRow {
  summaryHash: string | null;
  posterUrl: string | null;
  posterHash: string | null;
}

export interface CollectionArtDeps {
  db: Db;
  stash: StashClient;
  plex: PlexClient;
  log: Logger;
}

function getArt(db: Db, sectionId: string, name: string): ArtRow | undefined {
  const row = sql(db, 'SELECT summary_hash, poster_url, poster_hash FROM collection_art WHERE section_id = ? AND name = ?').get(sectionId, name) as
    | { summary_hash: string | null; poster_url: string | null; poster_hash: string | null }
    | undefined;
  return row && { summaryHash: row.summary_hash, posterUrl: row.poster_url, posterHash: row.poster_hash };
}

function putArt(db: Db, sectionId: string, name: string, art: ArtRow): void {
  sql(
    db,
    `INSERT INTO collection_art (section_id, name, summary_hash, poster_url, poster_hash) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (section_id, name) DO UPDATE SET summary_hash = excluded.summary_hash, poster_url = excluded.poster_url, poster_hash = excluded.poster_hash`,
  ).run(sectionId, name, art.summaryHash, art.posterUrl, art.posterHash);
}

function restoreArt(db: Db, sectionId: string, name: string, previous: ArtRow | undefined): void {
  if (previous) putArt(db, sectionId, name, previous);
  else sql(db, 'DELETE FROM collection_art WHERE section_id = ? AND name = ?').run(sectionId, name);
}

/**
 * What a group's collection still needs. The cover is compared by Stash's
 * URL, which carries a change stamp (`?t=`), so nothing is downloaded to
 * decide; an empty synopsis is not sent to a collection never touched.
 */
function due(group: StashScene['groups'][number], previous: ArtRow | undefined): { summary: boolean; poster: boolean } {
  const summary = group.description ?? '';
  return {
    summary: previous?.summaryHash !== fingerprint(summary) && !(previous === undefined && summary === ''),
    poster: (group.coverUrl ?? null) !== null && previous?.posterUrl !== group.coverUrl,
  };
}

/** The groups whose cover or synopsis a sync would send to their collection (for the dry run and reconcile). */
export function artDue(db: Db, scene: StashScene, sectionId: string, managed: readonly string[]): string[] {
  return scene.groups.flatMap((group) => {
    const name = group.name.trim();
    if (!managed.includes(name)) return [];
    const need = due(group, getArt(db, sectionId, name));
    return need.summary || need.poster ? [name] : [];
  });
}

/**
 * Sends the cover and synopsis of each of the scene's groups that PlexSync
 * keeps as a collection (`managed`) in the item's section. Returns what was
 * sent, e.g. ["poster of Summer Series"]. A collection with a summary that
 * PlexSync never sent was written by hand and is left alone.
 */
export async function syncCollectionArt(
  scene: StashScene,
  sectionId: string,
  managed: readonly string[],
  deps: CollectionArtDeps,
  signal?: AbortSignal,
): Promise<string[]> {
  const { db, plex, stash, log } = deps;
  const sent: string[] = [];
  let collections: PlexCollection[] | undefined;
  for (const group of scene.groups) {
    const name = group.name.trim();
    if (!managed.includes(name)) continue;
    const summary = group.description ?? '';
    const summaryHash = fingerprint(summary);
    const posterUrl = group.coverUrl ?? null;
    const previous = getArt(db, sectionId, name);
    const { summary: summaryDue, poster: posterDue } = due(group, previous);
    if (!summaryDue && !posterDue) continue;

    // Claimed before any request (SQLite calls are synchronous, so a second
    // scene of the same group synced alongside sees the claim and sends nothing).
    putArt(db, sectionId, name, { summaryHash, posterUrl: posterUrl ?? previous?.posterUrl ?? null, posterHash: previous?.posterHash ?? null });
    try {
      collections ??= await plex.listCollections(sectionId, signal);
      const collection = collections.find((c) => c.title === name);
      if (!collection) {
        // Plex makes a collection when an edit first names it; none yet means try next time.
        restoreArt(db, sectionId, name, previous);
        continue;
      }
      if (previous === undefined && collection.summary !== '' && collection.summary !== summary) {
        log.info(`Plex collection "${name}" has a summary PlexSync did not write: its summary and poster are left alone`);
        restoreArt(db, sectionId, name, previous);
        continue;
      }
      if (summaryDue) {
        await plex.editCollectionSummary(collection.ratingKey, summary, signal);
        sent.push(`summary of ${name}`);
      }
      let posterHash = previous?.posterHash ?? null;
      if (posterDue && posterUrl !== null) {
        const image = await fetchCover(stash, posterUrl);
        if (image) {
          const hash = fingerprint(image.bytes);
          if (hash !== posterHash) {
            await plex.uploadPoster(collection.ratingKey, image.bytes, image.contentType, signal);
            sent.push(`poster of ${name}`);
          }
          posterHash = hash;
        }
      }
      putArt(db, sectionId, name, { summaryHash, posterUrl: posterUrl ?? previous?.posterUrl ?? null, posterHash });
    } catch (err) {
      restoreArt(db, sectionId, name, previous);
      throw err;
    }
  }
  return sent;
}

/** A cover Stash cannot serve (deleted meanwhile) is none, not a failure. */
async function fetchCover(stash: StashClient, url: string) {
  try {
    return await stash.fetchImage(url);
  } catch (err) {
    if (errorCode(err) === 'not_found') return undefined;
    throw err;
  }
}
