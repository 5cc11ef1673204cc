// Suggests a `pathMap` from the files both sides know. Pure.
//
// Stash and Plex usually see the same files under different mount points
// (Docker volumes, a Windows Stash and a Linux Plex). For each Stash file,
// a Plex file with the same name is aligned with it from the end, segment by
// segment: the longest common suffix is the part both sides share, and what
// is left in front is a (stashPrefix, plexPrefix) pair. Pairs that many
// files agree on become the suggestion. When one Stash prefix would map to
// two Plex prefixes (two libraries mounted apart), the pairs of those files
// are made one segment more specific until they no longer collide.
import { type Candidate, type CandidateLookup, decideMatch, type SceneFile } from './decide.ts';
import { basenameKey, basenameOf, isWindowsPath, mapStashPath, type PathMapping, pathKey, samePath } from './pathmap.ts';

export interface SceneFiles {
  sceneId: string;
  files: readonly SceneFile[];
}

export interface PlexFile {
  path: string;
  size: number | null;
}

export interface DetectedMapping extends PathMapping {
  /** Stash files whose Plex twin this pair explains. */
  files: number;
}

export interface PathDetection {
  /** `stashPrefix=>plexPrefix;...`; '' when the paths need no mapping (or nothing matched). */
  suggestion: string;
  mappings: DetectedMapping[];
  /** Scenes with at least one file. */
  scenes: number;
  /** Matched at all (exact path or basename and size) with the suggestion / the current pathMap. */
  matchedWithSuggestion: number;
  matchedWithCurrent: number;
  /** Of those, matched by exact path; the rest only by basename and size, which hides a wrong mapping. */
  exactWithSuggestion: number;
  exactWithCurrent: number;
  /** True when the suggestion matches more scenes by exact path than the current pathMap. */
  better: boolean;
  /** Scenes the suggestion leaves unmatched (the first `maxUnexplained`). */
  unexplained: { sceneId: string; path: string }[];
  unexplainedCount: number;
}

export interface DetectOptions {
  /** Files a pair needs before it is suggested; default 2 (1 for tiny libraries). */
  minAgree?: number;
  maxUnexplained?: number;
}

interface Alignment {
  stash: string[];
  plex: string[];
  stashWindows: boolean;
  plexWindows: boolean;
  /** Segments shared at the end, the basename included. */
  common: number;
  /** Shared segments moved into the prefixes (0 = the shortest prefixes). */
  level: number;
}

const split = (path: string, windows: boolean) => (windows ? path.split(/[\\/]/) : path.split('/'));

function joinPrefix(segments: readonly string[], windows: boolean): string {
  if (windows) return segments.length === 1 ? `${segments[0]}\\` : segments.join('\\');
  return segments.join('/') || '/';
}

/** Plex's own side decides case: a Windows Plex folds it, a Linux Plex does not. */
function sameSegment(a: string, b: string, fold: boolean): boolean {
  return a === b || (fold && a.toLocaleLowerCase('und') === b.toLocaleLowerCase('und'));
}

function align(stashPath: string, plexPath: string): Alignment {
  const stashWindows = isWindowsPath(stashPath);
  const plexWindows = isWindowsPath(plexPath);
  const stash = split(stashPath, stashWindows);
  const plex = split(plexPath, plexWindows);
  let common = 0;
  while (
    common < stash.length - 1 &&
    common < plex.length - 1 &&
    sameSegment(stash[stash.length - 1 - common]!, plex[plex.length - 1 - common]!, plexWindows)
  ) {
    common++;
  }
  // A root prefix ("/=>/videos") reads badly: name the first shared folder instead.
  // (A prefix of one segment is '/' or a bare drive such as 'C:'.)
  const atRoot = (segs: string[]) => segs.length - common <= 1;
  const level = common >= 2 && (atRoot(stash) || atRoot(plex)) ? 1 : 0;
  return { stash, plex, stashWindows, plexWindows, common, level };
}

function pairOf(a: Alignment): PathMapping {
  return {
    stash: joinPrefix(a.stash.slice(0, a.stash.length - a.common + a.level), a.stashWindows),
    plex: joinPrefix(a.plex.slice(0, a.plex.length - a.common + a.level), a.plexWindows),
  };
}

/** An in-memory CandidateLookup over Plex's files. */
export function plexFileLookup(files: readonly PlexFile[]): CandidateLookup {
  const byPath = new Map<string, Candidate[]>();
  const byName = new Map<string, Candidate[]>();
  files.forEach((f, i) => {
    const c: Candidate = { ratingKey: String(i), sectionId: '', file: f.path, size: f.size };
    const add = (map: Map<string, Candidate[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(c);
      else map.set(key, [c]);
    };
    add(byPath, pathKey(f.path));
    add(byName, basenameKey(basenameOf(f.path)));
  });
  return { byPath: (p) => byPath.get(pathKey(p)) ?? [], byBasename: (n) => byName.get(basenameKey(n)) ?? [] };
}

/** The best-aligned Plex twin of a Stash file, if exactly one stands out. */
function bestAlignment(file: SceneFile, lookup: CandidateLookup): Alignment | undefined {
  const name = basenameOf(file.path);
  let best: Alignment[] = [];
  for (const c of lookup.byBasename(name)) {
    if (file.size !== null && c.size !== null && file.size !== c.size) continue;
    const a = align(file.path, c.file);
    if (a.common === 0) continue;
    if (best.length === 0 || a.common > best[0]!.common) best = [a];
    else if (a.common === best[0]!.common) best.push(a);
  }
  return best.length === 1 ? best[0] : undefined;
}

export function detectPathMap(
  scenes: readonly SceneFiles[],
  plexFiles: readonly PlexFile[],
  current: readonly PathMapping[],
  options: DetectOptions = {},
): PathDetection {
  const lookup = plexFileLookup(plexFiles);
  const alignments = scenes.flatMap((s) => s.files.flatMap((f) => bestAlignment(f, lookup) ?? []));
  separateCollisions(alignments);
  const mappings = choosePairs(alignments, options.minAgree ?? (alignments.length < 10 ? 1 : 2));

  const withFiles = scenes.filter((s) => s.files.length > 0);
  const via = (s: SceneFiles, m: readonly PathMapping[]) => {
    const d = decideMatch(s.files, m, lookup);
    return d.kind === 'matched' ? d.via : undefined;
  };
  const tally = (m: readonly PathMapping[]) => {
    const vias = withFiles.map((s) => via(s, m));
    return { matched: vias.filter((v) => v !== undefined).length, exact: vias.filter((v) => v === 'path').length };
  };
  const unexplained = withFiles.filter((s) => via(s, mappings) === undefined);
  const withSuggestion = tally(mappings);
  const withCurrent = tally(current);
  return {
    suggestion: mappings.map((m) => `${m.stash}=>${m.plex}`).join(';'),
    mappings,
    scenes: withFiles.length,
    matchedWithSuggestion: withSuggestion.matched,
    matchedWithCurrent: withCurrent.matched,
    exactWithSuggestion: withSuggestion.exact,
    exactWithCurrent: withCurrent.exact,
    // Exact matches decide: basename-and-size fallbacks can make a wrong mapping look right.
    better: withSuggestion.exact > withCurrent.exact || (withSuggestion.exact === withCurrent.exact && withSuggestion.matched > withCurrent.matched),
    unexplained: unexplained.slice(0, options.maxUnexplained ?? 50).map((s) => ({ sceneId: s.sceneId, path: s.files[0]!.path })),
    unexplainedCount: unexplained.length,
  };
}

/** Makes colliding pairs (one Stash prefix, several Plex prefixes) more specific, a segment at a time. */
function separateCollisions(alignments: Alignment[]): void {
  for (let round = 0; round < 64; round++) {
    const targets = new Map<string, Set<string>>();
    for (const a of alignments) {
      const p = pairOf(a);
      targets.set(p.stash, (targets.get(p.stash) ?? new Set()).add(p.plex));
    }
    // Stryker disable next-line BooleanLiteral: starting true only runs the rounds left, which move nothing once nothing moved
    let moved = false;
    for (const a of alignments) {
      // Stryker disable next-line OptionalChaining: every alignment's Stash prefix was just put in targets
      if ((targets.get(pairOf(a).stash)?.size ?? 0) > 1 && a.level < a.common - 1) {
        a.level++;
        moved = true;
      }
    }
    if (!moved) return;
  }
}

/** Most-agreed pairs first; a pair is kept when it explains files the kept ones do not. */
function choosePairs(alignments: readonly Alignment[], minAgree: number): DetectedMapping[] {
  const votes = new Map<string, DetectedMapping & { example: { stash: string; plex: string } }>();
  for (const a of alignments) {
    const pair = pairOf(a);
    const key = `${pair.stash}\u0000${pair.plex}`;
    const entry = votes.get(key) ?? { ...pair, files: 0, example: { stash: a.stash.join(a.stashWindows ? '\\' : '/'), plex: a.plex.join(a.plexWindows ? '\\' : '/') } };
    entry.files++;
    votes.set(key, entry);
  }
  const chosen: DetectedMapping[] = [];
  for (const v of [...votes.values()].sort((x, y) => y.files - x.files || x.stash.localeCompare(y.stash))) {
    if (v.files < minAgree) break;
    if (chosen.some((c) => c.stash === v.stash)) continue;
    // Already right without this pair (same paths on both sides, or a kept pair covers it).
    if (samePath(mapStashPath(v.example.stash, chosen), v.example.plex)) continue;
    chosen.push({ stash: v.stash, plex: v.plex, files: v.files });
  }
  return chosen;
}
