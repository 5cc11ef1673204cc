// What differs between what Plex should show and what it shows: the smallest
// edit that makes them agree, and the read-back check after writing. Pure.
//
// Everything written is also locked (CONTRACT sec. 9), so a field is sent
// when its value differs OR it is not locked yet; a matching, locked item
// yields an empty edit and costs zero writes.
//
// Case-only renames ("bdsm" -> "BDSM"): names are compared case-sensitively,
// so the rename is seen as a difference and the edit carries the new
// spelling in `set` and the old one in `remove`. Plex may match tag names
// case-insensitively, though: in one request, adding "BDSM" can resolve to
// the existing "bdsm" and the removal of "bdsm" then detaches the tag
// altogether. `editSteps` therefore splits such an edit in two requests:
// first remove the old spellings, then send the rest (without those
// removals).
//
// Names that differ only in case (Stash allows tags "Blonde" and "blonde")
// are one tag to a Plex that matches names case-insensitively: only the
// first spelling is sent, and the read-back (`verifyApplied`) compares tag
// names the way Plex does, ignoring case, so a folded pair never fails it.
//
// Collections and labels an item had before PlexSync first wrote it
// (`handMade`) are the user's: PlexSync never removes them and never takes
// them over as managed, even when a Stash group (or a tag sent as a label)
// of the same name joins the scene later.

import type { DesiredState, PlexEdit, PlexItemState, ScalarField, TagField } from './model.ts';

export interface SyncPlan {
  edit: PlexEdit;
  /** Present only when the rating must change; null = make unrated. */
  rating?: number | null;
  /** The collections PlexSync manages for this scene after the edit. */
  newManagedCollections: string[];
  /** The labels PlexSync manages for this scene after the edit. */
  newManagedLabels: string[];
}

const SCALAR_FIELDS: readonly ScalarField[] = ['title', 'titleSort', 'summary', 'originallyAvailableAt', 'studio', 'contentRating'];
/** Collections and labels are not here: only those PlexSync manages are mirrored. */
const MIRRORED_TAGS: readonly TagField[] = ['actor', 'genre', 'director'];
/** Ratings travel at one decimal; anything closer is float noise. */
const RATING_TOLERANCE = 0.01;

/** Collections and labels an item had before PlexSync first wrote it: the user's (see the note at the top). */
export interface HandMade {
  collection?: readonly string[];
  label?: readonly string[];
}

/** The desired state with one spelling per tag name (the first seen), as a case-folding Plex keeps them. */
export function oneSpellingEach(desired: DesiredState): DesiredState {
  const tags: DesiredState['tags'] = {};
  for (const [field, names] of Object.entries(desired.tags) as [TagField, string[]][]) {
    const seen = new Set<string>();
    tags[field] = names.filter((name) => {
      const key = foldCase(name);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return { ...desired, tags };
}

export function diffState(
  wanted: DesiredState,
  current: PlexItemState,
  managedCollections: readonly string[],
  managedLabels: readonly string[] = [],
  handMade: HandMade = {},
): SyncPlan {
  const desired = oneSpellingEach(wanted);
  const edit: PlexEdit = { scalars: {}, tags: {}, lock: [] };
  const locked = new Set(current.locked);

  for (const field of SCALAR_FIELDS) {
    const want = desired.scalars[field];
    if (want === undefined) continue;
    if (want !== current[field] || !locked.has(field)) {
      edit.scalars[field] = want;
      edit.lock.push(field);
    }
  }

  for (const field of MIRRORED_TAGS) {
    const want = desired.tags[field];
    if (want === undefined) continue;
    const have = current.tags[field];
    // Actors are shown in Stash's order, so a reordering is a change too.
    const same = field === 'actor' ? sameOrder(want, have) && sameThumbs(desired.actorThumbs, current.actorThumbs, want) : sameSet(want, have);
    if (!same || !locked.has(field)) {
      // Plex adds tags after those an item has: when the actors it keeps are
      // not already the head of Stash's list, they are taken off and sent
      // again in order (editSteps makes that a removal request first).
      const reorder = field === 'actor' && !appendable(want, have);
      edit.tags[field] = { set: [...want], remove: reorder ? [...new Set(have)] : absentFrom(have, want) };
      edit.lock.push(field);
      if (field === 'actor' && desired.actorThumbs) edit.actorThumbs = thumbsFor(want, desired.actorThumbs);
    }
  }

  const plan: SyncPlan = {
    edit,
    newManagedCollections: managedEdit(edit, 'collection', desired.tags.collection, current, managedCollections, handMade.collection ?? [], locked),
    newManagedLabels: managedEdit(edit, 'label', desired.tags.label, current, managedLabels, handMade.label ?? [], locked),
  };

  if (desired.rating !== undefined && !sameRating(desired.rating, current.userRating)) plan.rating = desired.rating;
  return plan;
}

/**
 * The fields whose read-back differs from what was wanted: Plex answers 200
 * to edits it ignored. `managed` is the list of collections PlexSync managed
 * before the edit, `managedLabels` the same for labels; `handMade` is as for
 * diffState. Tags are compared as sets, ignoring case as Plex does: a wrong actor order is cosmetic and the next diff re-sends it, but it
 * is no reason to fail the sync. Locks and actor photos are not checked
 * either: a missing one only costs a re-send on the next sync.
 */
export function verifyApplied(
  wanted: DesiredState,
  after: PlexItemState,
  managed: readonly string[],
  managedLabels: readonly string[] = [],
  handMade: HandMade = {},
): string[] {
  const desired = oneSpellingEach(wanted);
  const wrong: string[] = [];
  for (const field of SCALAR_FIELDS) {
    const want = desired.scalars[field];
    if (want !== undefined && want !== after[field]) wrong.push(field);
  }
  // Tag names compare as Plex compares them: ignoring case.
  const folded = (names: readonly string[]) => names.map(foldCase);
  for (const field of MIRRORED_TAGS) {
    const want = desired.tags[field];
    if (want !== undefined && !sameSet(folded(want), folded(after.tags[field]))) wrong.push(field);
  }
  for (const [field, wasManaged] of [['collection', managed], ['label', managedLabels]] as const) {
    const want = desired.tags[field];
    if (want === undefined) continue;
    const theirs = new Set((handMade[field] ?? []).map(foldCase));
    // Which are ours is decided as diffState decides it; then compared as Plex compares.
    const ours = new Set([...wasManaged, ...want]);
    const haveOurs = folded(after.tags[field].filter((name) => ours.has(name))).filter((name) => !theirs.has(name));
    const wantOurs = folded(want).filter((name) => !theirs.has(name));
    if (!sameSet(wantOurs, haveOurs)) wrong.push(field);
  }
  if (desired.rating !== undefined && !sameRating(desired.rating, after.userRating)) wrong.push('rating');
  return wrong;
}

/**
 * The requests to send for one edit, in order. Usually just the edit; when a
 * tag is renamed by case only (or actors are re-sent to restore their order),
 * first a request removing the old entries, then the edit without those
 * removals (see the note at the top).
 */
export function editSteps(edit: PlexEdit): PlexEdit[] {
  const first: PlexEdit = { scalars: {}, tags: {}, lock: [] };
  const second: PlexEdit = { scalars: { ...edit.scalars }, tags: {}, lock: [...edit.lock], ...(edit.actorThumbs ? { actorThumbs: edit.actorThumbs } : {}) };
  for (const [field, change] of Object.entries(edit.tags) as [TagField, { set: string[]; remove: string[] }][]) {
    const wanted = new Set(change.set.map(foldCase));
    const renamed = change.remove.filter((name) => wanted.has(foldCase(name)));
    if (renamed.length > 0) first.tags[field] = { set: [], remove: renamed };
    second.tags[field] = { set: [...change.set], remove: change.remove.filter((name) => !renamed.includes(name)) };
  }
  return Object.keys(first.tags).length === 0 ? [edit] : [first, second];
}

/**
 * Collections and labels: only those PlexSync manages (or now wants) are
 * compared and removed. Hand-made ones (never managed, not wanted) are
 * invisible here: neither a difference nor ever removed. Those the item had
 * before PlexSync first wrote it (`handMade`, compared ignoring case) are
 * never removed and never become managed, even when wanted. Returns the
 * names managed after the edit; undefined `want` leaves the field alone.
 */
function managedEdit(
  edit: PlexEdit,
  field: 'collection' | 'label',
  want: readonly string[] | undefined,
  current: PlexItemState,
  managed: readonly string[],
  handMade: readonly string[],
  locked: ReadonlySet<string>,
): string[] {
  if (want === undefined) return [...managed];
  const theirs = new Set(handMade.map(foldCase));
  const ours = new Set([...managed, ...want]);
  const haveOurs = current.tags[field].filter((name) => ours.has(name));
  if (!sameSet(want, haveOurs) || !locked.has(field)) {
    const remove = absentFrom(haveOurs, want).filter((name) => !theirs.has(foldCase(name)));
    edit.tags[field] = { set: [...want], remove };
    edit.lock.push(field);
  }
  return want.filter((name) => !theirs.has(foldCase(name)));
}

/** True when every wanted actor with a photo already shows that photo. */
function sameThumbs(want: Record<string, string> | undefined, have: Record<string, string>, actors: readonly string[]): boolean {
  if (!want) return true;
  return actors.every((name) => want[name] === undefined || have[name] === want[name]);
}

function thumbsFor(actors: readonly string[], thumbs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(actors.flatMap((name) => (thumbs[name] === undefined ? [] : [[name, thumbs[name]]])));
}

function foldCase(name: string): string {
  return name.toLocaleLowerCase('und');
}

/** Names `have` holds that `want` lacks, once each, compared exactly. */
function absentFrom(have: readonly string[], want: readonly string[]): string[] {
  const keep = new Set(want);
  return [...new Set(have.filter((name) => !keep.has(name)))];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((name) => right.has(name));
}

function sameOrder(want: readonly string[], have: readonly string[]): boolean {
  const distinct = [...new Set(have)];
  return distinct.length === want.length && want.every((name, i) => distinct[i] === name);
}

/** True when adding `want` after what `have` keeps of it yields Stash's order. */
function appendable(want: readonly string[], have: readonly string[]): boolean {
  const wanted = new Set(want);
  const kept = [...new Set(have)].filter((name) => wanted.has(name));
  return kept.every((name, i) => want[i] === name);
}

function sameRating(want: number | null, have: number | null): boolean {
  if (want === null || have === null) return want === have;
  return Math.abs(want - have) < RATING_TOLERANCE;
}
