import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionFromServer, connectionFromUrl } from '../src/stash/connection.ts';

describe('Stash connection from server_connection', () => {
  const cookie = { Name: 'session', Value: 'abc123secret', Path: '/', MaxAge: 3600 };

  it('a wildcard bind address means this machine', () => {
    for (const Host of ['0.0.0.0', '::', '[::]', '', undefined]) {
      assert.equal(connectionFromServer({ Scheme: 'http', Host, Port: 9999 }).baseUrl, 'http://localhost:9999', String(Host));
    }
  });

  it('names hosts as given, IPv6 in brackets', () => {
    assert.equal(connectionFromServer({ Host: '192.168.1.5', Port: 9999 }).baseUrl, 'http://192.168.1.5:9999');
    assert.equal(connectionFromServer({ Host: 'fe80::1', Port: 9999 }).baseUrl, 'http://[fe80::1]:9999');
    assert.equal(connectionFromServer({ Host: '[::1]', Port: 9999 }).baseUrl, 'http://[::1]:9999');
  });

  it('uses https when Stash says so, and the default port 9999 when none is given', () => {
    assert.equal(connectionFromServer({ Scheme: 'https', Host: 'stash.lan', Port: 443 }).baseUrl, 'https://stash.lan:443');
    assert.equal(connectionFromServer({ Host: 'stash.lan' }).baseUrl, 'http://stash.lan:9999');
  });

  it('keeps the session cookie, and none when Stash sends null', () => {
    assert.deepEqual(connectionFromServer({ Host: '0.0.0.0', Port: 1, SessionCookie: cookie }).sessionCookie, { name: 'session', value: 'abc123secret' });
    assert.equal(connectionFromServer({ Host: '0.0.0.0', Port: 1, SessionCookie: null }).sessionCookie, undefined);
    assert.equal(connectionFromServer({ Host: '0.0.0.0', Port: 1, SessionCookie: { Name: 'session', Value: '' } }).sessionCookie, undefined);
  });

  it('carries an API key when one is given', () => {
    assert.equal(connectionFromServer({ Port: 1 }, { apiKey: 'key-123456' }).apiKey, 'key-123456');
    assert.equal(connectionFromServer({ Port: 1 }, { apiKey: '' }).apiKey, undefined);
  });
});

describe('Stash connection from a URL (outside Stash)', () => {
  it('keeps the origin and path, without trailing slashes', () => {
    assert.deepEqual(connectionFromUrl('http://nas:9999/', { apiKey: 'key-123456' }), { baseUrl: 'http://nas:9999', apiKey: 'key-123456' });
    assert.equal(connectionFromUrl('https://example.org/stash//').baseUrl, 'https://example.org/stash');
  });

  it('refuses what is not an http(s) URL, naming it', () => {
    assert.throws(() => connectionFromUrl('nas:9999'), { name: 'PermanentError', code: 'bad_input', message: /got "nas:9999"/ });
    assert.throws(() => connectionFromUrl('not a url'), { code: 'bad_input' });
  });
});
