// `npm run demo`: the built service against a sample Stash and Plex on
// loopback. Seeds about fifty scenes (a few with deliberate path and
// matching trouble), starts `plexsync serve`, runs a full sync with the
// `plexsync sync-all` command and prints the dashboard's address. Ctrl-C
// stops everything and removes the demo's data folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakePlex } from '../../test/fakes/plex-server.ts';
import { startFakeStash } from '../../test/fakes/stash-server.ts';
import { DEMO_PATH_MAP, seedLibrary } from './library.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'plexsync.mjs');
if (!existsSync(cli)) {
  console.error('dist/cli/plexsync.mjs is missing: run "npm run demo" (it builds first)');
  process.exit(1);
}
const exitAfterSync = process.argv.includes('--exit-after-sync');
const API_KEY = `demo-${process.getBuiltinModule('node:crypto').randomBytes(12).toString('hex')}`;

const stash = await startFakeStash({ apiKey: API_KEY, session: false });
const plex = await startFakePlex();
const library = seedLibrary(stash, plex);
stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, pathMap: DEMO_PATH_MAP });
const dataDir = mkdtempSync(join(tmpdir(), 'plexsync-demo-'));
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLEXSYNC_')));
const env = { ...baseEnv, PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: dataDir, PLEXSYNC_POLL_MS: '3000' };

console.log(`Sample Stash at ${stash.url} (${library.scenes} scenes), sample Plex at ${plex.url}, data in ${dataDir}`);

function startService(port: string): Promise<{ url: string; child: ReturnType<typeof spawn> } | undefined> {
  const child = spawn(process.execPath, [cli, 'serve'], { env: { ...env, PLEXSYNC_HTTP_PORT: port }, stdio: ['ignore', 'inherit', 'pipe'] });
  let seen = '';
  return new Promise((resolve) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      // One line per synced scene is the dashboard's job; warnings and the rest are shown.
      const shown = text.split('\n').filter((line) => line !== '' && !/ INFO (scene|performer|studio|tag|group):\d+: /.test(line));
      if (shown.length > 0) process.stderr.write(`${shown.join('\n')}\n`);
      seen += text;
      const m = /dashboard at (http:\/\/\S+?)\/? /.exec(seen);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', () => resolve(undefined));
  });
}

// The usual port, or any free one when something else has it.
const service = (await startService(process.env.PLEXSYNC_HTTP_PORT ?? '9880')) ?? (await startService('0'));
if (!service) {
  console.error('the service did not start');
  await shutdown(1);
}

console.log(`\nDashboard: ${service!.url}/  (open it now to watch the scenes go from pending to synced)\nRunning a full sync with "plexsync sync-all"...\n`);
// A Plex that takes its time, so the sync is there to be watched.
plex.setLatency(Number(process.env.DEMO_PLEX_LATENCY_MS ?? 60));
const sync = spawn(process.execPath, [cli, 'sync-all'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const syncCode = await new Promise<number | null>((resolve) => sync.on('exit', resolve));
plex.setLatency(0);
const t = library.trouble;
console.log(`
Full sync ${syncCode === 0 ? 'done' : `ended with exit code ${syncCode}`}. Deliberate trouble to look at:
  not scanned by Plex yet (retried, then dead letters): scenes ${t.notScanned.join(', ')}
  two Plex items could be it (never edited):           scene ${t.ambiguous.join(', ')}
  found by file name and size only:                    scenes ${t.byNameAndSize.join(', ')}
  no file at all:                                      scene ${t.noFiles.join(', ')}

Dashboard: ${service!.url}/
In 15 s the demo edits a scene and renames a performer in the sample Stash, with no hook:
the service finds them by polling (every 3 s here) and they show under "Recent syncs".
Ctrl-C stops the demo.`);

async function shutdown(code: number): Promise<never> {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
  }
  await Promise.all([stash.close(), plex.close()]);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

if (exitAfterSync) await shutdown(syncCode === 0 ? 0 : 1);
setTimeout(() => {
  stash.updateScene(library.edited.sceneId, { title: 'Edited in Stash, found by polling' });
  stash.renamePerformer(library.edited.performerId, 'Ada Moreau-Laurent');
  console.log(`\nEdited scene ${library.edited.sceneId} and renamed performer "Ada Moreau" in the sample Stash.`);
}, 15_000).unref();
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
