// Each error says what was tried and what to do (CONTRACT sec. 12).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { PlexSyncError } from '../src/errors.ts';
import { PlexClient } from '../src/plex/client.ts';
import { NETWORK_HINTS } from '../src/plex/transport.ts';
import { startFakePlex } from './fakes/plex-server.ts';
import { startWorld } from './helpers/world.ts';
import { jobs, waitFor } from './fault-support.ts';

async function failure(call: () => Promise<unknown>): Promise<PlexSyncError> {
  return call().then(
    () => assert.fail('expected a failure'),
    (err: unknown) => err as PlexSyncError,
  );
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a Plex nobody answers at is named, with what to check', async (t) => {
  const port = await closedPort();
  const w = await startWorld(t, { settings: { plexUrl: `http://127.0.0.1:${port}`, maxAttempts: 1 } });
  const scene = w.stash.addScene({ title: 'x', files: [{ path: '/data/videos/x.mp4', size: 1 }] });
  await w.hook('Scene.Update.Post', scene);
  const job = await waitFor('a failed attempt', async () => (await jobs(w.dataDir)).find((j) => j.last_error !== null));
  assert.match(job.last_error!, new RegExp(`cannot reach Plex at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): nothing listens there`));
  await w.settle(30_000);
});

test('a host name that does not resolve says so and names plexUrl', () => {
  assert.match(NETWORK_HINTS['ENOTFOUND']!, /host name does not resolve: check the host in plexUrl/);
});

test('a plexUrl ending in /web is told to drop it', async (t) => {
  const plex = await startFakePlex();
  const client = new PlexClient({ baseUrl: `${plex.url}/web`, token: plex.token, clientIdentifier: 'c', timeoutMs: 5_000 });
  t.after(async () => {
    client.close();
    await plex.close();
  });
  const err = await failure(() => client.sections());
  assert.equal(err.code, 'bad_settings');
  assert.equal(err.transient, false);
  assert.match(err.message, new RegExp(`plexUrl ${plex.url}/web is the address of Plex Web.*without "/web" \\(e\\.g\\. ${plex.url}\\)`));
});

test('a server that is not Plex is not reported as a wrong token', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(401, { 'Content-Type': 'text/html' }).end('<html>Router login</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new PlexClient({ baseUrl: url, token: 'some-token-value', clientIdentifier: 'c', timeoutMs: 5_000 });
  t.after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const err = await failure(() => client.sections());
  assert.equal(err.code, 'bad_settings');
  assert.match(err.message, new RegExp(`the server at ${url} refused the request \\(401\\) but is not a Plex Media Server.*check plexUrl`));
  assert.doesNotMatch(err.message, /token/);
});

test('a real Plex refusing the token still says so', async (t) => {
  const plex = await startFakePlex();
  const client = new PlexClient({ baseUrl: plex.url, token: 'wrong-token-000', clientIdentifier: 'c', timeoutMs: 5_000 });
  t.after(async () => {
    client.close();
    await plex.close();
  });
  const err = await failure(() => client.sections());
  assert.equal(err.code, 'unauthorized');
  assert.match(err.message, /Plex rejected the token: check the plexToken setting/);
});
