// Where Stash is and how to prove who we are, from the plugin input's
// `server_connection` (Go field names) or, outside Stash, from a URL and an
// API key.
import { PermanentError } from '../errors.ts';

/** The parts of Stash's `server_connection` we read; other keys are ignored. */
export interface ServerConnectionInput {
  Scheme?: string | undefined;
  Host?: string | undefined;
  Port?: number | undefined;
  SessionCookie?: { Name?: string | undefined; Value?: string | undefined } | null | undefined;
}

export interface StashConnection {
  /** e.g. http://localhost:9999, no trailing slash. */
  baseUrl: string;
  sessionCookie?: { name: string; value: string };
  apiKey?: string;
}

// Stash's own default port, used when the input leaves it out.
const DEFAULT_PORT = 9999;
// Stash names its session cookie "session" (pkg/session); the input normally says so too.
const DEFAULT_COOKIE_NAME = 'session';

/** A bind address is not somewhere to connect to: the wildcard means this machine. */
function connectHost(host: string | undefined): string {
  const bare = (host ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  if (bare === '' || bare === '0.0.0.0' || bare === '::') return 'localhost';
  return bare.includes(':') ? `[${bare}]` : bare;
}

export function connectionFromServer(sc: ServerConnectionInput, options: { apiKey?: string | undefined } = {}): StashConnection {
  const scheme = sc.Scheme === 'https' ? 'https' : 'http';
  const port = sc.Port ?? DEFAULT_PORT;
  const connection: StashConnection = { baseUrl: `${scheme}://${connectHost(sc.Host)}:${port}` };
  const cookie = sc.SessionCookie;
  if (cookie?.Value) connection.sessionCookie = { name: cookie.Name || DEFAULT_COOKIE_NAME, value: cookie.Value };
  if (options.apiKey) connection.apiKey = options.apiKey;
  return connection;
}

/** For use outside Stash (the CLI): a Stash URL such as http://nas:9999 and an optional API key. */
export function connectionFromUrl(url: string, options: { apiKey?: string | undefined } = {}): StashConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentError('bad_input', `Stash URL must look like http://host:9999, got ${JSON.stringify(url)}`);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    throw new PermanentError('bad_input', `Stash URL must start with http:// or https://, got ${JSON.stringify(url)}`);
  }
  const connection: StashConnection = { baseUrl: `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '') };
  if (options.apiKey) connection.apiKey = options.apiKey;
  return connection;
}

export interface ServerConnectionFields {
  Scheme: 'http' | 'https';
  Host: string;
  Port: number;
}

/** Stash's `server_connection` fields for a URL given by a user (CLI, service): scheme, host and port only. */
export function serverConnectionFromUrl(url: string): ServerConnectionFields {
  const parsed = new URL(connectionFromUrl(url).baseUrl);
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw new PermanentError('bad_input', `Stash URL takes only scheme, host and port, got a path in ${JSON.stringify(url)}`);
  }
  const https = parsed.protocol === 'https:';
  return { Scheme: https ? 'https' : 'http', Host: parsed.hostname, Port: parsed.port ? Number(parsed.port) : https ? 443 : 80 };
}
