// `plexsync serve`: configuration, health, status and a clean stop, run as a
// user runs it against the fakes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { getJson, runServeToExit, startServiceProcess } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'service-test-api-key-0123456789';

async function world(t: Parameters<typeof tempDir>[0]) {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  return { stash, plex, dataDir, env: { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_DATA_DIR: dataDir } };
}

test('serve answers /healthz and /api/status, takes the API key from a file, and stops on SIGTERM with exit 0', async (t) => {
  const w = await world(t);
  const keyFile = join(w.dataDir, 'stash-key');
  writeFileSync(keyFile, `${API_KEY}\n`, { mode: 0o600 });
  const service = await startServiceProcess(t, { ...w.env, PLEXSYNC_STASH_API_KEY_FILE: keyFile });
  const health = await getJson(`${service.url}/healthz`);
  assert.equal(health.status, 200, health.text);
  assert.equal((health.body as { status: string }).status, 'ok');
  const status = await getJson(`${service.url}/api/status`);
  assert.equal(status.status, 200);
  const s = status.body as Record<string, unknown>;
  for (const key of ['pending', 'inProgress', 'dead', 'synced']) assert.equal(typeof s[key], 'number', key);
  assert.equal((await getJson(`${service.url}/api/nothing`)).status, 404);
  const stopped = await service.stop('SIGTERM');
  assert.equal(stopped.code, 0, service.stderr());
  assert.ok(stopped.ms < 10_000, `stopped in ${stopped.ms} ms`);
  assert.ok(!service.stderr().includes(API_KEY), 'the key never shows in the log');
});

test('secrets are refused as flags, a non-loopback bind needs a password, bad numbers are named', async (t) => {
  const w = await world(t);
  const flag = await runServeToExit(w.env, ['--stash-api-key', API_KEY]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /PLEXSYNC_STASH_API_KEY/);
  assert.ok(!flag.stderr.includes(API_KEY));
  const open = await runServeToExit({ ...w.env, PLEXSYNC_HTTP_HOST: '0.0.0.0' });
  assert.equal(open.code, 2);
  assert.match(open.stderr, /PLEXSYNC_HTTP_PASSWORD/);
  const noData = await runServeToExit({ PLEXSYNC_STASH_URL: w.stash.url });
  assert.equal(noData.code, 2);
  assert.match(noData.stderr, /PLEXSYNC_DATA_DIR/);
  const badPoll = await runServeToExit({ ...w.env, PLEXSYNC_POLL_MS: 'often' });
  assert.equal(badPoll.code, 2);
  assert.match(badPoll.stderr, /PLEXSYNC_POLL_MS.*"often"/);
});
