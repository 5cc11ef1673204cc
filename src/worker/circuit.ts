// A circuit breaker around Plex, shared by every process through the database.
// Closed: jobs run. After a run of connection-level failures it opens: no job
// is claimed (so none burns an attempt or reaches the dead-letter queue) and
// only a cheap `/identity` probe goes out, at growing intervals. A successful
// probe half-opens it: one job goes through; its success closes the circuit.
import type { Db } from '../db/database.ts';
import { getKv, setKv, transaction } from '../db/database.ts';
import { errorCode, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Gate } from './processor.ts';

export type CircuitState =
  | { state: 'closed'; failures: number }
  | { state: 'open'; since: number; probeAt: number; probes: number }
  | { state: 'half_open'; since: number; trialUntil: number | null };

export interface CircuitPolicy {
  /** Consecutive connection-level failures that open the circuit. */
  threshold: number;
  /** First probe delay; doubles per failed probe up to maxProbeMs. */
  firstProbeMs: number;
  maxProbeMs: number;
  /** How long one trial job may take before another may try. */
  trialMs: number;
  /** A probe in flight holds off other probes this long (longer than the probe's own timeout). */
  probeReserveMs: number;
}

export const DEFAULT_CIRCUIT: CircuitPolicy = { threshold: 3, firstProbeMs: 2_000, maxProbeMs: 60_000, trialMs: 60_000, probeReserveMs: 15_000 };

/** Failures that say "Plex is not there", as opposed to "Plex said no". */
const OUTAGE_CODES: ReadonlySet<ErrorCode> = new Set(['network', 'timeout', 'plex_starting', 'http_5xx', 'circuit_open']);

const KEY = 'circuit';
const CLOSED: CircuitState = { state: 'closed', failures: 0 };

export function readCircuit(db: Db): CircuitState {
  const raw = getKv(db, KEY);
  if (!raw) return CLOSED;
  try {
    return JSON.parse(raw) as CircuitState;
  } catch {
    return CLOSED;
  }
}

export class PlexCircuit implements Gate {
  readonly #db: Db;
  readonly #probe: () => Promise<void>;
  readonly #policy: CircuitPolicy;
  readonly #log: Logger;

  constructor(db: Db, probe: () => Promise<void>, log: Logger, policy: CircuitPolicy = DEFAULT_CIRCUIT) {
    this.#db = db;
    this.#probe = probe;
    this.#log = log;
    this.#policy = policy;
  }

  #write(state: CircuitState): void {
    setKv(this.#db, KEY, JSON.stringify(state));
  }

  async blockedUntil(now: number): Promise<number | undefined> {
    // The common case costs one read and no write lock.
    if (readCircuit(this.#db).state === 'closed') return undefined;
    // Decide and write in one transaction: the drain loop's lanes (and any
    // other process) ask at once, and only one may probe or run the trial job.
    const turn = transaction(this.#db, () => this.#takeTurn(now));
    if (turn.kind !== 'probe') return turn.kind === 'blocked' ? turn.until : undefined;
    const c = turn.circuit;
    try {
      await this.#probe();
    } catch {
      const probes = c.probes + 1;
      const delay = Math.min(this.#policy.maxProbeMs, this.#policy.firstProbeMs * 2 ** probes);
      this.#write({ ...c, probes, probeAt: now + delay });
      return now + delay;
    }
    this.#log.info('Plex answers again: letting one job through');
    this.#write({ state: 'half_open', since: now, trialUntil: now + this.#policy.trialMs });
    return undefined;
  }

  #takeTurn(now: number): { kind: 'go' } | { kind: 'blocked'; until: number } | { kind: 'probe'; circuit: Extract<CircuitState, { state: 'open' }> } {
    const c = readCircuit(this.#db);
    if (c.state === 'closed') return { kind: 'go' };
    if (c.state === 'half_open') {
      if (c.trialUntil !== null && now < c.trialUntil) return { kind: 'blocked', until: c.trialUntil };
      this.#write({ ...c, trialUntil: now + this.#policy.trialMs });
      return { kind: 'go' };
    }
    if (now < c.probeAt) return { kind: 'blocked', until: c.probeAt };
    // Reserve the probe; if this process dies mid-probe the reservation lapses.
    this.#write({ ...c, probeAt: now + this.#policy.probeReserveMs });
    return { kind: 'probe', circuit: c };
  }

  onSuccess(): void {
    const c = readCircuit(this.#db);
    if (c.state === 'closed' && c.failures === 0) return;
    if (c.state !== 'closed') this.#log.info('Plex circuit closed: draining the queue');
    this.#write(CLOSED);
  }

  onFailure(err: unknown, now: number): boolean {
    if (!OUTAGE_CODES.has(errorCode(err))) {
      // Plex answered (with a refusal): it is reachable.
      this.onSuccess();
      return false;
    }
    const c = readCircuit(this.#db);
    if (c.state === 'closed') {
      const failures = c.failures + 1;
      if (failures < this.#policy.threshold) {
        // An isolated failure counts against the job; only an outage is on the house.
        this.#write({ state: 'closed', failures });
        return false;
      }
      this.#log.warn(`Plex unreachable (${failures} failures in a row): pausing the queue and probing`);
      this.#write({ state: 'open', since: now, probeAt: now + this.#policy.firstProbeMs, probes: 0 });
      return true;
    }
    if (c.state === 'half_open') {
      this.#write({ state: 'open', since: c.since, probeAt: now + this.#policy.firstProbeMs, probes: 1 });
    }
    return true;
  }
}
