// The service's worker: the plugin's drain loop, run in this process for as
// long as the service lives. It holds the same worker lease as a plugin's
// background worker, so with the plugin installed on the same data folder
// exactly one of them drains at a time; while the plugin's worker holds the
// lease, this one waits and takes over when it lapses.
import { setKv } from '../db/database.ts';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { describeError, isTransient } from '../errors.ts';
import { returnRunningJobs } from '../queue/operations.ts';
import { makeSyncWorker, type WorkerDeps } from '../worker/deps.ts';
import { drain } from '../worker/drain.ts';
import { acquireLease, releaseLease } from '../worker/lease.ts';
import type { StepResult } from '../worker/processor.ts';
import type { DepsLoader } from '../worker/run.ts';
import { randomUuid } from '../random-id.ts';

/**
 * How often an idle service looks at the queue, for jobs another process
 * added (a hook of the plugin, the command line) or the dashboard's Sync
 * now. Each look is a few SQLite statements; retries due sooner wake it on
 * time. 1 s cost about 1 % of a core at idle (docs/benchmarks.md).
 */
const QUEUE_POLL_MS = 3_000;
/** Waits between tries while settings are bad or Stash is down, doubling up to the cap. */
const RETRY_FIRST_MS = 1_000;
const RETRY_CAP_MS = 30_000;

export interface WorkerLoopState {
  /** True while this process holds the worker lease. */
  holdsLease: boolean;
  /** Why nothing is being synced, when that is so. */
  problem: string | null;
  startedAt: number;
}

export class ServiceWorker {
  readonly #ctx: RunContext;
  readonly #db: Db;
  readonly #loadDeps: DepsLoader;
  readonly #owner = `service-${process.pid}-${randomUuid()}`;
  readonly #state: WorkerLoopState = { holdsLease: false, problem: null, startedAt: Date.now() };
  #stopping = false;
  #reload = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  readonly #onStep: ((result: StepResult) => void) | undefined;

  constructor(ctx: RunContext, db: Db, loadDeps: DepsLoader, onStep?: (result: StepResult) => void) {
    this.#ctx = ctx;
    this.#db = db;
    this.#loadDeps = loadDeps;
    this.#onStep = onStep;
  }

  state(): WorkerLoopState {
    return { ...this.#state };
  }

  start(): void {
    this.#loop ??= this.#run().catch((err) => {
      this.#state.problem = describeError(err);
      this.#ctx.log.error(`worker stopped: ${this.#state.problem}`);
    });
  }

  /** Settings changed in Stash: finish the jobs in hand, then start again with the new ones. */
  reloadSettings(): void {
    this.#reload = true;
    this.#wake?.();
  }

  /**
   * Stops claiming jobs and lets running ones finish; after graceMs whatever
   * still runs goes back to the queue. Then the lease is released.
   */
  async stop(graceMs: number): Promise<{ returned: number }> {
    this.#stopping = true;
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      (this.#loop ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    let returned = 0;
    if (!finished && this.#state.holdsLease) returned = returnRunningJobs(this.#db);
    releaseLease(this.#db, this.#owner);
    this.#state.holdsLease = false;
    return { returned };
  }

  async #pause(ms: number): Promise<void> {
    if (this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }

  async #run(): Promise<void> {
    const { env, log } = this.#ctx;
    let retryMs = RETRY_FIRST_MS;
    let waitingLogged = false;
    while (!this.#stopping) {
      if (!acquireLease(this.#db, this.#owner, process.pid, env.workerLeaseMs)) {
        this.#state.holdsLease = false;
        if (!waitingLogged) log.info('another worker (the plugin\'s) holds the queue: waiting for it to finish');
        waitingLogged = true;
        await this.#pause(Math.min(5_000, Math.max(250, Math.floor(env.workerLeaseMs / 3))));
        continue;
      }
      waitingLogged = false;
      this.#state.holdsLease = true;
      let deps: WorkerDeps;
      try {
        deps = await this.#loadDeps(this.#ctx, this.#db);
      } catch (err) {
        const message = describeError(err);
        // Bad settings stay bad until someone changes them; the poller notices that and wakes us.
        if (!isTransient(err)) setKv(this.#db, 'settings_problem', message);
        if (this.#state.problem !== message) log.error(`cannot sync yet, will try again: ${message}`);
        this.#state.problem = message;
        releaseLease(this.#db, this.#owner);
        this.#state.holdsLease = false;
        await this.#pause(retryMs);
        retryMs = Math.min(RETRY_CAP_MS, retryMs * 2);
        continue;
      }
      setKv(this.#db, 'settings_problem', '');
      if (this.#state.problem) log.info('syncing again');
      this.#state.problem = null;
      retryMs = RETRY_FIRST_MS;
      this.#reload = false;
      try {
        const stats = await drain({
          db: this.#db,
          worker: makeSyncWorker(this.#db, deps, env, log, this.#owner),
          log,
          owner: this.#owner,
          workerLeaseMs: env.workerLeaseMs,
          concurrency: deps.concurrency,
          idleExitMs: Number.POSITIVE_INFINITY,
          pollMs: QUEUE_POLL_MS,
          ...(this.#onStep ? { onStep: this.#onStep } : {}),
          shouldHandOver: () => this.#stopping || this.#reload || deps.shouldHandOver?.() === true,
        });
        if (stats.reason === 'lease_lost') log.warn('the worker lease was taken over: waiting for it again');
        else if (!this.#stopping && !this.#reload) log.warn(`worker paused (${stats.reason}); starting again`);
      } catch (err) {
        log.error(`drain failed, starting again: ${describeError(err)}`);
        await this.#pause(retryMs);
      } finally {
        deps.close();
      }
    }
  }
}
