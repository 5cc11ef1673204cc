// End to end in provider mode: the fake Plex's library uses the PlexSync
// provider as its agent; the built plugin's worker asks Plex to refresh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../src/log/logger.ts';
import { type RunningProvider, startProvider } from '../src/provider/server.ts';
import { StashClient } from '../src/stash/client.ts';
import { connectionFromServer } from '../src/stash/connection.ts';
import { startWorld, type World } from './helpers/world.ts';

const FILE = '/data/videos/new-scene.mp4';

async function withProvider(t: { after(fn: () => unknown): void }, w: World): Promise<RunningProvider> {
  const stash = new StashClient({ ...connectionFromServer(w.stash.serverConnection()), timeoutMs: 10_000 });
  const provider = await startProvider({ host: '127.0.0.1', port: 0, stash, settings: () => ({ mappings: [], contentRating: '', titleTemplate: '' }), log: createLogger(() => undefined) });
  t.after(() => provider.close());
  w.plex.useProvider({ providerUrl: provider.url, relative: true });
  return provider;
}

test('a file newly scanned in Plex gets its Stash metadata with no edit in Stash', async (t) => {
  const w = await startWorld(t, { settings: { syncMode: 'provider' } });
  const provider = await withProvider(t, w);
  const studio = w.stash.addStudio('Acme');
  const [bob, alice] = [w.stash.addPerformer('Bob'), w.stash.addPerformer('Alice')];
  const tag = w.stash.addTag('Outdoor');
  const group = w.stash.addGroup('Series');
  const scene = w.stash.addScene({
    title: 'Scanned Scene',
    details: 'From Stash',
    date: '2022-03-04',
    director: 'Dee',
    studioId: studio,
    performerIds: [bob, alice],
    tagIds: [tag],
    groupIds: [group],
    files: [{ path: FILE, size: 77 }],
  });
  const stashRequestsBefore = w.stash.requests.length;

  const item = await w.plex.scanFile({ title: 'new-scene', file: FILE, size: 77 });

  assert.deepEqual(w.plex.agentErrors, []);
  assert.equal(item.guid, `tv.plex.agents.custom.plexsync://movie/${scene}`);
  assert.equal(item.scalars.title, 'Scanned Scene');
  assert.equal(item.scalars.summary, 'From Stash');
  assert.equal(item.scalars.originallyAvailableAt, '2022-03-04');
  assert.equal(item.year, 2022);
  assert.equal(item.scalars.studio, 'Acme');
  assert.deepEqual(item.tags.Role, ['Bob', 'Alice']);
  assert.deepEqual(item.tags.Genre, ['Outdoor']);
  assert.deepEqual(item.tags.Director, ['Dee']);
  assert.deepEqual(item.tags.Collection, ['Series']);
  assert.ok(item.providerThumb?.startsWith(`${provider.url}/images/scene/${scene}`));
  assert.equal(item.locked.size, 0);
  // Only reads reached Stash: no hook, no edit.
  assert.ok(w.stash.requests.slice(stashRequestsBefore).every((r) => r.operationName?.startsWith('PlexSyncProvider')));
  assert.equal((await w.queue()).pending, 0);
});

test('an edit in Stash reaches the item through a refresh, with no field the provider owns locked', async (t) => {
  const w = await startWorld(t, { settings: { syncMode: 'provider' } });
  await withProvider(t, w);
  const scene = w.stash.addScene({ title: 'Before', rating100: 60, files: [{ path: FILE, size: 77 }] });
  const item = await w.plex.scanFile({ title: 'new-scene', file: FILE, size: 77 });
  assert.equal(item.scalars.title, 'Before');

  const cover = new Uint8Array([0xff, 0xd8, 0xff, 7, 7]);
  w.stash.setScreenshot(scene, cover);
  w.stash.updateScene(scene, { title: 'After', details: 'New details' });
  const run = await w.hook('Scene.Update.Post', scene, { id: scene, title: 'After' }, ['id', 'title', 'details']);
  assert.equal(run.code, 0, run.stderr);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
  await w.plex.agentIdle();

  assert.deepEqual(w.plex.agentErrors, []);
  assert.equal(item.scalars.title, 'After');
  assert.equal(item.scalars.summary, 'New details');
  assert.ok(w.plex.requestCount({ method: 'PUT', path: `/library/metadata/${item.ratingKey}/refresh` }) >= 1);
  // The user rating is Plex's own, written as in edit mode; nothing the provider owns is locked.
  assert.equal(item.userRating, 6);
  // The cover is uploaded too (Plex may not fetch a LAN image), and only its
  // lock is set. The refresh Plex runs meanwhile may replace the thumb the
  // upload's read-back looks for, so the upload can be repeated: always this cover.
  const uploaded = w.plex.posters(item.ratingKey).map((p) => [...p.bytes]);
  assert.ok(uploaded.length >= 1, 'the cover is uploaded');
  for (const bytes of uploaded) assert.deepEqual(bytes, [...cover]);
  assert.deepEqual([...item.locked], ['thumb']);
  const edited = w.plex.requests.filter((r) => r.method === 'PUT' && r.path === `/library/metadata/${item.ratingKey}`).flatMap((r) => r.query.map(([k]) => k));
  assert.deepEqual([...new Set(edited)].sort(), ['thumb.locked', 'type']);
});

test('switching a library edit mode locked: the sync says what to unlock, and the task unlocks it', async (t) => {
  const w = await startWorld(t, { settings: { syncMode: 'provider' } });
  await withProvider(t, w);
  const scene = w.stash.addScene({ title: 'Provider Title', files: [{ path: FILE, size: 77 }] });
  // As edit mode left it: its own values, locked.
  const item = w.plex.addItem({ title: 'Edit Title', file: FILE, size: 77, genres: ['Old'], locked: ['title', 'genre', 'thumb'] });

  await w.hook('Scene.Update.Post', scene);
  await w.settle();
  await w.plex.agentIdle();
  assert.equal(item.scalars.title, 'Edit Title', 'a locked title keeps the provider out');
  const workerLog = readFileSync(join(w.dataDir, 'worker.log'), 'utf8');
  assert.match(workerLog, new RegExp(`Plex item ${item.ratingKey} has title, genre locked from edit mode.*Unlock fields for provider mode`));

  const unlock = await w.task('provider_unlock');
  assert.equal(unlock.code, 0, unlock.stderr);
  assert.deepEqual(unlock.result.output, { items: 1, unlocked: 1, fields: { title: 1, genre: 1 } });
  await w.plex.agentIdle();
  assert.equal(item.scalars.title, 'Provider Title');
  assert.deepEqual(item.tags.Genre, []);
  assert.deepEqual([...item.locked], ['thumb'], 'the uploaded poster stays locked');
});

test('the unlock task refuses while syncMode is edit', async (t) => {
  const w = await startWorld(t);
  const run = await w.task('provider_unlock');
  assert.notEqual(run.code, 0);
  assert.match(run.result.error ?? '', /syncMode is "edit"/);
});
