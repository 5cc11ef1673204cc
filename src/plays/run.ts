// One import at a time, whoever asks (the task, a worker's start, the
// service's timer): the import lease is taken, renewed while the import runs
// and let go at the end. A second caller waits for a running import to end
// (or for the lease of a killed one to lapse), then runs its own.
import type { Settings } from '../config/settings.ts';
import { type Db, getKv, setKv } from '../db/database.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { SceneSyncDeps } from '../sync/scene-sync.ts';
import { sleep } from '../worker/sleep.ts';
import { emptySummary, importPlays } from './importer.ts';
import { acquireImportLease, importLeaseExpiresAt, releaseImportLease } from './ledger.ts';
import type { ImportSummary } from './model.ts';
import { randomUuid } from '../random-id.ts';

/** How long an import's claim lives without renewal; a killed importer blocks the next for at most this. */
export const IMPORT_LEASE_MS = 30_000;
const WAIT_POLL_MS = 250;

export const OFF_MESSAGE = 'importPlays is off: nothing imported (turn it on in the PlexSync settings)';

export interface RunOptions {
  dryRun: boolean;
  /** Wait for another import to finish (tasks); false: skip this round (timers). */
  wait: boolean;
  progress?: (fraction: number) => void;
  /** Aborts Plex requests (a stopping service); what was recorded stays safe to resume. */
  signal?: AbortSignal;
}

export async function runPlaysImport(db: Db, settings: Settings, sync: Pick<SceneSyncDeps, 'plex' | 'stash' | 'index'>, log: Logger, options: RunOptions): Promise<ImportSummary> {
  if (!settings.importPlays) return { ...emptySummary(false, options.dryRun), message: OFF_MESSAGE };
  const deps = {
    db,
    plex: sync.plex,
    stash: sync.stash,
    sectionIds: async () => (await sync.index.sections()).map((s) => s.id),
    accounts: settings.importAccounts,
    importRatings: settings.importRatings,
    log,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  // A dry run writes nothing, so it needs no claim.
  if (options.dryRun) return importPlays(deps, options);

  const owner = randomUuid();
  if (!(await claim(db, owner, options.wait))) {
    return { ...emptySummary(true, false), message: 'another import of plays is running: this one was skipped' };
  }
  const renew = () => {
    try {
      acquireImportLease(db, owner, IMPORT_LEASE_MS);
    } catch {
      // A busy database delays one renewal; the next step renews again.
    }
  };
  const timer = setInterval(renew, IMPORT_LEASE_MS / 3);
  try {
    const summary = await importPlays({ ...deps, heartbeat: renew }, options);
    noteLastImport(db, { at: new Date().toISOString(), ok: true, message: summary.message });
    return summary;
  } catch (err) {
    noteLastImport(db, { at: new Date().toISOString(), ok: false, message: describeError(err) });
    throw err;
  } finally {
    clearInterval(timer);
    releaseImportLease(db, owner);
  }
}

async function claim(db: Db, owner: string, wait: boolean): Promise<boolean> {
  if (acquireImportLease(db, owner, IMPORT_LEASE_MS)) return true;
  if (!wait) return false;
  // Bounded: a live importer renews, but this caller gives up after a few lease lifetimes.
  const giveUpAt = Date.now() + 4 * IMPORT_LEASE_MS;
  while (Date.now() < giveUpAt) {
    const expiresAt = importLeaseExpiresAt(db) ?? 0;
    await sleep(Math.max(WAIT_POLL_MS, Math.min(expiresAt - Date.now(), 2_000)));
    if (acquireImportLease(db, owner, IMPORT_LEASE_MS)) return true;
  }
  return false;
}

export interface LastImport {
  at: string;
  ok: boolean;
  message: string;
}

const LAST_IMPORT_KEY = 'plays_last_import';

function noteLastImport(db: Db, last: LastImport): void {
  try {
    setKv(db, LAST_IMPORT_KEY, JSON.stringify(last));
  } catch {
    // Only for the status task; the import's own result stands.
  }
}

/** The last import's outcome, for the status task; null when none ran. */
export function lastImport(db: Db): LastImport | null {
  const raw = getKv(db, LAST_IMPORT_KEY);
  return raw ? (JSON.parse(raw) as LastImport) : null;
}
