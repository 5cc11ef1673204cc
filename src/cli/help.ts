// The text of `plexsync --help`.
import { COMMANDS } from './commands.ts';

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  const commands = Object.entries(COMMANDS)
    .map(([word, c]) => `  ${word.padEnd(width)}${c.summary}`)
    .join('\n');
  return `plexsync: run PlexSync's tasks outside Stash (same code as the plugin's Tasks page)

Usage: plexsync <command> [flags]
       plexsync serve     the long-running service: sync, change polling, dashboard (plexsync serve --help)

Commands:
${commands}

Flags:
  --stash-url URL   Stash's address, e.g. http://localhost:9999 (env PLEXSYNC_STASH_URL; default http://localhost:9999)
  --data-dir DIR    PlexSync's data folder, normally <Stash plugins>/PlexSync/data (env PLEXSYNC_DATA_DIR; required)
  --scene ID        dry-run: only this scene
  --dry-run         import-plays: list what it would write, write nothing
  -v, --verbose     also print debug lines
  -h, --help        this text

Stash's API key (Settings > Security), needed when Stash has a password, comes from the environment only:
PLEXSYNC_STASH_API_KEY, or PLEXSYNC_STASH_API_KEY_FILE naming a file that holds it (a command line is
visible to every user of the machine, so there is no flag for it).

Plex's address, token and every other setting come from the plugin's settings stored in Stash.
The other PLEXSYNC_* knobs (retry delays, leases, catch-up interval) apply as in the plugin.

Output: the task's result as JSON on stdout; log lines and progress on stderr
(one updating progress line on a terminal, plain lines otherwise).

Exit codes: 0 done, 1 the task failed (message on stderr), 2 usage error.
`;
}
