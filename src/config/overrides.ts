// Plugin settings the environment overrides (CONTRACT section 13): for the
// service, whose settings otherwise come from Stash, and for anyone who keeps
// the Plex token out of Stash. Read from the environment of the process, so a
// worker it starts sees the same.

/** Environment variable -> plugin setting key. */
export const SETTING_OVERRIDES: Readonly<Record<string, string>> = {
  PLEXSYNC_PLEX_URL: 'plexUrl',
  PLEXSYNC_PLEX_TOKEN: 'plexToken',
  PLEXSYNC_PLEX_LIBRARIES: 'plexLibraries',
  PLEXSYNC_PATH_MAP: 'pathMap',
};

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');

/** A secret from VAR, or from the file VAR_FILE names (its trailing newline ignored). */
export function secretFrom(env: Env, variable: string, readFile: ReadFile = readUtf8): string | undefined {
  const direct = env[variable];
  const file = env[`${variable}_FILE`];
  if (direct && file) throw new Error(`set ${variable} or ${variable}_FILE, not both`);
  if (direct) return direct;
  if (!file) return undefined;
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new Error(`${variable}_FILE: cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: err });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new Error(`${variable}_FILE: ${JSON.stringify(file)} is empty`);
  return value;
}

/** The overrides set in `env`, as plugin setting keys; {} when none. */
export function settingOverridesFromEnv(env: Env = process.env, readFile: ReadFile = readUtf8): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [variable, key] of Object.entries(SETTING_OVERRIDES)) {
    const value = variable === 'PLEXSYNC_PLEX_TOKEN' ? secretFrom(env, variable, readFile) : env[variable];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
