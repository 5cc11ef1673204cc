// The write fence: what a lost lease throws, and that asking outside a fenced
// job (a hook process, which never loads async_hooks) is no error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { isTransient } from '../src/errors.ts';
import { assertFence, LeaseLostError, runFenced } from '../src/worker/fence.ts';
import { REPO } from './helpers/plugin.ts';

test('a lost lease is a transient lease_lost error naming what was lost', () => {
  const err = new LeaseLostError('the lease of scene:4');
  assert.equal(err.name, 'LeaseLostError');
  assert.equal(err.code, 'lease_lost');
  assert.equal(err.message, 'the lease of scene:4 lost: another worker has taken over');
  assert.equal(isTransient(err), true, 'never a dead letter: the job is left to its new holder');
});

test("the check travels with the job's async context, and only there", async () => {
  let checks = 0;
  const lost = new LeaseLostError('the worker lease');
  await runFenced(
    () => {
      checks++;
    },
    async () => {
      await new Promise((resolve) => setImmediate(resolve));
      assertFence();
    },
  );
  assert.equal(checks, 1);
  await assert.rejects(
    runFenced(
      () => {
        throw lost;
      },
      async () => assertFence(),
    ),
    (err) => err === lost,
  );
  assert.doesNotThrow(() => assertFence(), 'outside a fenced job nothing is checked');
});

test('a process that never fenced a job may ask too', () => {
  // Node 22 warns that type stripping is experimental: not this test's subject.
  const run = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', "const { assertFence } = await import('./src/worker/fence.ts'); assertFence(); process.stdout.write('ok');"], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'ok');
});
