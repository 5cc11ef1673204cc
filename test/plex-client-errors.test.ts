import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { describeError, PermanentError, type PlexSyncError, TransientError } from '../src/errors.ts';
import { PlexClient } from '../src/plex/client.ts';
import { parseRetryAfter } from '../src/plex/status.ts';
import { type FakePlex, startFakePlex } from './fakes/plex-server.ts';

let plex: FakePlex;
let client: PlexClient;

function connect(fake: FakePlex, overrides: { token?: string; timeoutMs?: number } = {}): PlexClient {
  return new PlexClient({ baseUrl: fake.url, token: overrides.token ?? fake.token, clientIdentifier: 'cid', timeoutMs: overrides.timeoutMs ?? 2000 });
}

/** Runs `call`, expects it to fail, and checks the token leaks nowhere in the error. */
async function failure(call: () => Promise<unknown>): Promise<PlexSyncError> {
  const err = await call().then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TransientError || err instanceof PermanentError, `unexpected ${String(err)}`);
  for (const text of [err.message, describeError(err), JSON.stringify(err.http), String(err.stack)]) {
    assert.ok(!text.includes(plex.token), 'token leaked into the error');
  }
  return err;
}

beforeEach(async () => {
  plex = await startFakePlex();
  client = connect(plex);
});

afterEach(async () => {
  client.close();
  await plex.close();
});

describe('PlexClient error classes', () => {
  it('a wrong token is permanent and says which setting to check', async () => {
    client.close();
    client = connect(plex, { token: 'wrong-token-value' });
    const err = await failure(() => client.sections());
    assert.equal(err.code, 'unauthorized');
    assert.equal(err.transient, false);
    assert.match(err.message, /^Plex rejected the token: check the plexToken setting/);
    assert.deepEqual(err.http, { method: 'GET', url: '/library/sections', status: 401 });
  });

  it('an unknown item is a permanent not_found', async () => {
    const err = await failure(() => client.rate('31337', 5));
    assert.equal(err.code, 'not_found');
    assert.equal(err.transient, false);
    assert.equal(err.http?.status, 404);
  });

  it('a 400 is a permanent bad_request', async () => {
    plex.addItem({ ratingKey: '5', title: 'x', file: '/f/x.mp4', size: 1 });
    const err = await failure(() => client.rate('5', 11));
    assert.equal(err.code, 'bad_request');
    assert.equal(err.transient, false);
    assert.match(err.http?.url ?? '', /^\/:\/rate\?key=5&identifier=com\.plexapp\.plugins\.library&rating=11$/);
  });

  it('a 429 is transient and carries Retry-After', async () => {
    plex.setRateLimit(1, 7);
    const err = await failure(() => client.sections());
    assert.equal(err.code, 'rate_limited');
    assert.equal(err.transient, true);
    assert.equal(err.retryAfterMs, 7000);
    assert.equal((await client.sections()).length, 1);
  });

  it('a 503 with the Maintenance body means Plex is starting', async () => {
    plex.setMaintenance(true);
    const err = await failure(() => client.sections());
    assert.equal(err.code, 'plex_starting');
    assert.equal(err.transient, true);
  });

  it('5xx answers are transient', async () => {
    plex.failNext(2, 500);
    assert.equal((await failure(() => client.sections())).code, 'http_5xx');
    assert.equal((await failure(() => client.getItems(['1']))).code, 'http_5xx');
  });

  it('a server that is down is a transient network error, and recovery works', async () => {
    await client.sections(); // leaves a keep-alive socket behind
    await plex.setDown(true);
    const err = await failure(() => client.sections());
    assert.equal(err.code, 'network');
    assert.equal(err.transient, true);
    await plex.setDown(false);
    assert.equal((await client.sections()).length, 1);
  });

  it('a server that never answers is a timeout', async () => {
    client.close();
    client = connect(plex, { timeoutMs: 150 });
    plex.setHang(true);
    const err = await failure(() => client.sections());
    assert.equal(err.code, 'timeout');
    assert.equal(err.transient, true);
  });

  it('a slow answer past the timeout is a timeout', async () => {
    client.close();
    client = connect(plex, { timeoutMs: 100 });
    plex.setLatency(400);
    assert.equal((await failure(() => client.identity())).code, 'timeout');
  });

  it('a body cut off halfway is a transient network error', async () => {
    for (let i = 0; i < 3; i++) plex.addItem({ title: `I${i}`, file: `/f/${i}.mp4`, size: i });
    plex.cutBody(1);
    const err = await failure(() => client.listSectionPage('1', 0, 50));
    assert.equal(err.code, 'network');
    assert.equal((await client.listSectionPage('1', 0, 50)).items.length, 3);
  });

  it('a cancelled request is transient, and not a sign that Plex is down', async () => {
    plex.setHang(true);
    const controller = new AbortController();
    const pending = failure(() => client.sections(controller.signal));
    controller.abort();
    const err = await pending;
    assert.equal(err.code, 'cancelled');
    assert.equal(err.transient, true);
  });

  it('a body that is not JSON is a transient unreadable response', async () => {
    const server = http.createServer((_req, res) => res.end('<html>proxy login page</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const odd = new PlexClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: plex.token, clientIdentifier: 'c', timeoutMs: 2000 });
    try {
      const err = await failure(() => odd.sections());
      assert.equal(err.code, 'network');
      assert.match(err.message, /unreadable response/);
    } finally {
      odd.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('error URLs of long edits stay short', async () => {
    plex.failNext(1, 500);
    const summary = 'long '.repeat(4000);
    const err = await failure(() => client.editItem('1', '1', { scalars: { summary }, tags: {}, lock: [] }));
    assert.ok((err.http?.url.length ?? 0) < 400);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
