// The service's HTTP side against the fakes: /metrics is valid Prometheus
// text, /healthz follows Stash, a non-loopback bind needs the password and
// nothing it answers carries a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { enqueueMany } from '../src/queue/operations.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { parsePrometheusText } from './helpers/prometheus.ts';
import { getJson, runServeToExit, startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

const API_KEY = 'http-test-api-key-0123456789';
const PASSWORD = 'dashboard-password-0123456789';

async function world(t: Parameters<typeof tempDir>[0]) {
  const stash = await startFakeStash({ apiKey: API_KEY });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const dataDir = tempDir(t);
  return { stash, plex, dataDir, env: { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_STASH_API_KEY: API_KEY, PLEXSYNC_DATA_DIR: dataDir } };
}

test('/metrics parses as Prometheus text with queue depth, syncs, failures by class, Plex latency, circuit and last sync', async (t) => {
  const w = await world(t);
  const ids = [1, 2, 3].map((i) => {
    w.plex.addItem({ title: `f${i}`, file: `/data/videos/m/${i}.mp4`, size: 10 + i });
    return w.stash.addScene({ title: `Metric ${i}`, files: [{ path: `/data/videos/m/${i}.mp4`, size: 10 + i }] });
  });
  const orphan = w.stash.addScene({ title: 'No files' });
  const service = await startServiceProcess(t, w.env);
  const db = await openDatabase(w.dataDir);
  t.after(() => db.close());
  enqueueMany(db, [...ids, orphan].map((id) => ({ kind: 'scene' as const, entityId: id })));
  const families = await waitFor('the syncs in /metrics', async () => {
    const res = await fetch(`${service.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const parsed = parsePrometheusText(await res.text());
    const synced = parsed.get('plexsync_syncs_total')?.samples.find((s) => s.labels.result === 'synced')?.value;
    const dead = parsed.get('plexsync_syncs_total')?.samples.find((s) => s.labels.result === 'dead_letter')?.value;
    return synced === 3 && dead === 1 ? parsed : undefined;
  });
  const value = (name: string, labels: Record<string, string> = {}) =>
    families
      .get(name.replace(/_(bucket|sum|count)$/, ''))
      ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ??
    families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  assert.equal(families.get('plexsync_queue_jobs')?.type, 'gauge');
  assert.equal(value('plexsync_queue_jobs', { state: 'dead' }), 1);
  assert.equal(value('plexsync_queue_jobs', { state: 'pending' }), 0);
  // The scene without files is refused as bad input, at once.
  assert.equal(value('plexsync_failures_total', { class: 'bad_input', outcome: 'dead_letter' }), 1);
  assert.equal(families.get('plexsync_plex_request_duration_seconds')?.type, 'histogram');
  assert.ok((value('plexsync_plex_request_duration_seconds_count', { outcome: '2xx' }) ?? 0) > 0, 'Plex requests were timed');
  assert.equal(value('plexsync_circuit_state', { state: 'closed' }), 1);
  const lastSync = value('plexsync_last_sync_timestamp_seconds') ?? 0;
  assert.ok(Math.abs(lastSync - Date.now() / 1000) < 120, `last sync ${lastSync}`);
  assert.equal(value('plexsync_stash_up'), 1);
  const raw = await (await fetch(`${service.url}/metrics`)).text();
  for (const secret of [API_KEY, w.plex.token]) assert.ok(!raw.includes(secret));
  assert.equal((await service.stop()).code, 0);
});

test('/healthz turns 503 with the reason while Stash is unreachable, and back to 200 by itself', async (t) => {
  const w = await world(t);
  const service = await startServiceProcess(t, { ...w.env, PLEXSYNC_POLL_MS: '1000' });
  await waitFor('healthy', async () => ((await getJson(`${service.url}/healthz`)).status === 200 ? true : undefined));
  w.stash.setDown('reset');
  const down = await waitFor('503', async () => {
    const r = await getJson(`${service.url}/healthz`);
    return r.status === 503 ? r : undefined;
  });
  const body = down.body as { status: string; reasons: string[] };
  assert.equal(body.status, 'unavailable');
  assert.match(body.reasons.join(' '), /Stash/);
  w.stash.setDown(false);
  await waitFor('200 again', async () => ((await getJson(`${service.url}/healthz`)).status === 200 ? true : undefined));
  assert.ok(!down.text.includes(API_KEY));
  assert.equal((await service.stop()).code, 0);
});

test('bound to a non-loopback address the service refuses to start without a password, then asks for it on every route but /healthz', async (t) => {
  const w = await world(t);
  const refused = await runServeToExit({ ...w.env, PLEXSYNC_HTTP_HOST: '0.0.0.0' });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /PLEXSYNC_HTTP_PASSWORD/);
  const service = await startServiceProcess(t, { ...w.env, PLEXSYNC_HTTP_HOST: '0.0.0.0', PLEXSYNC_HTTP_PASSWORD: PASSWORD });
  // Tests talk to loopback only; the bind is on every address.
  const url = service.url.replace('0.0.0.0', '127.0.0.1');
  const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  assert.equal((await getJson(`${url}/healthz`)).status, 200, '/healthz needs no password (Docker health checks)');
  for (const path of ['/', '/api/status', '/api/overview', '/metrics', '/fragment/overview', '/api/scenes?q=x']) {
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 401, path);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
    assert.equal((await fetch(`${url}${path}`, { headers: basic('me', 'wrong') })).status, 401, `${path} with a wrong password`);
  }
  const ok = await fetch(`${url}/api/status`, { headers: basic('anyone', PASSWORD) });
  assert.equal(ok.status, 200);
  const page = await fetch(`${url}/`, { headers: basic('', PASSWORD) });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1>PlexSync<\/h1>/);
  for (const secret of [API_KEY, PASSWORD, w.plex.token]) assert.ok(!html.includes(secret), 'no secret in the page');
  // Writes need JSON, so a form on another site cannot post one.
  const form = await fetch(`${url}/api/dead-letters/retry`, { method: 'POST', headers: { ...basic('me', PASSWORD), 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.equal(form.status, 403);
  assert.ok(!service.stderr().includes(PASSWORD) && !service.stderr().includes(API_KEY));
  assert.equal((await service.stop()).code, 0);
});
