// How a Stash path appears in Plex: the `pathMap` setting, a list of
// `stashPrefix=>plexPrefix` pairs separated by `;`. Pure.
//
// Prefixes match whole path segments only (`/data` never maps
// `/database/x`). Windows-style paths (a drive letter, or a UNC share written
// `\\server` or `//server`) accept both separators and ignore case, as
// Windows does; the rest of the path takes the separator of the target side.
// Names are compared in Unicode NFC: macOS and some NAS file systems store
// "é" decomposed (NFD), Linux keeps what it was given, and one file must not
// look like two.

import { PermanentError } from '../errors.ts';

export interface PathMapping {
  /** As the user wrote it, trimmed. */
  stash: string;
  plex: string;
}

export function parsePathMap(raw: string): PathMapping[] {
  const mappings: PathMapping[] = [];
  const entries = raw.split(';');
  entries.forEach((entry, index) => {
    const text = entry.trim();
    // Tolerate a trailing or doubled `;`: an empty entry maps nothing.
    if (text === '') return;
    const parts = text.split('=>');
    const label = `pathMap entry ${index + 1} ${JSON.stringify(text)}`;
    if (parts.length < 2) throw badSetting(`${label} has no "=>"`);
    if (parts.length > 2) throw badSetting(`${label} has more than one "=>"`);
    const stash = parts[0]!.trim();
    const plex = parts[1]!.trim();
    if (stash === '') throw badSetting(`${label} has an empty Stash prefix`);
    if (plex === '') throw badSetting(`${label} has an empty Plex prefix`);
    mappings.push({ stash, plex });
  });
  return mappings;
}

/** The path as Plex sees it: the longest matching prefix wins; no match, unchanged. */
export function mapStashPath(rawPath: string, mappings: readonly PathMapping[]): string {
  const path = rawPath.normalize('NFC');
  let best: { mapping: PathMapping; length: number } | undefined;
  for (const mapping of mappings) {
    const length = matchedLength(path, mapping.stash.normalize('NFC'));
    if (length !== undefined && (best === undefined || length > best.length)) best = { mapping, length };
  }
  if (best === undefined) return path;
  return join(best.mapping.plex, path.slice(best.length), isWindowsPath(best.mapping.stash));
}

/** The last segment, whichever separator the path uses. */
export function basenameOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(cut + 1);
}

/** How the basename index keys a name: NFC, lower case (the matcher re-checks exactly). */
export function basenameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The containing folder, keeping the path's own separator style; a root keeps its separator (`/`, `C:\\`). */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const atRoot = cut <= 0 || (cut === 2 && /^[A-Za-z]:/.test(path));
  return atRoot ? path.slice(0, cut + 1) : path.slice(0, cut);
}

/** A drive letter (`C:`) or a UNC share (`\\server`, `//server`). */
export function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:(?:[\\/]|$)/.test(path) || /^(?:\\\\|\/\/)[^\\/]/.test(path);
}

/** True when `path` is `folder` or lies under it, at a folder boundary (`/data/a` is not inside `/data/ab`). */
export function isInside(path: string, folder: string): boolean {
  const windows = isWindowsPath(folder);
  if (windows !== isWindowsPath(path)) return false;
  const bare = trimSeparators(folder.normalize('NFC'), windows);
  const text = path.normalize('NFC');
  const head = text.slice(0, bare.length);
  if (windows ? pathKey(head) !== pathKey(bare) : head !== bare) return false;
  const next = text.charAt(bare.length);
  return next === '' || isSeparator(next, windows) || bare === '';
}

/**
 * The form two paths share when they name the same file: Windows paths
 * fold case and separators, POSIX paths are compared as they are. A path
 * index keyed by this finds `C:\Videos\a.mp4` for `c:/videos/A.mp4`.
 */
export function pathKey(path: string): string {
  const nfc = path.normalize('NFC');
  return isWindowsPath(nfc) ? nfc.replaceAll('\\', '/').toLocaleLowerCase('und') : nfc;
}

export function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [a.normalize('NFC'), b.normalize('NFC')];
  return x === y || (isWindowsPath(x) && isWindowsPath(y) && pathKey(x) === pathKey(y));
}

/** How many leading characters of `path` the prefix covers, or undefined. */
function matchedLength(path: string, prefix: string): number | undefined {
  const windows = isWindowsPath(prefix);
  if (windows !== isWindowsPath(path)) return undefined;
  const bare = trimSeparators(prefix, windows);
  const head = path.slice(0, bare.length);
  if (windows ? pathKey(head) !== pathKey(bare) : head !== bare) return undefined;
  const next = path.charAt(bare.length);
  if (next !== '' && !isSeparator(next, windows)) return undefined;
  return bare.length;
}

/** `rest` is '' or starts with a separator of the source style. */
function join(target: string, rest: string, fromWindows: boolean): string {
  const toWindows = isWindowsPath(target);
  const base = trimSeparators(target, toWindows);
  let tail = rest;
  if (toWindows) tail = tail.replaceAll('/', '\\');
  else if (fromWindows) tail = tail.replaceAll('\\', '/');
  // A root target (`/`) trims to '' and would lose its only separator.
  return base + tail === '' ? target : base + tail;
}

function trimSeparators(prefix: string, windows: boolean): string {
  let end = prefix.length;
  while (end > 0 && isSeparator(prefix.charAt(end - 1), windows)) end--;
  return prefix.slice(0, end);
}

function isSeparator(ch: string, windows: boolean): boolean {
  return ch === '/' || (windows && ch === '\\');
}

function badSetting(message: string): PermanentError {
  return new PermanentError('bad_settings', message);
}
