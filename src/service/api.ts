// The dashboard's data, as JSON under /api/ and for the server-rendered page:
// queue, recent syncs, dead letters with titles and links, scene search with
// per-scene state, one scene's comparison with Plex, the settings check.
import { sql, transaction } from '../db/database.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { listDead } from '../queue/dlq.ts';
import { enqueue } from '../queue/operations.ts';
import { DASHBOARD_SCENES, type WireDashboardScene, type WireDashboardScenes } from '../stash/dashboard-queries.ts';
import { describeChange } from '../sync/plan-scene.ts';
import { loadWorkerDeps } from '../sync/worker-deps.ts';
import { dryRunTask } from '../tasks/dry-run.ts';
import { knownModes, taskHandler } from '../tasks/dispatch.ts';
import { statusReport } from '../tasks/status.ts';
import { sceneState, sceneStatus, syncSceneNow } from '../tasks/ui-operations.ts';
import type { ServiceHost } from './host.ts';

/** Stash answers the page in well under this, or the page goes without titles. */
const TITLE_TIMEOUT_MS = 3_000;

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, progress() {} };

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export interface SceneRef {
  id: string;
  title: string | null;
  /** The scene's page in Stash. */
  stashUrl: string;
}

export class DashboardApi {
  readonly #host: ServiceHost;

  constructor(host: ServiceHost) {
    this.#host = host;
  }

  #stashLink(id: string): string {
    return `${this.#host.config.stashUrl.replace(/\/+$/, '')}/scenes/${encodeURIComponent(id)}`;
  }

  /** Titles for scene ids, best effort: without Stash the page shows ids only. */
  async #scenes(ids: string[]): Promise<Map<string, WireDashboardScene>> {
    const out = new Map<string, WireDashboardScene>();
    if (ids.length === 0) return out;
    try {
      const answer = await Promise.race([
        this.#host.stash.graphql<WireDashboardScenes>(DASHBOARD_SCENES, { q: null, perPage: ids.length, ids }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Stash did not answer in time')), TITLE_TIMEOUT_MS).unref()),
      ]);
      for (const s of answer.findScenes.scenes) out.set(s.id, s);
    } catch (err) {
      this.#host.log.debug(`dashboard without titles: ${describeError(err)}`);
    }
    return out;
  }

  #ref(id: string, scenes: Map<string, WireDashboardScene>): SceneRef {
    const s = scenes.get(id);
    return { id, title: s ? sceneTitle(s) : null, stashUrl: this.#stashLink(id) };
  }

  async overview() {
    const { db } = this.#host;
    const status = statusReport(db);
    const recentRows = sql(db, 'SELECT scene_id, rating_key, synced_at FROM sync_records ORDER BY synced_at DESC LIMIT 15').all() as {
      scene_id: string;
      rating_key: string;
      synced_at: number;
    }[];
    // One line per job key (the newest); older dead letters of the same scene are history.
    const seenKeys = new Set<string>();
    const dead = listDead(db, 200).filter((j) => !seenKeys.has(j.key) && seenKeys.add(j.key)).slice(0, 50);
    const sceneIds = [...new Set([...recentRows.map((r) => r.scene_id), ...dead.filter((j) => j.kind === 'scene' || j.kind === 'scene_destroy').map((j) => j.entityId)])];
    const scenes = await this.#scenes(sceneIds);
    return {
      status,
      health: this.#host.health.report(),
      worker: this.#host.worker.state(),
      periodic: this.#host.scheduler.states().map((j) => ({ ...j, lastStartedAt: iso(j.lastStartedAt), lastSucceededAt: iso(j.lastSucceededAt), nextRunAt: iso(j.nextRunAt) })),
      recentSyncs: recentRows.map((r) => ({ scene: this.#ref(r.scene_id, scenes), ratingKey: r.rating_key, syncedAt: iso(r.synced_at) })),
      deadLetters: dead.map((j) => ({
        id: j.id,
        job: j.key,
        kind: j.kind,
        scene: j.kind === 'scene' || j.kind === 'scene_destroy' ? this.#ref(j.entityId, scenes) : null,
        entityId: j.entityId,
        reason: j.lastError ?? 'no reason recorded',
        errorCode: j.errorCode,
        attempts: j.attempts,
        at: iso(j.updatedAt),
      })),
    };
  }

  /** Scenes in Stash matching the text (title, details, code, path), newest first, with their sync state. */
  async searchScenes(q: string, limit = 25) {
    const answer = await this.#host.stash.graphql<WireDashboardScenes>(DASHBOARD_SCENES, { q: q === '' ? null : q, perPage: limit, ids: null });
    const jobsOf = sql(this.#host.db, `SELECT status, attempts, run_at, last_error, finished_at FROM jobs WHERE job_key = ? ORDER BY id DESC LIMIT 20`);
    const recordOf = sql(this.#host.db, 'SELECT synced_at, rating_key FROM sync_records WHERE scene_id = ?');
    return {
      count: answer.findScenes.count,
      scenes: answer.findScenes.scenes.map((s) => {
        const record = recordOf.get(s.id) as { synced_at: number; rating_key: string } | undefined;
        const state = sceneState(jobsOf.all(`scene:${s.id}`) as never, record?.synced_at);
        return {
          id: s.id,
          title: sceneTitle(s),
          date: s.date,
          path: s.files[0]?.path ?? null,
          stashUrl: this.#stashLink(s.id),
          ...state,
          ratingKey: record?.rating_key ?? null,
          syncedAt: iso(record?.synced_at),
        };
      }),
    };
  }

  /** Where one scene stands and what a sync would change in Plex, field by field. */
  async scene(id: string) {
    const ctx = { ...this.#host.taskContext({ sceneId: id }), log: quiet };
    const status = await sceneStatus(ctx, this.#host.db);
    let comparison: { outcome: string; changes: string[]; ratingKey?: string; detail?: string } | { error: string };
    try {
      const dry = await dryRunTask(ctx, this.#host.db);
      const o = dry.scenes[0];
      if (!o) comparison = { outcome: 'same', changes: [] };
      else if (o.kind === 'planned') comparison = { outcome: o.plan.changes.length === 0 ? 'same' : o.plan.status, ratingKey: o.plan.ratingKey, changes: o.plan.changes.map(describeChange) };
      else if (o.kind === 'unmatched') comparison = { outcome: 'unmatched', changes: [], detail: `Plex has no item for ${o.tried.join(' or ')}` };
      else if (o.kind === 'ambiguous') comparison = { outcome: 'ambiguous', changes: [], detail: `several Plex items could be it (${o.ratingKeys.join(', ')}); a sync edits none` };
      else if (o.kind === 'missing') comparison = { outcome: 'missing', changes: [], detail: `Plex item ${o.ratingKey} no longer plays the file; a sync looks again` };
      else comparison = { outcome: 'no_files', changes: [], detail: 'the scene has no files, so no Plex item' };
    } catch (err) {
      comparison = { error: describeError(err) };
    }
    return { ...status, stashUrl: this.#stashLink(id), comparison };
  }

  syncNow(id: string) {
    return syncSceneNow({ ...this.#host.taskContext({ sceneId: id }), log: quiet }, this.#host.db);
  }

  /** One dead letter back in the queue, or all of them (id undefined). */
  retry(id?: number): { retried: number } {
    const { db } = this.#host;
    const dead = id === undefined ? listDead(db, 100_000) : listDead(db, 100_000).filter((j) => j.id === id);
    transaction(db, () => {
      for (const j of dead) {
        sql(db, `DELETE FROM jobs WHERE id = ? AND status = 'dead'`).run(j.id);
        enqueue(db, { kind: j.kind, entityId: j.entityId, ...(j.payload ? { payload: j.payload } : {}) });
      }
    });
    return { retried: dead.length };
  }

  /** The setup view's check: the check_setup task where it exists, else the status task's problems and the settings' own. */
  async settingsCheck(): Promise<{ source: string; ok: boolean; problems: string[]; detail?: unknown }> {
    if (knownModes().includes('check_setup')) {
      const detail = await taskHandler('check_setup')({ ...this.#host.taskContext({}), log: quiet }, this.#host.db, loadWorkerDeps);
      const problems = collectProblems(detail);
      return { source: 'check_setup', ok: problems.length === 0, problems, detail };
    }
    const problems = [...statusReport(this.#host.db).problems];
    try {
      await this.#host.settings();
    } catch (err) {
      const message = describeError(err);
      if (!problems.includes(message)) problems.unshift(message);
    }
    return { source: 'status', ok: problems.length === 0, problems };
  }
}

function sceneTitle(s: WireDashboardScene): string {
  if (s.title) return s.title;
  const path = s.files[0]?.path;
  return path ? path.split(/[\\/]/).pop()! : `Scene ${s.id}`;
}

/** Problem lines from a check's output: `problems` strings, or checks with ok false. */
function collectProblems(detail: unknown): string[] {
  if (!detail || typeof detail !== 'object') return [];
  const d = detail as { problems?: unknown; checks?: unknown };
  if (Array.isArray(d.problems)) return d.problems.filter((p): p is string => typeof p === 'string');
  if (Array.isArray(d.checks)) {
    return d.checks
      .filter((c): c is { ok: boolean; message?: string; name?: string } => !!c && typeof c === 'object' && (c as { ok?: unknown }).ok === false)
      .map((c) => c.message ?? c.name ?? 'a check failed');
  }
  return [];
}
