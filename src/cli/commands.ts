// The CLI's commands and flags, parsed with node:util's parseArgs. Pure:
// argv in, a command (or a usage error) out.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Command words -> the plugin's task modes: the CLI runs the same handlers. */
export const COMMANDS: Record<string, { mode: string; summary: string }> = {
  status: { mode: 'status', summary: 'Queue counts, worker and Plex circuit state, newest errors, last sync.' },
  process: { mode: 'process', summary: 'Sync every queued scene now, in the foreground.' },
  'sync-all': { mode: 'sync_all', summary: 'Queue every scene in Stash, then sync them all.' },
  reconcile: { mode: 'reconcile', summary: 'Compare every scene with Plex (no writes); queue only those that differ or are missing.' },
  'dry-run': { mode: 'dry_run', summary: 'Show what a sync would change in Plex, field by field (--scene ID for one scene).' },
  'detect-paths': { mode: 'detect_paths', summary: 'Compare Stash and Plex file paths and suggest a pathMap setting.' },
  provider: { mode: 'provider', summary: 'Serve the Plex metadata provider on PLEXSYNC_PROVIDER_PORT until stopped (no data folder needed).' },
  'provider-unlock': { mode: 'provider_unlock', summary: 'With syncMode provider: unlock the fields edit mode locked on synced items and refresh them.' },
  'import-plays': { mode: 'import_plays', summary: 'Take plays, resume points and ratings of matched items from Plex into Stash (--dry-run: only list them).' },
  'dlq list': { mode: 'dlq_list', summary: 'List dead letters (scenes that failed for good) with their reasons.' },
  'dlq retry': { mode: 'dlq_retry', summary: 'Put every dead letter back in the queue.' },
  'dlq clear': { mode: 'dlq_clear', summary: 'Delete every dead letter.' },
};

export interface CliCommand {
  help: boolean;
  mode?: string;
  sceneId?: string;
  dryRun?: boolean;
  stashUrl?: string;
  dataDir?: string;
  verbose: boolean;
}

export function parseCommand(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const base: CliCommand = { help: values.help === true, verbose: values.verbose === true };
  if (values['stash-url'] !== undefined) base.stashUrl = values['stash-url'];
  if (values['api-key'] !== undefined) {
    // A command line is visible to every user of the machine (ps, /proc).
    throw new UsageError('--api-key is no longer accepted (every user of this machine can read a command line): set PLEXSYNC_STASH_API_KEY, or PLEXSYNC_STASH_API_KEY_FILE naming a file that holds the key');
  }
  if (values['data-dir'] !== undefined) base.dataDir = values['data-dir'];
  if (base.help) return base;
  if (positionals.length === 0) throw new UsageError('no command given');
  const word = positionals[0] === 'dlq' ? `dlq ${positionals[1] ?? ''}`.trim() : positionals[0]!;
  const command = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
  if (!command) throw new UsageError(word === 'dlq' ? 'dlq needs one of: list, retry, clear' : `unknown command "${word.slice(0, 40)}"`);
  const extra = positionals.slice(word.split(' ').length);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]!.slice(0, 40)}"`);
  if (values.scene !== undefined) {
    if (command.mode !== 'dry_run') throw new UsageError('--scene belongs to dry-run only');
    if (!/^\d{1,18}$/.test(values.scene)) throw new UsageError(`--scene takes a scene number, got "${values.scene.slice(0, 40)}"`);
    base.sceneId = values.scene;
  }
  if (values['dry-run'] === true) {
    if (command.mode !== 'import_plays') throw new UsageError('--dry-run belongs to import-plays only (dry-run is its own command)');
    base.dryRun = true;
  }
  return { ...base, mode: command.mode };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'stash-url': { type: 'string' },
      'api-key': { type: 'string' },
      'data-dir': { type: 'string' },
      scene: { type: 'string' },
      'dry-run': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
