// Which Stash scene a file Plex scanned is. Pure: the candidates come from
// bounded Stash lookups (source.ts), the ranking happens here.
//
// Plex sends `filename` as a full path on some servers and relative to one
// of the library's folders on others (the provider documentation says
// relative, `/Movies/Back to the Future (1985).mp4`; providers in the wild
// report full paths), with or without a leading separator. Both are tried:
// a Stash file whose Plex path (through pathMap) is the filename is the
// match; else one whose Plex path ends with it at a folder boundary; else a
// single scene with a file of that basename. Title and year come last, with
// a lower score, and only when no file name matched at all.
import { basenameOf, mapStashPath, type PathMapping, pathKey } from '../match/pathmap.ts';
import type { MatchCandidate, MatchReason, ProviderScene } from './model.ts';

export const SCORES: Readonly<Record<MatchReason, number>> = Object.freeze({ path: 100, relative_path: 95, basename: 85, title_year: 60 });
/** A title match without a year to confirm it. */
export const TITLE_ONLY_SCORE = 50;

export interface MatchHints {
  filename?: string | undefined;
  title?: string | undefined;
  year?: number | undefined;
}

/** Forward slashes, and for Windows paths folded case, so suffixes compare. */
function comparable(path: string): string {
  return pathKey(path).replaceAll('\\', '/');
}

function trimLeadingSeparators(path: string): string {
  return path.replace(/^[\\/]+/, '');
}

/** The best reason one scene's files give for this filename, if any. */
function fileReason(scene: ProviderScene, filename: string, mappings: readonly PathMapping[]): MatchReason | undefined {
  const wanted = comparable(filename);
  const relative = trimLeadingSeparators(wanted);
  const base = basenameOf(filename);
  let best: MatchReason | undefined;
  for (const file of scene.files) {
    const plexPath = comparable(mapStashPath(file.path, mappings));
    if (plexPath === wanted) return 'path';
    if (relative !== '' && plexPath.endsWith(`/${relative}`)) best = 'relative_path';
    else if (best === undefined && basenameOf(file.path) === base) best = 'basename';
  }
  return best;
}

function sceneYear(scene: ProviderScene): number | undefined {
  const year = Number(scene.date?.slice(0, 4));
  return Number.isInteger(year) && year > 0 ? year : undefined;
}

function titleCandidate(scene: ProviderScene, hints: MatchHints): MatchCandidate | undefined {
  const title = hints.title?.trim().toLocaleLowerCase('und');
  if (!title || scene.title?.trim().toLocaleLowerCase('und') !== title) return undefined;
  const year = sceneYear(scene);
  if (hints.year !== undefined && year !== undefined && year !== hints.year) return undefined;
  const confirmed = hints.year !== undefined && year === hints.year;
  return { scene, reason: 'title_year', score: confirmed ? SCORES.title_year : TITLE_ONLY_SCORE };
}

/** Every candidate, best first (score, then lower scene id). */
export function rankCandidates(byFile: readonly ProviderScene[], byTitle: readonly ProviderScene[], hints: MatchHints, mappings: readonly PathMapping[]): MatchCandidate[] {
  const found = new Map<string, MatchCandidate>();
  if (hints.filename) {
    for (const scene of byFile) {
      const reason = fileReason(scene, hints.filename, mappings);
      if (reason) found.set(scene.id, { scene, reason, score: SCORES[reason] });
    }
  }
  for (const scene of byTitle) {
    if (found.has(scene.id)) continue;
    const candidate = titleCandidate(scene, hints);
    if (candidate) found.set(scene.id, candidate);
  }
  return [...found.values()].sort((a, b) => b.score - a.score || Number(a.scene.id) - Number(b.scene.id));
}

/**
 * The one scene an automatic match may take: the single candidate of the
 * best reason present. Two scenes for one reason is ambiguous and matches
 * nothing, as in edit mode: Plex then keeps what its fallback agent found
 * and the user can pick with Fix Match (manual), which lists them all.
 */
export function bestMatch(ranked: readonly MatchCandidate[]): MatchCandidate | undefined {
  const top = ranked[0];
  if (!top) return undefined;
  const sameReason = ranked.filter((c) => c.reason === top.reason);
  return sameReason.length === 1 ? top : undefined;
}

/** Whether title candidates are worth asking Stash for. */
export function needsTitleLookup(byFile: readonly ProviderScene[], hints: MatchHints, mappings: readonly PathMapping[], manual: boolean): boolean {
  if (!hints.title?.trim()) return false;
  if (manual || !hints.filename) return true;
  const filename = hints.filename;
  return !byFile.some((scene) => fileReason(scene, filename, mappings) !== undefined);
}
