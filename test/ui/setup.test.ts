// The first-run setup view in the Stash-like page: sign in with Plex (the
// PIN flow), pick a tested server address, libraries and path mapping, then
// Test connection, with a screenshot of each step at desktop and phone width.
// The backend is the fake behind runPluginOperation; the real modes are
// tested in setup-operations.test.ts.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { FakeBackend } from './fixtures/fake-stash.ts';
import { DESKTOP, PHONE, screenshot, seedBackend, startUiWorld, stopUiWorld, text, type UiWorld } from './support.ts';

const TOKEN = 'token-the-page-must-never-hold-5b7c';

let world: UiWorld;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

/** A backend that keeps the settings the setup modes save, as the real ones do through configurePlugin. */
function setupBackend(backend: FakeBackend, authUrl: string): void {
  seedBackend(backend);
  backend.settings = {};
  const state = () => {
    const s = backend.settings;
    return {
      configured: !!s.plexUrl && !!s.plexToken,
      plexUrl: String(s.plexUrl ?? ''),
      tokenSet: !!s.plexToken,
      librariesSaved: s.plexLibraries !== undefined || s.pathMap !== undefined,
    };
  };
  let polls = 0;
  backend.setup.set('setup_state', () => state());
  backend.setup.set('plex_pin_start', () => ({ pinId: 4100, code: 'code4100strongpin', expiresAt: '2026-12-01T23:59:00Z', authUrl }));
  backend.setup.set('plex_pin_check', () => {
    polls++;
    if (polls < 2) return { signedIn: false, expired: false };
    backend.settings.plexToken = TOKEN;
    return { signedIn: true, account: 'stashfan' };
  });
  backend.setup.set('plex_token_save', (args) => {
    backend.settings.plexToken = args.token;
    return { saved: true, checked: true, account: 'stashfan' };
  });
  backend.setup.set('plex_servers', () => ({
    servers: [
      {
        name: 'Living room',
        clientIdentifier: 'server-1',
        owned: true,
        connections: [
          { uri: 'http://192.168.1.20:32400', local: true, relay: false, ok: true, ms: 12, version: '1.41.3' },
          { uri: 'http://172.17.0.1:32400', local: true, relay: false, ok: false, error: 'connection refused' },
          { uri: 'https://203-0-113-7.abc.plex.direct:32400', local: false, relay: true, ok: true, ms: 240 },
        ],
      },
    ],
  }));
  backend.setup.set('setup_save', (args) => {
    const { mode: _mode, serverId: _serverId, ...values } = args;
    Object.assign(backend.settings, values);
    return { saved: Object.keys(values) };
  });
  backend.setup.set('plex_libraries', () => ({
    libraries: [
      { id: '1', title: 'Stash Videos', selected: true, locations: ['/media/videos'] },
      { id: '3', title: 'Home Movies', selected: true, locations: ['/media/home'] },
    ],
    paths: { current: '', suggestion: '/data=>/media', scenes: 120, matchedWithSuggestion: 117, matchedWithCurrent: 0 },
  }));
  backend.setup.set('check_setup', () => ({
    ok: true,
    scenes: 120,
    exact: 117,
    checks: [
      { name: 'settings', ok: true, detail: 'Plex URL and token are set.' },
      { name: 'reachable', ok: true, detail: 'Plex answers at http://192.168.1.20:32400 (version 1.41.3).' },
      { name: 'token', ok: true, detail: 'Plex accepts the token.' },
      { name: 'libraries', ok: true, detail: 'Searching 1 library: Stash Videos.' },
      { name: 'paths', ok: true, detail: '117 of 120 scenes (98%) have a file Plex has at exactly the mapped path.' },
    ],
  }));
}

before(async () => {
  world = await startUiWorld();
});

after(async () => {
  await stopUiWorld(world);
});

beforeEach(async () => {
  setupBackend(world.backend, `${world.url}/fake-plex-auth`);
  context = await world.browser.newContext({ viewport: DESKTOP });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await context.close();
});

async function both(name: string): Promise<void> {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

test('a first run goes from "not set up" to a passing Test connection, each value saved by the backend', async () => {
  await page.goto(`${world.url}/scenes/1`);
  await page.click('a[data-rb-event-key="plexsync-panel"]');
  await page.waitForSelector('.plexsync-setup-needed a.plexsync-setup-link', { timeout: 15_000 });
  assert.equal(await page.getAttribute('a.plexsync-setup-link', 'href'), '/plugins/plexsync/setup');
  await both('setup-0-not-set-up-scene');
  await page.click('a.plexsync-setup-link');
  await page.waitForSelector('.plexsync-step-signin button.plexsync-signin', { timeout: 15_000 });
  await both('setup-1-sign-in');

  const popup = context.waitForEvent('page', { timeout: 15_000 });
  await page.click('button.plexsync-signin');
  assert.equal((await popup).url(), `${world.url}/fake-plex-auth`, 'the Plex sign-in page opens');
  await page.bringToFront();
  await page.waitForSelector('.plexsync-pin-wait', { timeout: 15_000 });
  assert.match(await text(page, '.plexsync-pin-wait'), /code code4100strongpin/);
  await both('setup-1-waiting-for-plex');

  await page.waitForSelector('.plexsync-step-server .plexsync-connection', { timeout: 30_000 });
  assert.equal(await text(page, '.plexsync-setup-notice'), 'Signed in as stashfan.');
  const connections = await page.locator('.plexsync-connection').allTextContents();
  assert.equal(connections.length, 3);
  assert.match(connections[0]!, /192\.168\.1\.20:32400 \(local\) answers in 12 ms/);
  assert.match(connections[1]!, /does not answer: connection refused/);
  assert.ok(await page.locator('.plexsync-connection input').nth(1).isDisabled(), 'an address that does not answer cannot be picked');
  assert.ok(await page.locator('.plexsync-connection input').nth(0).isChecked(), 'the first working local address is preselected');
  await both('setup-2-servers');

  await page.click('button.plexsync-server-save');
  await page.waitForSelector('.plexsync-step-libraries .plexsync-library', { timeout: 15_000 });
  assert.equal(world.backend.settings.plexUrl, 'http://192.168.1.20:32400');
  assert.ok(world.backend.calls.some((c) => c.args.mode === 'setup_save' && c.args.serverId === 'server-1'));
  assert.match(await text(page, '.plexsync-paths'), /Suggested path mapping: \/data=>\/media\. 117 of 120 scenes have a file Plex has at exactly that path\./);
  assert.equal(await page.inputValue('input.plexsync-pathmap-input'), '/data=>/media');
  await page.locator('.plexsync-library input').nth(1).uncheck();
  await both('setup-3-libraries');

  await page.click('button.plexsync-libraries-save');
  await page.waitForSelector('.plexsync-setup-notice:has-text("Saved: 1 library")', { timeout: 15_000 });
  assert.equal(world.backend.settings.plexLibraries, 'Stash Videos');
  assert.equal(world.backend.settings.pathMap, '/data=>/media');

  await page.click('button.plexsync-check');
  await page.waitForSelector('.plexsync-checks .plexsync-check-line', { timeout: 15_000 });
  assert.equal(await page.locator('.plexsync-check-line.plexsync-ok').count(), 5);
  assert.match(await text(page, '.plexsync-all-good'), /PlexSync is ready/);
  await page.locator('.plexsync-all-good').scrollIntoViewIfNeeded();
  await both('setup-4-test-connection-ok');

  assert.doesNotMatch(await page.content(), new RegExp(TOKEN), 'the token reached the page');
  assert.deepEqual(pageErrors, []);
});

test('Test connection shows each failing line in red with its fix', async () => {
  world.backend.settings = { plexUrl: 'http://localhost:32400', plexToken: 'x' };
  world.backend.setup.set('check_setup', {
    ok: false,
    checks: [
      { name: 'settings', ok: true, detail: 'Plex URL and token are set.' },
      {
        name: 'reachable',
        ok: false,
        detail: 'Plex does not answer at http://localhost:32400: Plex is not reachable (ECONNREFUSED)',
        fix: "Start Plex, or correct Plex URL: it is the address as seen from where Stash runs (in Docker, not localhost but the Plex container's name or the host's address).",
      },
    ],
  });
  await page.goto(`${world.url}/plugins/plexsync/setup`);
  await page.click('button.plexsync-check');
  await page.waitForSelector('.plexsync-check-line.plexsync-bad', { timeout: 15_000 });
  assert.match(await text(page, '.plexsync-check-line.plexsync-bad .plexsync-check-fix'), /in Docker, not localhost/);
  assert.equal(await page.locator('.plexsync-all-good').count(), 0);
  await page.locator('.plexsync-check-fix').scrollIntoViewIfNeeded();
  await both('setup-4-test-connection-failed');
});

test('a pasted token is sent to the backend and gone from the page once saved', async () => {
  await page.goto(`${world.url}/plugins/plexsync`);
  await page.click('a.plexsync-setup-open');
  await page.waitForSelector('input.plexsync-token-input', { timeout: 15_000 });
  assert.equal(await page.getAttribute('input.plexsync-token-input', 'type'), 'password');
  await page.fill('input.plexsync-token-input', TOKEN);
  await page.click('button.plexsync-token-save');
  await page.waitForSelector('.plexsync-step-server', { timeout: 15_000 });
  assert.equal(await page.inputValue('input.plexsync-token-input'), '');
  assert.equal(world.backend.settings.plexToken, TOKEN);
  assert.ok(world.backend.calls.some((c) => c.args.mode === 'plex_token_save' && c.args.token === TOKEN));
  assert.doesNotMatch(await page.content(), new RegExp(TOKEN));
  // Reloaded, the page learns only that a token is set.
  await page.reload();
  await page.waitForSelector('.plexsync-token-set', { timeout: 15_000 });
  assert.doesNotMatch(await page.content(), new RegExp(TOKEN));
});
