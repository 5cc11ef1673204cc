// The circuit breaker's shell (worker/circuit.ts) on a real database: what it
// stores, when it probes, what it answers the lanes, what it says. Times are
// passed in; the probe's duration comes from an injected monotonic clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Db, getKv, openDatabase, setKv } from '../src/db/database.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { type CircuitPolicy, DEFAULT_CIRCUIT, PlexCircuit, readCircuit } from '../src/worker/circuit.ts';
import { tempDir } from './helpers/temp.ts';

const T = 1_800_000_000_000;
const policy: CircuitPolicy = { ...DEFAULT_CIRCUIT, threshold: 2, firstProbeMs: 1_000, maxProbeMs: 8_000 };
const down = () => new TransientError('network', 'connection refused', { origin: 'plex' });

interface Setup {
  db: Db;
  circuit: PlexCircuit;
  lines: string[];
  probes: number;
  /** The next probe fails when true. */
  failProbe: boolean;
  /** How long the next probe takes, on the monotonic clock. */
  probeMs: number;
}

async function setup(t: Parameters<typeof tempDir>[0]): Promise<Setup> {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  // The monotonic clock starts anywhere: only differences count.
  let mono = 50_000;
  const s: Setup = {
    db,
    lines: [],
    probes: 0,
    failProbe: true,
    probeMs: 0,
    circuit: undefined as unknown as PlexCircuit,
  };
  s.circuit = new PlexCircuit(
    db,
    async () => {
      s.probes++;
      mono += s.probeMs;
      if (s.failProbe) throw down();
    },
    createLogger((line) => s.lines.push(line)),
    policy,
    () => mono,
  );
  return s;
}

async function opened(s: Setup, at = T): Promise<void> {
  for (let i = 0; i < policy.threshold; i++) s.circuit.onFailure(down(), at);
  assert.equal(readCircuit(s.db).state, 'open');
}

test('closed: every lane may go, and asking writes nothing', async (t) => {
  const s = await setup(t);
  assert.equal(await s.circuit.blockedUntil(T), undefined);
  assert.equal(getKv(s.db, 'circuit'), undefined);
  s.circuit.onSuccess(T);
  assert.equal(getKv(s.db, 'circuit'), undefined, 'a success while closed with no failures changes nothing');
  assert.equal(s.lines.length, 0);
});

test('the threshold-th outage in a row opens it, says so, and the failures count as the outage', async (t) => {
  const s = await setup(t);
  assert.equal(s.circuit.onFailure(down(), T), false, 'one failure is the job\'s own');
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 1 });
  assert.equal(s.circuit.onFailure(down(), T + 1), true, 'the failure that opens it is part of the outage');
  assert.deepEqual(readCircuit(s.db), { state: 'open', since: T + 1, probeAt: T + 1_001, waitMs: 1_000, probes: 0 });
  assert.ok(s.lines.some((l) => l.includes('Plex unreachable (2 failures in a row): pausing the queue and probing')));
  assert.equal(s.circuit.onFailure(down(), T + 2), true, 'a job in flight failing while open belongs to the outage');
  assert.equal(s.lines.filter((l) => l.includes('Plex unreachable')).length, 1, 'said once');
  assert.equal(s.lines.some((l) => l.includes('circuit closed')), false, 'an outage never says the circuit closed');
});

test('Plex refusing a job is an answer: it starts the count again, and closes an open circuit', async (t) => {
  const s = await setup(t);
  s.circuit.onFailure(down(), T);
  const refused = new PermanentError('bad_request', 'Plex said no', { origin: 'plex' });
  assert.equal(s.circuit.onFailure(refused, T + 1), false);
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 0 });
  assert.equal(s.lines.length, 0);
  await opened(s, T + 2);
  assert.equal(s.circuit.onFailure(refused, T + 3), false);
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 0 });
  assert.ok(s.lines.some((l) => l.includes('Plex circuit closed: draining the queue')));
});

test('a failure that tells nothing about Plex neither counts nor is the outage\'s', async (t) => {
  const s = await setup(t);
  s.circuit.onFailure(down(), T);
  const stash = new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' });
  assert.equal(s.circuit.onFailure(stash, T + 1), false);
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 1 });
  await opened(s, T + 2);
  assert.equal(s.circuit.onFailure(stash, T + 3), false, 'not refunded: it was not Plex');
  assert.equal(readCircuit(s.db).state, 'open');
});

test('open: lanes wait for the probe time; a failed probe doubles the wait from when it ended', async (t) => {
  const s = await setup(t);
  await opened(s);
  assert.equal(await s.circuit.blockedUntil(T + 500), T + 1_000);
  assert.equal(s.probes, 0);
  s.probeMs = 300;
  // Due: this caller probes, Plex is still down; the next probe is 2 s after the probe ended.
  assert.equal(await s.circuit.blockedUntil(T + 1_000), T + 1_300 + 2_000);
  assert.equal(s.probes, 1);
  assert.deepEqual(readCircuit(s.db), { state: 'open', since: T, probeAt: T + 3_300, waitMs: 2_000, probes: 1 });
  assert.equal(await s.circuit.blockedUntil(T + 3_000), T + 3_300);
  assert.equal(s.probes, 1);
});

test('a probe that succeeds lets this caller run the trial job; the others wait for it; its success closes', async (t) => {
  const s = await setup(t);
  await opened(s);
  s.failProbe = false;
  s.probeMs = 200;
  assert.equal(await s.circuit.blockedUntil(T + 1_000), undefined, 'the prober goes');
  assert.ok(s.lines.some((l) => l.includes('Plex answers again: letting one job through')));
  assert.deepEqual(readCircuit(s.db), { state: 'half_open', since: T, trialUntil: T + 1_200 + policy.trialMs });
  assert.equal(await s.circuit.blockedUntil(T + 1_300), T + 1_200 + policy.trialMs, 'one trial at a time');
  assert.deepEqual(readCircuit(s.db), { state: 'half_open', since: T, trialUntil: T + 1_200 + policy.trialMs }, 'a lane that waits does not move the trial on');
  s.circuit.onSuccess(T + 1_400);
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 0 });
  assert.ok(s.lines.some((l) => l.includes('Plex circuit closed: draining the queue')));
  assert.equal(await s.circuit.blockedUntil(T + 1_500), undefined);
});

test('a trial whose time ran out lets the next lane take the trial', async (t) => {
  const s = await setup(t);
  await opened(s);
  s.failProbe = false;
  await s.circuit.blockedUntil(T + 1_000);
  const trialEnds = T + 1_000 + policy.trialMs;
  assert.equal(await s.circuit.blockedUntil(trialEnds), undefined, 'the trial slot is free again');
  assert.deepEqual(readCircuit(s.db), { state: 'half_open', since: T, trialUntil: trialEnds + policy.trialMs }, 'and taken by this lane');
  assert.equal(await s.circuit.blockedUntil(trialEnds + 1), trialEnds + policy.trialMs);
});

test('a trial that fails on Plex opens the circuit again, its first probe spent', async (t) => {
  const s = await setup(t);
  await opened(s);
  s.failProbe = false;
  await s.circuit.blockedUntil(T + 1_000);
  assert.equal(s.circuit.onFailure(down(), T + 1_500), true);
  assert.deepEqual(readCircuit(s.db), { state: 'open', since: T, probeAt: T + 3_500, waitMs: 2_000, probes: 1 });
});

test('a stored state that cannot be read counts as closed, and is said to be unreadable', async (t) => {
  const s = await setup(t);
  setKv(s.db, 'circuit', '{"state":"open"');
  assert.equal(readCircuit(s.db).state, 'closed');
  assert.equal(await s.circuit.blockedUntil(T), undefined);
  assert.ok(s.lines.some((l) => l.includes('the stored circuit state is unreadable: treating Plex as reachable')));
  // The next event writes a valid state over it.
  s.circuit.onFailure(down(), T);
  assert.deepEqual(JSON.parse(getKv(s.db, 'circuit')!), { state: 'closed', failures: 1 });
});

test('a probe that fails after another process closed the circuit meanwhile: the caller goes on at once', async (t) => {
  const s = await setup(t);
  await opened(s);
  s.probeMs = 400;
  // While the probe is out, a job elsewhere gets an answer from Plex and closes the circuit.
  const circuit = s.circuit;
  const probing = circuit.blockedUntil(T + 1_000);
  circuit.onSuccess(T + 1_100);
  assert.equal(await probing, T + 1_400, 'the time the probe ended, not a probe time of a circuit no longer open');
  assert.deepEqual(readCircuit(s.db), { state: 'closed', failures: 0 });
});
