// Which Plex item a scene is (CONTRACT sec. 10). Pure: the caller supplies
// an index of Plex's files. PlexSync never edits an item not matched here.
//
// 1. An exact path hit on any of the scene's mapped files is the match.
// 2. Otherwise a single item whose file has the same basename and the same
//    size (known on both sides) is the match.
// 3. Anything else: several distinct items are ambiguous, none is unmatched.
// A basename alone never matches: two "scene.mp4" are too likely.
// An item another scene owns (its exact path, or its sync record) is never a
// basename-and-size candidate: two scenes never write one item. The caller
// names those owned items; finding them needs Stash and the database.

import { basenameOf, isWindowsPath, mapStashPath, type PathMapping, samePath } from './pathmap.ts';

export interface Candidate {
  ratingKey: string;
  sectionId: string;
  /** The `Media[].Part[].file` path as Plex reports it. */
  file: string;
  size: number | null;
}

/**
 * Plex's files, indexed. `byPath` should return the parts whose
 * `pathKey(file)` equals `pathKey(path)`, and `byBasename` those whose
 * basename is the same (ignoring case is fine), so Windows case variants are
 * found. The decision re-checks every candidate: extra ones are harmless.
 */
export interface CandidateLookup {
  byPath(path: string): Candidate[];
  byBasename(basename: string): Candidate[];
}

export type MatchDecision =
  | { kind: 'matched'; ratingKey: string; sectionId: string; file: string; via: 'path' | 'basename+size' }
  | { kind: 'unmatched'; tried: string[] }
  | { kind: 'ambiguous'; candidates: Candidate[] };

export interface SceneFile {
  path: string;
  size: number | null;
}

export interface MatchOptions {
  /** Rating keys another scene owns: never a basename-and-size match for this one. */
  ownedElsewhere?: ReadonlySet<string>;
}

export function decideMatch(
  sceneFiles: readonly SceneFile[],
  mappings: readonly PathMapping[],
  lookup: CandidateLookup,
  options: MatchOptions = {},
): MatchDecision {
  const files = sceneFiles.map((f) => ({ plexPath: mapStashPath(f.path, mappings), size: f.size }));

  const exact = files.flatMap((f) => lookup.byPath(f.plexPath).filter((c) => samePath(c.file, f.plexPath)));
  if (exact.length > 0) return decide(exact, 'path');

  const owned = options.ownedElsewhere;
  const bySize = fallbackCandidates(sceneFiles, mappings, lookup).filter((c) => !owned?.has(c.ratingKey));
  if (bySize.length > 0) return decide(bySize, 'basename+size');

  return { kind: 'unmatched', tried: [...new Set(files.map((f) => f.plexPath))] };
}

/** The items with a file of the same basename and size as one of the scene's (rule 2's candidates). */
export function fallbackCandidates(sceneFiles: readonly SceneFile[], mappings: readonly PathMapping[], lookup: CandidateLookup): Candidate[] {
  return sceneFiles.flatMap((f) => {
    if (f.size === null) return [];
    const name = basenameOf(mapStashPath(f.path, mappings));
    return lookup.byBasename(name).filter((c) => c.size !== null && c.size === f.size && sameBasename(c.file, name));
  });
}

/** One distinct item (maybe through several parts) is a match; more is ambiguous. */
function decide(hits: readonly Candidate[], via: 'path' | 'basename+size'): MatchDecision {
  const distinct = uniqueCandidates(hits);
  const keys = new Set(distinct.map((c) => c.ratingKey));
  const first = distinct[0]!;
  if (keys.size > 1) return { kind: 'ambiguous', candidates: distinct };
  return { kind: 'matched', ratingKey: first.ratingKey, sectionId: first.sectionId, file: first.file, via };
}

function uniqueCandidates(hits: readonly Candidate[]): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const c of hits) {
    const key = `${c.ratingKey}\u0000${c.file}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

/** Names compare in NFC; Windows names ignore case only when Plex's own path is a Windows path. */
function sameBasename(plexFile: string, name: string): boolean {
  const theirs = basenameOf(plexFile).normalize('NFC');
  const ours = name.normalize('NFC');
  if (theirs === ours) return true;
  return isWindowsPath(plexFile) && theirs.toLocaleLowerCase('und') === ours.toLocaleLowerCase('und');
}
