// What every invocation shares: where the data lives, the logger, the input.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvKnobs } from '../config/env.ts';
import type { Logger } from '../log/logger.ts';
import type { PluginInput, ServerConnection } from './input.ts';

export interface RunContext {
  input: PluginInput;
  connection: ServerConnection;
  env: EnvKnobs;
  dataDir: string;
  log: Logger;
  /** The bundled plugin file, re-run with `--worker` for the background worker. */
  script: string;
}

/** CONTRACT section 4: $PLEXSYNC_DATA_DIR, else <PluginDir>/data. */
export function resolveDataDir(env: EnvKnobs, connection: ServerConnection | undefined): string {
  if (env.dataDir) return env.dataDir;
  if (connection?.PluginDir) return join(connection.PluginDir, 'data');
  return join(dirname(fileURLToPath(import.meta.url)), 'data');
}

export function scriptPath(): string {
  return process.argv[1] ?? fileURLToPath(import.meta.url);
}
