// The circuit breaker under concurrent callers: the drain loop runs several
// lanes at once, and each asks the gate before claiming a job. A due probe
// must go out once, not once per lane.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { openDatabase, setKv } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import { DEFAULT_CIRCUIT, PlexCircuit, readCircuit } from '../src/worker/circuit.ts';
import { tempDir } from './helpers/temp.ts';

const quiet = createLogger(() => {});

async function openCircuitDb(t: Parameters<typeof tempDir>[0], probeAt: number) {
  const db = await openDatabase(tempDir(t));
  t.after(() => db.close());
  setKv(db, 'circuit', JSON.stringify({ state: 'open', since: 0, probeAt, probes: 0 }));
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
