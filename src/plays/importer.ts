// Plays, resume points and ratings from Plex into Stash, for matched scenes.
// The order of each scene's steps is what keeps a play from landing twice:
// intent recorded (ledger 'sending'), Stash's play_history read, only the
// missing plays sent, then 'done' recorded. See ledger.ts.
import { type Db, sql } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import type { PlexClient } from '../plex/client.ts';
import type { ScenePlays, StashClient } from '../stash/client.ts';
import { resolveAccounts } from './accounts.ts';
import { epochSeconds, playsToSend, ratingWinner, resumeToWrite, timestampOf, toRating100 } from './decide.ts';
import { fetchNewPlays } from './history.ts';
import {
  donePlaySeconds,
  getPlayState,
  markDone,
  markSending,
  noteRatingWrite,
  openPlaysOfMatchedItems,
  type OpenPlay,
  type PlayState,
  setAgreedRating,
  setViewOffset,
  unmatchedCount,
} from './ledger.ts';
import type { ImportSummary, PlexPlayState, SkipReason } from './model.ts';
import { matchedItems, readPlexStates } from './plex-state.ts';

export interface ImportDeps {
  db: Db;
  plex: PlexClient;
  stash: StashClient;
  /** The Plex sections PlexSync searches. */
  sectionIds: () => Promise<string[]>;
  accounts: readonly number[];
  importRatings: boolean;
  log: Logger;
  /** Called between steps; renews the import lease. */
  heartbeat?: () => void;
  signal?: AbortSignal;
}

/** Stash scenes per play-state query. */
const SCENE_BATCH = 100;
/** Scenes detailed in a dry run's output; the counts cover all. */
const MAX_PLANNED = 200;

export function emptySummary(enabled: boolean, dryRun: boolean): ImportSummary {
  return {
    enabled,
    dryRun,
    accounts: [],
    newEntries: 0,
    playsAdded: 0,
    playsRecovered: 0,
    resumePoints: 0,
    ratings: 0,
    unmatchedPlays: 0,
    skipped: {},
    planned: [],
    message: '',
  };
}

type ScenePlan = { sceneId: string; plays: OpenPlay[]; plex: PlexPlayState | undefined };

export async function importPlays(deps: ImportDeps, options: { dryRun: boolean; progress?: (fraction: number) => void }): Promise<ImportSummary> {
  const { db, plex, log, signal } = deps;
  const { dryRun } = options;
  const summary = emptySummary(true, dryRun);
  const progress = options.progress ?? (() => undefined);
  const accounts = await resolveAccounts(plex, deps.accounts, log, signal);
  summary.accounts = accounts.ids;
  const listed = new Set(accounts.ids);

  // 1. New history entries, recorded as they arrive (a dry run records nothing).
  const sections = await deps.sectionIds();
  const dryEntries: OpenPlay[] = [];
  for (const accountId of accounts.ids) {
    for (const sectionId of sections) {
      const fetched = await fetchNewPlays(db, plex, accountId, sectionId, signal, !dryRun);
      summary.newEntries += fetched.added;
      dryEntries.push(...fetched.entries.map((e) => ({ ...e, state: 'waiting' as const, sceneId: null })));
      deps.heartbeat?.();
    }
  }
  progress(0.2);

  // 2. Which scenes have something to take: open plays, or Plex item state.
  const items = matchedItems(db);
  const sceneOfKey = new Map(items.map((i) => [i.ratingKey, i.sceneId]));
  const plans = new Map<string, ScenePlan>();
  const planFor = (sceneId: string) => {
    let p = plans.get(sceneId);
    if (!p) plans.set(sceneId, (p = { sceneId, plays: [], plex: undefined }));
    return p;
  };
  const open = dryRun ? dryRunOpenPlays(db, dryEntries, sceneOfKey) : openPlaysOfMatchedItems(db);
  for (const play of open) {
    if (!listed.has(play.accountId)) {
      bump(summary, 'account_not_listed');
      continue;
    }
    planFor(play.matchedSceneId).plays.push(play);
  }
  const states = await readPlexStates(plex, items, signal);
  deps.heartbeat?.();
  for (const item of items) {
    const state = states.get(item.ratingKey);
    if (state && plexMoved(state, getPlayState(db, item.sceneId), deps.importRatings)) planFor(item.sceneId).plex = state;
  }
  summary.unmatchedPlays = dryRun ? dryEntries.filter((e) => !sceneOfKey.has(e.ratingKey)).length : unmatchedCount(db);
  progress(0.3);

  // 3. Scene by scene, in batches of Stash lookups.
  const all = [...plans.values()];
  for (let i = 0; i < all.length; i += SCENE_BATCH) {
    const batch = all.slice(i, i + SCENE_BATCH);
    const found = new Map((await deps.stash.scenePlays(batch.map((p) => p.sceneId))).map((s) => [s.id, s]));
    for (const plan of batch) {
      const scene = found.get(plan.sceneId);
      if (!scene) bump(summary, 'scene_gone');
      else await importScene(deps, plan, scene, summary, dryRun);
      deps.heartbeat?.();
    }
    progress(0.3 + 0.7 * Math.min(1, (i + batch.length) / Math.max(1, all.length)));
  }
  if (summary.planned.length > MAX_PLANNED) summary.planned = [...summary.planned.slice(0, MAX_PLANNED), `... and ${summary.planned.length - MAX_PLANNED} more`];
  summary.message = describe(summary);
  return summary;
}

async function importScene(deps: ImportDeps, plan: ScenePlan, scene: ScenePlays, summary: ImportSummary, dryRun: boolean): Promise<void> {
  const { db, stash } = deps;
  const id = plan.sceneId;

  if (plan.plays.length > 0) {
    const keys = plan.plays.map((p) => p.key);
    if (!dryRun) markSending(db, id, keys);
    const history = scene.playHistory.flatMap((t) => epochSeconds(t) ?? []);
    const { send, present } = playsToSend(plan.plays, history, donePlaySeconds(db, id));
    const times = plan.plays.filter((p) => send.includes(p.key)).map((p) => timestampOf(p.viewedAt));
    if (dryRun) {
      if (times.length > 0) summary.planned.push(`scene ${id}: ${times.length} play(s) at ${times.join(', ')}`);
    } else {
      if (times.length > 0) await stash.addPlays(id, times);
      markDone(db, id, keys);
    }
    summary.playsAdded += times.length;
    summary.playsRecovered += present.length;
  }

  const state = plan.plex;
  if (!state) return;
  const record = getPlayState(db, id);
  const resume = resumeToWrite(state.viewOffsetMs, record?.viewOffsetMs, scene.resumeTime);
  if (resume !== undefined) {
    if (dryRun) summary.planned.push(`scene ${id}: resume at ${resume.toFixed(1)} s`);
    else await stash.saveResumeTime(id, resume);
    summary.resumePoints++;
  }
  if (!dryRun && (state.viewOffsetMs ?? 0) !== (record?.viewOffsetMs ?? 0)) setViewOffset(db, id, state.viewOffsetMs ?? 0);

  if (!deps.importRatings) return;
  const plexRating = state.userRating === null ? null : toRating100(state.userRating);
  const winner = ratingWinner({
    stash: scene.rating100,
    stashChangedAt: Number.isNaN(Date.parse(scene.updatedAt)) ? null : Date.parse(scene.updatedAt),
    plex: plexRating,
    plexRatedAt: state.lastRatedAt === null ? null : state.lastRatedAt * 1000,
    agreed: record?.agreedRating100,
  });
  if (winner === 'same' && scene.rating100 !== null && record?.agreedRating100 !== scene.rating100 && !dryRun) setAgreedRating(db, id, scene.rating100);
  if (winner !== 'plex' || plexRating === null) return;
  if (dryRun) summary.planned.push(`scene ${id}: rating ${scene.rating100 ?? 'none'} -> ${plexRating}`);
  else {
    // Committed first: Stash runs the Scene.Update.Post hook inside this mutation.
    noteRatingWrite(db, id, plexRating);
    await stash.setRating(id, plexRating);
    setAgreedRating(db, id, plexRating);
  }
  summary.ratings++;
}

/**
 * Whether Plex shows anything PlexSync has not taken yet: a resume point other
 * than the last one taken, or a rating other than the one both sides last
 * agreed on. Only those scenes cost a look in Stash, so a run with nothing new
 * in Plex stays cheap however large the library.
 */
function plexMoved(state: PlexPlayState, record: PlayState | undefined, ratings: boolean): boolean {
  if ((state.viewOffsetMs ?? 0) !== (record?.viewOffsetMs ?? 0)) return true;
  if (!ratings || state.userRating === null) return false;
  const agreed = record?.agreedRating100;
  return agreed === undefined || agreed === null || agreed !== toRating100(state.userRating);
}

/** A dry run records nothing: the plays it would take are the open ones plus the entries never seen. */
function dryRunOpenPlays(db: Db, fetched: OpenPlay[], sceneOfKey: Map<string, string>): (OpenPlay & { matchedSceneId: string })[] {
  const open = openPlaysOfMatchedItems(db);
  const known = new Set(open.map((p) => p.key));
  const stmt = sql(db, 'SELECT 1 FROM play_imports WHERE entry_key = ?');
  for (const entry of fetched) {
    const sceneId = sceneOfKey.get(entry.ratingKey);
    if (sceneId === undefined || known.has(entry.key) || stmt.get(entry.key)) continue;
    known.add(entry.key);
    open.push({ ...entry, matchedSceneId: sceneId });
  }
  return open;
}

function bump(summary: ImportSummary, reason: SkipReason, n = 1): void {
  summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
}

const SKIP_TEXT: Record<SkipReason, string> = {
  scene_gone: 'scene(s) gone from Stash',
  account_not_listed: 'play(s) of accounts not in importAccounts',
};

function describe(s: ImportSummary): string {
  const verb = s.dryRun ? 'would add' : 'added';
  const skipped = (Object.entries(s.skipped) as [SkipReason, number][]).map(([reason, n]) => `${n} ${SKIP_TEXT[reason]}`);
  return [
    `${verb} ${s.playsAdded} play(s), ${s.resumePoints} resume point(s), ${s.ratings} rating(s)`,
    s.playsRecovered > 0 ? `${s.playsRecovered} play(s) were already in Stash` : '',
    s.unmatchedPlays > 0 ? `${s.unmatchedPlays} play(s) of Plex items no scene is matched to yet (imported once they are)` : '',
    skipped.length > 0 ? `skipped: ${skipped.join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
}
