// /metrics in Prometheus' text exposition format (version 0.0.4): queue depth
// by state, syncs and failures by class, Plex request latency, the circuit,
// the last successful sync, periodic jobs. Counters live in this process and
// start at zero with it, as Prometheus expects of a restarted target.
import { type Db, sql } from '../db/database.ts';
import { counts } from '../queue/operations.ts';
import type { StepResult } from '../worker/processor.ts';
import { readCircuit } from '../worker/circuit.ts';
import type { JobRunState } from './scheduler.ts';

/** Seconds; Plex answers in milliseconds when well, tens of seconds when not. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  return String(n);
}

class CounterFamily {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();
  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    LATENCY_BUCKETS.forEach((le, i) => {
      if (value <= le) s.buckets[i]!++;
    });
    s.sum += value;
    s.count++;
  }
}

export class Metrics {
  readonly #syncs = new CounterFamily();
  readonly #failures = new CounterFamily();
  readonly #plex = new Histogram();

  /** For the drain loop's onStep. */
  step(result: StepResult): void {
    if (result.kind === 'done') this.#syncs.inc({ result: 'synced' });
    else if (result.kind === 'retry' || result.kind === 'dead') {
      this.#syncs.inc({ result: result.kind === 'retry' ? 'retried' : 'dead_letter' });
      this.#failures.inc({ class: result.code ?? 'internal', outcome: result.kind === 'retry' ? 'retried' : 'dead_letter' });
    }
  }

  plexRequest(seconds: number, method: string, outcome: string): void {
    this.#plex.observe({ method, outcome: /^\d{3}$/.test(outcome) ? `${outcome[0]}xx` : outcome }, seconds);
  }

  render(db: Db, jobs: readonly JobRunState[], stashUp: boolean): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const c = counts(db);
    family('plexsync_queue_jobs', 'gauge', 'Jobs in the queue by state.');
    for (const [state, n] of [['pending', c.pending], ['in_progress', c.inProgress], ['dead', c.dead], ['done', c.done]] as const) {
      out.push(`plexsync_queue_jobs${labelText({ state })} ${n}`);
    }
    family('plexsync_syncs_total', 'counter', 'Jobs finished by this process, by result.');
    for (const result of ['synced', 'retried', 'dead_letter']) {
      out.push(`plexsync_syncs_total${labelText({ result })} ${this.#syncs.values.get(labelText({ result }))?.value ?? 0}`);
    }
    family('plexsync_failures_total', 'counter', 'Failed job attempts by error class and what became of the job.');
    for (const { labels, value } of this.#failures.values.values()) out.push(`plexsync_failures_total${labelText(labels)} ${value}`);
    family('plexsync_plex_request_duration_seconds', 'histogram', 'Duration of requests to Plex.');
    for (const s of this.#plex.series.values()) {
      LATENCY_BUCKETS.forEach((le, i) => out.push(`plexsync_plex_request_duration_seconds_bucket${labelText({ ...s.labels, le: num(le) })} ${s.buckets[i]}`));
      out.push(`plexsync_plex_request_duration_seconds_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`plexsync_plex_request_duration_seconds_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`plexsync_plex_request_duration_seconds_count${labelText(s.labels)} ${s.count}`);
    }
    const circuit = readCircuit(db).state;
    family('plexsync_circuit_state', 'gauge', 'The Plex circuit breaker: 1 for the current state.');
    for (const state of ['closed', 'open', 'half_open']) out.push(`plexsync_circuit_state${labelText({ state })} ${state === circuit ? 1 : 0}`);
    const last = (sql(db, 'SELECT max(synced_at) AS at FROM sync_records').get() as { at: number | null }).at;
    family('plexsync_last_sync_timestamp_seconds', 'gauge', 'When a scene was last synced to Plex (Unix time; 0: never).');
    out.push(`plexsync_last_sync_timestamp_seconds ${last === null ? 0 : num(last / 1000)}`);
    family('plexsync_synced_scenes', 'gauge', 'Scenes with a sync record (matched and written to Plex at least once).');
    out.push(`plexsync_synced_scenes ${(sql(db, 'SELECT count(*) AS n FROM sync_records').get() as { n: number }).n}`);
    family('plexsync_stash_up', 'gauge', '1 when the last request to Stash succeeded.');
    out.push(`plexsync_stash_up ${stashUp ? 1 : 0}`);
    family('plexsync_periodic_runs_total', 'counter', 'Runs of the service\'s periodic jobs.');
    for (const j of jobs) out.push(`plexsync_periodic_runs_total${labelText({ job: j.name })} ${j.runs}`);
    family('plexsync_periodic_failures_total', 'counter', 'Failed runs of the service\'s periodic jobs.');
    for (const j of jobs) out.push(`plexsync_periodic_failures_total${labelText({ job: j.name })} ${j.failures}`);
    const mem = process.memoryUsage();
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    out.push(`process_resident_memory_bytes ${mem.rss}`);
    const cpu = process.cpuUsage();
    family('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.');
    out.push(`process_cpu_seconds_total ${num((cpu.user + cpu.system) / 1e6)}`);
    return `${out.join('\n')}\n`;
  }
}
