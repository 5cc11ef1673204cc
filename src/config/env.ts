// Environment knobs (CONTRACT section 8 plus a few of our own), each with a
// production default. Read once per process.

export interface EnvKnobs {
  /** PLEXSYNC_DATA_DIR; undefined means `<PluginDir>/data`. */
  dataDir: string | undefined;
  /** PLEXSYNC_IDLE_EXIT_MS: how long an idle background worker waits for work. */
  idleExitMs: number;
  /** PLEXSYNC_RETRY_BASE_MS: base delay of the exponential backoff. */
  retryBaseMs: number;
  /** PLEXSYNC_RETRY_CAP_MS: the longest single backoff delay. */
  retryCapMs: number;
  /** PLEXSYNC_JOB_LEASE_MS: how long a claimed job stays claimed without renewal. */
  jobLeaseMs: number;
  /** PLEXSYNC_WORKER_LEASE_MS: how long the worker lease lives without renewal. */
  workerLeaseMs: number;
  /** PLEXSYNC_CATCHUP_INTERVAL_MS: how often a running worker looks for scenes changed without a hook (0: only at start). */
  catchUpIntervalMs: number;
  /** PLEXSYNC_CIRCUIT_PROBE_MS: first probe of a Plex found down; doubles per failed probe. */
  circuitProbeMs: number;
  /** PLEXSYNC_CIRCUIT_MAX_PROBE_MS: the longest wait between two probes of a down Plex. */
  circuitMaxProbeMs: number;
  /** PLEXSYNC_PLEX_TV_URL: plex.tv's API base, for sign-in and the account's servers. */
  plexTvUrl: string;
  /** PLEXSYNC_PLAYS_POLL_MS: how often the service imports plays from Plex (with importPlays on). */
  playsPollMs: number;
}

export const PLEX_TV_URL = 'https://plex.tv';

export const ENV_DEFAULTS: Omit<EnvKnobs, 'dataDir' | 'plexTvUrl'> = {
  idleExitMs: 60_000,
  retryBaseMs: 5_000,
  retryCapMs: 30 * 60_000,
  jobLeaseMs: 5 * 60_000,
  workerLeaseMs: 30_000,
  catchUpIntervalMs: 10 * 60_000,
  circuitProbeMs: 2_000,
  circuitMaxProbeMs: 60_000,
  playsPollMs: 15 * 60_000,
};

/**
 * A whole number of milliseconds. `why0` is set for knobs that make no sense
 * at 0 (a lease that is over when taken, a backoff of nothing): 0 is then
 * refused with the reason.
 */
function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, why0?: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number of milliseconds, got ${JSON.stringify(raw)}`);
  }
  if (value === 0 && why0 !== undefined) throw new Error(`${name} must be at least 1 ms, got 0: ${why0}; leave it unset for the default of ${fallback} ms`);
  return value;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvKnobs {
  return {
    dataDir: env.PLEXSYNC_DATA_DIR || undefined,
    idleExitMs: positiveInt(env, 'PLEXSYNC_IDLE_EXIT_MS', ENV_DEFAULTS.idleExitMs),
    retryBaseMs: positiveInt(env, 'PLEXSYNC_RETRY_BASE_MS', ENV_DEFAULTS.retryBaseMs, 'every retry would go out at once'),
    retryCapMs: positiveInt(env, 'PLEXSYNC_RETRY_CAP_MS', ENV_DEFAULTS.retryCapMs, 'every retry would go out at once'),
    jobLeaseMs: positiveInt(env, 'PLEXSYNC_JOB_LEASE_MS', ENV_DEFAULTS.jobLeaseMs, 'a job would be taken back the moment it is claimed'),
    workerLeaseMs: positiveInt(env, 'PLEXSYNC_WORKER_LEASE_MS', ENV_DEFAULTS.workerLeaseMs, 'the worker lease would lapse the moment it is taken'),
    catchUpIntervalMs: positiveInt(env, 'PLEXSYNC_CATCHUP_INTERVAL_MS', ENV_DEFAULTS.catchUpIntervalMs),
    circuitProbeMs: positiveInt(env, 'PLEXSYNC_CIRCUIT_PROBE_MS', ENV_DEFAULTS.circuitProbeMs, 'a Plex found down would be probed without pause'),
    circuitMaxProbeMs: positiveInt(env, 'PLEXSYNC_CIRCUIT_MAX_PROBE_MS', ENV_DEFAULTS.circuitMaxProbeMs, 'a Plex found down would be probed without pause'),
    plexTvUrl: (env.PLEXSYNC_PLEX_TV_URL || PLEX_TV_URL).replace(/\/+$/, ''),
    playsPollMs: positiveInt(env, 'PLEXSYNC_PLAYS_POLL_MS', ENV_DEFAULTS.playsPollMs, 'the service would import plays without pause'),
  };
}
