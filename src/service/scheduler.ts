// Periodic jobs of the long-running service: change polling, housekeeping,
// and whatever else registers (plays import, ...). One job never overlaps
// itself; a failing run is logged and the job runs again at its next time.
// stop() waits for runs in flight, so SIGTERM never cuts a run in half.
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';

export interface PeriodicJob {
  /** Short name, shown on the dashboard and in /metrics. */
  name: string;
  /** Time between the end of one run and the start of the next. */
  everyMs: number;
  /** Run once right at start (default) or only after the first interval. */
  runAtStart?: boolean;
  run(signal: AbortSignal): Promise<void>;
}

export interface JobRunState {
  name: string;
  everyMs: number;
  runs: number;
  failures: number;
  running: boolean;
  lastStartedAt: number | null;
  lastSucceededAt: number | null;
  lastError: string | null;
  nextRunAt: number | null;
}

interface Entry {
  job: PeriodicJob;
  state: JobRunState;
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<void> | undefined;
}

export class Scheduler {
  readonly #log: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #stop = new AbortController();
  #started = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Registers a job; before start() it waits, after it starts at once. */
  every(job: PeriodicJob): void {
    if (this.#entries.has(job.name)) throw new Error(`a periodic job named ${job.name} is already registered`);
    if (!Number.isFinite(job.everyMs) || job.everyMs < 10) throw new Error(`periodic job ${job.name}: everyMs must be at least 10, got ${job.everyMs}`);
    const entry: Entry = {
      job,
      state: { name: job.name, everyMs: job.everyMs, runs: 0, failures: 0, running: false, lastStartedAt: null, lastSucceededAt: null, lastError: null, nextRunAt: null },
      timer: undefined,
      inFlight: undefined,
    };
    this.#entries.set(job.name, entry);
    if (this.#started) this.#plan(entry, job.runAtStart === false ? job.everyMs : 0);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const entry of this.#entries.values()) this.#plan(entry, entry.job.runAtStart === false ? entry.job.everyMs : 0);
  }

  /** Runs a job now (e.g. "poll now" from the dashboard), unless it is running already; resolves when it ends. */
  async runNow(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) throw new Error(`no periodic job named ${name}`);
    if (entry.inFlight) return entry.inFlight;
    clearTimeout(entry.timer);
    return this.#run(entry);
  }

  states(): JobRunState[] {
    return [...this.#entries.values()].map((e) => ({ ...e.state }));
  }

  /** No new runs; aborts the signal of runs in flight and waits for them (bounded by the caller). */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('service stopping'));
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.#entries.values()].map((e) => e.inFlight));
  }

  #plan(entry: Entry, delayMs: number): void {
    if (this.#stop.signal.aborted) return;
    entry.state.nextRunAt = Date.now() + delayMs;
    entry.timer = setTimeout(() => void this.#run(entry), delayMs);
  }

  #run(entry: Entry): Promise<void> {
    const { state, job } = entry;
    const run = (async () => {
      state.running = true;
      state.lastStartedAt = Date.now();
      state.nextRunAt = null;
      try {
        await job.run(this.#stop.signal);
        state.lastSucceededAt = Date.now();
        state.lastError = null;
      } catch (err) {
        state.failures++;
        const message = describeError(err);
        // The same failure again (Stash still down) is not worth another line.
        if (!this.#stop.signal.aborted && message !== state.lastError) {
          this.#log.warn(`${job.name} failed, will run again in ${Math.round(job.everyMs / 1000)} s: ${message}`);
        }
        state.lastError = message;
      } finally {
        state.runs++;
        state.running = false;
        entry.inFlight = undefined;
        this.#plan(entry, job.everyMs);
      }
    })();
    entry.inFlight = run;
    return run;
  }
}
