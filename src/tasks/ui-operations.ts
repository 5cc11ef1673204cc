// Operations for the Stash UI panel (called through runPluginOperation):
// `scene_status` says where one scene stands, `sync_scene` queues it now.
// Both answer from SQLite first; only the Plex link needs the network, and
// a failure there leaves the link out rather than failing the answer.
import { type Db, getKv, setKv, sql } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { enqueue } from '../queue/operations.ts';
import { getRecord } from '../sync/records.ts';
import { sceneIdArg } from './args.ts';
import { nextStepFor } from './next-step.ts';
import { sceneCompareTask } from './scene-compare.ts';
import { loadSettings, plexClientFor, stashClientFor } from '../sync/worker-deps.ts';
import { ensureWorker } from '../worker/spawn.ts';

export type SceneSyncState = 'synced' | 'pending' | 'in_progress' | 'failed' | 'unknown';

export interface SceneStatus {
  sceneId: string;
  state: SceneSyncState;
  /** Why it failed, or why a pending scene is waiting for a retry. */
  reason?: string;
  ratingKey?: string;
  /** The item in Plex Web, when Plex's machine identifier could be had. */
  plexUrl?: string;
  syncedAt?: string;
  /** When a pending scene is next tried (ISO). */
  nextAttemptAt?: string;
  attempts?: number;
  /** What the user can do about the reason (failed, or pending after an error). */
  nextStep?: string;
}

interface JobFacts {
  status: string;
  attempts: number;
  run_at: number;
  last_error: string | null;
  error_code: string | null;
  finished_at: number | null;
}

const MACHINE_ID_KEY = 'plex_machine_identifier';
/** The panel waits for this answer: keep the lookups for the link short. */
const LINK_TIMEOUT_MS = 3_000;

/** Pure: the scene's state from its jobs (newest first) and its sync record. */
export function sceneState(jobs: readonly JobFacts[], syncedAt: number | undefined): Pick<SceneStatus, 'state' | 'reason' | 'nextAttemptAt' | 'attempts' | 'nextStep'> {
  const running = jobs.find((j) => j.status === 'in_progress');
  if (running) return { state: 'in_progress', attempts: running.attempts };
  const pending = jobs.find((j) => j.status === 'pending');
  if (pending) {
    return {
      state: 'pending',
      attempts: pending.attempts,
      nextAttemptAt: new Date(pending.run_at).toISOString(),
      ...(pending.last_error ? { reason: pending.last_error } : {}),
      ...withStep(pending.last_error ? pending.error_code : null),
    };
  }
  const dead = jobs.find((j) => j.status === 'dead');
  // A dead letter older than the last successful sync is history, not the state.
  if (dead && (syncedAt === undefined || (dead.finished_at ?? 0) > syncedAt)) {
    return { state: 'failed', attempts: dead.attempts, reason: dead.last_error ?? 'no reason recorded', ...withStep(dead.error_code) };
  }
  return { state: syncedAt === undefined ? 'unknown' : 'synced' };
}

function withStep(code: string | null): { nextStep?: string } {
  const step = nextStepFor(code);
  return step ? { nextStep: step } : {};
}

export async function sceneStatus(ctx: RunContext, db: Db): Promise<SceneStatus> {
  const sceneId = sceneIdArg(ctx);
  const jobs = sql(db, `SELECT status, attempts, run_at, last_error, error_code, finished_at FROM jobs
       WHERE job_key = ? ORDER BY id DESC LIMIT 20`)
    .all(`scene:${sceneId}`) as unknown as JobFacts[];
  const record = getRecord(db, sceneId);
  const status: SceneStatus = { sceneId, ...sceneState(jobs, record?.syncedAt) };
  if (record) {
    status.ratingKey = record.ratingKey;
    status.syncedAt = new Date(record.syncedAt).toISOString();
    const link = await plexWebLink(ctx, db, record.ratingKey);
    if (link) status.plexUrl = link;
  }
  return status;
}

/** `<plexUrl>/web/index.html#!/server/<machine>/details?key=/library/metadata/<rk>`, or undefined. */
async function plexWebLink(ctx: RunContext, db: Db, ratingKey: string): Promise<string | undefined> {
  try {
    const settings = await withTimeout(loadSettings(stashClientFor(ctx)));
    let machine = getKv(db, MACHINE_ID_KEY);
    if (!machine) {
      const plex = plexClientFor(db, settings);
      try {
        machine = (await plex.identity(AbortSignal.timeout(LINK_TIMEOUT_MS))).machineIdentifier;
      } finally {
        plex.close();
      }
      if (!machine) return undefined;
      setKv(db, MACHINE_ID_KEY, machine);
    }
    const key = encodeURIComponent(`/library/metadata/${ratingKey}`);
    return `${settings.plexUrl}/web/index.html#!/server/${encodeURIComponent(machine)}/details?key=${key}`;
  } catch (err) {
    ctx.log.debug(`no Plex link for the panel: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Stash did not answer in time')), LINK_TIMEOUT_MS);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

export async function syncSceneNow(ctx: RunContext, db: Db) {
  const sceneId = sceneIdArg(ctx);
  const { coalesced } = enqueue(db, { kind: 'scene', entityId: sceneId });
  const worker = ensureWorker(db, { script: ctx.script, input: { server_connection: ctx.connection } });
  ctx.log.info(`Scene ${sceneId} queued for Plex${coalesced ? ' (it was already waiting)' : ''}.`);
  return { sceneId, queued: true, coalesced, worker };
}

/** Spread into the task table: mode -> handler. */
export const UI_OPERATIONS = {
  scene_status: (ctx: RunContext, db: Db) => sceneStatus(ctx, db),
  sync_scene: (ctx: RunContext, db: Db) => syncSceneNow(ctx, db),
  scene_compare: (ctx: RunContext, db: Db) => sceneCompareTask(ctx, db),
};
