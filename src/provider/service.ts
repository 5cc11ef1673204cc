// The provider as a long-running part of a process: listen where the
// environment says, keep pathMap and contentRating in step with Stash's
// stored settings, stop cleanly. `plexsync serve` and `plexsync provider`
// both start it through here.
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { StashClient } from '../stash/client.ts';
import { providerListen, providerSettings } from './config.ts';
import type { ProviderSettings } from './handlers.ts';
import { type RunningProvider, startProvider } from './server.ts';

/** How often the provider rereads the plugin settings from Stash. */
export const SETTINGS_REFRESH_MS = 60_000;

export interface ProviderService extends RunningProvider {
  /** Rereads the settings now (also done every SETTINGS_REFRESH_MS). */
  reload(): Promise<void>;
}

/** undefined when PLEXSYNC_PROVIDER_PORT is unset. Settings must load once, or this throws. */
export async function startProviderService(stash: StashClient, env: NodeJS.ProcessEnv, log: Logger): Promise<ProviderService | undefined> {
  const listen = providerListen(env);
  if (!listen) return undefined;
  let settings: ProviderSettings = providerSettings(await stash.pluginSettings(), env);
  const reload = async () => {
    try {
      settings = providerSettings(await stash.pluginSettings(), env);
    } catch (err) {
      // Keep serving with what was read last; the next round tries again.
      log.warn(`provider: could not reread the settings from Stash: ${describeError(err)}`);
    }
  };
  const provider = await startProvider({ ...listen, stash, settings: () => settings, log });
  const timer = setInterval(() => void reload(), SETTINGS_REFRESH_MS);
  timer.unref();
  log.info(`Metadata provider listening on ${provider.url}${listen.publicUrl ? ` (Plex reaches it at ${listen.publicUrl})` : ''}`);
  return {
    ...provider,
    reload,
    close: async () => {
      clearInterval(timer);
      await provider.close();
    },
  };
}
