// status, dlq_list, dlq_retry and dlq_clear as documented, and the pathMap
// warnings of status and detect_paths against the fakes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './helpers/world.ts';

interface Status {
  pending: number;
  inProgress: number;
  dead: number;
  synced: number;
  lastSyncAt: string | null;
  worker: unknown;
  circuit: { state: string };
  recentErrors: { job: string; reason: string }[];
  problems: string[];
}

test('status counts, dead letters listed with reasons, retried and cleared', async (t) => {
  const w = await startWorld(t);
  w.plex.addItem({ title: 'a', file: '/data/videos/a/same.mp4', size: 7 });
  w.plex.addItem({ title: 'b', file: '/data/videos/b/same.mp4', size: 7 });
  w.plex.addItem({ title: 'ok', file: '/data/videos/ok.mp4', size: 9 });
  const ambiguous = w.stash.addScene({ title: 'Which?', files: [{ path: '/elsewhere/same.mp4', size: 7 }] });
  w.stash.addScene({ title: 'Fine', files: [{ path: '/data/videos/ok.mp4', size: 9 }] });
  await w.task('sync_all');
  await w.settle();

  const status = await w.task('status');
  assert.equal(status.code, 0);
  const s = status.result.output as Status;
  assert.deepEqual([s.pending, s.inProgress, s.dead, s.synced], [0, 0, 1, 1]);
  assert.ok(s.lastSyncAt && Date.parse(s.lastSyncAt) > Date.now() - 60_000);
  assert.equal(s.circuit.state, 'closed');
  assert.equal(s.recentErrors[0]?.job, `scene:${ambiguous}`);
  assert.match(s.recentErrors[0]!.reason, /several Plex items/);
  assert.ok(status.logs.some((l) => /1 dead letters, 1 scenes synced/.test(l.message)), JSON.stringify(status.logs));

  const list = await w.task('dlq_list');
  const letters = (list.result.output as { count: number; deadLetters: { job: string; reason: string }[] }).deadLetters;
  assert.deepEqual(letters.map((l) => l.job), [`scene:${ambiguous}`]);

  const retry = await w.task('dlq_retry');
  assert.deepEqual(retry.result.output, { retried: 1 });
  assert.equal((await w.settle()).dead, 1, 'still ambiguous: back in the dead-letter queue');

  const clear = await w.task('dlq_clear');
  assert.deepEqual(clear.result.output, { cleared: 1 });
  const after = (await w.task('status')).result.output as Status;
  assert.equal(after.dead, 0);
  assert.equal(after.synced, 1);
});

test('detect_paths suggests the mapping for Docker-style mounts; status then warns that the current one matches little', async (t) => {
  const w = await startWorld(t, { plex: { sections: [{ id: '1', title: 'Videos', type: 'movie', agent: 'tv.plex.agents.none', locations: ['/media/videos'] }] } });
  for (let i = 0; i < 12; i++) {
    // A folder per scene, every file named alike: name and size cannot tell them apart, only paths can.
    w.plex.addItem({ title: `f${i}`, file: `/media/videos/scene-${i}/video.mp4`, size: 500 });
    w.stash.addScene({ title: `S${i}`, files: [{ path: `/data/videos/scene-${i}/video.mp4`, size: 500 }] });
  }
  const run = await w.task('detect_paths');
  assert.equal(run.code, 0, run.stderr);
  const d = run.result.output as { suggestion: string; matchedWithSuggestion: number; matchedWithCurrent: number; scenes: number };
  assert.equal(d.suggestion, '/data=>/media');
  assert.deepEqual([d.scenes, d.matchedWithSuggestion, d.matchedWithCurrent], [12, 12, 0]);
  assert.equal(run.progress.at(-1), 1);
  assert.ok(run.logs.some((l) => l.level === 'w' && l.message.includes('Suggested pathMap: /data=>/media')));

  const status = (await w.task('status')).result.output as Status;
  assert.ok(status.problems.some((p) => /matched only 0 of 12 .*\/data=>\/media/.test(p)), JSON.stringify(status.problems));
});

test('a wrong pathMap hidden by name-and-size fallbacks: detect_paths counts exact matches apart and suggests the right one; status warns', async (t) => {
  const w = await startWorld(t, { settings: { pathMap: '/stash/media=>/wrong/media' } });
  for (let i = 0; i < 30; i++) {
    w.plex.addItem({ title: `f${i}`, file: `/data/media/set-${i % 3}/clip-${i}.mp4`, size: 700 + i });
    // Two files whose size differs on the two sides: no name-and-size fallback for them.
    w.stash.addScene({ title: `S${i}`, files: [{ path: `/stash/media/set-${i % 3}/clip-${i}.mp4`, size: i < 2 ? 1 : 700 + i }] });
  }
  const run = await w.task('detect_paths');
  assert.equal(run.code, 0, run.stderr);
  const d = run.result.output as { suggestion: string; matchedWithCurrent: number; exactWithCurrent: number; exactWithSuggestion: number; better: boolean };
  assert.deepEqual([d.matchedWithCurrent, d.exactWithCurrent, d.exactWithSuggestion, d.better], [28, 0, 30, true]);
  assert.equal(d.suggestion, '/stash=>/data');
  const lines = run.logs.map((l) => l.message);
  assert.ok(lines.some((l) => l.includes('matches 0 of 30 scene(s) by exact path, 28 more by file name and size only')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('Suggested pathMap: /stash=>/data (matches 30 of 30 scene(s) by exact path')), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes('as good as any found')));

  const status = (await w.task('status')).result.output as Status;
  assert.ok(status.problems.some((p) => /28 of 30 scenes matched their Plex item only by file name and size, more than by exact path \(0\).*\/stash=>\/data/.test(p)), JSON.stringify(status.problems));
});
