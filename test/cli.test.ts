// The `plexsync` command, run as a user runs it, against the fakes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.ts';
import { counts } from '../src/queue/operations.ts';
import { currentLease } from '../src/worker/lease.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { REPO } from './helpers/plugin.ts';
import { tempDir } from './helpers/temp.ts';

const CLI = join(REPO, 'dist', 'cli', 'plexsync.mjs');
const API_KEY = 'cli-test-api-key-0123456789';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: unknown;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error('dist/cli/plexsync.mjs missing: run `npm run build`');
  // No PLEXSYNC_* from the caller's environment: each test says what it sets.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLEXSYNC_')));
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, PLEXSYNC_IDLE_EXIT_MS: '300', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr: Buffer.concat(err).toString('utf8'), json });
    }),
  );
}

async function world(t: Parameters<typeof tempDir>[0]) {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  const flags = ['--stash-url', stash.url, '--data-dir', dataDir];
  // The key only ever through the environment (a command line is visible to every user).
  const keyEnv = { PLEXSYNC_STASH_API_KEY: API_KEY };
  const settle = async () => {
    for (const until = Date.now() + 15_000; Date.now() < until; await sleep(50)) {
      const db = await openDatabase(dataDir);
      try {
        const c = counts(db);
        if (c.pending === 0 && c.inProgress === 0 && !currentLease(db)) return c;
      } finally {
        db.close();
      }
    }
    throw new Error('queue did not settle');
  };
  t.after(() => settle().catch(() => undefined));
  return { stash, plex, dataDir, flags, keyEnv, settle };
}

test('--help explains every command, flag and environment variable; usage errors exit 2', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  for (const word of ['status', 'process', 'sync-all', 'reconcile', 'dry-run', 'detect-paths', 'import-plays', 'dlq list', 'dlq retry', 'dlq clear']) {
    assert.ok(help.stdout.includes(`  ${word} `), `help names ${word}`);
  }
  for (const word of ['--stash-url', '--data-dir', '--scene', 'PLEXSYNC_STASH_URL', 'PLEXSYNC_STASH_API_KEY', 'PLEXSYNC_STASH_API_KEY_FILE', 'PLEXSYNC_DATA_DIR', 'plexsync serve', 'Exit codes']) {
    assert.ok(help.stdout.includes(word), `help mentions ${word}`);
  }
  for (const args of [[], ['bogus'], ['dlq'], ['dlq', 'explode'], ['status', '--nope'], ['status', 'extra'], ['status', '--scene', '3'], ['dry-run', '--scene', 'x'], ['status', '--dry-run']]) {
    const run = await runCli([...args, '--data-dir', '/tmp/x']);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /plexsync --help/);
    assert.equal(run.stdout, '');
  }
  const keyFlag = await runCli(['status', '--api-key', API_KEY, '--data-dir', '/tmp/x']);
  assert.equal(keyFlag.code, 2);
  assert.match(keyFlag.stderr, /--api-key is no longer accepted.*PLEXSYNC_STASH_API_KEY_FILE/);
  assert.ok(!keyFlag.stderr.includes(API_KEY), 'the refused key is not echoed');
  const noDataDir = await runCli(['status']);
  assert.equal(noDataDir.code, 2);
  assert.match(noDataDir.stderr, /--data-dir/);
});

test('sync-all, status, dry-run and dead letters from the command line, with flags or environment', async (t) => {
  const w = await world(t);
  const rk = w.plex.addItem({ title: 'file', file: '/data/videos/cli/one.mp4', size: 11 }).ratingKey;
  const scene = w.stash.addScene({ title: 'From the CLI', files: [{ path: '/data/videos/cli/one.mp4', size: 11 }] });
  w.plex.addItem({ title: 'a', file: '/data/videos/a/twin.mp4', size: 5 });
  w.plex.addItem({ title: 'b', file: '/data/videos/b/twin.mp4', size: 5 });
  w.stash.addScene({ title: 'Ambiguous', files: [{ path: '/other/twin.mp4', size: 5 }] });

  const sync = await runCli(['sync-all', ...w.flags], w.keyEnv);
  assert.equal(sync.code, 0, sync.stderr);
  assert.equal((sync.json as { scenes: number }).scenes, 2);
  assert.match(sync.stderr, /progress 100%/, 'plain progress lines when not on a terminal');
  assert.ok(!sync.stderr.includes(API_KEY) && !sync.stdout.includes(API_KEY), 'the API key never shows');
  await w.settle();
  assert.equal(w.plex.item(rk)!.scalars.title, 'From the CLI');

  // The same through the environment.
  const env = { PLEXSYNC_STASH_URL: w.stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: w.dataDir };
  const status = await runCli(['status'], env);
  assert.equal(status.code, 0, status.stderr);
  const s = status.json as { pending: number; dead: number; synced: number };
  assert.deepEqual([s.pending, s.dead, s.synced], [0, 1, 1]);
  assert.match(status.stderr, /1 dead letters, 1 scenes synced/);

  w.stash.updateScene(scene, { title: 'Edited' });
  const dry = await runCli(['dry-run', '--scene', scene], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /title: "From the CLI" -> "Edited"/);
  assert.equal(w.plex.item(rk)!.scalars.title, 'From the CLI', 'dry-run writes nothing');

  const list = await runCli(['dlq', 'list'], env);
  assert.equal((list.json as { count: number }).count, 1);
  assert.match(list.stderr, /several Plex items/);
  const clear = await runCli(['dlq', 'clear'], env);
  assert.deepEqual(clear.json, { cleared: 1 });
});

test('a task that fails exits 1 with the reason on stderr', async (t) => {
  const dataDir = tempDir(t);
  const run = await runCli(['sync-all', '--stash-url', 'http://127.0.0.1:9', '--data-dir', dataDir]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: /m);
  assert.equal(run.stdout, '');
  const refused = await runCli(['reconcile', '--stash-url', 'ftp://nowhere', '--data-dir', dataDir]);
  assert.equal(refused.code, 2);
});

test('import-plays from the command line: says it is off by default; --dry-run lists and writes nothing', async (t) => {
  const w = await world(t);
  const off = await runCli(['import-plays', ...w.flags], w.keyEnv);
  assert.equal(off.code, 0, off.stderr);
  assert.equal((off.json as { enabled: boolean }).enabled, false);
  assert.match(off.stderr, /importPlays is off/);

  const rk = w.plex.addItem({ title: 'cli', file: '/data/videos/cli-plays.mp4', size: 7 }).ratingKey;
  const scene = w.stash.addScene({ title: 'CLI plays', files: [{ path: '/data/videos/cli-plays.mp4', size: 7 }] });
  assert.equal((await runCli(['sync-all', ...w.flags], w.keyEnv)).code, 0);
  await w.settle();
  w.plex.addPlay({ ratingKey: rk, viewedAt: Math.floor(Date.now() / 1000) - 3600 });
  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, importPlays: true });
  const dry = await runCli(['import-plays', '--dry-run', ...w.flags], w.keyEnv);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal((dry.json as { playsAdded: number }).playsAdded, 1);
  assert.match(dry.stderr, new RegExp(`would write: scene ${scene}: 1 play`));
  assert.deepEqual(w.stash.plays(scene).history, []);
});
