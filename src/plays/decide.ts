// The pure decisions of the play import: which plays still need sending,
// whether a resume point or a rating moves from Plex into Stash.

/** Stash's rating100 for a Plex user rating (0..10, halves allowed). */
export function toRating100(userRating: number): number {
  return Math.min(100, Math.max(0, Math.round(userRating * 10)));
}

/** A Stash Time (RFC3339, any zone) as epoch seconds. */
export function epochSeconds(time: string): number | undefined {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Stash's Timestamp input: RFC3339 in UTC, whole seconds. */
export function timestampOf(epochSecondsValue: number): string {
  return `${new Date(epochSecondsValue * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * Which of these plays (epoch seconds) Stash does not show yet. `history` is
 * the scene's play_history; `ours` the plays of this scene already recorded as
 * done, which take their own place in it. What is left in the history at a
 * second is a play Stash already has, for instance one sent just before a
 * crash: it absorbs one of ours instead of being written twice.
 */
export function playsToSend(plays: readonly { key: string; viewedAt: number }[], history: readonly number[], ours: readonly number[]): { send: string[]; present: string[] } {
  const left = new Map<number, number>();
  for (const t of history) left.set(t, (left.get(t) ?? 0) + 1);
  for (const t of ours) left.set(t, (left.get(t) ?? 0) - 1);
  const send: string[] = [];
  const present: string[] = [];
  for (const play of plays) {
    const n = left.get(play.viewedAt) ?? 0;
    if (n > 0) {
      left.set(play.viewedAt, n - 1);
      present.push(play.key);
    } else send.push(play.key);
  }
  return { send, present };
}

/**
 * The resume point to write into Stash (seconds), or undefined. A Plex offset
 * counts when it moved since PlexSync last took one (a Plex session happened
 * since); a finished play in Plex (no offset any more) clears the resume point
 * PlexSync wrote, unless Stash has moved it itself since.
 */
export function resumeToWrite(plexOffsetMs: number | null, lastTakenMs: number | null | undefined, stashResume: number | null): number | undefined {
  const stash = stashResume ?? 0;
  const offset = plexOffsetMs ?? 0;
  const near = (a: number, b: number) => Math.abs(a - b) < 1;
  if (offset > 0) {
    if (lastTakenMs !== undefined && lastTakenMs !== null && lastTakenMs === offset) return undefined;
    return near(stash, offset / 1000) ? undefined : offset / 1000;
  }
  if (lastTakenMs && lastTakenMs > 0 && near(stash, lastTakenMs / 1000)) return 0;
  return undefined;
}

export interface RatingSides {
  /** Stash rating100, null when unrated. */
  stash: number | null;
  /** Epoch ms of the scene's last update in Stash (the closest Stash tells to "rated at"). */
  stashChangedAt: number | null;
  /** Plex's rating on Stash's scale (x10), null when unrated. */
  plex: number | null;
  /** Epoch ms of Plex's lastRatedAt. */
  plexRatedAt: number | null;
  /** The rating both last showed, when known. */
  agreed: number | null | undefined;
}

/**
 * Whose rating stands. A side that moved away from the last agreed value wins
 * over one that did not; when both moved (or nothing was agreed yet), the
 * later change wins. Plex being unrated never clears Stash's rating: an item
 * re-added in Plex starts unrated, and that is no decision of the user.
 */
export function ratingWinner(s: RatingSides): 'same' | 'plex' | 'stash' {
  if (s.stash === s.plex) return 'same';
  if (s.plex === null) return 'stash';
  if (s.agreed !== undefined && s.agreed !== null) {
    const stashMoved = s.stash !== s.agreed;
    const plexMoved = s.plex !== s.agreed;
    if (plexMoved && !stashMoved) return 'plex';
    if (stashMoved && !plexMoved) return 'stash';
  }
  if (s.stash === null) return 'plex';
  if (s.plexRatedAt === null) return 'stash';
  if (s.stashChangedAt === null) return 'plex';
  return s.plexRatedAt > s.stashChangedAt ? 'plex' : 'stash';
}
