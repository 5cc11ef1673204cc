// The service and an installed plugin on the same data folder: the plugin's
// hooks still work (their jobs are drained by the service, which holds the
// worker lease), and a plugin worker already draining keeps the queue until
// it is done, then the service takes over. One worker at a time throughout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { counts } from '../src/queue/operations.ts';
import { acquireLease, currentLease, releaseLease } from '../src/worker/lease.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { hookInput, runPlugin } from './helpers/plugin.ts';
import { startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'coop-test-api-key-0123456789';

test('a hook of the installed plugin enqueues while the service holds the lease; the service syncs it; a lease held by a plugin worker is waited for', async (t) => {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  const rk = plex.addItem({ title: 'file', file: '/data/videos/coop/a.mp4', size: 5 }).ratingKey;
  const scene = stash.addScene({ title: 'By hook', files: [{ path: '/data/videos/coop/a.mp4', size: 5 }] });
  const db = await openDatabase(dataDir);
  t.after(() => db.close());

  // A plugin worker (stand-in: its lease) is draining when the service starts.
  const pluginOwner = 'plugin-worker-under-test';
  assert.ok(acquireLease(db, pluginOwner, process.pid, 30_000));
  const service = await startServiceProcess(t, { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: dataDir });
  await waitFor('the service to notice', () => (/another worker .* holds the queue/.test(service.stderr()) ? true : undefined));
  assert.equal(currentLease(db)?.owner, pluginOwner, 'the service leaves a held lease alone');
  releaseLease(db, pluginOwner);
  await waitFor('the service to take the lease', () => (currentLease(db)?.owner.startsWith('service-') ? true : undefined), 20_000);

  // Stash runs the installed plugin's hook; the plugin finds a worker (the service) and only enqueues.
  stash.updateScene(scene, { title: 'Saved in Stash, hook fired' });
  const run = await runPlugin(hookInput(stash.serverConnection(), 'Scene.Update.Post', scene, { title: 'x' }, ['title']), { env: { PLEXSYNC_DATA_DIR: dataDir } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal((run.result.output as { worker: string }).worker, 'running');
  await waitFor('the hook\'s change in Plex', () => (plex.item(rk)?.scalars.title === 'Saved in Stash, hook fired' ? true : undefined), 30_000);
  assert.equal(counts(db).pending, 0);
  assert.ok(currentLease(db)?.owner.startsWith('service-'));
  assert.equal((await service.stop()).code, 0);
});
