// How well the current pathMap matches, as the last full comparison saw it
// (reconcile, dry_run over everything, detect_paths). `status` reads this
// instead of scanning anything itself.
import { type Db, getKv, setKv } from '../db/database.ts';

export interface MatchStats {
  at: string;
  by: string;
  /** Scenes with at least one file. */
  scenes: number;
  /** Of those, matched to a Plex item with the current pathMap. */
  matched: number;
  /** Of the matched, those matched by exact path (the rest by basename and size only); absent: not counted. */
  exact?: number;
  /** A suggested pathMap, when detect_paths found a better one. */
  suggestion?: string;
}

const KEY = 'path_match_stats';
/** Below this share of matched scenes, `status` warns. */
const WARN_BELOW = 0.5;
/** Too few scenes say nothing about the mapping. */
const MIN_SCENES = 10;

export function recordMatchStats(db: Db, stats: Omit<MatchStats, 'at'>): void {
  setKv(db, KEY, JSON.stringify({ at: new Date().toISOString(), ...stats }));
}

export function readMatchStats(db: Db): MatchStats | undefined {
  const raw = getKv(db, KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as MatchStats;
  } catch {
    return undefined;
  }
}

/**
 * A readable warning when few scenes find their Plex item, or when more of
 * them are found only by basename and size than by exact path (a wrong
 * mapping that the fallback hides), else undefined.
 */
export function matchWarning(stats: MatchStats | undefined): string | undefined {
  if (!stats || stats.scenes < MIN_SCENES) return undefined;
  const hint = stats.suggestion ? `; detect_paths suggests pathMap "${stats.suggestion}"` : '; run the detect_paths task for a suggested pathMap';
  const fallback = stats.exact === undefined ? 0 : stats.matched - stats.exact;
  if (stats.exact !== undefined && fallback > stats.exact) {
    return `${fallback} of ${stats.scenes} scenes matched their Plex item only by file name and size, more than by exact path (${stats.exact}): the pathMap is probably wrong (${stats.by}, ${stats.at})${hint}`;
  }
  if (stats.matched / stats.scenes >= WARN_BELOW) return undefined;
  return `the current pathMap matched only ${stats.matched} of ${stats.scenes} scenes to a Plex item (${stats.by}, ${stats.at})${hint}`;
}
