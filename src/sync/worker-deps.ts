// Builds the real job processor for a draining process: Stash client and
// settings, Plex client, library index, and the per-kind job handlers.
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
import type { JobOutcome, JobProcessor } from '../worker/processor.ts';
import type { Job } from '../queue/types.ts';
import { errorCode } from '../errors.ts';
import { housekeepingTicker } from '../worker/housekeeping.ts';
import { catchUpTicker } from './catch-up.ts';
import type { FieldToggles } from './desired.ts';
import { anyCollectionRule, rulesFrom } from './rules.ts';
import { propagateRename } from './propagate.ts';
import { syncScene, type SceneSyncDeps } from './scene-sync.ts';
import { onSceneDestroyed } from './scene-destroyed.ts';

const VERSION = '0.1.0';

/** A stable X-Plex-Client-Identifier per installation, kept in the database. */
export function plexClientIdentifier(db: Db): string {
  const existing = getKv(db, 'plex_client_identifier');
  if (existing) return existing;
  const id = `plexsync-${process.getBuiltinModule('node:crypto').randomUUID()}`;
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

export async function loadSyncDeps(ctx: RunContext, db: Db): Promise<{ settings: Settings; sync: SceneSyncDeps; close(): void }> {
  const stash = stashClientFor(ctx);
  const settings = parseSettings(await stash.pluginSettings());
  const plex = plexClientFor(db, settings);
  const index = new LibraryIndex(db, plex, { libraries: settings.plexLibraries, log: ctx.log });
  if (settings.performerPhotos && stash.needsCredentials) {
    ctx.log.warn('performerPhotos is on, but Stash asks for credentials: its image URLs would need them inside Plex, so no performer photos are sent');
  }
  const sync: SceneSyncDeps = {
    db,
    stash,
    plex,
    index,
    mappings: parsePathMap(settings.pathMapRaw),
    toggles: togglesFrom(settings),
    rules: rulesFrom(settings, stash.needsCredentials),
    groupCollectionArt: settings.groupCollectionArt && !settings.skipCollections,
    requestScans: !settings.noScanRequests,
    log: ctx.log,
  };
  return { settings, sync, close: () => plex.close() };
}

export async function loadWorkerDeps(ctx: RunContext, db: Db): Promise<WorkerDeps> {
  const { settings, sync, close } = await loadSyncDeps(ctx, db);
  // Stash's session cookie expires (an hour by default) and only a new hook or
  // task brings a fresh one: a worker whose session is refused stops, so the
  // next hook starts a worker that has one.
  let sessionRefused = false;
  const processor: JobProcessor = async (job, signal) => {
    try {
      return await runJob(job, sync, signal);
    } catch (err) {
      if (errorCode(err) === 'stash_auth') sessionRefused = true;
      throw err;
    }
  };
  const probeTimeoutMs = Math.min(10_000, settings.plexTimeoutSeconds * 1000);
  const policy = { ...DEFAULT_CIRCUIT, firstProbeMs: ctx.env.circuitProbeMs, maxProbeMs: Math.max(ctx.env.circuitProbeMs, ctx.env.circuitMaxProbeMs) };
  const gate = new PlexCircuit(db, async () => void (await sync.plex.identity(AbortSignal.timeout(probeTimeoutMs))), ctx.log, policy);
  // Used by the background worker's drain loop only: catch-up runs at its start and then at an interval.
  const catchUpTick = catchUpTicker(db, sync.stash, ctx.log, ctx.env.catchUpIntervalMs);
  const housekeepingTick = housekeepingTicker(db, settings.dlqRetentionDays, ctx.log);
  const tick = async () => {
    housekeepingTick();
    await catchUpTick();
  };
  return {
    processor,
    gate,
    maxAttempts: settings.maxAttempts,
    concurrency: settings.plexConcurrency,
    tick,
    shouldHandOver: () => sessionRefused,
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
