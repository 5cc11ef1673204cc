// `plexsync serve` configuration: environment variables (CONTRACT section 13),
// each also accepted as a flag of the same name (--stash-url for
// PLEXSYNC_STASH_URL). The API key and the HTTP password come from the
// environment or a file only: a command line is visible to every local user.
import { secretFrom, settingOverridesFromEnv } from '../config/overrides.ts';

export interface ServiceConfig {
  stashUrl: string;
  apiKey: string | undefined;
  dataDir: string;
  httpHost: string;
  httpPort: number;
  pollMs: number;
  /** Required when httpHost is not a loopback address. */
  httpPassword: string | undefined;
  /** Plugin settings the environment overrides (PLEXSYNC_PLEX_URL -> plexUrl, ...). */
  settingOverrides: Record<string, string>;
}

export const SERVICE_DEFAULTS = {
  stashUrl: 'http://localhost:9999',
  httpHost: '127.0.0.1',
  httpPort: 9880,
  pollMs: 10_000,
} as const;

/** Variables that hold secrets: never taken from a flag. */
const SECRET_VARIABLES = new Set(['PLEXSYNC_STASH_API_KEY', 'PLEXSYNC_HTTP_PASSWORD', 'PLEXSYNC_PLEX_TOKEN']);

const FLAG_VARIABLES = ['PLEXSYNC_STASH_URL', 'PLEXSYNC_STASH_API_KEY_FILE', 'PLEXSYNC_DATA_DIR', 'PLEXSYNC_HTTP_HOST', 'PLEXSYNC_HTTP_PORT', 'PLEXSYNC_POLL_MS', 'PLEXSYNC_HTTP_PASSWORD_FILE', 'PLEXSYNC_PLEX_TOKEN_FILE', 'PLEXSYNC_PLEX_URL', 'PLEXSYNC_PLEX_LIBRARIES', 'PLEXSYNC_PATH_MAP'];

/** `--stash-url` <-> `PLEXSYNC_STASH_URL`. */
export function flagName(variable: string): string {
  return `--${variable.replace(/^PLEXSYNC_/, '').toLowerCase().replace(/_/g, '-')}`;
}

export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
}

/**
 * Flags as a map of variable -> value. A flag naming a secret is refused with
 * the way to give it instead.
 */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const known = new Map(FLAG_VARIABLES.map((v) => [flagName(v), v]));
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const secret = [...SECRET_VARIABLES].find((v) => flagName(v) === flag);
    if (secret) {
      throw new ServiceConfigError(`${flag} is not accepted: a command line is visible to every user of this machine; set ${secret} or ${secret}_FILE (a file holding it) instead`);
    }
    const variable = known.get(flag);
    if (!variable) throw new ServiceConfigError(`unknown flag ${JSON.stringify(flag.slice(0, 40))} for serve`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ServiceConfigError(`${flag} needs a value`);
    out[variable] = value;
  }
  return out;
}

type ReadFile = (path: string) => string;

function whole(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ServiceConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function secretOrConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new ServiceConfigError((err as Error).message);
  }
}

export function readServiceConfig(env: Readonly<Record<string, string | undefined>>, readFile: ReadFile): ServiceConfig {
  const dataDir = env.PLEXSYNC_DATA_DIR;
  if (!dataDir) throw new ServiceConfigError('PLEXSYNC_DATA_DIR is not set: serve needs a data folder (a volume in Docker)');
  const httpHost = env.PLEXSYNC_HTTP_HOST || SERVICE_DEFAULTS.httpHost;
  const secret = (variable: string) => secretOrConfigError(() => secretFrom(env, variable, readFile));
  const httpPassword = secret('PLEXSYNC_HTTP_PASSWORD');
  if (!isLoopback(httpHost) && !httpPassword) {
    throw new ServiceConfigError(
      `PLEXSYNC_HTTP_HOST is ${JSON.stringify(httpHost)}, reachable from other machines: set PLEXSYNC_HTTP_PASSWORD (or PLEXSYNC_HTTP_PASSWORD_FILE) so the dashboard asks for it`,
    );
  }
  const settingOverrides = secretOrConfigError(() => settingOverridesFromEnv(env, readFile));
  return {
    stashUrl: env.PLEXSYNC_STASH_URL || SERVICE_DEFAULTS.stashUrl,
    apiKey: secret('PLEXSYNC_STASH_API_KEY'),
    dataDir,
    httpHost,
    httpPort: whole(env, 'PLEXSYNC_HTTP_PORT', SERVICE_DEFAULTS.httpPort, 0, 65535),
    pollMs: whole(env, 'PLEXSYNC_POLL_MS', SERVICE_DEFAULTS.pollMs, 100, 24 * 3600_000),
    httpPassword,
    settingOverrides,
  };
}
