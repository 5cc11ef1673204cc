// The circuit breaker end to end: Plex goes away for 20 seconds while 50
// scenes are queued. Figures for docs/reliability.md are printed as test
// diagnostics (connections Plex would have seen, recovery-to-empty time).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { getKv } from '../src/db/database.ts';
import type { CircuitState } from '../src/worker/circuit.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, inBatches, jobs, outageListener, portOf, unsynced, waitFor, withDb } from './fault-support.ts';

const OUTAGE_MS = 20_000;
const SCENES = 50;

test('a 20-second outage with 50 scenes queued: few connections, nothing charged or lost, the backlog drains', async (t) => {
  // Production circuit timings (first probe 2 s, doubling); fast job retries.
  const w = await startWorld(t, { env: { PLEXSYNC_IDLE_EXIT_MS: '1000' } });
  const pairs = addLibrary(w, SCENES);
  await w.plex.setDown(true);
  const outage = await outageListener(portOf(w.plex.url));
  const downAt = Date.now();

  await inBatches([...pairs.keys()], 10, async (scene) => assert.equal((await w.hook('Scene.Update.Post', scene)).code, 0));

  const queuedMs = Date.now() - downAt;
  await sleep(Math.max(0, OUTAGE_MS - queuedMs));
  const connections = outage.connections();
  const during = await jobs(w.dataDir);
  await outage.close();
  await w.plex.setDown(false);
  const upAt = Date.now();

  const settled = await w.settle(60_000);
  const drainedMs = Date.now() - upAt;
  t.diagnostic(`connections to Plex during the ${OUTAGE_MS / 1000} s outage: ${connections}`);
  t.diagnostic(`50 hooks took ${queuedMs} ms; connection times after the outage began (ms): ${outage.times.map((at) => at - downAt).join(', ')}`);
  t.diagnostic(`Plex back to empty queue: ${drainedMs} ms for ${SCENES} scenes`);

  assert.ok(connections <= 10, `${connections} connections during the outage`);
  // The failures that open it come in a burst (threshold plus the jobs already
  // in flight); after it, probes go out seconds apart, at growing intervals.
  const times = outage.times;
  const probes = times.filter((at, i) => i > 0 && at - times[i - 1]! >= 1_000);
  const gaps = probes.slice(1).map((at, i) => at - probes[i]!);
  assert.ok(gaps.length >= 2, `several probes: ${outage.times}`);
  for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, `probe gaps grow: ${gaps}`);
  // While open, nothing burnt its attempts and nothing was dead-lettered.
  assert.equal(during.filter((j) => j.status === 'dead').length, 0);
  assert.ok(Math.max(...during.map((j) => j.attempts)) <= 1, 'an outage charges at most the attempt that found it');
  assert.equal(settled.dead, 0);
  assert.deepEqual(unsynced(w, pairs), [], 'all 50 scenes reached Plex');
  // Closed again at the end.
  const final = await withDb(w.dataDir, (db) => getKv(db, 'circuit'));
  assert.equal((JSON.parse(final ?? '{"state":"closed"}') as CircuitState).state, 'closed');
});

test('each probe waits its full backoff counted from when the failed probe ended', async (t) => {
  // A Plex that takes 150 ms to fail each connection; probes of 200 ms doubling to 800 ms.
  const w = await startWorld(t, { env: { PLEXSYNC_IDLE_EXIT_MS: '1000', PLEXSYNC_CIRCUIT_PROBE_MS: '200', PLEXSYNC_CIRCUIT_MAX_PROBE_MS: '800' } });
  const pairs = addLibrary(w, 3);
  await w.plex.setDown(true);
  const outage = await outageListener(portOf(w.plex.url), { resetAfterMs: 150 });
  for (const scene of pairs.keys()) assert.equal((await w.hook('Scene.Update.Post', scene)).code, 0);
  const probes = () => outage.requests.filter((r) => r.line.startsWith('GET /identity'));
  await waitFor('five probes', () => probes().length >= 5, 30_000);
  const starts = probes().map((r) => r.at);
  await outage.close();
  await w.plex.setDown(false);
  assert.equal((await w.settle(60_000)).dead, 0);

  const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
  t.diagnostic(`gaps between probe starts (ms): ${gaps.join(', ')}`);
  // Probe n+1 starts no sooner than probe n's 150 ms plus its backoff (400, 800, 800...).
  const meant = [400, 800, 800, 800];
  gaps.slice(0, meant.length).forEach((gap, i) => assert.ok(gap >= 150 + meant[i]! - 20, `gap ${i + 1}: ${gap} ms, meant >= ${150 + meant[i]!}`));
});
