// https with a self-signed certificate, as many home Plex servers have. The
// certificate is made with the openssl command; without it the test is skipped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorCode } from '../src/errors.ts';
import { PlexClient } from '../src/plex/client.ts';

function makeCertificate(): { key: Buffer; cert: Buffer } | null {
  const dir = mkdtempSync(join(tmpdir(), 'plexsync-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const credentials = makeCertificate();
let server: https.Server;
let url: string;

function clientFor(insecureTls: boolean): PlexClient {
  return new PlexClient({ baseUrl: url, token: 'tls-test-token-123', clientIdentifier: 'c', timeoutMs: 2000, insecureTls });
}

describe('PlexClient over https', { skip: credentials === null ? 'openssl not available' : false }, () => {
  before(async () => {
    server = https.createServer(credentials!, (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ MediaContainer: { machineIdentifier: 'tls', version: '1' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a self-signed certificate by default, as a settings problem', async () => {
    const client = clientFor(false);
    await assert.rejects(client.identity(), (err) => errorCode(err) === 'bad_settings' && /plexInsecureTls/.test((err as Error).message));
    client.close();
  });

  it('accepts it when insecureTls is on', async () => {
    const client = clientFor(true);
    assert.deepEqual(await client.identity(), { machineIdentifier: 'tls', version: '1' });
    client.close();
  });
});
