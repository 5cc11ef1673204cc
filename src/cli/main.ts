// `plexsync`: the plugin's tasks from a shell. It builds the same input and
// run context Stash would hand the plugin and calls the same task handlers;
// the background workers it starts are the plugin's own worker code.
import { resolve } from 'node:path';
import { readEnv } from '../config/env.ts';
import { secretFrom } from '../config/overrides.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { type RunContext, scriptPath } from '../entry/context.ts';
import { parseInput } from '../entry/input.ts';
import { describeError } from '../errors.ts';
import { redact, registerSecret } from '../log/redact.ts';
import { type ServerConnectionFields, serverConnectionFromUrl } from '../stash/connection.ts';
import { loadWorkerDeps } from '../sync/worker-deps.ts';
import { taskHandler } from '../tasks/dispatch.ts';
import { type CliCommand, parseCommand, UsageError } from './commands.ts';
import { helpText } from './help.ts';
import { providerApiKey, runProvider } from './provider-command.ts';
import { createTerminalLogger } from './terminal-log.ts';

const DEFAULT_STASH_URL = 'http://localhost:9999';

export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** Stash's `server_connection` for a URL; the plugin's Stash client reads nothing else. */
function serverConnection(url: string): ServerConnectionFields {
  try {
    return serverConnectionFromUrl(url);
  } catch (err) {
    throw new UsageError(describeError(err).replace(/^Stash URL/, '--stash-url'));
  }
}

function usage(message: string): number {
  process.stderr.write(`plexsync: ${message}\nRun "plexsync --help" for the commands and flags.\n`);
  return EXIT.usage;
}

export async function cliMain(argv: readonly string[]): Promise<number> {
  let cmd: CliCommand;
  let connection: ReturnType<typeof serverConnection>;
  try {
    cmd = parseCommand(argv);
    if (cmd.help) {
      process.stdout.write(helpText());
      return EXIT.ok;
    }
    if (cmd.mode === 'provider') {
      const log = createTerminalLogger(process.stderr, cmd.verbose);
      try {
        return await runProvider(cmd.stashUrl ?? process.env.PLEXSYNC_STASH_URL ?? DEFAULT_STASH_URL, providerApiKey(process.env), log);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        log.finish();
        log.error(describeError(err));
        return EXIT.error;
      }
    }
    const dataDir = cmd.dataDir ?? process.env.PLEXSYNC_DATA_DIR;
    if (!dataDir) throw new UsageError('no data folder: give --data-dir or set PLEXSYNC_DATA_DIR');
    connection = serverConnection(cmd.stashUrl ?? process.env.PLEXSYNC_STASH_URL ?? DEFAULT_STASH_URL);
    // Through the environment, so the background workers this starts see the same.
    process.env.PLEXSYNC_DATA_DIR = resolve(dataDir);
    let apiKey: string | undefined;
    try {
      apiKey = secretFrom(process.env, 'PLEXSYNC_STASH_API_KEY');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (apiKey) process.env.PLEXSYNC_STASH_API_KEY = apiKey;
    delete process.env.PLEXSYNC_STASH_API_KEY_FILE;
    registerSecret(apiKey);
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }

  const log = createTerminalLogger(process.stderr, cmd.verbose);
  let db: Db | undefined;
  try {
    const env = readEnv();
    const input = parseInput(JSON.stringify({ server_connection: connection, args: { mode: cmd.mode, ...(cmd.sceneId ? { sceneId: cmd.sceneId } : {}), ...(cmd.dryRun ? { dryRun: 'true' } : {}) } }));
    const ctx: RunContext = { input, connection: input.server_connection, env, dataDir: env.dataDir!, log, script: scriptPath() };
    const handler = taskHandler(cmd.mode);
    db = await openDatabase(ctx.dataDir);
    const output = await handler(ctx, db, loadWorkerDeps);
    log.finish();
    process.stdout.write(`${redact(JSON.stringify(output, null, 2))}\n`);
    return EXIT.ok;
  } catch (err) {
    log.finish();
    log.error(describeError(err));
    return EXIT.error;
  } finally {
    db?.close();
  }
}
