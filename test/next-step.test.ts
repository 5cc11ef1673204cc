// The next step the panel shows for a failure, by error code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentError, TransientError } from '../src/errors.ts';
import { nextStepFor, withNextStep } from '../src/tasks/next-step.ts';

test('every error code a dead letter can carry has a next step', () => {
  for (const code of ['not_scanned', 'ambiguous_match', 'unauthorized', 'stash_auth', 'scene_gone', 'bad_settings', 'bad_request', 'not_found', 'write_not_applied']) {
    assert.ok(nextStepFor(code), code);
  }
  assert.match(nextStepFor('not_scanned')!, /Path mapping.*Detect path mapping/);
  assert.match(nextStepFor('unauthorized')!, /sign in again/);
});

test('codes without a step, and none at all, give nothing', () => {
  assert.equal(nextStepFor(null), undefined);
  assert.equal(nextStepFor('internal'), undefined);
  assert.equal(nextStepFor('toString'), undefined, 'no inherited property passes for a step');
});

test('an error gets its step appended and keeps its code; others pass unchanged', () => {
  const down = withNextStep(new TransientError('network', 'cannot reach Plex (ECONNREFUSED)'));
  assert.match(down.message, /^cannot reach Plex \(ECONNREFUSED\)\. Nothing to do if Plex is restarting/);
  assert.equal((down as Error & { code?: string }).code, 'network');
  const input = new PermanentError('bad_input', 'args.sceneId must be a scene id made of digits, got nothing');
  assert.equal(withNextStep(input), input);
});
