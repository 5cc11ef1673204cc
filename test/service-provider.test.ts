// `plexsync serve` with PLEXSYNC_PROVIDER_PORT also serves the Plex metadata
// provider on that port: the manifest and a scene's metadata.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'service-provider-api-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('serve opens the metadata provider on PLEXSYNC_PROVIDER_PORT: manifest and scene metadata', async (t) => {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const scene = stash.addScene({ title: 'Provided title', details: 'From Stash', files: [{ path: '/data/videos/provided.mp4', size: 10 }] });
  const port = await freePort();
  const service = await startServiceProcess(t, {
    PLEXSYNC_STASH_URL: stash.url,
    PLEXSYNC_DATA_DIR: tempDir(t),
    PLEXSYNC_STASH_API_KEY: API_KEY,
    PLEXSYNC_PROVIDER_PORT: String(port),
  });
  const base = `http://127.0.0.1:${port}`;
  const manifest = await waitFor('the provider answering', async () => {
    try {
      const res = await fetch(`${base}/`, { headers: { Accept: 'application/json' } });
      return res.ok ? ((await res.json()) as { MediaProvider?: { identifier?: string } }) : undefined;
    } catch {
      return undefined;
    }
  });
  assert.equal(manifest.MediaProvider?.identifier, 'tv.plex.agents.custom.plexsync');
  const res = await fetch(`${base}/library/metadata/${scene}`, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { MediaContainer: { Metadata: { title: string; summary: string }[] } };
  assert.equal(body.MediaContainer.Metadata[0]?.title, 'Provided title');
  assert.equal((await fetch(`${base}/library/metadata/999999`)).status, 404);
  assert.ok(!service.stderr().includes(API_KEY));
  const stopped = await service.stop('SIGTERM');
  assert.equal(stopped.code, 0, service.stderr());
});
