// The text of `plexsync serve --help`.
import { SERVICE_DEFAULTS } from './config.ts';

export function serveHelpText(): string {
  return `plexsync serve: PlexSync as a long-running service (sync worker, change polling, dashboard)

Usage: plexsync serve [--flag value ...]

Settings, from the environment (each also as a flag: PLEXSYNC_STASH_URL is --stash-url):
  PLEXSYNC_DATA_DIR            the data folder (required; a volume in Docker)
  PLEXSYNC_STASH_URL           Stash's address (default ${SERVICE_DEFAULTS.stashUrl})
  PLEXSYNC_STASH_API_KEY       Stash API key (Settings > Security), when Stash has a password;
  PLEXSYNC_STASH_API_KEY_FILE    or a file holding it (no flag: a command line is visible to every user)
  PLEXSYNC_HTTP_HOST           address of the dashboard (default ${SERVICE_DEFAULTS.httpHost})
  PLEXSYNC_HTTP_PORT           its port (default ${SERVICE_DEFAULTS.httpPort})
  PLEXSYNC_HTTP_PASSWORD       required when PLEXSYNC_HTTP_HOST is not a loopback address;
  PLEXSYNC_HTTP_PASSWORD_FILE    or a file holding it. HTTP Basic, any user name; /healthz is open
  PLEXSYNC_POLL_MS             how often Stash is asked for changes (default ${SERVICE_DEFAULTS.pollMs})

Plex's address, token and every other setting come from the plugin settings stored in Stash.
These override them: PLEXSYNC_PLEX_URL, PLEXSYNC_PLEX_TOKEN (or PLEXSYNC_PLEX_TOKEN_FILE),
PLEXSYNC_PLEX_LIBRARIES, PLEXSYNC_PATH_MAP.

Stops cleanly on SIGTERM: running jobs finish or go back to the queue, exit code 0.
`;
}
