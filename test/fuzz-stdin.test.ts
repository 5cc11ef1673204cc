// Property-based fuzzing of the stdin protocol through the built plugin
// process. Whatever arrives, the plugin answers with exactly one JSON object
// on stdout, {"output"} with exit 0 or {"error": "<clear text>"} with a
// non-zero exit, never a stack trace; the database stays intact and the jobs
// already queued are untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { enqueueMany } from '../src/queue/operations.ts';
import { nowhereConnection, PLUGIN, type PluginRun, runPlugin } from './helpers/plugin.ts';
import { tempDir } from './helpers/temp.ts';
import { inBatches, integrity, withDb } from './fault-support.ts';

const SEED = 4242;
const BIG_RUNS = 3;
const STACK_LINE = /\n\s+at .+[(:]\d+/;

const HOOK_TYPES = ['Scene.Update.Post', 'Scene.Create.Post', 'Scene.Destroy.Post', 'Performer.Update.Post', 'Tag.Update.Post', 'Image.Update.Post'];
// Read-only tasks only: `process` and `sync_all` would wait on the held lease.
const SAFE_MODES = ['status', 'dlq_list', 'dlq_clear', 'dlq_retry', 'scene_status'];

const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const id = fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.stringMatching(/^\d{1,6}$/), fc.string(), fc.double(), fc.constant(null), fc.constant(1e20), fc.object({ maxDepth: 1 }));

const connection = fc.record(
  {
    Scheme: fc.oneof(fc.constantFrom('http', 'https'), anyValue),
    Host: fc.oneof(fc.constant('127.0.0.1'), anyValue),
    Port: fc.oneof(fc.constant(9), fc.integer({ min: -1, max: 70_000 }), anyValue),
    SessionCookie: fc.oneof(fc.constant(null), fc.record({ Name: fc.constant('session'), Value: fc.string() }), anyValue),
    PluginDir: fc.oneof(fc.constant('/nonexistent'), anyValue),
  },
  { requiredKeys: [] },
);

const hookContext = fc.record(
  {
    id,
    type: fc.oneof(fc.constantFrom(...HOOK_TYPES), fc.string({ maxLength: 120 }), anyValue),
    input: fc.oneof(fc.constant(null), fc.object({ maxDepth: 2 }), fc.record({ id: fc.nat(), title: fc.string() }), anyValue),
    inputFields: fc.oneof(fc.constant(null), fc.array(fc.string(), { maxLength: 4 }), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

const args = fc.oneof(
  fc.record({ hookContext }, { requiredKeys: [] }),
  fc.record({ mode: fc.oneof(fc.constantFrom(...SAFE_MODES), fc.string({ maxLength: 80 }), anyValue), junk: anyValue }, { requiredKeys: [] }),
  anyValue,
);

/** Well-formed input from Stash with odd hook contexts: unknown types, odd ids, extra keys. */
const oddButWellFormed = fc
  .record({
    id: fc.oneof(fc.nat({ max: 99_999 }), fc.stringMatching(/^\d{1,5}$/), id),
    type: fc.oneof(fc.constantFrom(...HOOK_TYPES), fc.string({ maxLength: 40 })),
    input: fc.oneof(fc.constant(null), fc.object({ maxDepth: 2 })),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }),
    mode: fc.option(fc.oneof(fc.constantFrom(...SAFE_MODES), fc.string({ maxLength: 30 })), { nil: undefined }),
  })
  .map(({ id: hookId, type, input, extra, mode }) =>
    JSON.stringify({
      server_connection: { ...nowhereConnection(), ...extra },
      args: mode === undefined ? { hookContext: { id: hookId, type, input, ...extra } } : { mode, ...extra },
    }),
  );

/** Families of stdin text and how many samples each gives. */
const FAMILIES: [string, fc.Arbitrary<string>, number][] = [
  ['arbitrary text', fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), 30],
  ['arbitrary JSON', fc.json({ maxDepth: 3 }), 30],
  [
    'truncated JSON',
    fc.record({ server_connection: connection, args }).chain((o) => {
      const text = JSON.stringify(o);
      return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut));
    }),
    30,
  ],
  [
    'wrong types, missing and extra keys',
    fc.record({ server_connection: fc.oneof(connection, anyValue), args, extra: anyValue }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    50,
  ],
  ['well-formed with odd hooks and modes', oddButWellFormed, 60],
];

/** A 5 MB cover image as Stash sends it: base64 inside the hook's input. */
function bigCoverHook(n: number): string {
  const cover = `data:image/jpeg;base64,${Buffer.alloc(3_750_000, n).toString('base64')}`;
  return JSON.stringify({
    server_connection: nowhereConnection(),
    args: { hookContext: { id: 700 + n, type: 'Scene.Update.Post', input: { id: String(700 + n), cover_image: cover }, inputFields: ['id', 'cover_image'] } },
  });
}

function checkRun(stdin: string, run: PluginRun): 'output' | 'error' {
  const where = `stdin ${JSON.stringify(stdin.slice(0, 160))}`;
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stdout for ${where}: exit ${run.code}, stdout ${run.stdout.slice(0, 300)}, stderr ${run.stderr.slice(0, 300)}`);
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(Object.keys(parsed).length, 1, `one key for ${where}`);
  assert.doesNotMatch(run.stdout, STACK_LINE, `no stack trace for ${where}`);
  if ('error' in parsed) {
    assert.equal(typeof parsed.error, 'string');
    assert.ok((parsed.error as string).length > 5 && (parsed.error as string).length < 2_000, `a clear error for ${where}`);
    assert.notEqual(run.code, 0, `non-zero exit for an error, ${where}`);
    return 'error';
  }
  assert.ok('output' in parsed, where);
  assert.equal(run.code, 0, `exit 0 with output for ${where}`);
  return 'output';
}

test('fuzzed stdin: one JSON object, clear errors, no stack traces, database intact, earlier jobs untouched', async (t) => {
  const dataDir = tempDir(t);
  const env = { PLEXSYNC_DATA_DIR: dataDir };
  // A private copy of the build: a rebuild elsewhere during the run cannot pull it away.
  const plugin = join(tempDir(t), 'plexsync.mjs');
  copyFileSync(PLUGIN, plugin);
  // Earlier jobs, and a lease held by a live process (this one), so hooks
  // that do queue something never start a worker of their own.
  const before = await withDb(dataDir, (db) => {
    enqueueMany(db, ['1', '2', '3'].map((entityId) => ({ kind: 'scene' as const, entityId })));
    db.prepare(`INSERT INTO worker_lease (name, owner, pid, started_at, expires_at) VALUES ('worker', 'fuzz', ?, 0, ?)`).run(process.pid, Date.now() + 3_600_000);
    return db.prepare('SELECT * FROM jobs ORDER BY id').all();
  });

  const inputs = FAMILIES.flatMap(([, arb, runs], i) => fc.sample(arb, { numRuns: runs, seed: SEED + i }));
  for (let n = 0; n < BIG_RUNS; n++) inputs.push(bigCoverHook(n));

  const outcomes = { output: 0, error: 0 };
  let queued = 0;
  await inBatches(inputs, 4, async (stdin) => {
    const run = await runPlugin(stdin, { env, plugin, timeoutMs: 20_000 });
    outcomes[checkRun(stdin, run)]++;
    if ((run.result.output as { queued?: boolean } | undefined)?.queued === true) queued++;
  });
  t.diagnostic(`${inputs.length} plugin runs (seed ${SEED}): ${outcomes.output} outputs, ${outcomes.error} errors, ${queued} queued`);

  assert.equal(await integrity(dataDir), 'ok');
  const after = await withDb(dataDir, (db) => ({
    rows: db.prepare('SELECT * FROM jobs WHERE id <= ? ORDER BY id').all(before.length),
    added: (db.prepare('SELECT count(*) AS n FROM jobs WHERE id > ?').get(before.length) as { n: number }).n,
  }));
  // Earlier jobs are untouched, unless a valid hook for the same scene folded into one.
  for (const [i, row] of after.rows.entries()) {
    const { events, updated_at, ...rest } = row as Record<string, unknown>;
    const { events: e0, updated_at: u0, ...rest0 } = before[i] as Record<string, unknown>;
    assert.deepEqual(rest, rest0);
    void [events, updated_at, e0, u0];
  }
  assert.ok(after.added <= queued, 'only answers that said "queued" added jobs');
  assert.ok(outcomes.output >= 20 && outcomes.error >= 100, 'both answers are exercised');
  // The 5 MB cover image hooks were understood and queued.
  assert.ok(queued >= BIG_RUNS);
});
