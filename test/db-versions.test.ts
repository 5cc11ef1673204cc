// Versions and damaged files: a database from a newer PlexSync is refused and
// left untouched, a damaged one is named with the way out, and a Node older
// than 22.13 gets a clear refusal.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DB_FILE, openDatabase } from '../src/db/database.ts';
import { migrations } from '../src/db/migrations.ts';
import { hookInput, nowhereConnection, parseStderr, PLUGIN, runPlugin, taskInput } from './helpers/plugin.ts';
import { tempDir } from './helpers/temp.ts';
import { dataFiles } from './fault-support.ts';

const newer = migrations.length + 1;

test('a database with a newer schema version is refused, naming both versions, and nothing in it changes', async (t) => {
  const dataDir = tempDir(t);
  const db = await openDatabase(dataDir);
  db.exec(`PRAGMA user_version = ${newer}`);
  db.close();
  const before = dataFiles(dataDir);
  const env = { PLEXSYNC_DATA_DIR: dataDir };
  const hook = await runPlugin(hookInput(nowhereConnection(), 'Scene.Update.Post', 7), { env });
  const status = await runPlugin(taskInput(nowhereConnection(), 'status'), { env });
  for (const run of [hook, status]) {
    assert.equal(run.code, 1);
    assert.match(run.result.error ?? '', new RegExp(`schema version ${newer}, newer than this PlexSync's ${migrations.length}`));
    assert.ok(run.result.error?.includes(join(dataDir, DB_FILE)), 'the error names the file');
  }
  assert.deepEqual(dataFiles(dataDir), before, 'no byte of the data directory changed');
});

test('a damaged database: every error names the file and the way out, and nothing is reset', async (t) => {
  const dataDir = tempDir(t);
  const file = join(dataDir, DB_FILE);
  writeFileSync(file, Buffer.alloc(8192, 'not a database '), { mode: 0o600 });
  const env = { PLEXSYNC_DATA_DIR: dataDir };
  const runs = [
    await runPlugin(hookInput(nowhereConnection(), 'Scene.Update.Post', 7), { env }),
    await runPlugin(taskInput(nowhereConnection(), 'status'), { env }),
  ];
  for (const run of runs) {
    assert.equal(run.code, 1);
    assert.ok(run.result.error?.includes(file), `names ${file}: ${run.result.error}`);
    assert.match(run.result.error ?? '', /damaged .*move it aside.*Reconcile with Plex/);
    assert.doesNotMatch(run.stdout, /\n\s+at /, 'no stack trace');
  }
  assert.equal(readFileSync(file, 'utf8').slice(0, 15), 'not a database ', 'the file is left as it was');
});

/** The machine's own Node, when it is older than 22.13 (Debian's Node 20 here). */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const [major = 0, minor = 0] = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim().split('.').map(Number);
  return major < 22 || (major === 22 && minor < 13);
});

test('a Node older than 22.13 gets a clear refusal naming the version it needs', { skip: oldNode ? false : 'no Node older than 22.13 on this machine' }, (t) => {
  const version = execFileSync(oldNode!, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim();
  const dataDir = tempDir(t);
  const run = spawnSync(oldNode!, [PLUGIN], {
    input: JSON.stringify(hookInput(nowhereConnection(), 'Scene.Update.Post', 7)),
    env: { ...process.env, PLEXSYNC_DATA_DIR: dataDir, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1);
  assert.deepEqual(JSON.parse(run.stdout), { error: `PlexSync needs Node.js 22.13 or newer (this is ${version})` });
  assert.deepEqual(parseStderr(run.stderr).logs, [{ level: 'e', message: `PlexSync needs Node.js 22.13 or newer (this is ${version})` }]);
  assert.equal(existsSync(join(dataDir, DB_FILE)), false, 'nothing was created');
});
