// `plexsync serve` imports plays from Plex on its own schedule
// (PLEXSYNC_PLAYS_POLL_MS), each play once, with no task run by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServiceProcess, waitFor } from './helpers/service.ts';
import { startWorld } from './helpers/world.ts';

const API_KEY = 'service-plays-api-key-0123456789';
const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

test('the service imports new Plex plays every PLEXSYNC_PLAYS_POLL_MS, each once', async (t) => {
  const w = await startWorld(t, { settings: { importPlays: true }, stash: { apiKey: API_KEY } });
  const file = '/data/videos/served.mp4';
  const rk = w.plex.addItem({ title: 'served', file, size: 4242 }).ratingKey;
  const scene = w.stash.addScene({ title: 'Served', files: [{ path: file, size: 4242 }] });
  const synced = await w.task('sync_all');
  assert.equal(synced.code, 0, synced.stderr);
  await w.settle();

  w.plex.addPlay({ ratingKey: rk, viewedAt: now() - 2 * DAY });
  const service = await startServiceProcess(t, { PLEXSYNC_STASH_URL: w.stash.url, PLEXSYNC_DATA_DIR: w.dataDir, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_PLAYS_POLL_MS: '500' });
  await waitFor('the first play in Stash', () => (w.stash.plays(scene).history.length === 1 ? true : undefined), 60_000).catch((err: Error) => assert.fail(`${err.message}; service log:\n${service.stderr().slice(-3000)}`));

  w.plex.addPlay({ ratingKey: rk, viewedAt: now() - DAY });
  await waitFor('the second play in Stash', () => (w.stash.plays(scene).history.length === 2 ? true : undefined), 60_000);
  // Several more rounds: nothing lands twice.
  const polls = w.plex.requestCount({ path: '/status/sessions/history/all' });
  await waitFor('three more imports', () => (w.plex.requestCount({ path: '/status/sessions/history/all' }) >= polls + 3 ? true : undefined), 60_000);
  assert.equal(w.stash.plays(scene).history.length, 2);

  const stopped = await service.stop('SIGTERM');
  assert.equal(stopped.code, 0, service.stderr());
});
