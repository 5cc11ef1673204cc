// The setup's backend modes through the built plugin, as Stash's
// runPluginOperation runs them, against fake Stash (its real schema,
// configurePlugin included), fake Plex and a fake plex.tv on loopback:
// sign in with Plex's PIN, pick a server, libraries and path mapping,
// Test connection; the token never leaves the backend.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startFakePlexTv } from '../fakes/plex-tv-server.ts';
import type { PluginRun } from '../helpers/plugin.ts';
import { startWorld, type World } from '../helpers/world.ts';

const ACCOUNT_TOKEN = 'account-token-from-plex-tv-9f8e7d';

/** A loopback port with nothing listening: a server address that does not answer. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type TestContext = Parameters<typeof startWorld>[0];

async function setupWorld(t: TestContext) {
  const dead = await deadPort();
  const deadRelay = await deadPort();
  const world = await startWorld(t, { plex: { token: ACCOUNT_TOKEN } });
  const plexTv = await startFakePlexTv({
    token: ACCOUNT_TOKEN,
    resources: [
      {
        name: 'Living room',
        clientIdentifier: 'server-1',
        connections: [
          // Tests reach loopback only: the relay is a second address that does not answer.
          { uri: `http://127.0.0.1:${deadRelay}`, local: false, relay: true },
          { uri: `http://127.0.0.1:${dead}`, local: true },
          { uri: world.plex.url, local: true },
        ],
      },
    ],
  });
  t.after(() => plexTv.close());
  world.stash.setSettings(null);
  world.env.PLEXSYNC_PLEX_TV_URL = plexTv.url;
  const runs: PluginRun[] = [];
  const op = async (mode: string, extra: Record<string, unknown> = {}) => {
    const run = await world.task(mode, extra);
    runs.push(run);
    return run;
  };
  return { world, plexTv, op, runs, dead, deadRelay };
}

function output<T = Record<string, unknown>>(run: PluginRun): T {
  assert.equal(run.code, 0, `${run.result.error ?? ''}\n${run.stderr}`);
  return run.result.output as T;
}

function seedLibrary(world: World): void {
  // Stash sees /data/videos, Plex the same files under /media/videos.
  for (let i = 1; i <= 4; i++) {
    world.stash.addScene({ id: String(i), title: `Scene ${i}`, files: [{ path: `/data/videos/clip-${i}.mp4`, size: 1000 + i }] });
    world.plex.addItem({ title: `clip-${i}`, file: `/media/videos/clip-${i}.mp4`, size: 1000 + i });
  }
}

test('sign in with Plex, pick a server, libraries and path mapping, then Test connection passes', async (t) => {
  const { world, plexTv, op, runs, dead, deadRelay } = await setupWorld(t);
  seedLibrary(world);

  const fresh = output(await op('setup_state'));
  assert.equal(fresh.configured, false);
  assert.equal(fresh.tokenSet, false);

  const pin = output<{ pinId: number; code: string; authUrl: string }>(await op('plex_pin_start'));
  assert.equal(typeof pin.pinId, 'number');
  const auth = new URL(pin.authUrl);
  assert.equal(`${auth.origin}${auth.pathname}`, 'https://app.plex.tv/auth');
  const params = new URLSearchParams(auth.hash.replace(/^#\?/, ''));
  assert.equal(params.get('code'), pin.code);
  assert.match(params.get('clientID') ?? '', /^plexsync-/);
  assert.equal(params.get('context[device][product]'), 'PlexSync');

  assert.deepEqual(output(await op('plex_pin_check', { pinId: String(pin.pinId) })), { signedIn: false, expired: false });
  plexTv.approve(pin.code);
  assert.deepEqual(output(await op('plex_pin_check', { pinId: String(pin.pinId) })), { signedIn: true, account: 'stashfan' });
  assert.equal(world.stash.settings().plexToken, ACCOUNT_TOKEN);
  const signedIn = output(await op('setup_state'));
  assert.equal(signedIn.tokenSet, true);
  assert.equal(signedIn.configured, false, 'no Plex URL yet');

  const { servers } = output<{ servers: { name: string; connections: { uri: string; ok: boolean; local: boolean; relay: boolean; error?: string }[] }[] }>(
    await op('plex_servers'),
  );
  assert.equal(servers.length, 1);
  const connections = servers[0]!.connections;
  assert.deepEqual(
    connections.map((c) => [c.uri, c.local, c.ok]),
    [
      [`http://127.0.0.1:${dead}`, true, false],
      [world.plex.url, true, true],
      [`http://127.0.0.1:${deadRelay}`, false, false],
    ],
    'local addresses first, the relay last, each tested',
  );
  assert.ok(connections[0]!.error);

  assert.deepEqual(output(await op('setup_save', { plexUrl: world.plex.url, serverId: 'server-1' })), { saved: ['plexUrl'] });
  assert.equal(world.stash.settings().plexUrl, world.plex.url);
  assert.equal(world.stash.settings().plexToken, ACCOUNT_TOKEN, 'saving the URL keeps the token');

  const libraries = output<{ libraries: { title: string; selected: boolean }[]; paths: { suggestion: string; scenes: number; matchedWithSuggestion: number; matchedWithCurrent: number } }>(
    await op('plex_libraries'),
  );
  assert.deepEqual(libraries.libraries.map((l) => [l.title, l.selected]), [['Videos', true]]);
  assert.equal(libraries.paths.suggestion, '/data=>/media');
  assert.equal(libraries.paths.scenes, 4);
  assert.equal(libraries.paths.matchedWithSuggestion, 4);
  assert.equal(libraries.paths.matchedWithCurrent, 0);

  output(await op('setup_save', { plexLibraries: 'Videos', pathMap: libraries.paths.suggestion }));
  assert.deepEqual(
    { ...world.stash.settings(), plexToken: '(set)' },
    { plexUrl: world.plex.url, plexToken: '(set)', plexLibraries: 'Videos', pathMap: '/data=>/media' },
  );
  assert.equal(output(await op('setup_state')).configured, true);

  const check = output<{ ok: boolean; checks: { name: string; ok: boolean; detail: string }[]; exact: number; scenes: number }>(await op('check_setup'));
  assert.deepEqual(
    check.checks.map((c) => [c.name, c.ok]),
    [
      ['settings', true],
      ['reachable', true],
      ['token', true],
      ['libraries', true],
      ['paths', true],
    ],
  );
  assert.equal(check.ok, true);
  assert.equal(check.checks[4]!.detail, '4 of 4 scenes (100%) have a file Plex has at exactly the mapped path.');

  // Every save went through Stash's configurePlugin, and the token stayed in the backend.
  assert.ok(world.stash.requests.filter((r) => r.operationName === 'PlexSyncConfigure').length >= 3);
  for (const run of runs) {
    assert.doesNotMatch(run.stdout, new RegExp(ACCOUNT_TOKEN), 'a token in an answer the page receives');
    assert.doesNotMatch(run.stderr, new RegExp(ACCOUNT_TOKEN), 'a token in Stash\'s log');
  }
  assert.ok(plexTv.requests.every((r) => !r.url.includes(ACCOUNT_TOKEN)), 'a token in a plex.tv URL');
  assert.ok(plexTv.requests.filter((r) => r.url.startsWith('/api/v2/resources')).every((r) => r.withToken && r.clientIdentifier?.startsWith('plexsync-')));
});

test('an expired PIN says so, and a pasted token is checked with plex.tv before it is saved', async (t) => {
  const { world, plexTv, op } = await setupWorld(t);
  const pin = output<{ pinId: number; code: string }>(await op('plex_pin_start'));
  plexTv.expire(pin.code);
  assert.deepEqual(output(await op('plex_pin_check', { pinId: String(pin.pinId) })), { signedIn: false, expired: true });

  const wrong = await op('plex_token_save', { token: 'not-a-token-anyone-knows' });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.result.error ?? '', /plex\.tv does not know this token: copy it again, or use Sign in with Plex/);
  assert.doesNotMatch(wrong.stdout + wrong.stderr, /not-a-token-anyone-knows/);
  assert.equal(world.stash.settings().plexToken, undefined);

  const saved = await op('plex_token_save', { token: ` ${ACCOUNT_TOKEN}\n` });
  assert.deepEqual(output(saved), { saved: true, checked: true, account: 'stashfan' });
  assert.equal(world.stash.settings().plexToken, ACCOUNT_TOKEN);
  assert.doesNotMatch(saved.stdout + saved.stderr, new RegExp(ACCOUNT_TOKEN));
});

test('Test connection names what is wrong and how to fix it', async (t) => {
  const { world, op, dead } = await setupWorld(t);
  seedLibrary(world);

  const unset = output<{ ok: boolean; checks: { name: string; ok: boolean; fix?: string }[] }>(await op('check_setup'));
  assert.equal(unset.ok, false);
  assert.deepEqual(unset.checks.map((c) => [c.name, c.ok]), [['settings', false]]);
  assert.match(unset.checks[0]!.fix ?? '', /Set up/);

  world.stash.setSettings({ plexUrl: `http://127.0.0.1:${dead}`, plexToken: ACCOUNT_TOKEN });
  const down = output<{ checks: { name: string; ok: boolean; fix?: string }[] }>(await op('check_setup'));
  assert.deepEqual(down.checks.map((c) => [c.name, c.ok]), [['settings', true], ['reachable', false]]);
  assert.match(down.checks[1]!.fix ?? '', /in Docker, not localhost/);

  world.stash.setSettings({ plexUrl: world.plex.url, plexToken: 'a-wrong-token-for-plex' });
  const refused = output<{ checks: { name: string; ok: boolean; fix?: string }[] }>(await op('check_setup'));
  assert.deepEqual(refused.checks.map((c) => [c.name, c.ok]), [['settings', true], ['reachable', true], ['token', false]]);
  assert.match(refused.checks[2]!.fix ?? '', /Sign in with Plex again/);

  world.stash.setSettings({ plexUrl: world.plex.url, plexToken: ACCOUNT_TOKEN, plexLibraries: 'Movies' });
  const noLibrary = output<{ checks: { name: string; ok: boolean; detail: string }[] }>(await op('check_setup'));
  assert.deepEqual(noLibrary.checks.at(-1), { name: 'libraries', ok: false, detail: 'Plex has no library named "Movies" (it has "Videos").', fix: 'Pick the libraries again in Set up, or correct Plex libraries in the plugin settings.' });

  world.stash.setSettings({ plexUrl: world.plex.url, plexToken: ACCOUNT_TOKEN });
  const unmapped = output<{ ok: boolean; checks: { name: string; ok: boolean; detail: string; fix?: string }[] }>(await op('check_setup'));
  const paths = unmapped.checks.at(-1)!;
  assert.equal(paths.name, 'paths');
  assert.equal(paths.ok, false);
  assert.equal(paths.detail, '0 of 4 scenes (0%) have a file Plex has at exactly the mapped path.');
  assert.match(paths.fix ?? '', /Detect path mapping/);
});

test('setup_save refuses a bad value and names it, saving nothing', async (t) => {
  const { world, op } = await setupWorld(t);
  world.stash.setSettings({ plexToken: ACCOUNT_TOKEN });
  const bad = await op('setup_save', { plexUrl: 'plex.local:32400' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.result.error ?? '', /not saved: plexUrl must start with http:\/\/ or https:\/\//);
  assert.deepEqual(world.stash.settings(), { plexToken: ACCOUNT_TOKEN });
  const badService = await op('setup_save', { serviceUrl: 'dashboard' });
  assert.match(badService.result.error ?? '', /serviceUrl must be empty or an http\(s\) address/);
});

test('picking a server shared with the account saves that server\'s own token', async (t) => {
  const { world, plexTv, op } = await setupWorld(t);
  const sharedToken = 'shared-server-access-token-41c2';
  plexTv.setResources([{ name: 'Friend\'s server', clientIdentifier: 'server-2', owned: false, accessToken: sharedToken, connections: [{ uri: world.plex.url, local: true }] }]);
  world.stash.setSettings({ plexToken: ACCOUNT_TOKEN });
  const listed = output<{ servers: { owned: boolean }[] }>(await op('plex_servers'));
  assert.equal(listed.servers[0]!.owned, false);
  const saved = await op('setup_save', { plexUrl: world.plex.url, serverId: 'server-2' });
  assert.deepEqual(output(saved), { saved: ['plexUrl'] });
  assert.equal(world.stash.settings().plexToken, sharedToken);
  assert.doesNotMatch(saved.stdout + saved.stderr, new RegExp(sharedToken));
});
