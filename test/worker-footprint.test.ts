// What the background worker loads while it syncs a scene with a poster, seen
// from inside the real process: a preload writes Node's own list of loaded
// builtin modules when it exits. Modules the worker has no use for stay out,
// each costing it resident memory for its whole life (docs/benchmarks.md).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './helpers/temp.ts';
import { startWorld } from './helpers/world.ts';

const FILE = '/data/videos/footprint.mp4';

/** Builtins that would be dead weight: cryptography, the perf_hooks timing API, fetch's undici. */
const UNWANTED = [/^NativeModule crypto$/, /^NativeModule internal\/crypto\//, /^NativeModule perf_hooks$/, /^NativeModule internal\/deps\/undici/];

interface Seen {
  argv: string[];
  modules: string[];
}

test('a worker syncing a scene with its poster loads no cryptography, perf_hooks or undici; nor does the hook that starts it', async (t) => {
  const dir = tempDir(t);
  const preload = join(dir, 'record-modules.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(dir)} + '/seen-' + process.pid + '.json', JSON.stringify({ argv: process.argv.slice(2), modules: process.moduleLoadList })));\n`,
  );
  const w = await startWorld(t, { env: { NODE_OPTIONS: `--require=${preload}` } });
  const rk = w.plex.addItem({ title: 'footprint', file: FILE, size: 77 }).ratingKey;
  const scene = w.stash.addScene({ title: 'Footprint', files: [{ path: FILE, size: 77 }] });
  w.stash.setScreenshot(scene, new Uint8Array([0xff, 0xd8, 0xff, 9, 8, 7]));
  assert.equal((await w.hook('Scene.Update.Post', scene, { id: scene, title: 'Footprint' }, ['id', 'title'])).code, 0);
  assert.equal((await w.settle()).done, 1);
  assert.equal(w.plex.posters(rk).length, 1, 'the poster went up: the worker fetched, fingerprinted and uploaded it');

  // The worker writes its list as it exits, just after it gives the lease up.
  const seen = (): Seen[] => readdirSync(dir).filter((f) => f.startsWith('seen-')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Seen);
  const until = Date.now() + 20_000;
  while (!seen().some((s) => s.argv.includes('--worker')) && Date.now() < until) await sleep(20);
  const worker = seen().find((s) => s.argv.includes('--worker'));
  const hook = seen().find((s) => !s.argv.includes('--worker'));
  assert.ok(worker && hook, `both processes reported: ${readdirSync(dir).join(', ')}`);
  assert.ok(worker.modules.includes('NativeModule http'), 'the list is real: the worker spoke HTTP');
  for (const [name, list] of [
    ['worker', worker.modules],
    ['hook', hook.modules],
  ] as const) {
    assert.deepEqual(
      list.filter((m) => UNWANTED.some((re) => re.test(m))),
      [],
      `the ${name} loads none of them`,
    );
  }
  assert.ok(existsSync(join(w.dataDir, 'plexsync.db')));
});
