// Changes without hooks: the service polls Stash and what changed reaches Plex.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { counts } from '../src/queue/operations.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { getJson, startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'poll-test-api-key-0123456789';

test('an edit made in Stash with no hook is in Plex within the poll interval + 10 s; renames follow; a first start queues nothing', async (t) => {
  const POLL_MS = 2_000;
  // The library was last changed a minute before the service starts.
  let shiftMs = -60_000;
  const stash = await startFakeStash({ apiKey: API_KEY, now: () => new Date(Date.now() + shiftMs) });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  const performer = stash.addPerformer('Ann Old');
  const rk = plex.addItem({ title: 'file', file: '/data/videos/poll/one.mp4', size: 21 }).ratingKey;
  const scene = stash.addScene({ title: 'Before', performerIds: [performer], files: [{ path: '/data/videos/poll/one.mp4', size: 21 }] });
  shiftMs = 0;
  const service = await startServiceProcess(t, {
    PLEXSYNC_STASH_URL: stash.url,
    PLEXSYNC_STASH_API_KEY: API_KEY,
    PLEXSYNC_DATA_DIR: dataDir,
    PLEXSYNC_POLL_MS: String(POLL_MS),
  });
  await waitFor('the first poll', () => (/watching Stash for changes after/.test(service.stderr()) ? true : undefined));
  const db = await openDatabase(dataDir);
  t.after(() => db.close());
  const firstPolls = stash.requests.length;
  await waitFor('a second poll', () => (stash.requests.length >= firstPolls + 1 ? true : undefined), POLL_MS + 10_000);
  assert.equal(counts(db).pending + counts(db).done, 0, 'a first start does not queue the library');

  stash.updateScene(scene, { title: 'Edited without a hook' });
  const editedAt = Date.now();
  await waitFor('the edit in Plex', () => (plex.item(rk)?.scalars.title === 'Edited without a hook' ? true : undefined), POLL_MS + 10_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${service.stderr()}`);
  });
  assert.ok(Date.now() - editedAt <= POLL_MS + 10_000);
  assert.deepEqual(plex.item(rk)!.tags.Role, ['Ann Old']);

  stash.renamePerformer(performer, 'Ann New');
  await waitFor('the rename in Plex', () => (plex.item(rk)?.tags.Role?.[0] === 'Ann New' ? true : undefined), POLL_MS + 10_000);

  // Nothing changed: each poll is one request, and nothing is queued.
  await waitFor('the queue to settle', () => (counts(db).pending === 0 && counts(db).inProgress === 0 ? true : undefined));
  const before = stash.requests.length;
  const doneBefore = counts(db).done;
  await waitFor('three more polls', () => (stash.requests.length >= before + 3 ? true : undefined), POLL_MS * 3 + 10_000);
  const idle = stash.requests.slice(before);
  assert.ok(idle.every((r) => r.operationName === 'PlexSyncChanges'), idle.map((r) => r.operationName).join(','));
  assert.equal(counts(db).done, doneBefore);
  assert.equal(counts(db).pending, 0);
  const status = await getJson(`${service.url}/api/status`);
  assert.equal((status.body as { synced: number }).synced, 1);
  assert.equal((await service.stop()).code, 0);
  assert.ok(!service.stderr().includes(API_KEY));
});
