// Where the provider listens, from the environment (CONTRACT sec. 14), and
// the two settings it reads from Stash. Pure: env and raw settings in,
// validated values (or an error naming the variable) out.
import { PermanentError } from '../errors.ts';
import { parsePathMap } from '../match/pathmap.ts';
import type { ProviderSettings } from './handlers.ts';

export interface ProviderListen {
  host: string;
  port: number;
  /** PLEXSYNC_PROVIDER_URL: the address Plex reaches the provider at, for image URLs. */
  publicUrl: string | undefined;
}

/** Same default as the service's own HTTP host. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

function bad(message: string): PermanentError {
  return new PermanentError('bad_settings', message);
}

/** undefined when PLEXSYNC_PROVIDER_PORT is unset or empty: the provider is off. */
export function providerListen(env: NodeJS.ProcessEnv): ProviderListen | undefined {
  const rawPort = env.PLEXSYNC_PROVIDER_PORT?.trim();
  if (!rawPort) return undefined;
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65_535) throw bad(`PLEXSYNC_PROVIDER_PORT must be a port number from 1 to 65535, got ${JSON.stringify(rawPort)}`);
  const host = env.PLEXSYNC_PROVIDER_HOST?.trim() || env.PLEXSYNC_HTTP_HOST?.trim() || DEFAULT_HTTP_HOST;
  const rawUrl = env.PLEXSYNC_PROVIDER_URL?.trim() || undefined;
  if (rawUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw bad(`PLEXSYNC_PROVIDER_URL must be a URL like http://192.168.1.10:9881, got ${JSON.stringify(rawUrl)}`);
    }
    if (!/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw bad(`PLEXSYNC_PROVIDER_URL must be a plain http(s) address without credentials, query or fragment, got ${JSON.stringify(rawUrl)}`);
    }
  }
  return { host, port, publicUrl: rawUrl?.replace(/\/+$/, '') };
}

/**
 * pathMap, contentRating and titleTemplate from the plugin settings stored in Stash, with
 * PLEXSYNC_PATH_MAP overriding pathMap as in service mode. The provider
 * needs no Plex URL or token: it never calls Plex.
 */
export function providerSettings(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): ProviderSettings {
  const pathMap = env.PLEXSYNC_PATH_MAP ?? (typeof raw['pathMap'] === 'string' ? raw['pathMap'] : '');
  const text = (key: string) => (typeof raw[key] === 'string' ? raw[key].trim() : '');
  return { mappings: parsePathMap(pathMap), contentRating: text('contentRating'), titleTemplate: text('titleTemplate') };
}
