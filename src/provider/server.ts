// The provider's HTTP server on its own port (CONTRACT sec. 14). Started by
// `plexsync serve` when PLEXSYNC_PROVIDER_PORT is set, or on its own by
// `plexsync provider`.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { StashClient } from '../stash/client.ts';
import type { ProviderSettings } from './handlers.ts';
import { providerHandler } from './router.ts';
import { StashSceneSource } from './source.ts';

export interface ProviderOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  stash: StashClient;
  /** Read per request: pathMap and contentRating as they are now. */
  settings: () => ProviderSettings;
  /** The URL Plex reaches the provider at, for image URLs; default: each request's Host. */
  publicUrl?: string | undefined;
  log: Logger;
}

export interface RunningProvider {
  /** http://host:port, as bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The provider's request handler, for a server someone else opens (the service's). */
export function providerRequestHandler(options: Omit<ProviderOptions, 'host' | 'port'>): RequestListener {
  return providerHandler({
    source: new StashSceneSource(options.stash),
    stash: options.stash,
    settings: options.settings,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    log: options.log,
  });
}

export async function startProvider(options: ProviderOptions): Promise<RunningProvider> {
  const server: Server = createServer(providerRequestHandler(options));
  // A scan asks for thousands of items over a few connections: keep them open.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
