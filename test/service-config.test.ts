// Service configuration: pure parsing of the environment and flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretFrom, settingOverridesFromEnv } from '../src/config/overrides.ts';
import { flagName, flagsToEnv, isLoopback, readServiceConfig, SERVICE_DEFAULTS, ServiceConfigError } from '../src/service/config.ts';

const files: Record<string, string> = { '/run/key': 'abc-key-0123\n', '/run/crlf': 'p4ssword-xyz\r\n', '/run/empty': '\n' };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

test('defaults: loopback on 9880, Stash on localhost:9999, a poll every 10 s', () => {
  const c = readServiceConfig({ PLEXSYNC_DATA_DIR: '/data' }, readFile);
  assert.deepEqual(
    [c.stashUrl, c.httpHost, c.httpPort, c.pollMs, c.apiKey, c.httpPassword],
    [SERVICE_DEFAULTS.stashUrl, '127.0.0.1', 9880, 10_000, undefined, undefined],
  );
  assert.deepEqual([SERVICE_DEFAULTS.stashUrl, SERVICE_DEFAULTS.httpPort, SERVICE_DEFAULTS.pollMs], ['http://localhost:9999', 9880, 10_000]);
});

test('secrets from a file lose one trailing newline (LF or CRLF) and nothing else', () => {
  assert.equal(secretFrom({ PLEXSYNC_STASH_API_KEY_FILE: '/run/key' }, 'PLEXSYNC_STASH_API_KEY', readFile), 'abc-key-0123');
  assert.equal(secretFrom({ X_FILE: '/run/crlf' }, 'X', readFile), 'p4ssword-xyz');
  assert.throws(() => secretFrom({ X_FILE: '/run/empty' }, 'X', readFile), /is empty/);
  assert.throws(() => secretFrom({ X_FILE: '/nope' }, 'X', readFile), /cannot read "\/nope" \(ENOENT\)/);
  assert.throws(() => secretFrom({ X: 'a', X_FILE: '/run/key' }, 'X', readFile), /not both/);
  const c = readServiceConfig({ PLEXSYNC_DATA_DIR: '/d', PLEXSYNC_HTTP_HOST: '0.0.0.0', PLEXSYNC_HTTP_PASSWORD_FILE: '/run/crlf' }, readFile);
  assert.equal(c.httpPassword, 'p4ssword-xyz');
});

test('a non-loopback bind needs a password; loopback names are told apart', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.2', 'nas.local', '128.0.0.1']) assert.ok(!isLoopback(host), host);
  assert.throws(() => readServiceConfig({ PLEXSYNC_DATA_DIR: '/d', PLEXSYNC_HTTP_HOST: '::' }, readFile), (err: Error) => err instanceof ServiceConfigError && /PLEXSYNC_HTTP_PASSWORD/.test(err.message));
});

test('flags are the variables\' names; secrets are refused as flags without echoing them', () => {
  assert.equal(flagName('PLEXSYNC_STASH_URL'), '--stash-url');
  assert.deepEqual(flagsToEnv(['--stash-url', 'http://s:9999', '--http-port=9000', '--stash-api-key-file', '/run/key']), {
    PLEXSYNC_STASH_URL: 'http://s:9999',
    PLEXSYNC_HTTP_PORT: '9000',
    PLEXSYNC_STASH_API_KEY_FILE: '/run/key',
  });
  for (const flag of ['--stash-api-key', '--http-password', '--plex-token']) {
    assert.throws(() => flagsToEnv([flag, 'sekrit-value-123']), (err: Error) => /visible to every user/.test(err.message) && !err.message.includes('sekrit'));
  }
  assert.throws(() => flagsToEnv(['--bogus', 'x']), /unknown flag/);
  assert.throws(() => flagsToEnv(['--stash-url']), /needs a value/);
});

test('bad numbers and a missing data folder are named', () => {
  assert.throws(() => readServiceConfig({}, readFile), /PLEXSYNC_DATA_DIR/);
  assert.throws(() => readServiceConfig({ PLEXSYNC_DATA_DIR: '/d', PLEXSYNC_HTTP_PORT: '70000' }, readFile), /PLEXSYNC_HTTP_PORT.*"70000"/);
  assert.throws(() => readServiceConfig({ PLEXSYNC_DATA_DIR: '/d', PLEXSYNC_POLL_MS: '5' }, readFile), /PLEXSYNC_POLL_MS/);
});

test('the environment overrides plugin settings by their keys', () => {
  assert.deepEqual(
    settingOverridesFromEnv({ PLEXSYNC_PLEX_URL: 'http://plex:32400', PLEXSYNC_PLEX_TOKEN_FILE: '/run/key', PLEXSYNC_PATH_MAP: '/data=>/media', PLEXSYNC_PLEX_LIBRARIES: '' }, readFile),
    { plexUrl: 'http://plex:32400', plexToken: 'abc-key-0123', pathMap: '/data=>/media' },
  );
  assert.deepEqual(settingOverridesFromEnv({}, readFile), {});
});
