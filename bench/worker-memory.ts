// Benchmark: what PlexSync's processes cost in memory, each beside bare
// `node -e 0` measured in the same run. The background worker drains changed
// scenes with posters while /proc is sampled for its peak RSS; a hook's and a
// bare Node's peak RSS come from a preload that records maxRSS at exit (the
// same preload for both, so it cancels out); a long drain is sampled over time
// to show the heap stays flat.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.ts';
import { enqueueMany } from '../src/queue/operations.ts';
import { hookInput } from '../test/helpers/plugin.ts';
import type { World } from '../test/helpers/world.ts';
import { type Benchmark, benchWorld, mb, memoryOf, percentile, privatePlugin, processesWith, type Scale, Scope, timedRun } from './lib.ts';

const POSTER_SCENES: Record<Scale, number> = { smoke: 10, quick: 300, full: 2000 };
const LONG_DRAIN: Record<Scale, number> = { smoke: 20, quick: 2000, full: 20000 };
const STARTS: Record<Scale, number> = { smoke: 3, quick: 10, full: 20 };
/**
 * The production default (a minute), except at smoke size: there each world
 * waits for its worker to idle out before it closes, and three minutes of
 * idling would measure nothing.
 */
const IDLE_EXIT_MS: Record<Scale, string> = { smoke: '5000', quick: '60000', full: '60000' };
const POSTER_BYTES = 200 * 1024;
/**
 * A drain's bound. 20,000 jobs against the fakes take 10 to 35 minutes on a
 * shared two-core machine (the fake Stash validates every GraphQL request
 * against Stash's whole schema); the bound only stops a drain that is stuck.
 */
const DRAIN_BOUND_MS = 90 * 60_000;
const MIB = 1024 * 1024;

/** Records the process's peak RSS in a file named after its pid when it exits. */
function rssPreload(scope: Scope): { env: Record<string, string>; peaks: () => number[]; reset: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'plexsync-bench-rss-'));
  scope.after(() => rmSync(dir, { recursive: true, force: true }));
  const preload = join(dir, 'record-rss.cjs');
  const out = join(dir, 'out');
  rmSync(out, { force: true });
  writeFileSync(
    preload,
    // VmHWM, not getrusage's maxRSS: that one keeps the high-water mark of the
    // forked parent from before exec, i.e. the benchmark's own size.
    `process.on('exit', () => { try { const fs = require('node:fs'); const kb = /^VmHWM:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]; fs.writeFileSync(${JSON.stringify(out)} + '-' + process.pid, String(kb * 1024)); } catch {} });\n`,
  );
  const files = () => readdirSync(dir).filter((f) => f.startsWith('out-'));
  return {
    env: { NODE_OPTIONS: `--require=${preload}` },
    peaks: () => files().map((f) => Number(readFileSync(join(dir, f), 'utf8'))),
    reset: () => {
      for (const f of files()) rmSync(join(dir, f));
    },
  };
}

async function enqueueScenes(w: World, ids: readonly string[]): Promise<void> {
  const db = await openDatabase(w.dataDir);
  try {
    enqueueMany(
      db,
      ids.map((entityId) => ({ kind: 'scene' as const, entityId })),
    );
  } finally {
    db.close();
  }
}

/** Scenes whose Plex items differ in title, summary and performer; with posters if asked. */
function seed(w: World, n: number, prefix: string, posters: boolean): string[] {
  const performer = w.stash.addPerformer('Pat Performer');
  const tag = w.stash.addTag('Outdoor');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = `/data/videos/${prefix}-${i}.mp4`;
    w.plex.addItem({ title: `${prefix}-${i}`, file, size: 5000 + i });
    const id = w.stash.addScene({ title: `${prefix} title ${i}`, details: `Details of ${prefix} ${i}`, performerIds: [performer], tagIds: [tag], files: [{ path: file, size: 5000 + i }] });
    if (posters) {
      const bytes = new Uint8Array(POSTER_BYTES);
      for (let b = 0; b < bytes.length; b += 4096) bytes[b] = (i + b) & 0xff;
      w.stash.setScreenshot(id, bytes);
    }
    ids.push(id);
  }
  return ids;
}

interface DrainSample {
  at: number;
  rss: number;
}

/** Starts the background worker with one hook and samples it until the queue is empty. */
async function drainSampled(w: World, script: string, env: Record<string, string>, firstId: string): Promise<{ peak: number; samples: DrainSample[]; seconds: number; done: number }> {
  const started = performance.now();
  const doneBefore = (await w.queue()).done;
  const hook = JSON.stringify(hookInput(w.stash.serverConnection(), 'Scene.Update.Post', Number(firstId), { id: firstId, title: 'x' }, ['id', 'title']));
  const run = await timedRun([script], hook, env);
  if (run.code !== 0) throw new Error(`hook failed: ${run.stdout} ${run.stderr.slice(-300)}`);
  let peak = 0;
  const samples: DrainSample[] = [];
  const until = Date.now() + DRAIN_BOUND_MS;
  let lastDone = 0;
  let reported = Date.now();
  while (Date.now() < until) {
    if (Date.now() - reported >= 120_000) {
      reported = Date.now();
      console.log(`  draining: ${lastDone} synced after ${((performance.now() - started) / 1000).toFixed(0)} s, worker peak ${mb(peak)}`);
    }
    for (const pid of processesWith(script, '--worker')) {
      const m = memoryOf(pid);
      if (!m) continue;
      peak = Math.max(peak, m.peak);
      samples.push({ at: performance.now() - started, rss: m.rss });
    }
    const c = await w.queue();
    lastDone = c.done - doneBefore;
    if (c.pending === 0 && c.inProgress === 0) {
      return { peak, samples, seconds: (performance.now() - started) / 1000, done: lastDone };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the drain did not finish in ${DRAIN_BOUND_MS / 60_000} minutes: ${lastDone} synced`);
}

/** Median RSS of the first and the last tenth of a drain's samples. */
function tenths(samples: readonly DrainSample[]): { first: number; last: number } {
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  return { first: percentile(samples.slice(0, tenth).map((s) => s.rss), 50), last: percentile(samples.slice(-tenth).map((s) => s.rss), 50) };
}

export const workerMemory: Benchmark = {
  name: 'worker-memory',
  async run(scale) {
    const scope = new Scope();
    try {
      const { script } = privatePlugin(scope);
      const rss = rssPreload(scope);

      // Bare Node and a hook that finds a worker running, interleaved.
      const w = await benchWorld(scope, { env: { PLEXSYNC_IDLE_EXIT_MS: IDLE_EXIT_MS[scale] } });
      const posterIds = seed(w, POSTER_SCENES[scale], 'poster', true);
      const env = { ...w.env, PLEXSYNC_DATA_DIR: w.dataDir };
      const bare: number[] = [];
      const hooks: number[] = [];
      const connection = w.stash.serverConnection();
      for (let i = 0; i < STARTS[scale]; i++) {
        rss.reset();
        await timedRun(['-e', '0'], '', rss.env);
        bare.push(...rss.peaks());
        rss.reset();
        const id = posterIds[i % posterIds.length]!;
        // A tag-only change on a scene: recorded and handed to the worker.
        const run = await timedRun([script], JSON.stringify(hookInput(connection, 'Scene.Update.Post', Number(id), { id, tag_ids: [] }, ['id', 'tag_ids'])), { ...env, ...rss.env });
        if (run.code !== 0) throw new Error(`hook failed: ${run.stdout} ${run.stderr.slice(-300)}`);
        // Only the hook's own file: a worker it started has not exited yet.
        hooks.push(Math.min(...rss.peaks()));
      }
      await w.settle(120_000);

      // The worker draining changed scenes with posters.
      await enqueueScenes(w, posterIds);
      const posters = await drainSampled(w, script, env, posterIds[0]!);
      await w.settle(120_000);
      // The long drain takes a while: what is known so far, in case it never ends.
      console.log(`  so far: bare ${mb(percentile(bare, 50))}, hook ${mb(percentile(hooks, 50))}, worker peak with posters ${mb(posters.peak)} (${posters.done} synced in ${posters.seconds.toFixed(0)} s)`);

      // A long drain on its own world: the heap must not grow.
      const long = await benchWorld(scope, { env: { PLEXSYNC_IDLE_EXIT_MS: IDLE_EXIT_MS[scale] } });
      const longIds = seed(long, LONG_DRAIN[scale], 'long', false);
      await enqueueScenes(long, longIds);
      const drained = await drainSampled(long, script, { ...long.env, PLEXSYNC_DATA_DIR: long.dataDir }, longIds[0]!);
      await long.settle(120_000);
      const { first, last } = tenths(drained.samples);
      const growth = last / first - 1;

      const bareRss = percentile(bare, 50);
      const hookRss = percentile(hooks, 50);
      const n = POSTER_SCENES[scale];
      return {
        title: 'Memory',
        setup: `Peak RSS (VmHWM) beside bare \`node -e 0\` in the same run. Hook and bare Node: ${STARTS[scale]} runs each, interleaved, peak recorded at exit by the same preload. Worker: ${n} changed scenes with ${POSTER_BYTES / 1024} KiB posters drained by the background worker (default settings), /proc sampled every 25 ms. Long drain: ${LONG_DRAIN[scale]} changed scenes without posters.`,
        rows: [
          { metric: 'bare node -e 0 peak RSS (median)', value: mb(bareRss), target: '' },
          { metric: 'hook process peak RSS (median) / ratio to bare', value: `${mb(hookRss)} / ${(hookRss / bareRss).toFixed(2)}`, target: '≤ 1.15', pass: hookRss / bareRss <= 1.15 },
          { metric: `background worker peak RSS, ${n} scenes with posters`, value: `${mb(posters.peak)} (${(posters.peak / bareRss).toFixed(2)}x bare)`, target: '≤ 60 MiB', pass: posters.peak > 0 && posters.peak <= 60 * MIB },
          { metric: 'scenes synced with posters', value: `${posters.done} of ${n} in ${posters.seconds.toFixed(1)} s`, target: String(n), pass: posters.done >= n },
          { metric: `long drain: RSS first tenth / last tenth (median)`, value: `${mb(first)} / ${mb(last)} (${(growth * 100).toFixed(1)} %)`, target: 'within 10 %', pass: Math.abs(growth) <= 0.1 },
          { metric: 'long drain: scenes synced, peak RSS', value: `${drained.done} of ${LONG_DRAIN[scale]} in ${drained.seconds.toFixed(0)} s, ${mb(drained.peak)}`, target: String(LONG_DRAIN[scale]), pass: drained.done >= LONG_DRAIN[scale] },
        ],
        notes: [],
      };
    } finally {
      await scope.close();
    }
  },
};
