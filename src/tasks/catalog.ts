// The task modes of CONTRACT section 7 and ours. `inManifest` tasks appear on
// Stash's Tasks page; the rest are operations for the UI panel and the CLI.

export interface TaskInfo {
  mode: string;
  name: string;
  description: string;
  inManifest: boolean;
  /** Further defaultArgs for the manifest's entry (strings, as Stash passes them). */
  args?: Record<string, string>;
}

export const TASKS: readonly TaskInfo[] = [
  { mode: 'process', name: 'Process queue', description: 'Sync every queued scene to Plex now, with progress.', inManifest: true },
  { mode: 'sync_all', name: 'Sync all scenes', description: 'Queue every scene in Stash, then sync them to Plex.', inManifest: true },
  {
    mode: 'reconcile',
    name: 'Reconcile with Plex',
    description: 'Compare every scene with Plex (no writes) and queue only those that differ or are missing.',
    inManifest: true,
  },
  { mode: 'dry_run', name: 'Dry run', description: 'Log what a sync of every scene would change in Plex, field by field, without writing.', inManifest: true },
  {
    mode: 'detect_paths',
    name: 'Detect path mapping',
    description: 'Compare Stash and Plex file paths and suggest a pathMap setting.',
    inManifest: true,
  },
  {
    mode: 'check_setup',
    name: 'Test connection',
    description: 'Check that Plex answers, the token is valid, the libraries exist and scene files map to Plex paths exactly.',
    inManifest: true,
  },
  { mode: 'status', name: 'Queue status', description: 'Log queue counts, worker and Plex state, and the newest errors.', inManifest: true },
  { mode: 'dlq_retry', name: 'Retry dead letters', description: 'Put every failed scene back in the queue.', inManifest: true },
  { mode: 'dlq_clear', name: 'Clear dead letters', description: 'Delete every failed entry.', inManifest: true },
  {
    mode: 'provider_unlock',
    name: 'Unlock fields for provider mode',
    description: 'With syncMode provider: unlock the fields edit mode locked on synced Plex items, and refresh them from the provider.',
    inManifest: true,
  },
  { mode: 'dlq_list', name: 'List dead letters', description: 'Log every failed entry with its reason.', inManifest: true },
  {
    mode: 'import_plays',
    name: 'Import plays from Plex',
    description: 'Add plays, resume points and (with importRatings) ratings of matched items from Plex to Stash. Does nothing while importPlays is off.',
    inManifest: true,
  },
  {
    mode: 'import_plays',
    name: 'Import plays from Plex (dry run)',
    description: 'Log which plays, resume points and ratings an import would write to Stash, without writing.',
    inManifest: true,
    args: { dryRun: 'true' },
  },
];
