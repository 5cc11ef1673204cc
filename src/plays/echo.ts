// Loop guards for ratings taken from Plex. Writing rating100 into Stash fires
// Scene.Update.Post; that hook must not queue a sync that sends the same
// rating back (or, if the user re-rated in Plex meanwhile, an older one).
import { type Db, sql } from '../db/database.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { StashScene } from '../sync/model.ts';
import { ratingWinner, toRating100 } from './decide.ts';
import { getPlayState } from './ledger.ts';

/** A hook later than this after the write is not the write's own. */
export const ECHO_WINDOW_MS = 10 * 60_000;

const IGNORED = new Set(['id', 'clientMutationId']);

/**
 * True for the Scene.Update.Post that PlexSync's own rating write causes: an
 * update carrying only rating100, with the very value PlexSync wrote moments
 * ago. One indexed lookup, only for rating-only updates.
 */
export function isImportedRatingEcho(db: Db, type: string, sceneId: string, input: unknown, keys: readonly string[] | undefined, now = Date.now()): boolean {
  if (type !== 'Scene.Update.Post' || !keys || !input || typeof input !== 'object' || Array.isArray(input)) return false;
  const sent = keys.filter((k) => !IGNORED.has(k));
  if (sent.length !== 1 || sent[0] !== 'rating100') return false;
  const value = (input as Record<string, unknown>).rating100;
  if (typeof value !== 'number') return false;
  const row = sql(db, 'SELECT written_rating100 AS v, rating_written_at AS at FROM play_state_imports WHERE scene_id = ?').get(sceneId) as
    | { v: number | null; at: number | null }
    | undefined;
  return row?.v === value && row.at !== null && now - row.at >= 0 && now - row.at < ECHO_WINDOW_MS;
}

/**
 * For the Stash -> Plex sync with importRatings on: true when Plex's rating
 * is the later change and must stand (the next import brings it into Stash),
 * so the sync leaves Plex's rating alone instead of overwriting it.
 */
export function plexRatingStands(db: Db, scene: StashScene, item: PlexMetadata): boolean {
  const plex = typeof item.userRating === 'number' ? toRating100(item.userRating) : null;
  const changedAt = Date.parse(scene.updatedAt);
  return (
    ratingWinner({
      stash: scene.rating100,
      stashChangedAt: Number.isNaN(changedAt) ? null : changedAt,
      plex,
      plexRatedAt: typeof item.lastRatedAt === 'number' ? item.lastRatedAt * 1000 : null,
      agreed: getPlayState(db, scene.id)?.agreedRating100,
    }) === 'plex'
  );
}
