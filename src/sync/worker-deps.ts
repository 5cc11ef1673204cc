// Builds the real job processor for a draining process: Stash client and
// settings, Plex client, library index, and the per-kind job handlers.
import { settingOverridesFromEnv } from '../config/overrides.ts';
import { parseSettings, type Settings } from '../config/settings.ts';
import { type Db, getKv, setKv } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { registerSecret } from '../log/redact.ts';
import { LibraryIndex } from '../match/library-index.ts';
import { parsePathMap } from '../match/pathmap.ts';
import { PlexClient } from '../plex/client.ts';
import { StashClient } from '../stash/client.ts';
import { connectionFromServer } from '../stash/connection.ts';
import { DEFAULT_CIRCUIT, PlexCircuit } from '../worker/circuit.ts';
import type { WorkerDeps } from '../worker/deps.ts';
import { randomUuid } from '../random-id.ts';
import { assertFence } from '../worker/fence.ts';
import type { JobOutcome, JobProcessor } from '../worker/processor.ts';
import type { Job } from '../queue/types.ts';
import { DEAD_LETTERS_RETRIED_AT } from '../queue/dlq.ts';
import { describeError, errorCode, isTransient, TransientError } from '../errors.ts';
import { housekeepingTicker } from '../worker/housekeeping.ts';
import { catchUpTicker } from './catch-up.ts';
import type { FieldToggles } from './desired.ts';
import { anyCollectionRule, rulesFrom } from './rules.ts';
import { propagateRename } from './propagate.ts';
import { syncScene, type SceneSyncDeps } from './scene-sync.ts';
import { onSceneDestroyed } from './scene-destroyed.ts';
import { plexRatingStands } from '../plays/echo.ts';
import { playsAtStart } from '../plays/ticker.ts';

const VERSION = '0.1.0';

/** A stable X-Plex-Client-Identifier per installation, kept in the database. */
export function plexClientIdentifier(db: Db): string {
  const existing = getKv(db, 'plex_client_identifier');
  if (existing) return existing;
  const id = `plexsync-${randomUuid()}`;
  setKv(db, 'plex_client_identifier', id);
  return id;
}

export function togglesFrom(s: Settings): FieldToggles {
  return {
    title: !s.skipTitle,
    summary: !s.skipSummary,
    date: !s.skipDate,
    studio: !s.skipStudio,
    performers: !s.skipPerformers,
    tags: !s.skipTags,
    director: !s.skipDirector,
    rating: !s.skipRating,
    collections: anyCollectionRule(s),
    poster: !s.skipPoster,
  };
}

export function stashClientFor(ctx: RunContext): StashClient {
  const apiKey = process.env.PLEXSYNC_STASH_API_KEY || undefined;
  registerSecret(apiKey);
  return new StashClient({ ...connectionFromServer(ctx.connection, { apiKey }), timeoutMs: 30_000 });
}

export function plexClientFor(db: Db, settings: Settings, onRequest?: (method: string, path: string) => void): PlexClient {
  registerSecret(settings.plexToken);
  return new PlexClient({
    baseUrl: settings.plexUrl,
    token: settings.plexToken,
    clientIdentifier: plexClientIdentifier(db),
    timeoutMs: settings.plexTimeoutSeconds * 1000,
    insecureTls: settings.plexInsecureTls,
    version: VERSION,
    ...(onRequest ? { onRequest } : {}),
  });
}

/**
 * The plugin settings stored in Stash, with the environment's overrides on
 * top (config/overrides.ts; the service sets them, a plugin normally not).
 */
export async function rawSettings(stash: StashClient): Promise<Record<string, unknown>> {
  return { ...(await stash.pluginSettings()), ...settingOverridesFromEnv() };
}

export async function loadSettings(stash: StashClient): Promise<Settings> {
  return parseSettings(await rawSettings(stash));
}

function syncDepsFor(ctx: RunContext, db: Db, stash: StashClient, settings: Settings): SceneSyncDeps {
  // Fencing: a write goes out only while this worker still holds its leases (worker/fence.ts).
  const plex = plexClientFor(db, settings, (method) => {
    if (method !== 'GET') assertFence();
  });
  if (settings.performerPhotos && stash.needsCredentials) {
    ctx.log.warn('performerPhotos is on, but Stash asks for credentials: its image URLs would need them inside Plex, so no performer photos are sent');
  }
  return {
    db,
    stash,
    plex,
    index: new LibraryIndex(db, plex, { libraries: settings.plexLibraries, log: ctx.log }),
    mappings: parsePathMap(settings.pathMapRaw),
    toggles: togglesFrom(settings),
    rules: rulesFrom(settings, stash.needsCredentials),
    groupCollectionArt: settings.groupCollectionArt && !settings.skipCollections,
    requestScans: !settings.noScanRequests,
    syncMode: settings.syncMode,
    log: ctx.log,
    ...(settings.importRatings ? { plexRatingStands: (scene, item) => plexRatingStands(db, scene, item) } : {}),
  };
}

/** How long one read of the settings stands for "the settings now". */
const SETTINGS_FRESH_MS = 1_000;

export interface SyncDeps {
  settings: Settings;
  /** Live: `refresh` replaces its parts when the settings changed. */
  sync: SceneSyncDeps;
  /**
   * Reads the settings again (at most once a second) and, when they changed, rebuilds the Plex client,
   * library index, path map and toggles from them: a changed token, URL,
   * pathMap or field toggle applies from the next job on. Stash unreachable:
   * the settings in hand stay. Settings now invalid: throws bad_settings.
   */
  refresh(): Promise<void>;
  close(): void;
}

export async function loadSyncDeps(ctx: RunContext, db: Db): Promise<SyncDeps> {
  const stash = stashClientFor(ctx);
  let raw = await rawSettings(stash);
  let recent: { at: number; read: Promise<Record<string, unknown>> } | undefined;
  const deps: SyncDeps = {
    settings: parseSettings(raw),
    sync: undefined as unknown as SceneSyncDeps,
    async refresh() {
      // One read serves every job that starts within a second of it: a bulk
      // sync asks Stash about once a second, not once per scene. Dead letters
      // sent back since that read were retried after a fix: read again.
      const now = Date.now();
      const retriedAt = Number(getKv(db, DEAD_LETTERS_RETRIED_AT) ?? 0);
      if (!recent || now - recent.at >= SETTINGS_FRESH_MS || retriedAt >= recent.at) recent = { at: now, read: rawSettings(stash) };
      let next: Record<string, unknown>;
      try {
        next = await recent.read;
      } catch (err) {
        if (isTransient(err)) return;
        throw err;
      }
      if (JSON.stringify(next) === JSON.stringify(raw)) return;
      const settings = parseSettings(next);
      raw = next;
      // The old client may still carry another lane's request: closed at the end.
      retired.push(deps.sync.plex);
      deps.settings = settings;
      Object.assign(deps.sync, syncDepsFor(ctx, db, stash, settings));
      ctx.log.info('settings changed: the next jobs use them');
    },
    close: () => {
      for (const plex of [...retired, deps.sync.plex]) plex.close();
    },
  };
  const retired: PlexClient[] = [];
  deps.sync = syncDepsFor(ctx, db, stash, deps.settings);
  return deps;
}

export async function loadWorkerDeps(ctx: RunContext, db: Db): Promise<WorkerDeps> {
  const deps = await loadSyncDeps(ctx, db);
  const { settings, sync, close } = deps;
  // Stash's session cookie expires (an hour by default) and only a new hook or
  // task brings a fresh one: a worker whose session is refused stops, so the
  // next hook starts a worker that has one. Settings that became invalid stop
  // it too: the jobs stay queued and `status` names the problem.
  let stopping = false;
  const processor: JobProcessor = async (job, signal) => {
    try {
      await deps.refresh();
    } catch (err) {
      stopping = true;
      setKv(db, 'settings_problem', describeError(err));
      // Transient for the job: it waits for settings that work.
      throw new TransientError('bad_settings', describeError(err), { cause: err });
    }
    try {
      return await runJob(job, sync, signal);
    } catch (err) {
      if (errorCode(err) === 'stash_auth') stopping = true;
      throw err;
    }
  };
  const probeTimeoutMs = Math.min(10_000, settings.plexTimeoutSeconds * 1000);
  const policy = { ...DEFAULT_CIRCUIT, firstProbeMs: ctx.env.circuitProbeMs, maxProbeMs: Math.max(ctx.env.circuitProbeMs, ctx.env.circuitMaxProbeMs) };
  const gate = new PlexCircuit(db, async () => void (await sync.plex.identity(AbortSignal.timeout(probeTimeoutMs))), ctx.log, policy);
  // Used by the background worker's drain loop only: catch-up runs at its start and then at an interval.
  const catchUpTick = catchUpTicker(db, sync.stash, ctx.log, ctx.env.catchUpIntervalMs);
  const housekeepingTick = housekeepingTicker(db, settings.dlqRetentionDays, ctx.log);
  const playsTick = playsAtStart(db, settings, sync, ctx.log);
  const tick = async () => {
    housekeepingTick();
    await catchUpTick();
    await playsTick();
  };
  return {
    processor,
    gate,
    maxAttempts: settings.maxAttempts,
    concurrency: settings.plexConcurrency,
    tick,
    shouldHandOver: () => stopping,
    close,
  };
}

async function runJob(job: Job, sync: SceneSyncDeps, signal: AbortSignal): Promise<JobOutcome> {
  switch (job.kind) {
    case 'scene':
      return { summary: (await syncScene(job.entityId, job.attempts, sync, signal)).summary };
    case 'scene_destroy':
      return { summary: await onSceneDestroyed(job, sync, signal) };
    default:
      return { summary: await propagateRename(job, sync) };
  }
}
