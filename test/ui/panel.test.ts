// The built UI panel in a page that behaves like Stash v0.30 (React 17,
// react-bootstrap 1, react-router 5, Apollo 3; see fixtures/stash-app.mjs):
// the scene tab in each state, the queue page, and what broke inside the
// real Stash (routes under /plugin/, late answers on a page that stays
// mounted, the navbar item at phone width).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { answered, DESKTOP, openPlexTab, PHONE, PLEX_LINK, screenshot, seedBackend, settled, startUiWorld, stopUiWorld, text, type UiWorld } from './support.ts';

let world: UiWorld;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

before(async () => {
  world = await startUiWorld();
});

after(async () => {
  await stopUiWorld(world);
});

beforeEach(async () => {
  seedBackend(world.backend);
  context = await world.browser.newContext({ viewport: DESKTOP });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await context.close();
});

async function atPhoneWidth(): Promise<void> {
  await page.setViewportSize(PHONE);
}

const calls = () => world.backend.calls.map((c) => c.args);

test('a synced scene shows its state, sync time, the Plex link, how it matched and what a sync would change', async () => {
  await openPlexTab(page, world.url, '1');
  await page.waitForSelector('.plexsync-compare', { timeout: 15_000 });
  assert.equal(await page.getAttribute('.plexsync-panel', 'data-state'), 'synced');
  assert.equal(await text(page, '.plexsync-badge'), 'Synced');
  assert.match(await text(page, '.plexsync-synced-at'), /^Last synced: /);
  assert.equal(await page.getAttribute('a.plexsync-plex-link', 'href'), PLEX_LINK);
  assert.equal(await page.getAttribute('a.plexsync-plex-link', 'target'), '_blank');
  assert.equal(await text(page, '.plexsync-match-how'), 'exact file path');
  assert.equal(await text(page, '.plexsync-match-library'), 'Stash Videos');
  assert.equal(await text(page, '.plexsync-match-plex-file'), '/media/videos/beach.mp4');
  const rows = await page.locator('.plexsync-compare-row').allTextContents();
  assert.deepEqual(rows, ['TitleBeach Daybeach', 'PerformersAnn, Bea(none)', 'TagsOutdoorOutdoor (same, not locked yet)']);
  assert.equal(world.backend.calls.every((c) => c.pluginId === 'PlexSync'), true);
  // The status and the comparison are asked for at once: either may arrive first.
  assert.deepEqual(
    calls()
      .filter((a) => a.sceneId !== undefined)
      .sort((a, b) => String(a.mode).localeCompare(String(b.mode))),
    [
      { mode: 'scene_compare', sceneId: '1' },
      { mode: 'scene_status', sceneId: '1' },
    ],
  );
  await screenshot(page, 'scene-synced-desktop');
  await atPhoneWidth();
  await screenshot(page, 'scene-synced-phone');
  assert.deepEqual(pageErrors, []);
});

test('a pending scene shows that it waits, the last error, what to do and the next attempt', async () => {
  await openPlexTab(page, world.url, '2');
  await page.waitForSelector('.plexsync-panel[data-state="pending"]', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-badge'), 'Waiting to sync');
  assert.match(await text(page, '.plexsync-reason'), /connection refused/);
  assert.match(await text(page, '.plexsync-next-step'), /^What to do: Nothing to do if Plex is restarting/);
  assert.match(await text(page, '.plexsync-next'), /^Next attempt: /);
  await page.waitForSelector('.plexsync-compare-error .plexsync-error', { timeout: 15_000 });
  assert.match(await text(page, '.plexsync-compare-error'), /connection refused\): start Plex or check Plex URL/);
  await screenshot(page, 'scene-pending-desktop');
  await atPhoneWidth();
  await screenshot(page, 'scene-pending-phone');
});

test('a failed scene shows the reason and its next step, and Sync now queues it again', async () => {
  await openPlexTab(page, world.url, '3');
  await page.waitForSelector('.plexsync-panel[data-state="failed"]', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-badge'), 'Failed');
  assert.equal(await text(page, '.plexsync-reason'), 'Reason: Plex has no item at /plex/media/clip.mp4');
  assert.equal(await text(page, '.plexsync-next-step'), 'What to do: Check Path mapping in the plugin settings, or run Detect path mapping; then press Sync now.');
  await page.waitForSelector('.plexsync-match', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-match-how'), 'no Plex item has this file');
  assert.match(await text(page, '.plexsync-match-next'), /check Path mapping, or run Detect path mapping/);
  assert.equal(await page.locator('a.plexsync-plex-link').count(), 0);
  await screenshot(page, 'scene-failed-desktop');
  await atPhoneWidth();
  await screenshot(page, 'scene-failed-phone');
  await page.setViewportSize(DESKTOP);

  await page.click('button.plexsync-sync-now');
  await page.waitForSelector('.plexsync-notice', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-notice'), 'Queued for Plex.');
  await page.waitForSelector('.plexsync-panel[data-state="pending"]', { timeout: 15_000 });
  assert.ok(calls().some((a) => a.mode === 'sync_scene' && a.sceneId === '3'));
  await screenshot(page, 'scene-sync-now-desktop');
});

test('an answer for the previous scene never shows on the next one (the scene page stays mounted)', async () => {
  const releaseOne = world.backend.hold({ mode: 'scene_status', sceneId: '1' });
  const releaseTwo = world.backend.hold({ mode: 'scene_status', sceneId: '2' });
  await openPlexTab(page, world.url, '1');
  await page.click('button.queue-next');
  await page.waitForSelector('h3.scene-header:text-is("City Lights")', { timeout: 15_000 });
  const lateOne = answered(page, 'scene_status', '1');
  releaseOne();
  await lateOne;
  await settled(page);
  assert.notEqual(await page.getAttribute('.plexsync-panel', 'data-state'), 'synced', "scene 1's answer landed on scene 2");
  assert.equal(await page.locator('a.plexsync-plex-link').count(), 0);
  const two = answered(page, 'scene_status', '2');
  releaseTwo();
  await two;
  await page.waitForSelector('.plexsync-panel[data-state="pending"]', { timeout: 15_000 });
  assert.equal(await page.locator('a.plexsync-plex-link').count(), 0);
  assert.deepEqual(pageErrors, []);
});

test('"Queued for Plex." stays with its scene', async () => {
  await openPlexTab(page, world.url, '3');
  await page.click('button.plexsync-sync-now');
  await page.waitForSelector('.plexsync-notice', { timeout: 15_000 });
  await page.click('button.queue-next');
  await page.waitForSelector('h3.scene-header:text-is("untitled-four.mp4")', { timeout: 15_000 });
  await page.waitForSelector('.plexsync-panel[data-state="unknown"]', { timeout: 15_000 });
  assert.equal(await page.locator('.plexsync-notice').count(), 0);
});

test('a failed first load says so instead of staying on "Loading…"', async () => {
  world.backend.failures.set('scene_status', 'Stash did not answer in time: try again, or check that Stash is running');
  await openPlexTab(page, world.url, '1');
  await page.waitForSelector('.plexsync-error', { timeout: 15_000 });
  assert.notEqual(await text(page, '.plexsync-badge'), 'Loading…');
  assert.match(await text(page, '.plexsync-error'), /try again, or check that Stash is running/);
  assert.doesNotMatch(await text(page, '.plexsync-error'), /GraphQL error/);
  assert.deepEqual(pageErrors, []);
});

test('without Node in Stash\'s container the panel says so and links to the service dashboard', async () => {
  world.backend.execError = 'exec: "node": executable file not found in $PATH';
  world.backend.settings = { ...world.backend.settings, serviceUrl: 'http://127.0.0.1:9880/' };
  await openPlexTab(page, world.url, '1');
  await page.waitForSelector('.plexsync-node-missing a.plexsync-service-link', { timeout: 15_000 });
  assert.match(await text(page, '.plexsync-node-missing'), /there is no Node\.js where Stash runs/);
  assert.equal(await page.getAttribute('.plexsync-node-missing a.plexsync-service-link', 'href'), 'http://127.0.0.1:9880/');
  assert.equal(await page.locator('.plexsync-badge').textContent(), 'Status not available');
  assert.equal(await page.locator('.plexsync-node-missing').count(), 1, 'said once, not once per section');
  await screenshot(page, 'scene-node-missing-desktop');
  await atPhoneWidth();
  await screenshot(page, 'scene-node-missing-phone');
});

test('the queue page lives at /plugins/plexsync and survives a reload; /plugin/ paths belong to plugin files', async () => {
  await openPlexTab(page, world.url, '1');
  assert.equal(await page.getAttribute('a.plexsync-queue-link', 'href'), '/plugins/plexsync');
  await page.click('a.plexsync-queue-link');
  await page.waitForSelector('.plexsync-dead-row', { timeout: 15_000 });
  await page.reload();
  await page.waitForSelector('.plexsync-dead-row', { timeout: 15_000 });
  assert.equal(new URL(page.url()).pathname, '/plugins/plexsync');
  const old = await fetch(`${world.url}/plugin/plexsync`);
  assert.equal(old.status, 404, 'like Stash, the test server sends /plugin/... to plugin files');
});

test('the queue page waits for the backend before saying anything about dead letters, then names each scene', async () => {
  const release = world.backend.hold({ mode: 'dlq_list' });
  const status = answered(page, 'status');
  await page.goto(`${world.url}/plugins/plexsync`);
  await page.waitForSelector('.plexsync-queue', { timeout: 15_000 });
  await status;
  await settled(page);
  assert.equal(await page.locator('.plexsync-no-dead').count(), 0, '"No dead letters." before the backend answered');
  release();
  await page.waitForSelector('.plexsync-dead-row', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-count-dead'), '2');
  assert.equal(await text(page, '.plexsync-count-synced'), '12');
  const scene = page.locator('.plexsync-dead-row').first().locator('a.plexsync-dead-scene');
  assert.equal(await scene.textContent(), 'Clip Three');
  assert.equal(await scene.getAttribute('href'), '/scenes/3');
  assert.match(await text(page, '.plexsync-dead-next'), /run Detect path mapping; then Retry/);
  assert.match((await page.locator('.plexsync-dead-row').nth(1).textContent()) ?? '', /Scene 99 \(not in Stash any more\)/);
  await screenshot(page, 'queue-dead-letters-desktop');
  await atPhoneWidth();
  await screenshot(page, 'queue-dead-letters-phone');
  await page.setViewportSize(DESKTOP);

  await page.click('button.plexsync-retry');
  await page.waitForSelector('.plexsync-no-dead', { timeout: 15_000 });
  assert.equal(await text(page, '.plexsync-notice'), '2 dead letter(s) back in the queue.');
  assert.equal(await text(page, '.plexsync-count-dead'), '0');
  assert.ok(await page.locator('button.plexsync-retry').isDisabled());
  assert.deepEqual(pageErrors, []);
});

test('a failed queue load says what to do and leaves no "Loading…" behind', async () => {
  world.backend.failures.set('status', 'PlexSync\'s database is busy: press Refresh in a moment');
  await page.goto(`${world.url}/plugins/plexsync`);
  await page.waitForSelector('.plexsync-queue .plexsync-error', { timeout: 15_000 });
  assert.equal(await page.locator('.plexsync-loading').count(), 0);
  assert.equal(await page.locator('.plexsync-no-dead').count(), 0);
});

test('"Plex" shows once in the navbar at desktop and at phone width with the menu open', async () => {
  await page.goto(`${world.url}/scenes/1`);
  await page.waitForSelector('.plexsync-nav-link', { state: 'attached', timeout: 15_000 });
  assert.equal(await page.locator('.plexsync-nav-link').count(), 2, 'Stash renders MainNavBar.UtilityItems twice');
  assert.equal(await page.locator('.plexsync-nav-link:visible').count(), 1);
  await atPhoneWidth();
  await page.click('button.navbar-toggler');
  await page.waitForSelector('.navbar-collapse.show', { timeout: 15_000 });
  assert.equal(await page.locator('.plexsync-nav-link:visible').count(), 1);
  await screenshot(page, 'navbar-menu-phone');
});

test('without Stash plugin API the script does nothing and throws nothing', async () => {
  await page.goto(`${world.url}/bare.html`);
  await page.waitForLoadState('load');
  assert.equal(await text(page, '#root'), 'untouched');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(world.backend.calls, []);
});
