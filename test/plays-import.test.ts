// End to end: plays, resume points and ratings from the fake Plex into the
// fake Stash, through the built plugin run as Stash runs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnv } from '../src/config/env.ts';
import { parseSettings } from '../src/config/settings.ts';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/log/logger.ts';
import type { ImportSummary } from '../src/plays/model.ts';
import { importPlaysJob } from '../src/plays/service-job.ts';
import { StashClient } from '../src/stash/client.ts';
import { connectionFromServer } from '../src/stash/connection.ts';
import { type World, startWorld } from './helpers/world.ts';
import { runPlugin, taskInput } from './helpers/plugin.ts';
import { withDb } from './fault-support.ts';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

/** Scenes matched to Plex items by a real sync, so the sync records name them. */
async function matchedWorld(t: Parameters<typeof startWorld>[0], settings: Record<string, unknown>, count = 2, env: Record<string, string> = {}) {
  const w = await startWorld(t, { settings, env });
  const pairs: { scene: string; rk: string }[] = [];
  for (let i = 0; i < count; i++) {
    const file = `/data/videos/watched-${i}.mp4`;
    const rk = w.plex.addItem({ title: `watched-${i}`, file, size: 5000 + i }).ratingKey;
    const scene = w.stash.addScene({ title: `Watched ${i}`, files: [{ path: file, size: 5000 + i }] });
    pairs.push({ scene, rk });
  }
  const synced = await w.task('sync_all');
  assert.equal(synced.code, 0, synced.stderr);
  await w.settle();
  return { w, pairs };
}

async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function summaryOf(run: Awaited<ReturnType<World['task']>>): ImportSummary {
  assert.equal(run.code, 0, run.stderr);
  return run.result.output as ImportSummary;
}

/** 520 plays of an item no scene shows come first, so the ones that matter are on the second page. */
function fillFirstPage(w: World): void {
  const other = w.plex.addItem({ title: 'not in stash', file: '/data/videos/elsewhere.mp4', size: 1 }).ratingKey;
  for (let i = 0; i < 520; i++) w.plex.addPlay({ ratingKey: other, viewedAt: now() - 30 * DAY + i });
}

test('import_plays is off by default: it succeeds, says so and writes nothing', async (t) => {
  const { w, pairs } = await matchedWorld(t, {}, 1);
  w.plex.addPlay({ ratingKey: pairs[0]!.rk, viewedAt: now() - DAY });
  const summary = summaryOf(await w.task('import_plays'));
  assert.equal(summary.enabled, false);
  assert.match(summary.message, /importPlays is off/);
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, []);
  assert.equal(w.plex.requestCount({ path: '/status/sessions/history/all' }), 0);
});

test('3 plays are imported across history pages, and a second run adds none', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true });
  fillFirstPage(w);
  const [a, b] = pairs;
  const times = [now() - 3 * DAY, now() - 2 * DAY, now() - DAY];
  w.plex.addPlay({ ratingKey: a!.rk, viewedAt: times[0] });
  w.plex.addPlay({ ratingKey: a!.rk, viewedAt: times[1] });
  w.plex.addPlay({ ratingKey: b!.rk, viewedAt: times[2] });

  const first = summaryOf(await w.task('import_plays'));
  assert.equal(first.playsAdded, 3, first.message);
  assert.deepEqual(w.stash.plays(a!.scene).history, [times[0], times[1]]);
  assert.deepEqual(w.stash.plays(b!.scene).history, [times[2]]);
  assert.equal(first.unmatchedPlays, 520, 'plays of an item no scene shows wait, counted');
  const pages = w.plex.requests.filter((r) => r.path === '/status/sessions/history/all').map((r) => r.headers['x-plex-container-start']);
  assert.deepEqual(pages, ['0', '500'], 'the history is read page by page');
  const status = await w.task('status');
  const last = (status.result.output as { lastPlaysImport: { ok: boolean; message: string } | null }).lastPlaysImport;
  assert.equal(last?.ok, true);
  assert.match(last?.message ?? '', /added 3 play/);

  const asked = w.plex.requests.length;
  const second = summaryOf(await w.task('import_plays'));
  assert.equal(second.playsAdded, 0, second.message);
  const again = w.plex.requests.slice(asked).filter((r) => r.path === '/status/sessions/history/all');
  assert.deepEqual(
    again.map((r) => r.query.find(([k]) => k === 'viewedAt>')?.[1]),
    [String(times[2]! - DAY)],
    'the rerun asks only from a day before the newest play seen: one page',
  );
  assert.equal(w.stash.plays(a!.scene).history.length + w.stash.plays(b!.scene).history.length, 3);
  assert.match(second.message, /added 0 play/);
});

test("plays of other accounts are ignored unless importAccounts lists them", async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 1);
  w.plex.setAccounts([
    { id: 1, name: 'owner' },
    { id: 5012, name: 'friend' },
  ]);
  const rk = pairs[0]!.rk;
  const owners = now() - 2 * DAY;
  const friends = now() - DAY;
  w.plex.addPlay({ ratingKey: rk, viewedAt: owners });
  w.plex.addPlay({ ratingKey: rk, accountId: 5012, viewedAt: friends });

  assert.equal(summaryOf(await w.task('import_plays')).playsAdded, 1);
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, [owners]);

  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, importPlays: true, importAccounts: '1, 5012' });
  const listed = summaryOf(await w.task('import_plays'));
  assert.equal(listed.playsAdded, 1, listed.message);
  assert.deepEqual(listed.accounts, [1, 5012]);
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, [owners, friends]);
});

test('the dry run lists the plays and resume point it would write, and writes nothing', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 1);
  const viewedAt = now() - DAY;
  w.plex.addPlay({ ratingKey: pairs[0]!.rk, viewedAt });
  w.plex.item(pairs[0]!.rk)!.viewOffset = 90_000;
  const dry = summaryOf(await w.task('import_plays', { dryRun: 'true' }));
  assert.equal(dry.dryRun, true);
  assert.equal(dry.playsAdded, 1);
  assert.equal(dry.resumePoints, 1);
  assert.ok(dry.planned.some((line) => line.includes(new Date(viewedAt * 1000).toISOString().slice(0, 19))), dry.planned.join('\n'));
  assert.deepEqual(w.stash.plays(pairs[0]!.scene), { history: [], resumeTime: null, rating100: null });
  // Nothing recorded either: the real run still finds the play new.
  assert.equal(summaryOf(await w.task('import_plays')).playsAdded, 1);
});

test('a resume point in Plex becomes Stash resume_time once', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 1);
  w.plex.item(pairs[0]!.rk)!.viewOffset = 125_000;
  assert.equal(summaryOf(await w.task('import_plays')).resumePoints, 1);
  assert.equal(w.stash.plays(pairs[0]!.scene).resumeTime, 125);
  assert.equal(summaryOf(await w.task('import_plays')).resumePoints, 0);
  assert.equal(w.stash.requests.filter((r) => r.operationName === 'PlexSyncSaveActivity').length, 1);
});

test('a plugin-mode worker imports new plays when it starts', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 1);
  const viewedAt = now() - DAY;
  w.plex.addPlay({ ratingKey: pairs[0]!.rk, viewedAt });
  // Any hook starts a worker; a title change is one.
  assert.equal((await w.hook('Scene.Update.Post', pairs[0]!.scene, { id: pairs[0]!.scene, title: 'Renamed' }, ['id', 'title'])).code, 0);
  await w.settle();
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, [viewedAt]);
});

test('a rating taken from Plex is not sent back: the hook Stash fires for it queues nothing and Plex sees no /:/rate', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true, importRatings: true }, 1);
  const { scene, rk } = pairs[0]!;
  // The user rates the item in Plex, after the scene last changed in Stash.
  const item = w.plex.item(rk)!;
  item.userRating = 8;
  item.lastRatedAt = now() + 1;
  const ratesBefore = w.plex.requestCount({ path: '/:/rate' });

  const summary = summaryOf(await w.task('import_plays'));
  assert.equal(summary.ratings, 1, summary.message);
  assert.equal(w.stash.plays(scene).rating100, 80);

  // Stash runs Scene.Update.Post for that sceneUpdate: run it as Stash would.
  const events = w.stash.hookEvents.filter((e) => e.id === scene);
  assert.equal(events.length, 1);
  const hook = await w.hook(events[0]!.type, scene, events[0]!.input, events[0]!.inputFields);
  assert.equal(hook.code, 0, hook.stderr);
  assert.equal((hook.result.output as { queued: boolean }).queued, false, hook.stdout);
  await w.settle();
  assert.equal(w.plex.requestCount({ path: '/:/rate' }), ratesBefore, 'no rating went back to Plex');
  assert.equal(w.plex.item(rk)!.userRating, 8);

  // No ping-pong: the next run finds both sides agreeing.
  assert.equal(summaryOf(await w.task('import_plays')).ratings, 0);
});

test('with importRatings, a running worker syncing another change leaves a newer Plex rating alone', async (t) => {
  // A worker that stays up between the two edits, so no import at its start steps in.
  const { w, pairs } = await matchedWorld(t, { importPlays: true, importRatings: true }, 1, { PLEXSYNC_IDLE_EXIT_MS: '20000' });
  const { scene, rk } = pairs[0]!;
  w.stash.updateScene(scene, { rating100: 40 });
  await w.hook('Scene.Update.Post', scene, { id: scene, rating100: 40 }, ['id', 'rating100']);
  await waitUntil('the rating in Plex', () => w.plex.item(rk)!.userRating === 4);
  const worker = await withDb(w.dataDir, (db) => db.prepare(`SELECT pid FROM worker_lease WHERE name = 'worker'`).get());
  // An import sees both sides at 40 and notes that they agree.
  assert.equal(summaryOf(await w.task('import_plays')).ratings, 0);
  // Re-rated in Plex; then a title edit in Stash reaches the running worker before the next import.
  w.plex.item(rk)!.userRating = 9;
  w.plex.item(rk)!.lastRatedAt = now();
  w.stash.updateScene(scene, { title: 'New title' });
  await w.hook('Scene.Update.Post', scene, { id: scene, title: 'New title' }, ['id', 'title']);
  await waitUntil('the title in Plex', () => w.plex.item(rk)!.scalars.title === 'New title');
  await waitUntil('the sync job finished', async () => {
    const q = await w.queue();
    return q.pending === 0 && q.inProgress === 0;
  });
  assert.equal(w.stash.plays(scene).rating100, 40, 'no import ran in between');
  assert.deepEqual(await withDb(w.dataDir, (db) => db.prepare(`SELECT pid FROM worker_lease WHERE name = 'worker'`).get()), worker, 'the same worker');
  assert.equal(w.plex.item(rk)!.userRating, 9, 'the sync did not overwrite the newer Plex rating');
  // The next import brings it into Stash.
  const last = summaryOf(await w.task('import_plays'));
  assert.equal(last.ratings, 1, last.message);
  assert.equal(w.stash.plays(scene).rating100, 90);
  await w.settle(60_000);
});

test('a SIGKILL mid-import, then a rerun: every play lands exactly once', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 3);
  const viewed = pairs.map((_, i) => now() - (10 - i) * DAY);
  for (const [i, p] of pairs.entries()) w.plex.addPlay({ ratingKey: p.rk, viewedAt: viewed[i] });
  // Stash answers slowly, so the kill lands while the first sceneAddPlay is in flight:
  // Stash applies it, the importer never hears back.
  w.stash.setLatency(1_500);
  const child = runPlugin(taskInput(w.stash.serverConnection(), 'import_plays'), { env: w.env });
  const deadline = Date.now() + 60_000;
  while (!w.stash.requests.some((r) => r.operationName === 'PlexSyncAddPlay') && Date.now() < deadline) await sleep(20);
  assert.ok(w.stash.requests.some((r) => r.operationName === 'PlexSyncAddPlay'), 'the import reached its first play');
  const pid = await withDb(w.dataDir, (db) => (db.prepare(`SELECT pid FROM worker_lease WHERE name = 'import_plays'`).get() as { pid: number }).pid);
  process.kill(pid, 'SIGKILL');
  const killed = await child;
  assert.equal(killed.code, null, 'the import was killed');
  const landed = () => pairs.reduce((n, p) => n + w.stash.plays(p.scene).history.length, 0);
  // The mutation in flight reaches the fake Stash's store after its latency.
  await waitUntil('the play in flight applied by Stash', () => landed() >= 1);
  w.stash.setLatency(0);
  const landedBefore = landed();
  assert.ok(landedBefore >= 1 && landedBefore < 3, `the kill interrupted the import (${landedBefore} landed)`);

  const rerun = summaryOf(await w.task('import_plays', {}, { timeoutMs: 120_000 }));
  assert.equal(rerun.playsAdded + rerun.playsRecovered, 3, rerun.message);
  assert.ok(rerun.playsRecovered >= 1, 'the play sent before the kill was found in Stash, not sent again');
  for (const [i, p] of pairs.entries()) assert.deepEqual(w.stash.plays(p.scene).history, [viewed[i]], `scene ${p.scene}`);
  assert.equal(summaryOf(await w.task('import_plays')).playsAdded, 0);
});

test('the service job imports every PLEXSYNC_PLAYS_POLL_MS, and does nothing while importPlays is off', async (t) => {
  const { w, pairs } = await matchedWorld(t, {}, 1);
  const viewedAt = now() - DAY;
  w.plex.addPlay({ ratingKey: pairs[0]!.rk, viewedAt });
  const env = readEnv({ ...w.env, PLEXSYNC_PLAYS_POLL_MS: undefined });
  const db = await openDatabase(w.dataDir);
  t.after(() => db.close());
  const log = createLogger(() => undefined);
  const ctx = { input: { server_connection: w.stash.serverConnection() }, connection: w.stash.serverConnection(), env, dataDir: w.dataDir, log, script: '' };
  const host = { ctx, db, log, settings: async () => parseSettings(await new StashClient({ ...connectionFromServer(ctx.connection, {}), timeoutMs: 30_000 }).pluginSettings()) };
  const job = importPlaysJob(host as Parameters<typeof importPlaysJob>[0]);
  assert.equal(job.everyMs, 15 * 60_000, 'default 15 minutes');
  assert.equal(importPlaysJob({ ...host, ctx: { ...ctx, env: readEnv({ PLEXSYNC_PLAYS_POLL_MS: '5000' }) } } as Parameters<typeof importPlaysJob>[0]).everyMs, 5000);

  await job.run(new AbortController().signal);
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, [], 'off: nothing imported');
  assert.equal(w.plex.requestCount({ path: '/status/sessions/history/all' }), 0);

  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, importPlays: true });
  await job.run(new AbortController().signal);
  await job.run(new AbortController().signal);
  assert.deepEqual(w.stash.plays(pairs[0]!.scene).history, [viewedAt]);
});

test('a scene deleted in Stash is skipped and named in the summary; its plays wait', async (t) => {
  const { w, pairs } = await matchedWorld(t, { importPlays: true }, 2);
  const [kept, gone] = pairs;
  w.plex.addPlay({ ratingKey: kept!.rk, viewedAt: now() - 2 * DAY });
  w.plex.addPlay({ ratingKey: gone!.rk, viewedAt: now() - DAY });
  // Deleted with no hook reaching PlexSync: its sync record still names the item.
  w.stash.deleteScene(gone!.scene);
  const summary = summaryOf(await w.task('import_plays'));
  assert.equal(summary.playsAdded, 1);
  assert.deepEqual(summary.skipped, { scene_gone: 1 });
  assert.match(summary.message, /skipped: 1 scene\(s\) gone from Stash/);
});
