// Shared by the UI tests: headless Chromium (Debian's package, no browser
// download), the Stash-like test page and its fake backend, and screenshots
// into test-artifacts/ui/ checked as PNGs of the viewport's size.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO } from '../helpers/plugin.ts';
import { FakeBackend, type FakeScene, startFakeStash } from './fixtures/fake-stash.ts';

export const ARTIFACTS = join(REPO, 'test-artifacts', 'ui');
export const DESKTOP = { width: 1100, height: 800 };
/** Below Bootstrap's 576px "sm" breakpoint, where Stash switches to its phone layout. */
export const PHONE = { width: 390, height: 844 };
export const PLEX_LINK = 'http://127.0.0.1:32400/web/index.html#!/server/abc123/details?key=%2Flibrary%2Fmetadata%2F501';

export const SCENES: FakeScene[] = [
  { id: '1', title: 'Beach Day', path: '/data/videos/beach.mp4' },
  { id: '2', title: 'City Lights', path: '/data/videos/city.mp4' },
  { id: '3', title: 'Clip Three', path: '/data/videos/clip.mp4' },
  { id: '4', title: '', path: '/data/videos/untitled-four.mp4' },
];

export interface UiWorld {
  browser: Browser;
  server: Server;
  url: string;
  backend: FakeBackend;
}

export async function startUiWorld(): Promise<UiWorld> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const backend = new FakeBackend();
  const { server, url } = await startFakeStash(backend, SCENES);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
  return { browser, server, url, backend };
}

export async function stopUiWorld(world: UiWorld | undefined): Promise<void> {
  await world?.browser.close();
  await new Promise((resolve) => (world ? world.server.close(resolve) : resolve(undefined)));
}

/** The usual library: one scene in each state, one dead letter. */
export function seedBackend(backend: FakeBackend): void {
  backend.reset();
  backend.settings = { plexUrl: 'http://127.0.0.1:32400', plexToken: 'stored-token-not-for-pages' };
  backend.setup.set('setup_state', { configured: true, plexUrl: 'http://127.0.0.1:32400', tokenSet: true, librariesSaved: true });
  backend.scenes.set('1', { sceneId: '1', state: 'synced', ratingKey: '501', syncedAt: '2026-01-02T03:04:05.000Z', plexUrl: PLEX_LINK });
  backend.scenes.set('2', {
    sceneId: '2',
    state: 'pending',
    attempts: 2,
    nextAttemptAt: '2026-01-02T03:09:05.000Z',
    reason: 'Plex is not reachable at http://127.0.0.1:32400 (connection refused)',
    nextStep: 'Nothing to do if Plex is restarting: PlexSync retries by itself. Otherwise start Plex or correct Plex URL in the plugin settings.',
  });
  backend.scenes.set('3', {
    sceneId: '3',
    state: 'failed',
    attempts: 1,
    reason: 'Plex has no item at /plex/media/clip.mp4',
    nextStep: 'Check Path mapping in the plugin settings, or run Detect path mapping; then press Sync now.',
  });
  backend.compares.set('1', {
    sceneId: '1',
    match: { kind: 'matched', via: 'path', library: 'Stash Videos', plexFile: '/media/videos/beach.mp4', stashFile: '/data/videos/beach.mp4', ratingKey: '501' },
    status: 'differs',
    changes: [
      { field: 'title', label: 'Title', from: 'beach', to: 'Beach Day' },
      { field: 'actor', label: 'Performers', from: [], to: ['Ann', 'Bea'] },
      { field: 'genre', label: 'Tags', from: ['Outdoor'], to: ['Outdoor'], lockOnly: true },
    ],
  });
  backend.compares.set('3', {
    sceneId: '3',
    match: {
      kind: 'unmatched',
      tried: ['/plex/media/clip.mp4'],
      nextStep: 'Plex has no item at /plex/media/clip.mp4: check Path mapping, or run Detect path mapping.',
    },
    changes: [],
  });
  backend.deadLetters = [
    {
      job: 'scene:3',
      kind: 'scene',
      id: '3',
      errorClass: 'PermanentError',
      code: 'not_found',
      reason: 'Plex has no item at /plex/media/clip.mp4',
      nextStep: 'Check Path mapping in the plugin settings, or run Detect path mapping; then Retry.',
      attempts: 1,
      at: '2026-01-02T03:04:05.000Z',
    },
    { job: 'scene:99', kind: 'scene', id: '99', errorClass: 'PermanentError', code: 'scene_gone', reason: 'Stash has no scene 99', attempts: 1, at: '2026-01-02T03:04:06.000Z' },
  ];
}

/** Saves a screenshot and checks it is a PNG of the viewport's size. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  assert.ok(size);
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  const png = readFileSync(path);
  assert.ok(png.length > 2000, `${name}.png is suspiciously small`);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png is not a PNG`);
  assert.equal(png.readUInt32BE(16), size.width);
  assert.equal(png.readUInt32BE(20), size.height);
}

export const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

/** Opens a scene's page and its Plex tab; waits for the status answer. */
export async function openPlexTab(page: Page, url: string, sceneId: string): Promise<void> {
  await page.goto(`${url}/scenes/${sceneId}`);
  await page.click('a[data-rb-event-key="plexsync-panel"]');
  await page.waitForSelector('.plexsync-panel', { timeout: 15_000 });
}

/** Resolves once the page has received the answer to a runPluginOperation call matching `mode` (and scene). */
export function answered(page: Page, mode: string, sceneId?: string) {
  return page.waitForResponse(
    (r) => {
      const body = r.request().postData() ?? '';
      return r.url().endsWith('/graphql') && body.includes(`"mode":"${mode}"`) && (sceneId === undefined || body.includes(`"sceneId":"${sceneId}"`));
    },
    { timeout: 15_000 },
  );
}

/** Two animation frames: React has committed whatever the last answer caused. */
export const settled = (page: Page) => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
