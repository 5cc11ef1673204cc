// The metadata provider as a part of the service (docs/provider.md): its own
// port when PLEXSYNC_PROVIDER_PORT is set, the plugin settings (with the
// environment's overrides) reread every minute for pathMap and contentRating.
import { parsePathMap } from '../match/pathmap.ts';
import { providerListen } from '../provider/config.ts';
import type { ProviderSettings } from '../provider/handlers.ts';
import { providerRequestHandler } from '../provider/server.ts';
import { SETTINGS_REFRESH_MS } from '../provider/service.ts';
import type { ServiceHost, ServiceModule } from './host.ts';

async function current(host: ServiceHost): Promise<ProviderSettings> {
  const s = await host.settings();
  return { mappings: parsePathMap(s.pathMapRaw), contentRating: s.contentRating, titleTemplate: s.titleTemplate };
}

export const providerModule: ServiceModule = {
  name: 'provider',
  async start(host) {
    const listen = providerListen(process.env);
    if (!listen) return;
    let settings = await current(host);
    host.scheduler.every({
      name: 'provider settings',
      everyMs: SETTINGS_REFRESH_MS,
      async run() {
        settings = await current(host);
      },
    });
    const server = await host.listen('provider', listen.host, listen.port, providerRequestHandler({ stash: host.stash, settings: () => settings, publicUrl: listen.publicUrl, log: host.log }));
    host.log.info(`Metadata provider listening on ${server.url}${listen.publicUrl ? ` (Plex reaches it at ${listen.publicUrl})` : ''}`);
  },
};
