// The service's scheduler: periodic jobs never overlap themselves, failures
// are counted and logged once per distinct error, stop() waits for a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../src/log/logger.ts';
import { Scheduler } from '../src/service/scheduler.ts';

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return { warnings, trace: none, debug: none, info: none, warn: (m) => warnings.push(m), error: (m) => warnings.push(m), progress: none };
}

async function until(check: () => boolean, ms = 10_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (check()) return;
  throw new Error('condition not met in time');
}

test('a slow job is never run twice at once, and stop() waits for the run in flight', async () => {
  const log = recordingLog();
  const s = new Scheduler(log);
  let running = 0;
  let most = 0;
  let runs = 0;
  let release: (() => void) | undefined;
  s.every({
    name: 'slow',
    everyMs: 10,
    async run() {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => (release = resolve));
      running--;
      runs++;
    },
  });
  s.start();
  await until(() => release !== undefined);
  const now = s.runNow('slow');
  assert.equal(most, 1);
  let stopped = false;
  const stopping = s.stop().then(() => (stopped = true));
  await sleep(50);
  assert.equal(stopped, false, 'stop waits for the run');
  release!();
  await stopping;
  await now;
  assert.equal(runs, 1);
  assert.equal(most, 1);
  assert.equal(s.states()[0]!.runs, 1);
});

test('failures are counted, the same error is logged once, success clears it', async () => {
  const log = recordingLog();
  const s = new Scheduler(log);
  let calls = 0;
  s.every({
    name: 'flaky',
    everyMs: 10,
    async run() {
      calls++;
      if (calls <= 3) throw new Error('Stash is down');
    },
  });
  s.start();
  await until(() => s.states()[0]!.lastSucceededAt !== null);
  await s.stop();
  const state = s.states()[0]!;
  assert.equal(state.failures, 3);
  assert.equal(state.lastError, null);
  assert.deepEqual(log.warnings.filter((w) => /Stash is down/.test(w)).length, 1);
  assert.throws(() => s.every({ name: 'flaky', everyMs: 10, run: async () => {} }), /already registered/);
});
