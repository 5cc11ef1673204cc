// The service's dashboard in Chromium, against the built service and the
// demo's sample library in the fakes: counts, recent syncs, dead letters
// with Retry, scene search, a comparison and Sync now. Screenshots land in
// test-artifacts/dashboard/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEMO_PATH_MAP, seedLibrary } from '../../scripts/demo/library.ts';
import { openDatabase } from '../../src/db/database.ts';
import { counts } from '../../src/queue/operations.ts';
import { startFakePlex } from '../fakes/plex-server.ts';
import { startFakeStash } from '../fakes/stash-server.ts';
import { REPO } from '../helpers/plugin.ts';
import { CLI, cleanEnv, startServiceProcess, waitFor } from '../helpers/service.ts';
import { tempDir } from '../helpers/temp.ts';

const ARTIFACTS = join(REPO, 'test-artifacts', 'dashboard');
const VIEWPORT = { width: 1280, height: 1000 };
const API_KEY = 'dashboard-test-api-key-0123456789';

let browser: Browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  const png = readFileSync(path);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png is not a PNG`);
  assert.ok(png.length > 5000, `${name}.png is suspiciously small`);
}

test('the dashboard shows the queue, recent syncs and dead letters, searches scenes, compares one and syncs it now', async (t) => {
  const stash = await startFakeStash({ apiKey: API_KEY, session: false });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  const library = seedLibrary(stash, plex);
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token, pathMap: DEMO_PATH_MAP, maxAttempts: 1 });
  const dataDir = tempDir(t);
  const env = { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: dataDir };
  const service = await startServiceProcess(t, env);
  // A full sync with the command line, as the demo runs it.
  const sync = spawn(process.execPath, [CLI, 'sync-all'], { env: cleanEnv(env), stdio: 'ignore' });
  assert.equal(await new Promise((resolve) => sync.on('exit', resolve)), 0);
  const db = await openDatabase(dataDir);
  t.after(() => db.close());
  await waitFor('the full sync', () => (counts(db).pending === 0 && counts(db).inProgress === 0 ? true : undefined), 60_000);
  const dead = counts(db).dead;
  assert.equal(dead, library.trouble.notScanned.length + library.trouble.ambiguous.length + library.trouble.noFiles.length, 'the deliberate trouble ends as dead letters');
  assert.ok(dead >= 3, `the deliberate trouble ends as dead letters (${dead})`);

  const context = await browser.newContext({ viewport: VIEWPORT });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${service.url}/`);
  assert.equal(await page.textContent('[data-count="dead letters"] strong'), String(dead));
  assert.ok(Number(await page.textContent('[data-count="scenes synced"] strong')) >= 40);
  assert.ok((await page.locator('tr[data-dead]').count()) === dead);
  // Dead letters carry the scene's title and a link to it in Stash.
  const ambiguous = library.trouble.ambiguous[0]!;
  const row = page.locator('tr[data-dead]', { has: page.locator(`a[href$="/scenes/${ambiguous}"]`) });
  assert.match((await row.textContent()) ?? '', /several Plex items|ambiguous/i);
  await screenshot(page, 'overview');

  // Search, then the comparison of a scene whose Plex item was changed behind PlexSync's back.
  await page.fill('#q', 'harbour');
  await page.click('#search button');
  await page.waitForSelector('#results tr[data-scene-row]');
  const states = await page.locator('#results tr[data-scene-row] [class^="state-"]').allTextContents();
  assert.ok(states.length > 0 && states.every((s) => ['synced', 'failed', 'pending', 'unknown', 'in_progress'].includes(s)), states.join(','));
  await screenshot(page, 'search');
  const firstSynced = page.locator('#results tr[data-scene-row]', { has: page.locator('.state-synced') }).first();
  const sceneId = await firstSynced.getAttribute('data-scene-row');
  assert.ok(sceneId);
  stash.updateScene(sceneId, { title: 'Changed for the comparison' });
  await firstSynced.locator('button[data-scene]').click();
  await page.waitForSelector('#scene .changes li');
  assert.match((await page.textContent('#scene .changes')) ?? '', /title: ".*" -> "Changed for the comparison"/);
  await screenshot(page, 'comparison');
  await page.click('#scene button[data-action="sync"]');
  await page.waitForFunction(() => /queued/.test(document.getElementById('notice')?.textContent ?? ''));
  const ratingKey = (await db.prepare('SELECT rating_key FROM sync_records WHERE scene_id = ?').get(sceneId)) as { rating_key: string };
  await waitFor('the new title in Plex', () => (plex.item(ratingKey.rating_key)?.scalars.title === 'Changed for the comparison' ? true : undefined), 30_000);

  // Retry one dead letter: it leaves the list (and, failing again, comes back later).
  await page.locator('tr[data-dead] button[data-action="retry"]').first().click();
  await page.waitForFunction(() => /back in the queue/.test(document.getElementById('notice')?.textContent ?? ''));
  assert.match((await page.textContent('#notice')) ?? '', /^1 dead letter/);
  await screenshot(page, 'after-retry');
  const html = await page.content();
  for (const secret of [API_KEY, plex.token]) assert.ok(!html.includes(secret), 'no secret in the page');
  assert.deepEqual(errors, []);
  assert.equal((await service.stop()).code, 0);
});
