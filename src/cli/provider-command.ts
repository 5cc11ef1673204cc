// `plexsync provider`: the metadata provider on its own, until SIGTERM or
// SIGINT. Configured like the service: PLEXSYNC_STASH_URL (or --stash-url),
// PLEXSYNC_STASH_API_KEY or PLEXSYNC_STASH_API_KEY_FILE (the key never on
// the command line, where every local user can read it),
// PLEXSYNC_PROVIDER_PORT, PLEXSYNC_PROVIDER_HOST (default
// PLEXSYNC_HTTP_HOST), PLEXSYNC_PROVIDER_URL. It needs no data folder and
// no Plex token: it only reads Stash.
import { readFileSync } from 'node:fs';
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { registerSecret } from '../log/redact.ts';
import { startProviderService } from '../provider/service.ts';
import { StashClient } from '../stash/client.ts';
import { connectionFromUrl } from '../stash/connection.ts';
import { UsageError } from './commands.ts';

/** The API key from the variable, or the file PLEXSYNC_STASH_API_KEY_FILE names (trailing newline ignored). */
export function providerApiKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PLEXSYNC_STASH_API_KEY) return env.PLEXSYNC_STASH_API_KEY;
  const file = env.PLEXSYNC_STASH_API_KEY_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '') || undefined;
  } catch (err) {
    throw new UsageError(`cannot read PLEXSYNC_STASH_API_KEY_FILE: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`);
  }
}

export async function runProvider(stashUrl: string, apiKey: string | undefined, log: Logger): Promise<number> {
  registerSecret(apiKey);
  let baseUrl: string;
  try {
    baseUrl = connectionFromUrl(stashUrl).baseUrl;
  } catch (err) {
    throw new UsageError(describeError(err));
  }
  if (!process.env.PLEXSYNC_PROVIDER_PORT?.trim()) throw new UsageError('the provider needs a port: set PLEXSYNC_PROVIDER_PORT');
  const stash = new StashClient({ baseUrl, apiKey, timeoutMs: 30_000 });
  const service = await startProviderService(stash, process.env, log);
  if (!service) throw new UsageError('the provider needs a port: set PLEXSYNC_PROVIDER_PORT');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await service.close();
  log.info('Metadata provider stopped');
  return 0;
}
