// Edits travel in the query string, and Plex (or a proxy in front of it) may
// refuse a long one: a 20,000-character non-Latin summary is a ~180 KB URL,
// a scene with 1,000 tags and 200 performers a 41 KiB one, and nginx caps a
// request line at 8 KiB by default. An edit refused for its size is split:
// the summary travels alone, the other fields by halves, a long tag list in
// halves (Plex appends added tags, so halves sent in order keep the order).
// If the summary alone is still refused, it is cut at a word boundary to fit
// the largest request that worked, ending with "…" (CONTRACT sec. 12).
import { errorCode, PermanentError } from '../errors.ts';
import type { PlexEdit, ScalarField, TagField } from './model.ts';

export interface EditSender {
  /** Sends one edit request. */
  send(edit: PlexEdit): Promise<void>;
  /** The request-line length the edit makes. */
  length(edit: PlexEdit): number;
}

/** What the kv note on a cut summary holds (key `summary_cut:<sceneId>`). */
export interface SummaryCut {
  fullHash: string;
  cut: string;
  fullLength: number;
  cutLength: number;
}

export interface SizedResult {
  /** Set when the summary had to be cut: what Plex now holds. */
  cutSummary?: string;
  requests: number;
}

const ELLIPSIS = '\u2026';
/** Bounds the halving and the cutting; each round at least halves a piece. */
const MAX_REQUESTS = 400;
const MAX_CUTS = 12;
/** A cut this close (in characters of request line) to the limit is good enough. */
const CLOSE_ENOUGH = 256;

const empty = (): PlexEdit => ({ scalars: {}, tags: {}, lock: [] });

/** One field of an edit, with its lock if the edit locks it. */
function fieldOnly(edit: PlexEdit, field: ScalarField | TagField): PlexEdit {
  const piece = empty();
  if (field in edit.scalars) piece.scalars[field as ScalarField] = edit.scalars[field as ScalarField]!;
  const tags = edit.tags[field as TagField];
  if (tags) piece.tags[field as TagField] = { set: [...tags.set], remove: [...tags.remove] };
  if (edit.lock.includes(field)) piece.lock.push(field);
  return piece;
}

/** Two or more smaller edits doing the same, or [] when the edit is one name of one field. */
export function splitEdit(edit: PlexEdit): PlexEdit[] {
  const fields = [...Object.keys(edit.scalars), ...Object.keys(edit.tags)] as (ScalarField | TagField)[];
  // Locks of fields the edit does not set (lock-only changes) ride with the first piece.
  const lockOnly = edit.lock.filter((f) => !fields.includes(f as ScalarField));
  if (fields.length > 1) {
    // The summary first on its own: it is nearly always what makes an edit long.
    const ordered = fields.includes('summary') ? ['summary' as const, ...fields.filter((f) => f !== 'summary')] : fields;
    const pieces = ordered.map((f) => fieldOnly(edit, f));
    pieces[0]!.lock.push(...lockOnly);
    return pieces;
  }
  const field = fields[0] as TagField | undefined;
  const tags = field ? edit.tags[field] : undefined;
  if (!field || !tags) return [];
  const names = tags.set.length + tags.remove.length;
  if (names < 2) return [];
  const lock = [...edit.lock];
  // Removals first (as editSteps orders them), then the list in halves.
  if (tags.remove.length > 0 && tags.set.length > 0) {
    return [
      { scalars: {}, tags: { [field]: { set: [], remove: [...tags.remove] } }, lock: [] },
      { scalars: {}, tags: { [field]: { set: [...tags.set], remove: [] } }, lock },
    ];
  }
  const list = tags.set.length > 0 ? tags.set : tags.remove;
  const half = Math.ceil(list.length / 2);
  const part = (slice: string[], withLock: boolean): PlexEdit => ({
    scalars: {},
    tags: { [field]: tags.set.length > 0 ? { set: slice, remove: [] } : { set: [], remove: slice } },
    lock: withLock ? lock : [],
  });
  return [part(list.slice(0, half), false), part(list.slice(half), true)];
}

/**
 * `text` cut at a word boundary so that `fits(cut + "…")`; '' + "…" at worst.
 * Whitespace before the cut is dropped.
 */
export function cutAtWord(text: string, fits: (candidate: string) => boolean): string {
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  // The longest prefix (in code points) that fits, by bisection.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(chars.slice(0, mid).join('') + ELLIPSIS)) lo = mid;
    else hi = mid - 1;
  }
  let end = lo;
  if (end < chars.length) {
    let space = end;
    while (space > 0 && !/\s/u.test(chars[space]!)) space--;
    if (space > 0) end = space;
  }
  return chars.slice(0, end).join('').trimEnd() + ELLIPSIS;
}

/** Sends an edit, splitting it (and at last cutting its summary) while Plex refuses it for its size. */
export async function sendSized(edit: PlexEdit, sender: EditSender): Promise<SizedResult> {
  const result: SizedResult = { requests: 0 };
  let largestOk = 0;
  const attempt = async (piece: PlexEdit): Promise<boolean> => {
    if (++result.requests > MAX_REQUESTS) throw new PermanentError('request_too_large', `an edit still refused for its size after ${MAX_REQUESTS} requests`);
    try {
      await sender.send(piece);
      largestOk = Math.max(largestOk, sender.length(piece));
      return true;
    } catch (err) {
      if (errorCode(err) !== 'request_too_large') throw err;
      return false;
    }
  };
  const pending: PlexEdit[] = [edit];
  const refusedSummaries: PlexEdit[] = [];
  while (pending.length > 0) {
    const piece = pending.shift()!;
    if (await attempt(piece)) continue;
    const parts = splitEdit(piece);
    if (parts.length > 0) pending.unshift(...parts);
    else if (piece.scalars.summary !== undefined) refusedSummaries.push(piece);
    else throw new PermanentError('request_too_large', 'Plex refused a single tag name for its size');
  }
  for (const piece of refusedSummaries) result.cutSummary = await cutToFit(piece, sender, attempt, largestOk);
  return result;
}

/**
 * The longest word-boundary cut of the piece's summary that Plex accepts,
 * found by bisection between the largest request that worked and the
 * shortest refused. Accepted cuts only grow, so the last one sent is the
 * one Plex keeps.
 */
async function cutToFit(piece: PlexEdit, sender: EditSender, attempt: (edit: PlexEdit) => Promise<boolean>, largestOk: number): Promise<string> {
  const full = piece.scalars.summary!;
  const withSummary = (summary: string): PlexEdit => ({ ...piece, scalars: { summary } });
  let ok = largestOk;
  let refused = sender.length(piece);
  let best: string | undefined;
  for (let round = 0; round < MAX_CUTS && refused - ok > CLOSE_ENOUGH; round++) {
    const budget = ok > 0 ? Math.floor((ok + refused) / 2) : Math.floor(refused / 2);
    const cut = cutAtWord(full, (candidate) => sender.length(withSummary(candidate)) <= budget);
    const length = sender.length(withSummary(cut));
    if (length <= ok && best !== undefined) break;
    if (await attempt(withSummary(cut))) {
      best = cut;
      ok = Math.max(ok, length);
    } else refused = Math.min(refused, length);
  }
  if (best === undefined) throw new PermanentError('request_too_large', 'Plex refused even a short summary for its size');
  return best;
}
