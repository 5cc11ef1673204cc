// `plexsync provider`, run as a user runs it: the provider alone, against the fake Stash.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeStash } from './fakes/stash-server.ts';
import { REPO } from './helpers/plugin.ts';
import { tempDir } from './helpers/temp.ts';

const CLI = join(REPO, 'dist', 'cli', 'plexsync.mjs');
const API_KEY = 'provider-cli-api-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function start(env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLEXSYNC_')));
  const child = spawn(process.execPath, [CLI, 'provider'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(killer));
  return { child, exited, stderr: () => stderr };
}

test('plexsync provider serves the provider on PLEXSYNC_PROVIDER_PORT and stops on SIGTERM', async (t) => {
  const stash = await startFakeStash({ session: false, apiKey: API_KEY });
  t.after(() => stash.close());
  stash.setSettings({ plexUrl: 'http://127.0.0.1:1', plexToken: 'x', pathMap: '/stash=>/plex', contentRating: 'XXX' });
  const id = stash.addScene({ title: 'From the CLI', files: [{ path: '/stash/a/b.mp4', size: 1 }] });
  const keyFile = join(tempDir(t), 'api_key');
  writeFileSync(keyFile, `${API_KEY}\n`);
  const port = await freePort();
  const run = start({ PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY_FILE: keyFile, PLEXSYNC_PROVIDER_PORT: String(port) });
  t.after(() => run.child.kill('SIGKILL'));

  const until = Date.now() + 30_000;
  while (!run.stderr().includes('listening on') && Date.now() < until && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.match(run.stderr(), new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));

  const manifest = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { MediaProvider: { identifier: string } };
  assert.equal(manifest.MediaProvider.identifier, 'tv.plex.agents.custom.plexsync');
  const matched = await fetch(`http://127.0.0.1:${port}/library/metadata/matches`, { method: 'POST', body: JSON.stringify({ type: 1, title: 'b', filename: '/plex/a/b.mp4' }) });
  const body = (await matched.json()) as { MediaContainer: { Metadata: { ratingKey: string; title: string; contentRating?: string }[] } };
  assert.deepEqual(
    body.MediaContainer.Metadata.map((m) => [m.ratingKey, m.title, m.contentRating]),
    [[id, 'From the CLI', 'XXX']],
  );

  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
  assert.doesNotMatch(run.stderr(), new RegExp(API_KEY));
});

test('plexsync provider without PLEXSYNC_PROVIDER_PORT is a usage error', async () => {
  const run = start({ PLEXSYNC_STASH_URL: 'http://127.0.0.1:1' });
  assert.equal(await run.exited, 2);
  assert.match(run.stderr(), /PLEXSYNC_PROVIDER_PORT/);
});
