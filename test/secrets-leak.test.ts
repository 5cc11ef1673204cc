// Secrets never leave the process: after a scenario with failures (5xx, an
// ambiguous match, a wrong token), the Plex tokens, the Stash session cookie
// and the API key appear in no log line, no output, no dead letter, and no
// byte of the data directory (database, WAL, worker log). Files are private.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PluginRun } from './helpers/plugin.ts';
import { startWorld } from './helpers/world.ts';
import { addLibrary, dataFiles } from './fault-support.ts';

const API_KEY = 'stash-api-key-0f1e2d3c4b5a69788796';
const WRONG_TOKEN = 'wrong-plex-token-a1b2c3d4e5f6';

function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
}

test('tokens, session cookie and API key appear nowhere after a scenario with failures', async (t) => {
  const w = await startWorld(t, { stash: { apiKey: API_KEY }, env: { PLEXSYNC_STASH_API_KEY: API_KEY } });
  const session = w.stash.session!;
  const runs: PluginRun[] = [];
  const pairs = addLibrary(w, 3);
  w.plex.addItem({ title: 'twin a', file: '/data/videos/a/twin.mp4', size: 5 });
  w.plex.addItem({ title: 'twin b', file: '/data/videos/b/twin.mp4', size: 5 });
  const twin = w.stash.addScene({ title: 'Twin', files: [{ path: '/elsewhere/twin.mp4', size: 5 }] });

  w.plex.failNext(2, 500);
  for (const scene of [...pairs.keys(), twin]) runs.push(await w.hook('Scene.Update.Post', scene));
  await w.settle();
  // Now the token is wrong: a 401 dead letter.
  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: WRONG_TOKEN });
  const [first] = pairs.keys();
  w.stash.updateScene(first!, { title: 'changed' });
  runs.push(await w.hook('Scene.Update.Post', first!));
  await w.settle();
  runs.push(await w.task('process'));
  runs.push(await w.task('status'));
  runs.push(await w.task('dlq_list'));
  runs.push(await w.task('scene_status', { sceneId: first! }));

  const dlq = runs.at(-2)!.result.output as { count: number; deadLetters: { code: string }[] };
  assert.deepEqual([...new Set(dlq.deadLetters.map((d) => d.code))].sort(), ['ambiguous_match', 'unauthorized'], 'the scenario had its failures');

  const secrets = [w.plex.token, WRONG_TOKEN, session, API_KEY].flatMap(forms);
  const places: { name: string; bytes: Buffer }[] = [
    ...runs.flatMap((run, i) => [
      { name: `run ${i} stdout`, bytes: Buffer.from(run.stdout) },
      { name: `run ${i} stderr`, bytes: Buffer.from(run.stderr) },
    ]),
    ...dataFiles(w.dataDir),
  ];
  assert.ok(places.some((p) => p.name === 'plexsync.db-wal' || p.name === 'plexsync.db'));
  assert.ok(places.some((p) => p.name === 'worker.log'));
  for (const place of places) {
    for (const secret of secrets) assert.equal(place.bytes.includes(secret), false, `${place.name} holds a secret`);
  }
  // The fake Plex saw the token only in its header, never in a URL.
  for (const request of w.plex.requests) assert.doesNotMatch(request.rawUrl, /token/i);
});

test('the data directory is 0700; the database, its WAL and the worker log are 0600', async (t) => {
  const w = await startWorld(t);
  const [scene] = addLibrary(w, 1).keys();
  await w.hook('Scene.Update.Post', scene!);
  await w.settle();
  const mode = (path: string) => statSync(path).mode & 0o777;
  // startWorld makes the folder itself; the plugin's own folder is <PluginDir>/data.
  const inner = join(w.dataDir, 'inner');
  const run = await w.task('status', {}, { env: { PLEXSYNC_DATA_DIR: inner } });
  assert.equal(run.code, 0);
  assert.equal(mode(inner), 0o700);
  const privateFiles = dataFiles(w.dataDir).filter((f) => /^plexsync\.db|worker\.log/.test(f.name));
  assert.ok(privateFiles.some((f) => f.name === 'plexsync.db') && privateFiles.some((f) => f.name === 'worker.log'));
  for (const { name } of privateFiles) {
    assert.equal(mode(join(w.dataDir, name)), 0o600, name);
  }
});
