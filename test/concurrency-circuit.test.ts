// The circuit breaker under concurrent callers: the drain loop runs several
// lanes at once, and each asks the gate before claiming a job. A due probe
// must go out once, not once per lane.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openDatabase, setKv } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { PermanentError, TransientError } from '../src/errors.ts';
import { counts, enqueue, getPending } from '../src/queue/operations.ts';
import { DEFAULT_CIRCUIT, PlexCircuit, readCircuit } from '../src/worker/circuit.ts';
import { nextStep } from '../src/worker/circuit-state.ts';
import { type JobProcessor, SyncWorker } from '../src/worker/processor.ts';
import { tempDir } from './helpers/temp.ts';

const quiet = createLogger(() => {});

async function openCircuitDb(t: Parameters<typeof tempDir>[0], probeAt: number) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  setKv(db, 'circuit', JSON.stringify({ state: 'open', since: 0, probeAt, waitMs: probeAt, probes: 0 }));
  return db;
}

test('three lanes asking at once while a probe is due send one probe', async (t) => {
  const db = await openCircuitDb(t, 1_000);
  let probes = 0;
  const probe = async () => {
    probes++;
    await sleep(30);
    throw new Error('ECONNREFUSED');
  };
  // Two processes' worth of gates over the same database, three lanes.
  const a = new PlexCircuit(db, probe, quiet);
  const b = new PlexCircuit(db, probe, quiet);
  const answers = await Promise.all([a.blockedUntil(2_000), a.blockedUntil(2_000), b.blockedUntil(2_000)]);
  assert.equal(probes, 1);
  for (const until of answers) assert.ok(until !== undefined && until > 2_000, `blocked: ${answers}`);
  const after = readCircuit(db);
  assert.equal(after.state, 'open');
  assert.equal(after.state === 'open' && after.probes, 1, 'the failed probe counted once');
});

test('a successful probe lets exactly one lane through (half-open), its success closes the circuit', async (t) => {
  const db = await openCircuitDb(t, 1_000);
  let probes = 0;
  const gate = new PlexCircuit(
    db,
    async () => {
      probes++;
      await sleep(10);
    },
    quiet,
  );
  const answers = await Promise.all([gate.blockedUntil(2_000), gate.blockedUntil(2_000), gate.blockedUntil(2_000)]);
  assert.equal(probes, 1);
  assert.equal(answers.filter((a) => a === undefined).length, 1, `one lane through: ${answers}`);
  assert.equal(readCircuit(db).state, 'half_open');
  // While the trial job is out, lanes asking later wait for its outcome too.
  const later = await Promise.all([gate.blockedUntil(2_100), new PlexCircuit(db, async () => void probes++, quiet).blockedUntil(2_200)]);
  assert.ok(later.every((until) => until !== undefined && until > 2_200), `later lanes wait for the trial: ${later}`);
  assert.equal(probes, 1, 'and send no probe');
  gate.onSuccess();
  assert.equal(readCircuit(db).state, 'closed');
});

test('a probe in flight holds off other probes, for a bounded time only', async (t) => {
  const db = await openCircuitDb(t, 1_000);
  const gate = new PlexCircuit(db, () => new Promise<void>(() => {}), quiet);
  void gate.blockedUntil(2_000);
  await sleep(5);
  const state = readCircuit(db);
  assert.ok(state.state === 'open' && state.probeAt === 2_000 + DEFAULT_CIRCUIT.probeReserveMs, 'reserved, for a bounded time');
  let probes = 0;
  const other = new PlexCircuit(db, async () => void probes++, quiet);
  assert.notEqual(await other.blockedUntil(2_001), undefined, 'no second probe while the first is out');
  assert.equal(await other.blockedUntil(2_000 + DEFAULT_CIRCUIT.probeReserveMs), undefined, 'the next probe after the reservation');
  assert.equal(probes, 1);
});

const plexDown = () => new TransientError('network', 'cannot reach Plex (ECONNREFUSED)', { origin: 'plex' });

async function workerWithCircuit(t: Parameters<typeof tempDir>[0], processor: JobProcessor, maxAttempts: number) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  let clock = 1_000_000;
  const gate = new PlexCircuit(db, async () => Promise.reject(plexDown()), quiet);
  const worker = new SyncWorker({ db, processor, log: quiet, backoff: { baseMs: 10, capMs: 10 }, maxAttempts, jobLeaseMs: 30_000, gate, now: () => clock, random: () => 0 });
  return { db, gate, worker, advance: (ms: number) => (clock += ms), now: () => clock };
}

test('a job at its last attempt is not dead-lettered by an outage: the circuit gives the attempt back', async (t) => {
  const { db, gate, worker } = await workerWithCircuit(t, async () => Promise.reject(plexDown()), 1);
  // Two earlier outages of other jobs: the next Plex failure opens the circuit.
  gate.onFailure(plexDown(), 1_000_000);
  gate.onFailure(plexDown(), 1_000_000);
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  const result = await worker.step();
  assert.equal(result.kind, 'retry', 'the failure that opened the circuit is on the house');
  assert.equal(readCircuit(db).state, 'open');
  assert.deepEqual(counts(db), { pending: 1, inProgress: 0, dead: 0, done: 0 });
  assert.equal(getPending(db)[0]!.attempts, 0);
});

test('with the circuit half-open, a Stash failure or a scene gone from Stash does not close it', async (t) => {
  const failures = [new TransientError('stash_unavailable', 'Stash is unreachable', { origin: 'stash' }), new PermanentError('scene_gone', 'scene 2 no longer exists in Stash')];
  const { db, worker, now } = await workerWithCircuit(t, async () => Promise.reject(failures.shift()), 5);
  setKv(db, 'circuit', JSON.stringify({ state: 'half_open', since: 0, trialUntil: null }));
  enqueue(db, { kind: 'scene', entityId: '1' }, 0);
  enqueue(db, { kind: 'scene', entityId: '2' }, 0);
  assert.equal((await worker.step()).kind, 'retry');
  assert.equal(readCircuit(db).state, 'half_open', 'Stash unreachable says nothing about Plex');
  assert.equal((await worker.step()).kind, 'dead');
  const after = readCircuit(db);
  assert.equal(after.state, 'half_open', 'a deleted scene says nothing about Plex');
  assert.deepEqual(nextStep(after, now()), { kind: 'go' }, 'the trial slot is free for the next job');
});
