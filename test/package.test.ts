// Installs dist/PlexSync.zip the way Stash does from a plugin source: check
// the sha256 named in index.yml, extract into a plugins folder, read the
// manifest strictly, then run a hook from the extracted folder.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { parse } from 'yaml';
import { tempDir } from './helpers/temp.ts';
import { hookInput, nowhereConnection, REPO, runPlugin } from './helpers/plugin.ts';

const ZIP = join(REPO, 'dist', 'PlexSync.zip');
const INDEX = join(REPO, 'dist', 'index.yml');

// The keys Stash's manifest structs know (pkg/plugin/config.go): any other
// key makes the strict YAML decoder refuse the whole plugin.
const TOP_KEYS = new Set(['name', 'description', 'version', 'url', 'exec', 'interface', 'errLog', 'tasks', 'hooks', 'settings', 'ui']);
const TASK_KEYS = new Set(['name', 'description', 'execArgs', 'defaultArgs']);
const HOOK_KEYS = new Set([...TASK_KEYS, 'triggeredBy']);
const SETTING_KEYS = new Set(['displayName', 'description', 'type']);
const UI_KEYS = new Set(['javascript', 'css', 'requires', 'assets', 'csp']);

function unknownKeys(value: unknown, known: ReadonlySet<string>): string[] {
  assert.equal(typeof value, 'object');
  return Object.keys(value as object).filter((key) => !known.has(key));
}

interface Manifest {
  exec: string[];
  interface: string;
  tasks: Record<string, unknown>[];
  hooks: (Record<string, unknown> & { triggeredBy: string[] })[];
  settings: Record<string, { type: string }>;
  ui?: { javascript?: string[]; css?: string[] };
}

function install(t: { after(fn: () => void): void }): { pluginDir: string; files: string[] } {
  const zip = readFileSync(ZIP);
  const pluginDir = join(tempDir(t, 'stash-plugins-'), 'community', 'PlexSync');
  const entries = unzipSync(new Uint8Array(zip));
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const target = join(pluginDir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return { pluginDir, files: Object.keys(entries).filter((name) => !name.endsWith('/')) };
}

test('index.yml names the zip with its sha256 and the package version', () => {
  const index = parse(readFileSync(INDEX, 'utf8')) as Record<string, unknown>[];
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  assert.equal(index.length, 1);
  const entry = index[0]!;
  assert.deepEqual(Object.keys(entry).sort(), ['date', 'id', 'metadata', 'name', 'path', 'requires', 'sha256', 'version']);
  assert.equal(entry.id, 'PlexSync');
  assert.equal(entry.version, pkg.version);
  assert.equal(entry.path, 'PlexSync.zip');
  assert.match(String(entry.date), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.deepEqual(entry.requires, []);
  assert.equal(entry.sha256, createHash('sha256').update(readFileSync(ZIP)).digest('hex'));
});

test('the zip holds the plugin folder with no top directory and a strict-clean manifest', (t) => {
  const { pluginDir, files } = install(t);
  assert.ok(files.includes('PlexSync.yml'), `zip entries: ${files.join(', ')}`);
  assert.ok(files.includes('plexsync.mjs'));
  assert.ok(files.every((name) => !name.startsWith('PlexSync/')), 'no top folder in the zip');

  const manifest = parse(readFileSync(join(pluginDir, 'PlexSync.yml'), 'utf8')) as Manifest;
  assert.deepEqual(unknownKeys(manifest, TOP_KEYS), []);
  assert.deepEqual(manifest.exec, ['node', '{pluginDir}/plexsync.mjs']);
  assert.equal(manifest.interface, 'raw');
  for (const task of manifest.tasks) assert.deepEqual(unknownKeys(task, TASK_KEYS), [], `task ${JSON.stringify(task)}`);
  for (const hook of manifest.hooks) assert.deepEqual(unknownKeys(hook, HOOK_KEYS), [], `hook ${JSON.stringify(hook)}`);
  assert.ok(manifest.hooks.some((hook) => hook.triggeredBy.includes('Scene.Update.Post')));
  for (const [key, setting] of Object.entries(manifest.settings)) {
    assert.deepEqual(unknownKeys(setting, SETTING_KEYS), [], `setting ${key}`);
    assert.ok(['STRING', 'NUMBER', 'BOOLEAN'].includes(setting.type), `setting ${key} type ${setting.type}`);
  }
  assert.ok(manifest.ui, 'the manifest declares the UI panel');
  assert.deepEqual(unknownKeys(manifest.ui, UI_KEYS), []);
  const referenced = [...(manifest.ui.javascript ?? []), ...(manifest.ui.css ?? [])];
  assert.ok(referenced.length >= 2);
  for (const file of referenced) assert.ok(files.includes(file), `${file} is referenced by the manifest but not in the zip`);
  assert.ok(files.includes(manifest.exec[1]!.replace('{pluginDir}/', '')));
});

test('a Scene.Update.Post hook run from the extracted folder queues the scene', async (t) => {
  const { pluginDir } = install(t);
  const dataDir = tempDir(t, 'plexsync-data-');
  const run = await runPlugin(hookInput(nowhereConnection(pluginDir), 'Scene.Update.Post', 42, { id: '42', title: 'New' }, ['id', 'title']), {
    plugin: join(pluginDir, 'plexsync.mjs'),
    env: { PLEXSYNC_DATA_DIR: dataDir, PLEXSYNC_IDLE_EXIT_MS: '100' },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal((run.result.output as { queued?: boolean }).queued, true, run.stdout);
  const db = new DatabaseSync(join(dataDir, 'plexsync.db'), { readOnly: true });
  try {
    const row = db.prepare(`SELECT count(*) AS n FROM jobs WHERE job_key = 'scene:42'`).get() as { n: number };
    assert.equal(row.n, 1);
  } finally {
    db.close();
  }
});
