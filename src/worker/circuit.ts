// The circuit breaker's shell: the state machine (circuit-state.ts) kept in
// the database every short-lived process shares, as its JSON only, and fed
// with Plex's outcomes. A Stash failure, a scene gone from Stash or a job
// lease lost tell nothing about Plex, so they never open or close it.
import type { Db } from '../db/database.ts';
import { getKv, setKv, transaction } from '../db/database.ts';
import { errorCode, errorOrigin, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Gate } from './processor.ts';
import { monotonicMs } from './clock.ts';
import {
  type CircuitEvent,
  type CircuitPolicy,
  type CircuitState,
  DEFAULT_CIRCUIT,
  nextStep,
  parseCircuitState,
  rebase,
  transition,
} from './circuit-state.ts';

export { type CircuitPolicy, type CircuitState, DEFAULT_CIRCUIT } from './circuit-state.ts';

/** Plex failures that say "Plex is not there", as opposed to "Plex said no". */
const OUTAGE_CODES: ReadonlySet<ErrorCode> = new Set(['network', 'timeout', 'plex_starting', 'http_5xx']);

const KEY = 'circuit';

export function readCircuit(db: Db): CircuitState {
  return parseCircuitState(getKv(db, KEY)).state;
}

/** The event a job's failure feeds the circuit: only Plex's own answers count. */
export function eventForFailure(err: unknown): CircuitEvent {
  if (errorOrigin(err) !== 'plex' || errorCode(err) === 'cancelled') return { type: 'no_plex_outcome' };
  return OUTAGE_CODES.has(errorCode(err)) ? { type: 'plex_down' } : { type: 'plex_ok' };
}

export class PlexCircuit implements Gate {
  readonly #db: Db;
  readonly #probe: () => Promise<void>;
  readonly #policy: CircuitPolicy;
  readonly #log: Logger;
  readonly #elapsed: () => number;

  constructor(db: Db, probe: () => Promise<void>, log: Logger, policy: CircuitPolicy = DEFAULT_CIRCUIT, elapsed: () => number = monotonicMs) {
    this.#db = db;
    this.#probe = probe;
    this.#log = log;
    this.#policy = policy;
    this.#elapsed = elapsed;
  }

  #read(): CircuitState {
    const { state, valid } = parseCircuitState(getKv(this.#db, KEY));
    if (!valid) this.#log.warn('the stored circuit state is unreadable: treating Plex as reachable');
    return state;
  }

  /** Applies one event in a transaction, so every process sees each change whole. */
  #apply(event: CircuitEvent, now: number): { before: CircuitState; after: CircuitState } {
    return transaction(this.#db, () => {
      const before = this.#read();
      const after = transition(rebase(before, now, this.#policy), event, now, this.#policy);
      if (JSON.stringify(after) !== JSON.stringify(before)) setKv(this.#db, KEY, JSON.stringify(after));
      return { before, after };
    });
  }

  async blockedUntil(now: number): Promise<number | undefined> {
    // `now` is this call's start: time spent waiting for the transaction
    // below belongs to the probe too, or the next probe would go out early.
    const started = this.#elapsed();
    // The common case costs one read and no write lock.
    // Stryker disable next-line StringLiteral: a fast path only; without it the transaction below answers a closed state the same (go, nothing written)
    if (this.#read().state === 'closed') return undefined;
    // Decide and write in one transaction: the drain loop's lanes (and any
    // other process) ask at once, and only one may probe or run the trial job.
    const step = transaction(this.#db, () => {
      const before = this.#read();
      const state = rebase(before, now, this.#policy);
      const next = nextStep(state, now);
      let after = state;
      if (next.kind === 'probe') after = transition(state, { type: 'probe_started' }, now, this.#policy);
      else if (next.kind === 'go' && state.state === 'half_open') after = transition(state, { type: 'trial_started' }, now, this.#policy);
      if (JSON.stringify(after) !== JSON.stringify(before)) setKv(this.#db, KEY, JSON.stringify(after));
      return next;
    });
    if (step.kind !== 'probe') return step.kind === 'blocked' ? step.until : undefined;
    try {
      await this.#probe();
    } catch {
      // The next wait counts from when this probe gave up, not from when it started.
      const ended = now + Math.max(0, this.#elapsed() - started);
      const { after } = this.#apply({ type: 'probe_failed' }, ended);
      return after.state === 'open' ? after.probeAt : ended;
    }
    this.#log.info('Plex answers again: letting one job through');
    // This caller runs the trial job; the others wait for its outcome.
    this.#apply({ type: 'probe_ok' }, now + Math.max(0, this.#elapsed() - started));
    return undefined;
  }

  onSuccess(now: number = Date.now()): void {
    const { before } = this.#apply({ type: 'plex_ok' }, now);
    if (before.state !== 'closed') this.#log.info('Plex circuit closed: draining the queue');
  }

  onFailure(err: unknown, now: number): boolean {
    const event = eventForFailure(err);
    const { before, after } = this.#apply(event, now);
    if (event.type === 'plex_ok' && before.state !== 'closed') this.#log.info('Plex circuit closed: draining the queue');
    if (before.state === 'closed' && after.state === 'open') {
      this.#log.warn(`Plex unreachable (${this.#policy.threshold} failures in a row): pausing the queue and probing`);
    }
    // Failures while open (jobs already in flight) or that opened it belong to the outage.
    return event.type === 'plex_down' && after.state === 'open';
  }
}
