// The circuit breaker's state machine, pure: (state, event, now) -> state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentError, TransientError } from '../src/errors.ts';
import {
  CLOSED,
  type CircuitEvent,
  type CircuitState,
  DEFAULT_CIRCUIT,
  nextStep,
  parseCircuitState,
  probeDelay,
  rebase,
  transition,
} from '../src/worker/circuit-state.ts';
import { eventForFailure } from '../src/worker/circuit.ts';

const policy = { ...DEFAULT_CIRCUIT, threshold: 3, firstProbeMs: 200, maxProbeMs: 800 };
const run = (events: CircuitEvent['type'][], now = 1_000, from: CircuitState = CLOSED) =>
  events.reduce<CircuitState>((s, type) => transition(s, { type } as CircuitEvent, now, policy), from);

test('threshold - 1 Plex outages leave the circuit closed; the threshold-th opens it', () => {
  assert.deepEqual(run(['plex_down', 'plex_down']), { state: 'closed', failures: 2 });
  const open = run(['plex_down', 'plex_down', 'plex_down']);
  assert.deepEqual(open, { state: 'open', since: 1_000, probeAt: 1_200, waitMs: 200, probes: 0 });
});

test('a Plex answer between outages starts the count again', () => {
  assert.deepEqual(run(['plex_down', 'plex_down', 'plex_ok', 'plex_down', 'plex_down']), { state: 'closed', failures: 2 });
});

test('failures that are not Plex outcomes neither open nor close the circuit', () => {
  const open = run(['plex_down', 'plex_down', 'plex_down']);
  assert.deepEqual(transition(open, { type: 'no_plex_outcome' }, 2_000, policy), open);
  assert.deepEqual(run(['plex_down', 'plex_down', 'no_plex_outcome']), { state: 'closed', failures: 2 });
});

test('which failures feed the circuit: only Plex outcomes, and a cancelled request is none', () => {
  const plex = { origin: 'plex' as const };
  assert.equal(eventForFailure(new TransientError('network', 'cannot reach Plex', plex)).type, 'plex_down');
  assert.equal(eventForFailure(new TransientError('timeout', 'slow', plex)).type, 'plex_down');
  assert.equal(eventForFailure(new TransientError('plex_starting', 'Plex is starting', plex)).type, 'plex_down');
  assert.equal(eventForFailure(new TransientError('http_5xx', 'Plex answered 503', plex)).type, 'plex_down');
  assert.equal(eventForFailure(new TransientError('rate_limited', 'Plex answered 429', plex)).type, 'plex_ok', 'a 429 is Plex answering');
  assert.equal(eventForFailure(new PermanentError('bad_request', 'Plex refused', plex)).type, 'plex_ok');
  assert.equal(eventForFailure(new TransientError('cancelled', 'job lease lost', plex)).type, 'no_plex_outcome');
  assert.equal(eventForFailure(new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' })).type, 'no_plex_outcome');
  assert.equal(eventForFailure(new PermanentError('scene_gone', 'scene 4 no longer exists in Stash')).type, 'no_plex_outcome');
  assert.equal(eventForFailure(new Error('boom')).type, 'no_plex_outcome');
});

test('each failed probe doubles the wait, counted from when the probe ended, up to the cap', () => {
  let s = run(['plex_down', 'plex_down', 'plex_down']);
  const waits: number[] = [];
  let now = 1_000;
  for (let i = 0; i < 5; i++) {
    now = s.state === 'open' ? s.probeAt : now;
    s = transition(s, { type: 'probe_started' }, now, policy);
    now += 150; // the probe took 150 ms to fail
    s = transition(s, { type: 'probe_failed' }, now, policy);
    assert.equal(s.state, 'open');
    waits.push(s.state === 'open' ? s.probeAt - now : -1);
  }
  assert.deepEqual(waits, [400, 800, 800, 800, 800]);
  assert.equal(probeDelay(50, policy), 800, 'capped however many probes failed');
});

test('a successful probe half-opens: one trial at a time, its Plex success closes', () => {
  const open = run(['plex_down', 'plex_down', 'plex_down']);
  const half = transition(transition(open, { type: 'probe_started' }, 1_200, policy), { type: 'probe_ok' }, 1_210, policy);
  assert.equal(half.state, 'half_open');
  assert.deepEqual(nextStep(half, 1_300), { kind: 'blocked', until: 1_210 + policy.trialMs });
  assert.deepEqual(transition(half, { type: 'plex_ok' }, 1_400, policy), CLOSED);
  const reopened = transition(half, { type: 'plex_down' }, 1_400, policy);
  assert.deepEqual(reopened, { state: 'open', since: 1_000, probeAt: 1_800, waitMs: 400, probes: 1 });
  // A trial that told nothing about Plex frees the slot for another job.
  assert.deepEqual(nextStep(transition(half, { type: 'no_plex_outcome' }, 1_400, policy), 1_400), { kind: 'go' });
});

test('after the wall clock jumps back an hour, no probe waits longer than its own backoff', () => {
  const open = run(['plex_down', 'plex_down', 'plex_down'], 10_000_000);
  const back = 10_000_000 - 3_600_000;
  const rebased = rebase(open, back, policy);
  assert.deepEqual(nextStep(rebased, back), { kind: 'blocked', until: back + 200 });
  // Stable once rebased: asking again later does not push the probe further.
  assert.deepEqual(nextStep(rebase(rebased, back + 100, policy), back + 100), { kind: 'blocked', until: back + 200 });
  const half: CircuitState = { state: 'half_open', since: 10_000_000, trialUntil: 10_000_000 + policy.trialMs };
  assert.deepEqual(nextStep(rebase(half, back, policy), back), { kind: 'blocked', until: back + policy.trialMs });
});

test('after the wall clock jumps forward, the due probe goes out at once', () => {
  const open = run(['plex_down', 'plex_down', 'plex_down'], 10_000_000);
  assert.deepEqual(nextStep(rebase(open, 10_000_000 + 3_600_000, policy), 10_000_000 + 3_600_000), { kind: 'probe' });
});

test('the stored JSON is validated when read back; anything else counts as closed', () => {
  const open = run(['plex_down', 'plex_down', 'plex_down']);
  assert.deepEqual(parseCircuitState(JSON.stringify(open)), { state: open, valid: true });
  assert.deepEqual(parseCircuitState(undefined), { state: CLOSED, valid: true });
  for (const raw of ['{', '{"state":"open","since":0}', '{"state":"closed","failures":-1}', '{"state":"half_open","since":"x","trialUntil":null}', '[]']) {
    assert.deepEqual(parseCircuitState(raw), { state: CLOSED, valid: false }, raw);
  }
});

test('a wait cut by rebasing is cut only when it is longer than its own length; other states pass unchanged', () => {
  const open: CircuitState = { state: 'open', since: 0, probeAt: 10_000, waitMs: 2_000, probes: 0 };
  assert.equal(rebase(open, 8_000, policy), open, 'exactly its length away: unchanged');
  assert.deepEqual(rebase(open, 7_999, policy), { ...open, probeAt: 9_999 });
  const half: CircuitState = { state: 'half_open', since: 0, trialUntil: 100_000 };
  assert.equal(rebase(half, 100_000 - policy.trialMs, policy), half, 'a trial exactly its length away: unchanged');
  assert.deepEqual(rebase(half, 100_000 - policy.trialMs - 1, policy), { ...half, trialUntil: 99_999 });
  const idle: CircuitState = { state: 'half_open', since: 0, trialUntil: null };
  assert.equal(rebase(idle, 0, policy), idle);
  const closed: CircuitState = { state: 'closed', failures: 2 };
  assert.equal(rebase(closed, -1e12, policy), closed);
  // An open state is never read as a trial to cut, nor the reverse.
  const openFar: CircuitState = { state: 'open', since: 0, probeAt: 1_000_000, waitMs: 1_000_000, probes: 3 };
  assert.equal(rebase(openFar, 0, policy), openFar);
});

test('events outside the state they belong to change nothing', () => {
  const closed: CircuitState = { state: 'closed', failures: 1 };
  const open: CircuitState = { state: 'open', since: 5, probeAt: 50, waitMs: 45, probes: 2 };
  const half: CircuitState = { state: 'half_open', since: 5, trialUntil: 70 };
  for (const type of ['probe_started', 'probe_ok', 'probe_failed', 'trial_started'] as const) {
    assert.equal(transition(closed, { type }, 100, policy), closed, `${type} while closed`);
  }
  for (const type of ['probe_started', 'probe_ok', 'probe_failed'] as const) {
    assert.equal(transition(half, { type }, 100, policy), half, `${type} while half-open`);
  }
  assert.equal(transition(open, { type: 'trial_started' }, 100, policy), open);
  assert.equal(transition(open, { type: 'plex_down' }, 100, policy), open, 'an outage while open is the same outage');
  assert.deepEqual(transition(half, { type: 'trial_started' }, 100, policy), { ...half, trialUntil: 100 + policy.trialMs });
  assert.deepEqual(transition(open, { type: 'probe_started' }, 100, policy), { ...open, probeAt: 100 + policy.probeReserveMs, waitMs: policy.probeReserveMs });
});

test('a Plex answer resets a closed count; a clean closed state is kept as it is', () => {
  const clean: CircuitState = { state: 'closed', failures: 0 };
  assert.equal(transition(clean, { type: 'plex_ok' }, 1, policy), clean, 'the same object: nothing to store');
  assert.deepEqual(transition({ state: 'closed', failures: 2 }, { type: 'plex_ok' }, 1, policy), CLOSED);
  assert.deepEqual(transition({ state: 'open', since: 0, probeAt: 9, waitMs: 9, probes: 0 }, { type: 'plex_ok' }, 1, policy), CLOSED);
});

test('what a worker may do: closed goes, open waits or probes, half-open waits for the trial or its end', () => {
  assert.deepEqual(nextStep({ state: 'closed', failures: 2 }, 0), { kind: 'go' });
  const open: CircuitState = { state: 'open', since: 0, probeAt: 100, waitMs: 100, probes: 0 };
  assert.deepEqual(nextStep(open, 99), { kind: 'blocked', until: 100 });
  assert.deepEqual(nextStep(open, 100), { kind: 'probe' });
  const half: CircuitState = { state: 'half_open', since: 0, trialUntil: 100 };
  assert.deepEqual(nextStep(half, 99), { kind: 'blocked', until: 100 });
  assert.deepEqual(nextStep(half, 100), { kind: 'go' }, 'a trial whose time is up frees the slot');
  assert.deepEqual(nextStep({ state: 'half_open', since: 0, trialUntil: null }, 0), { kind: 'go' });
});
