// The circuit breaker around Plex as a pure state machine:
// `(state, event, now) -> state`, plus `nextStep(state, now)` saying what a
// worker may do. No I/O and no clock of its own: circuit.ts stores the state
// (as JSON, in the database every process shares) and feeds it events.
//
// Closed: jobs run. `threshold` Plex outages in a row open it. Open: no job
// is claimed; one probe goes out when `probeAt` comes, and each failed probe
// doubles the wait (up to `maxProbeMs`), counted from when that probe ENDED.
// A probe that succeeds half-opens it: one trial job goes through, and its
// Plex success closes the circuit, its Plex failure opens it again.
//
// Wall clocks jump (NTP, a suspended laptop, a VM restored). Every wait is
// stored with its length, so a wait that now seems longer than it was ever
// meant to be (the clock went back) is cut to its own length from now. A
// jump forward only makes a probe due sooner.
import * as v from 'valibot';

export interface CircuitPolicy {
  /** Consecutive Plex outages that open the circuit. */
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

const epochMs = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** What the database holds; anything else read back is treated as closed. */
export const CircuitStateSchema = v.variant('state', [
  v.object({ state: v.literal('closed'), failures: count }),
  v.object({
    state: v.literal('open'),
    since: epochMs,
    /** When the next probe may go out. */
    probeAt: epochMs,
    /** How long the wait ending at probeAt was meant to be. */
    waitMs: v.pipe(v.number(), v.finite(), v.minValue(0)),
    /** Failed probes so far. */
    probes: count,
  }),
  v.object({
    state: v.literal('half_open'),
    since: epochMs,
    /** While set and in the future, a trial job is out. */
    trialUntil: v.nullable(epochMs),
  }),
]);

export type CircuitState = v.InferOutput<typeof CircuitStateSchema>;

export const CLOSED: CircuitState = { state: 'closed', failures: 0 };

export type CircuitEvent =
  /** Plex answered a job (even with a refusal: it is there). */
  | { type: 'plex_ok' }
  /** Plex could not be reached for a job (refused, reset, timeout, 5xx, starting). */
  | { type: 'plex_down' }
  /** A job ended without telling anything about Plex (a Stash failure, a lost lease). */
  | { type: 'no_plex_outcome' }
  | { type: 'probe_started' }
  | { type: 'probe_ok' }
  /** `now` is when the failed probe ended. */
  | { type: 'probe_failed' }
  | { type: 'trial_started' };

export type Step = { kind: 'go' } | { kind: 'blocked'; until: number } | { kind: 'probe' };

/** The wait before probe number `probes + 1`: doubling, capped. */
export function probeDelay(probes: number, policy: CircuitPolicy): number {
  return Math.min(policy.maxProbeMs, policy.firstProbeMs * 2 ** Math.min(probes, 40));
}

function opened(since: number, now: number, probes: number, waitMs: number): CircuitState {
  return { state: 'open', since, probeAt: now + waitMs, waitMs, probes };
}

/** Cuts a wait the clock has made longer than it was meant to be (see the note at the top). */
export function rebase(state: CircuitState, now: number, policy: CircuitPolicy): CircuitState {
  if (state.state === 'open' && state.probeAt - now > state.waitMs) return { ...state, probeAt: now + state.waitMs };
  if (state.state === 'half_open' && state.trialUntil !== null && state.trialUntil - now > policy.trialMs) {
    return { ...state, trialUntil: now + policy.trialMs };
  }
  return state;
}

export function transition(state: CircuitState, event: CircuitEvent, now: number, policy: CircuitPolicy): CircuitState {
  switch (event.type) {
    case 'plex_ok':
      return state.state === 'closed' && state.failures === 0 ? state : CLOSED;
    case 'plex_down':
      if (state.state === 'closed') {
        const failures = state.failures + 1;
        // An isolated failure counts against the job; only an outage is on the house.
        return failures < policy.threshold ? { state: 'closed', failures } : opened(now, now, 0, policy.firstProbeMs);
      }
      // The trial job found Plex gone again: back to probing, the first probe already spent.
      if (state.state === 'half_open') return opened(state.since, now, 1, probeDelay(1, policy));
      return state;
    case 'no_plex_outcome':
      // A trial that taught nothing frees the slot for another job.
      return state.state === 'half_open' ? { ...state, trialUntil: null } : state;
    case 'probe_started':
      // Reserve the probe; if the process dies mid-probe the reservation lapses.
      return state.state === 'open' ? { ...state, probeAt: now + policy.probeReserveMs, waitMs: policy.probeReserveMs } : state;
    case 'probe_ok':
      return state.state === 'open' ? { state: 'half_open', since: state.since, trialUntil: now + policy.trialMs } : state;
    case 'probe_failed': {
      if (state.state !== 'open') return state;
      const probes = state.probes + 1;
      return opened(state.since, now, probes, probeDelay(probes, policy));
    }
    case 'trial_started':
      return state.state === 'half_open' ? { ...state, trialUntil: now + policy.trialMs } : state;
  }
}

/** What a worker may do now. The state should be rebased first. */
export function nextStep(state: CircuitState, now: number): Step {
  if (state.state === 'closed') return { kind: 'go' };
  if (state.state === 'half_open') {
    // One trial at a time: the others wait for its outcome (or its time to run out).
    if (state.trialUntil !== null && now < state.trialUntil) return { kind: 'blocked', until: state.trialUntil };
    return { kind: 'go' };
  }
  return now < state.probeAt ? { kind: 'blocked', until: state.probeAt } : { kind: 'probe' };
}

/** The stored JSON back as a state; unreadable or unknown shapes count as closed. */
export function parseCircuitState(raw: string | undefined): { state: CircuitState; valid: boolean } {
  if (raw === undefined) return { state: CLOSED, valid: true };
  let json: unknown;
  try {
    json = JSON.parse(raw);
    // Stryker disable next-line BlockStatement: without this return, json stays undefined and the schema check below gives the same { CLOSED, valid: false }
  } catch {
    return { state: CLOSED, valid: false };
  }
  const parsed = v.safeParse(CircuitStateSchema, json);
  return parsed.success ? { state: parsed.output, valid: true } : { state: CLOSED, valid: false };
}
