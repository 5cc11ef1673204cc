// CONTRACT section 12, permanent half: retrying cannot help, so the job is a
// dead letter after its first attempt, with a reason the user can act on,
// as the `dlq_list` task shows it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type World, startWorld } from './helpers/world.ts';
import { addLibrary } from './fault-support.ts';

interface DeadLetter {
  job: string;
  code: string;
  reason: string;
  attempts: number;
}

async function deadLetters(w: World): Promise<Map<string, DeadLetter>> {
  const run = await w.task('dlq_list');
  assert.equal(run.code, 0, run.stdout);
  const out = run.result.output as { deadLetters: DeadLetter[] };
  return new Map(out.deadLetters.map((d) => [d.job, d]));
}

test('a wrong Plex token: dead letter at once, telling the user to check plexToken', async (t) => {
  const w = await startWorld(t, { settings: { plexToken: 'not-the-right-token-123' } });
  const [scene] = addLibrary(w, 1).keys();
  await w.hook('Scene.Update.Post', scene!);
  const settled = await w.settle();
  assert.equal(settled.dead, 1);
  const dead = (await deadLetters(w)).get(`scene:${scene}`)!;
  assert.equal(dead.code, 'unauthorized');
  assert.equal(dead.attempts, 1);
  assert.match(dead.reason, /plexToken/);
});

test('a 400 from Plex: dead letter at once with the status and request named', async (t) => {
  const w = await startWorld(t);
  const [scene] = addLibrary(w, 1).keys();
  w.plex.failNext(1, 400);
  await w.hook('Scene.Update.Post', scene!);
  await w.settle();
  const dead = (await deadLetters(w)).get(`scene:${scene}`)!;
  assert.equal(dead.code, 'bad_request');
  assert.equal(dead.attempts, 1);
  assert.match(dead.reason, /400/);
  assert.match(dead.reason, /GET \/library/);
});

test('an ambiguous match and a scene gone from Stash are dead letters; a good scene beside them syncs', async (t) => {
  const w = await startWorld(t);
  const [good] = addLibrary(w, 1).keys();
  // Two Plex items with the same basename and size, neither on the scene's path.
  const a = w.plex.addItem({ title: 'twin a', file: '/data/videos/a/twin.mp4', size: 500 }).ratingKey;
  const b = w.plex.addItem({ title: 'twin b', file: '/data/videos/b/twin.mp4', size: 500 }).ratingKey;
  const twin = w.stash.addScene({ title: 'Which one?', files: [{ path: '/stash/elsewhere/twin.mp4', size: 500 }] });
  const gone = w.stash.addScene({ title: 'Deleted soon', files: [{ path: '/data/videos/gone.mp4', size: 9 }] });
  w.stash.deleteScene(gone);

  for (const scene of [twin, gone, good!]) await w.hook('Scene.Update.Post', scene);
  const settled = await w.settle();
  assert.equal(settled.dead, 2);
  const letters = await deadLetters(w);

  const ambiguous = letters.get(`scene:${twin}`)!;
  assert.equal(ambiguous.code, 'ambiguous_match');
  assert.equal(ambiguous.attempts, 1);
  assert.match(ambiguous.reason, new RegExp(`item ${a}\\b`));
  assert.match(ambiguous.reason, new RegExp(`item ${b}\\b`));
  assert.match(ambiguous.reason, /none was edited/);
  assert.equal(w.plex.item(a)?.scalars.title, 'twin a');
  assert.equal(w.plex.item(b)?.scalars.title, 'twin b');

  const vanished = letters.get(`scene:${gone}`)!;
  assert.equal(vanished.code, 'scene_gone');
  assert.equal(vanished.attempts, 1);
  assert.match(vanished.reason, new RegExp(`scene ${gone} no longer exists in Stash`));

  assert.equal(letters.has(`scene:${good}`), false);
});
