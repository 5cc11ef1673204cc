// Changes without hooks: every PLEXSYNC_POLL_MS the service asks Stash, in
// one request, for scenes, performers, studios, tags and groups updated since
// the newest change it has seen of each kind, and queues what is new. Hooks of
// a plugin installed on the same data folder keep working alongside; their
// jobs and these fold together by job key.
//
// Stash's updated_at has whole seconds (in Stash's own time zone, with its
// offset), so "after the watermark" alone would miss an edit made later
// within the watermark's own second. The objects of that second already
// queued are remembered; each poll asks for what is newer than the second
// and, as a bare count, how many objects there are from the second on. Only
// when that count differs from what is remembered are the second's objects
// fetched again. When nothing changed the answer is a few numbers. An object
// edited twice within one second keeps its stamp, so each job found here is
// made due only once its second is surely over: the job reads the object
// when it runs and so sees the second edit too.
import { type Db, getKv, setKv, sql, transaction } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { enqueueMany } from '../queue/operations.ts';
import { jobKey } from '../queue/types.ts';
import { PLUGIN_ID, type StashClient } from '../stash/client.ts';
import { CHANGE_KINDS, CHANGES_SINCE, type ChangeKind, LIST_OF, NEWEST_CHANGES, RELATED_SINCE, type WireChanges, type WireNewest, type WireStamp } from '../stash/change-queries.ts';
import { secondBefore, WATERMARK_KEY } from '../sync/catch-up.ts';

const STATE_KEY = 'poll_state';
/** Scenes per page of the changes query; more changed scenes are walked by id. */
const SCENE_PAGE = 500;
/** Jobs found by polling wait this long, so the second of their stamp is over when they run. */
export const SETTLE_MS = 1_500;
const EPOCH = '1970-01-01T00:00:00Z';
/** At a first start, an object changed within this long before is not yet noted as seen. */
const FIRST_START_MARGIN_MS = 3_000;
/** Polls a first start waits for Stash's newest second to be over. */
const FIRST_START_TRIES = 4;

interface KindState {
  /** The newest updated_at seen, as Stash wrote it. */
  since: string;
  /** Objects of that second already queued: id -> their updated_at (ms). */
  seen: Record<string, number>;
}

export type PollState = Record<ChangeKind, KindState>;

export interface PollResult {
  first: boolean;
  queued: Record<ChangeKind, number>;
  /** Stash's settings map for the plugin, as answered (for change detection). */
  settings: Record<string, unknown> | undefined;
}

const second = (ms: number) => Math.floor(ms / 1000);
const sameSecond = (a: string, b: string) => second(Date.parse(a)) === second(Date.parse(b));

export function readPollState(db: Db): PollState | undefined {
  const raw = getKv(db, STATE_KEY);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<PollState>;
    if (CHANGE_KINDS.every((k) => typeof parsed[k]?.since === 'string' && typeof parsed[k]?.seen === 'object')) return parsed as PollState;
  } catch {
    // A damaged state starts again like a first start.
  }
  return undefined;
}

/**
 * Pure: what to queue from one answer, and the state after it. `stamps` is
 * every object Stash reported as updated after the second before `state.since`.
 */
export function advance(state: KindState, stamps: readonly WireStamp[]): { fresh: WireStamp[]; next: KindState } {
  let newest = state.since;
  let newestMs = Date.parse(state.since);
  const fresh: WireStamp[] = [];
  for (const s of stamps) {
    const ms = Date.parse(s.updated_at);
    if (Number.isNaN(ms)) continue;
    if (state.seen[s.id] !== ms) fresh.push(s);
    if (Number.isNaN(newestMs) || ms > newestMs) {
      newest = s.updated_at;
      newestMs = ms;
    }
  }
  const seen: Record<string, number> = {};
  for (const s of stamps) {
    const ms = Date.parse(s.updated_at);
    if (second(ms) === second(newestMs)) seen[s.id] = ms;
  }
  return { fresh, next: { since: newest, seen } };
}

function sameKindState(a: KindState, b: KindState): boolean {
  if (a.since !== b.since) return false;
  const keys = Object.keys(a.seen);
  return keys.length === Object.keys(b.seen).length && keys.every((k) => a.seen[k] === b.seen[k]);
}

export class ChangePoller {
  readonly #db: Db;
  readonly #stash: StashClient;
  readonly #log: Logger;
  #firstTries = 0;
  #state: PollState | undefined;

  constructor(db: Db, stash: StashClient, log: Logger) {
    this.#db = db;
    this.#stash = stash;
    this.#log = log;
  }

  async poll(now = Date.now()): Promise<PollResult> {
    const queued = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
    // Read once: this poller is the state's only writer.
    this.#state ??= readPollState(this.#db);
    const state = this.#state;
    if (!state) {
      const start = await this.#firstState(now);
      if (!start) return { first: true, queued, settings: undefined };
      setKv(this.#db, STATE_KEY, JSON.stringify(start));
      this.#state = start;
      this.#log.info(`watching Stash for changes after ${start.scene.since} (scenes); sync_all brings in the library as it is`);
      return { first: true, queued, settings: undefined };
    }
    const vars: Record<string, unknown> = { scenePage: SCENE_PAGE, include: [PLUGIN_ID] };
    for (const kind of CHANGE_KINDS) {
      vars[`${kind}Since`] = state[kind].since;
      vars[`${kind}Second`] = secondBefore(state[kind].since);
    }
    const answer = await this.#stash.graphql<WireChanges>(CHANGES_SINCE, vars);
    const next = { ...state };
    let changed = false;
    for (const kind of CHANGE_KINDS) {
      const list = answer[LIST_OF[kind]]!;
      let newer = list[LIST_OF[kind]] ?? [];
      if (kind === 'scene' && list.count > newer.length) newer = await this.#since('scene', state.scene.since);
      const atSecond = answer[`${kind}Second`]!.count - list.count;
      const newerIds = new Set(newer.map((s) => s.id));
      const stillSeen = Object.keys(state[kind].seen).filter((id) => !newerIds.has(id));
      // The remembered objects of the watermark's second, unless the count says that second changed.
      const second =
        atSecond === stillSeen.length
          ? stillSeen.map((id) => ({ id, updated_at: state[kind].since }))
          : (await this.#since(kind, secondBefore(state[kind].since))).filter((s) => sameSecond(s.updated_at, state[kind].since));
      const { fresh, next: kindNext } = advance(state[kind], [...second, ...newer]);
      next[kind] = kindNext;
      changed ||= !sameKindState(state[kind], kindNext);
      queued[kind] = this.#enqueue(kind, kind === 'scene' ? this.#notYetSynced(fresh) : fresh, now);
    }
    if (changed) {
      this.#state = next;
      transaction(this.#db, () => {
        setKv(this.#db, STATE_KEY, JSON.stringify(next));
        // The plugin's catch-up reads this watermark: keep it moving forward with ours.
        const old = getKv(this.#db, WATERMARK_KEY);
        if (!old || Date.parse(next.scene.since) > Date.parse(old)) setKv(this.#db, WATERMARK_KEY, next.scene.since);
      });
    }
    const total = CHANGE_KINDS.reduce((n, k) => n + queued[k], 0);
    if (total > 0) {
      const parts = CHANGE_KINDS.filter((k) => queued[k] > 0).map((k) => `${queued[k]} ${k}(s)`);
      this.#log.info(`changes in Stash: queued ${parts.join(', ')}`);
    }
    return { first: false, queued, settings: answer.configuration.plugins?.[PLUGIN_ID] ?? {} };
  }

  /** Every object of a kind updated after `since` (scenes walked by id). */
  async #since(kind: ChangeKind, since: string): Promise<WireStamp[]> {
    if (kind !== 'scene') {
      const answer = await this.#stash.graphql<Record<string, Record<string, WireStamp[]>>>(RELATED_SINCE[kind], { since });
      return answer[LIST_OF[kind]]?.[LIST_OF[kind]] ?? [];
    }
    const all: WireStamp[] = [];
    for await (const page of this.#stash.scenesUpdatedSince(since)) for (const s of page) all.push({ id: s.id, updated_at: s.updatedAt });
    return all;
  }

  /** A scene its hook already synced at exactly this version needs nothing. */
  #notYetSynced(stamps: WireStamp[]): WireStamp[] {
    const synced = sql(this.#db, 'SELECT scene_updated_at AS at FROM sync_records WHERE scene_id = ?');
    return stamps.filter((s) => (synced.get(s.id) as { at: string | null } | undefined)?.at !== s.updated_at);
  }

  #enqueue(kind: ChangeKind, stamps: WireStamp[], now: number): number {
    if (stamps.length === 0) return 0;
    const runAt = now + SETTLE_MS;
    enqueueMany(this.#db, stamps.map((s) => ({ kind: kind, entityId: s.id, runAt })), now);
    transaction(this.#db, () => {
      // Folded into a job due sooner (a retry): that one must not run within the second either.
      const later = sql(this.#db, `UPDATE jobs SET run_at = max(run_at, ?) WHERE job_key = ? AND status = 'pending'`);
      for (const s of stamps) later.run(runAt, jobKey(kind, s.id));
    });
    return stamps.length;
  }

  /**
   * The newest object of each kind is noted as seen when its second is long
   * over (a margin for the two clocks). When one changed just now, the first
   * start waits a poll or two for that second to pass rather than queue it;
   * a Stash busy every second gets its newest objects queued instead.
   */
  async #firstState(now: number): Promise<PollState | undefined> {
    const newest = await this.#stash.graphql<WireNewest>(NEWEST_CHANGES);
    const state = {} as PollState;
    let recent = false;
    for (const kind of CHANGE_KINDS) {
      const top = (newest[LIST_OF[kind]] as unknown as Record<string, WireStamp[]>)[LIST_OF[kind]]?.[0];
      if (!top) {
        state[kind] = { since: EPOCH, seen: {} };
        continue;
      }
      const at = Date.parse(top.updated_at);
      const settled = !Number.isNaN(at) && at < now - FIRST_START_MARGIN_MS;
      recent ||= !settled;
      state[kind] = { since: top.updated_at, seen: {} };
    }
    if (recent && ++this.#firstTries < FIRST_START_TRIES) return undefined;
    if (!recent) {
      // Every object of the newest second, not only the one Stash listed first.
      for (const kind of CHANGE_KINDS) {
        if (state[kind].since === EPOCH) continue;
        const second = (await this.#since(kind, secondBefore(state[kind].since))).filter((s) => sameSecond(s.updated_at, state[kind].since));
        state[kind] = advance({ since: state[kind].since, seen: {} }, second).next;
      }
    }
    // A plugin installed before kept a catch-up watermark: changes since then are not lost.
    const watermark = getKv(this.#db, WATERMARK_KEY);
    if (watermark && Date.parse(watermark) < Date.parse(state.scene.since)) state.scene = { since: watermark, seen: {} };
    return state;
  }
}
