// The built UI panel in headless Chromium (Debian's package, no browser
// download) against a page with Stash's plugin API and a fake backend.
// Screenshots land in test-artifacts/ui/ and are checked as PNGs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO } from '../helpers/plugin.ts';
import { FakeBackend, startFakeStash } from './fixtures/fake-stash.ts';

const ARTIFACTS = join(REPO, 'test-artifacts', 'ui');
const VIEWPORT = { width: 1000, height: 640 };
const PLEX_LINK = 'http://127.0.0.1:32400/web/index.html#!/server/abc123/details?key=%2Flibrary%2Fmetadata%2F501';

let browser: Browser;
let server: Server;
let baseUrl: string;
let backend: FakeBackend;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  backend = new FakeBackend();
  ({ server, url: baseUrl } = await startFakeStash(backend));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(async () => {
  backend.calls.length = 0;
  backend.scenes.clear();
  backend.scenes.set('1', { sceneId: '1', state: 'synced', ratingKey: '501', syncedAt: '2026-01-02T03:04:05.000Z', plexUrl: PLEX_LINK });
  backend.scenes.set('2', {
    sceneId: '2',
    state: 'pending',
    attempts: 2,
    nextAttemptAt: '2026-01-02T03:09:05.000Z',
    reason: 'Plex is not reachable (connection refused)',
  });
  backend.scenes.set('3', { sceneId: '3', state: 'failed', attempts: 1, reason: 'ambiguous match: 2 Plex items share the file name clip.mp4' });
  backend.deadLetters = [
    { job: 'scene:3', kind: 'scene', id: '3', errorClass: 'PermanentError', code: 'ambiguous', reason: 'ambiguous match: 2 Plex items share the file name clip.mp4', attempts: 1, at: '2026-01-02T03:04:05.000Z' },
  ];
  backend.pending = 0;
  context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await context.close();
});

/** Saves a screenshot and checks it is a PNG of the viewport's size. */
async function screenshot(name: string): Promise<void> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  const png = readFileSync(path);
  assert.ok(statSync(path).size > 2000, `${name}.png is suspiciously small`);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png is not a PNG`);
  assert.equal(png.readUInt32BE(16), VIEWPORT.width);
  assert.equal(png.readUInt32BE(20), VIEWPORT.height);
}

async function openPlexTab(sceneId: string): Promise<void> {
  await page.goto(`${baseUrl}/?scene=${sceneId}`);
  await page.click('a.nav-link[data-tab="plexsync-panel"]');
  await page.waitForSelector('.plexsync-panel:not([data-state="loading"])', { timeout: 10_000 });
}

const text = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();

test('a synced scene shows its state, sync time and a link to the Plex item', async () => {
  await openPlexTab('1');
  assert.equal(await page.getAttribute('.plexsync-panel', 'data-state'), 'synced');
  assert.equal(await text('.plexsync-badge'), 'Synced');
  assert.match(await text('.plexsync-synced-at'), /^Last synced: /);
  assert.equal(await page.getAttribute('a.plexsync-plex-link', 'href'), PLEX_LINK);
  assert.equal(await page.getAttribute('a.plexsync-plex-link', 'target'), '_blank');
  assert.deepEqual(backend.calls, [{ pluginId: 'PlexSync', args: { mode: 'scene_status', sceneId: '1' } }]);
  await screenshot('scene-synced');
  assert.deepEqual(pageErrors, []);
});

test('a pending scene shows that it waits, with the last error and the next attempt', async () => {
  await openPlexTab('2');
  assert.equal(await page.getAttribute('.plexsync-panel', 'data-state'), 'pending');
  assert.equal(await text('.plexsync-badge'), 'Waiting to sync');
  assert.match(await text('.plexsync-reason'), /connection refused/);
  assert.match(await text('.plexsync-next'), /^Next attempt: /);
  await screenshot('scene-pending');
});

test('a failed scene shows the reason, and Sync now queues it again', async () => {
  await openPlexTab('3');
  assert.equal(await page.getAttribute('.plexsync-panel', 'data-state'), 'failed');
  assert.equal(await text('.plexsync-badge'), 'Failed');
  assert.equal(await text('.plexsync-reason'), 'Reason: ambiguous match: 2 Plex items share the file name clip.mp4');
  assert.equal(await page.locator('a.plexsync-plex-link').count(), 0);
  await screenshot('scene-failed');

  await page.click('button.plexsync-sync-now');
  await page.waitForSelector('.plexsync-notice', { timeout: 10_000 });
  assert.equal(await text('.plexsync-notice'), 'Queued for Plex.');
  assert.equal(await page.getAttribute('.plexsync-panel', 'data-state'), 'pending');
  assert.deepEqual(
    backend.calls.map((c) => c.args),
    [
      { mode: 'scene_status', sceneId: '3' },
      { mode: 'sync_scene', sceneId: '3' },
      { mode: 'scene_status', sceneId: '3' },
    ],
  );
  await screenshot('scene-sync-now');
});

test('a backend error is shown in the panel, not thrown', async () => {
  // A scene id the backend refuses.
  await page.goto(`${baseUrl}/?scene=abc`);
  await page.click('a.nav-link[data-tab="plexsync-panel"]');
  await page.waitForSelector('.plexsync-error', { timeout: 10_000 });
  assert.match(await text('.plexsync-error'), /args\.sceneId must be a scene id made of digits/);
  assert.doesNotMatch(await text('.plexsync-error'), /GraphQL error/);
  assert.deepEqual(pageErrors, []);
});

test('the queue page lists dead letters and Retry puts them back in the queue', async () => {
  await page.goto(`${baseUrl}/?route=${encodeURIComponent('/plugin/plexsync')}`);
  await page.waitForSelector('.plexsync-dead-row', { timeout: 10_000 });
  assert.equal(await text('.plexsync-count-dead'), '1');
  assert.equal(await text('.plexsync-count-synced'), '12');
  assert.equal(await text('.plexsync-dead-reason'), 'ambiguous match: 2 Plex items share the file name clip.mp4');
  await screenshot('queue-dead-letters');

  await page.click('button.plexsync-retry');
  await page.waitForSelector('.plexsync-no-dead', { timeout: 10_000 });
  assert.equal(await text('.plexsync-notice'), '1 dead letter(s) back in the queue.');
  assert.equal(await text('.plexsync-count-dead'), '0');
  assert.equal(await text('.plexsync-count-pending'), '1');
  assert.ok(await page.locator('button.plexsync-retry').isDisabled());
  assert.ok(backend.calls.some((c) => c.args.mode === 'dlq_retry'));
  await screenshot('queue-after-retry');
  assert.deepEqual(pageErrors, []);
});

test('the scene panel links to the queue page and the nav bar carries a Plex link', async () => {
  await openPlexTab('1');
  assert.equal(await page.getAttribute('a.plexsync-queue-link', 'href'), `?route=${encodeURIComponent('/plugin/plexsync')}`);
  assert.equal(await page.locator('.navbar-utility a.plexsync-nav-link').count(), 1);
});

test('without Stash plugin API the script does nothing and throws nothing', async () => {
  await page.goto(`${baseUrl}/bare.html`);
  await page.waitForLoadState('load');
  assert.equal(await text('#root'), 'untouched');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(backend.calls, []);
});
