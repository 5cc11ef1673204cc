// The `status` task: counts, worker, last sync, newest errors, problems.
import type { Db } from '../db/database.ts';
import { getKv, sql } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { counts } from '../queue/operations.ts';
import { type CircuitState, readCircuit } from '../worker/circuit.ts';
import { currentLease } from '../worker/lease.ts';
import { matchWarning, readMatchStats } from './match-stats.ts';
import { type LastImport, lastImport } from '../plays/run.ts';

export interface StatusReport {
  pending: number;
  inProgress: number;
  dead: number;
  synced: number;
  doneRecently: number;
  due: number;
  worker: { pid: number; since: string; leaseExpires: string } | null;
  circuit: CircuitState;
  lastSyncAt: string | null;
  recentErrors: { job: string; errorClass: string | null; reason: string; at: string; status: string }[];
  problems: string[];
  /** The last import of plays from Plex (importPlays), null when none ran. */
  lastPlaysImport: LastImport | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function statusReport(db: Db, now = Date.now()): StatusReport {
  const c = counts(db);
  const synced = (sql(db, 'SELECT count(*) AS n, max(synced_at) AS last FROM sync_records').get() as {
    n: number;
    last: number | null;
  });
  const due = (sql(db, `SELECT count(*) AS n FROM jobs WHERE status = 'pending' AND run_at <= ?`).get(now) as { n: number }).n;
  const lease = currentLease(db, now);
  const errors = sql(db, `SELECT job_key, error_class, last_error, updated_at, status FROM jobs
       WHERE last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 5`)
    .all() as { job_key: string; error_class: string | null; last_error: string; updated_at: number; status: string }[];
  const problems: string[] = [];
  const settingsProblem = getKv(db, 'settings_problem');
  if (settingsProblem) problems.push(settingsProblem);
  const pathProblem = matchWarning(readMatchStats(db)) ?? unscannedWarning(db);
  if (pathProblem) problems.push(pathProblem);
  problems.push(...cutSummaryWarnings(db));
  return {
    pending: c.pending,
    inProgress: c.inProgress,
    dead: c.dead,
    synced: synced.n,
    doneRecently: c.done,
    due,
    worker: lease ? { pid: lease.pid, since: iso(lease.startedAt), leaseExpires: iso(lease.expiresAt) } : null,
    circuit: readCircuit(db),
    lastSyncAt: synced.last === null ? null : iso(synced.last),
    recentErrors: errors.map((e) => ({
      job: e.job_key,
      errorClass: e.error_class,
      reason: e.last_error,
      at: iso(e.updated_at),
      status: e.status,
    })),
    problems,
    lastPlaysImport: lastImport(db),
  };
}

/**
 * Many scenes waiting for a Plex item that never shows up usually means the
 * pathMap is wrong. Cheap: one indexed count over the queue.
 */
function unscannedWarning(db: Db): string | undefined {
  const row = sql(db, `SELECT count(*) AS n FROM jobs WHERE error_code = 'not_scanned' AND status IN ('pending', 'dead')`)
    .get() as { n: number };
  if (row.n < 10) return undefined;
  return `${row.n} scene(s) are waiting for a Plex item that does not appear: if the files are in Plex, the pathMap may be wrong; run the detect_paths task`;
}

/** Scenes whose summary Plex took only cut (sync/sized-edit.ts): named, a few at a time. */
function cutSummaryWarnings(db: Db): string[] {
  const rows = sql(db, `SELECT key, value FROM kv WHERE key LIKE 'summary\\_cut:%' ESCAPE '\\' ORDER BY key LIMIT 20`).all() as { key: string; value: string }[];
  return rows.map((r) => {
    const note = JSON.parse(r.value) as { fullLength: number; cutLength: number };
    return `scene ${r.key.slice('summary_cut:'.length)}: its summary was cut to ${note.cutLength} of ${note.fullLength} characters because Plex (or a proxy in front of it) refused longer edits`;
  });
}

export function logStatus(report: StatusReport, log: Logger): void {
  log.info(
    `PlexSync queue: ${report.pending} pending (${report.due} due), ${report.inProgress} in progress, ` +
      `${report.dead} dead letters, ${report.synced} scenes synced` +
      (report.lastSyncAt ? `, last sync ${report.lastSyncAt}` : ''),
  );
  log.info(report.worker ? `Background worker: running (pid ${report.worker.pid})` : 'Background worker: not running');
  if (report.circuit.state !== 'closed') {
    log.warn(`Plex unreachable since ${iso(report.circuit.since)}: the queue waits and probes Plex (${report.circuit.state})`);
  }
  for (const problem of report.problems) log.warn(`Problem: ${problem}`);
  const plays = report.lastPlaysImport;
  if (plays) log[plays.ok ? 'info' : 'warn'](`Last import of plays from Plex (${plays.at}): ${plays.ok ? '' : 'failed: '}${plays.message}`);
  for (const e of report.recentErrors) log.info(`Recent error (${e.status}) ${e.job}: ${e.reason}`);
}
