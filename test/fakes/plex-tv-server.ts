// A fake plex.tv on loopback for the setup's sign-in and server list (the
// plugin reaches it through PLEXSYNC_PLEX_TV_URL). Shapes follow plex.tv's
// v2 API as Plex documents it for third-party sign-in: a PIN is created with
// POST /api/v2/pins (201, {id, code, authToken: null}), carries the token in
// authToken once the user approved it, and answers 404 once it expired;
// /api/v2/user and /api/v2/resources need the X-Plex-Token header (401
// without a known one).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResource {
  name: string;
  clientIdentifier: string;
  owned?: boolean;
  accessToken?: string;
  connections: { uri: string; local: boolean; relay?: boolean }[];
}

export interface PlexTvRequest {
  method: string;
  /** Path and query exactly as received: a token here would be a leak. */
  url: string;
  clientIdentifier: string | undefined;
  product: string | undefined;
  /** Whether an X-Plex-Token header came (its value is not kept). */
  withToken: boolean;
}

export async function startFakePlexTv(options: { token: string; username?: string; resources?: FakeResource[] }) {
  const requests: PlexTvRequest[] = [];
  const pins = new Map<number, { code: string; clientId: string; authToken: string | null; expired: boolean }>();
  let nextPin = 4100;
  let resources = options.resources ?? [];

  const header = (req: IncomingMessage, name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };

  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://fake');
    const token = header(req, 'x-plex-token');
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '', clientIdentifier: header(req, 'x-plex-client-identifier'), product: header(req, 'x-plex-product'), withToken: token !== undefined });
    const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const pinMatch = /^\/api\/v2\/pins\/(\d+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/api/v2/pins') {
      const clientId = header(req, 'x-plex-client-identifier');
      // plex.tv refuses a PIN without a client identifier.
      if (!clientId) return json(400, { errors: [{ code: 1000, message: 'X-Plex-Client-Identifier is missing' }] });
      const id = nextPin++;
      const code = `code${id}strongpin0123456789`;
      pins.set(id, { code, clientId, authToken: null, expired: false });
      return json(201, { id, code, product: header(req, 'x-plex-product'), trusted: false, clientIdentifier: clientId, expiresIn: 900, expiresAt: '2026-12-01T23:59:00Z', authToken: null });
    }
    if (req.method === 'GET' && pinMatch) {
      const pin = pins.get(Number(pinMatch[1]));
      if (!pin || pin.expired || pin.clientId !== header(req, 'x-plex-client-identifier')) return json(404, { errors: [{ code: 1020, message: 'Code not found or expired' }] });
      return json(200, { id: Number(pinMatch[1]), code: pin.code, authToken: pin.authToken });
    }
    if (token !== options.token) return json(401, { errors: [{ code: 1001, message: 'User could not be authenticated' }] });
    if (req.method === 'GET' && url.pathname === '/api/v2/user') return json(200, { id: 1, uuid: 'u-1', username: options.username ?? 'stashfan', title: options.username ?? 'stashfan' });
    if (req.method === 'GET' && url.pathname === '/api/v2/resources') {
      return json(
        200,
        resources.map((r) => ({
          name: r.name,
          product: 'Plex Media Server',
          provides: 'server',
          clientIdentifier: r.clientIdentifier,
          owned: r.owned ?? true,
          accessToken: r.accessToken ?? options.token,
          connections: r.connections.map((c) => ({ protocol: c.uri.split(':')[0], uri: c.uri, local: c.local, relay: c.relay ?? false, IPv6: false })),
        })),
      );
    }
    json(404, { errors: [{ code: 1002, message: 'not found' }] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** What the user does at app.plex.tv: approve the PIN with this code. */
    approve(code: string) {
      for (const pin of pins.values()) if (pin.code === code) pin.authToken = options.token;
    },
    expire(code: string) {
      for (const pin of pins.values()) if (pin.code === code) pin.expired = true;
    },
    setResources(list: FakeResource[]) {
      resources = list;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
