import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { describeError, PlexSyncError } from '../src/errors.ts';
import { redact } from '../src/log/redact.ts';
import { StashClient } from '../src/stash/client.ts';
import { connectionFromServer } from '../src/stash/connection.ts';
import { FIND_SCENE } from '../src/stash/queries.ts';
import { type FakeStash, type FakeStashOptions, startFakeStash } from './fakes/stash-server.ts';

const SESSION = 'c2Vzc2lvbi1zZWNyZXQtdmFsdWUtMTIzNDU2Nzg5MA';

/** Everything an error could show a human or a log line. */
function shown(err: unknown): string {
  const e = err as PlexSyncError;
  return [describeError(err), e.message, e.stack ?? '', JSON.stringify(e.http ?? {}), String((e.cause as Error | undefined)?.message ?? '')].join('\n');
}

async function failure(promise: Promise<unknown>): Promise<PlexSyncError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PlexSyncError, `not a PlexSyncError: ${String(err)}`);
    return err;
  }
  throw new Error('expected a failure');
}

describe('StashClient credentials and error classes', () => {
  let stash: FakeStash | undefined;
  const start = async (options: FakeStashOptions = {}) => {
    stash = await startFakeStash({ session: SESSION, ...options });
    return stash;
  };
  afterEach(async () => {
    await stash?.close();
    stash = undefined;
  });

  it('connects with what Stash puts in server_connection (Host 0.0.0.0, session cookie)', async () => {
    const fake = await start();
    fake.addScene({ title: 'hello' });
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    assert.equal((await client.findScenesPage(1, 10)).count, 1);
    assert.equal(fake.requests.at(-1)?.session, SESSION);
  });

  it('follows the session cookie Stash refreshes in Set-Cookie', async () => {
    const fake = await start({ rotateSession: true });
    const id = fake.addScene({ title: 'x' });
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    for (let i = 0; i < 3; i++) assert.equal((await client.findScene(id))?.title, 'x');
    fake.setScreenshot(id, new Uint8Array([1, 2, 3]));
    await client.fetchImage(`${fake.url}/scene/${id}/screenshot`);
    const sent = fake.requests.map((r) => r.session);
    assert.equal(new Set(sent).size, 4, 'each request used the value issued by the one before');
    assert.equal(client.sessionCookie?.value, fake.session);
  });

  it('the API key header is accepted instead of a session', async () => {
    const fake = await start({ apiKey: 'api-key-0123456789' });
    const client = new StashClient({ baseUrl: fake.url, apiKey: 'api-key-0123456789', timeoutMs: 5_000 });
    assert.deepEqual(await client.pluginSettings(), {});
    assert.equal(fake.requests.at(-1)?.apiKey, 'api-key-0123456789');
    assert.equal(fake.requests.at(-1)?.session, undefined);
  });

  it('without a cookie Stash answers 401: transient, the next hook brings a session', async () => {
    const fake = await start();
    const client = new StashClient({ baseUrl: fake.url, timeoutMs: 5_000 });
    const err = await failure(client.findScene('1'));
    assert.deepEqual([err.name, err.code, err.http?.status], ['TransientError', 'stash_auth', 401]);
  });

  it('an expired session is transient and its value is never shown', async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    fake.expireSession();
    const err = await failure(client.findScene('1'));
    assert.deepEqual([err.transient, err.code], [true, 'stash_auth']);
    assert.match(err.message, /session/);
    assert.ok(!shown(err).includes(SESSION));
  });

  it('a refused connection is transient', async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    await fake.close();
    stash = undefined;
    const err = await failure(client.findScene('1'));
    assert.deepEqual([err.name, err.code], ['TransientError', 'stash_unavailable']);
    assert.match(err.message, /unreachable/);
    assert.ok(!shown(err).includes(SESSION));
  });

  it('a reset connection and a 503 are transient', async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    fake.setDown('reset');
    assert.equal((await failure(client.findScene('1'))).code, 'stash_unavailable');
    fake.setDown(503);
    const err = await failure(client.fetchImage(`${fake.url}/scene/1/screenshot`));
    assert.deepEqual([err.transient, err.http?.status], [true, 503]);
  });

  it('a slow answer times out as transient', async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 100 });
    fake.setLatency(1_000);
    const err = await failure(client.pluginSettings());
    assert.deepEqual([err.name, err.code], ['TransientError', 'timeout']);
  });

  it("a query the schema rejects is permanent, with Stash's first message", async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    const err = await failure(client.graphql(FIND_SCENE.replace('rating100', 'rating'), { id: '1' }));
    assert.deepEqual([err.name, err.code, err.http?.status], ['PermanentError', 'bad_request', 422]);
    assert.match(err.message, /Cannot query field "rating"/);
  });

  it('a resolver error is permanent, and a secret it echoes is masked', async () => {
    const fake = await start();
    const client = new StashClient({ ...connectionFromServer(fake.serverConnection()), timeoutMs: 5_000 });
    // Stash echoes the bad id in its message; here the "id" is the cookie itself.
    const err = await failure(client.findScene(SESSION));
    assert.deepEqual([err.name, err.code, err.http?.status], ['PermanentError', 'bad_request', 200]);
    assert.match(err.message, /invalid syntax/);
    assert.ok(!shown(err).includes(SESSION));
    assert.equal(redact(`cookie ${SESSION}`), 'cookie ***');
  });
});
