// The service's HTTP plumbing on node:http: a small router, replies, and the
// guards every route passes (password, same-origin writes, Host check).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { redact } from '../log/redact.ts';
import { isLoopback } from './config.ts';

export interface Reply {
  status: number;
  body: string | Uint8Array;
  type?: string;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  req: IncomingMessage;
  url: URL;
  /** Named parts of the path, e.g. `:id`. */
  params: Record<string, string>;
  /** The request body parsed as JSON (POST); {} when empty. */
  json(): Promise<Record<string, unknown>>;
}

export type Route = (r: RouteRequest) => Promise<Reply> | Reply;

const MAX_BODY = 64 * 1024;

export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const json = (body: unknown, status = 200): Reply => ({ status, type: 'application/json; charset=utf-8', body: redact(JSON.stringify(body)) });
export const html = (body: string, status = 200): Reply => ({ status, type: 'text/html; charset=utf-8', body: redact(body) });
export const text = (body: string, status = 200, type = 'text/plain; charset=utf-8'): Reply => ({ status, type, body: redact(body) });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks).toString('utf8').trim();
  if (body === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'the body must be a JSON object');
}

interface Entry {
  method: string;
  parts: string[];
  route: Route;
}

export class Router {
  readonly #routes: Entry[] = [];

  get(path: string, route: Route): this {
    return this.#add('GET', path, route);
  }

  post(path: string, route: Route): this {
    return this.#add('POST', path, route);
  }

  #add(method: string, path: string, route: Route): this {
    this.#routes.push({ method, parts: path.split('/').filter(Boolean), route });
    return this;
  }

  /** The route for a request, or the status that says why there is none (404, 405). */
  find(method: string, pathname: string): { route: Route; params: Record<string, string> } | number {
    const parts = pathname.split('/').filter(Boolean);
    let pathKnown = false;
    for (const entry of this.#routes) {
      if (entry.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = entry.parts.every((p, i) => {
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(parts[i]!);
          return true;
        }
        return p === parts[i];
      });
      if (!ok) continue;
      pathKnown = true;
      if (entry.method === method || (method === 'HEAD' && entry.method === 'GET')) return { route: entry.route, params };
    }
    return pathKnown ? 405 : 404;
  }
}

export interface GuardOptions {
  /** HTTP Basic password (any user name); undefined: no password (loopback only). */
  password: string | undefined;
  /** Paths served without the password (health checks). */
  open: readonly string[];
  /** Bound to loopback: refuse requests whose Host is not a loopback name (DNS rebinding). */
  loopbackOnly: boolean;
}

function passwordOk(header: string | undefined, password: string): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1), 'utf8');
  const wanted = Buffer.from(password, 'utf8');
  const { timingSafeEqual } = process.getBuiltinModule('node:crypto');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function hostName(hostHeader: string | undefined): string {
  const host = hostHeader ?? '';
  const m = /^\[([^\]]*)\]/.exec(host);
  return m ? m[1]! : host.replace(/:\d+$/, '');
}

/** node:http listener for a router, with the guards, JSON errors and no secret in any answer. */
export function handlerFor(router: Router, guard: GuardOptions, log: Logger): RequestListener {
  return (req, res) => {
    void serve(req, res).catch((err: unknown) => {
      log.error(`HTTP ${req.method} ${(req.url ?? '').split('?')[0]}: ${describeError(err)}`);
      if (!res.headersSent) send(res, json({ error: 'internal error' }, 500), req.method === 'HEAD');
      else res.destroy();
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://service.invalid');
    const head = req.method === 'HEAD';
    if (guard.loopbackOnly && !isLoopback(hostName(req.headers.host))) {
      send(res, text('this service answers requests to a loopback address only (Host header)', 403), head);
      return;
    }
    if (guard.password !== undefined && !guard.open.includes(url.pathname) && !passwordOk(req.headers.authorization, guard.password)) {
      send(res, { ...text('password required', 401), headers: { 'WWW-Authenticate': 'Basic realm="PlexSync", charset="UTF-8"' } }, head);
      return;
    }
    const found = router.find(req.method ?? 'GET', url.pathname);
    if (typeof found === 'number') {
      send(res, json({ error: found === 404 ? 'no such page' : 'method not allowed' }, found), head);
      return;
    }
    if (req.method === 'POST') {
      // A page on another site can make a browser POST a form here; a JSON
      // content type cannot be sent cross-origin without a preflight we never answer.
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const origin = req.headers.origin;
      if (type !== 'application/json' || (origin !== undefined && hostName(new URL(origin).host) !== hostName(req.headers.host))) {
        send(res, json({ error: 'writes need Content-Type: application/json from this origin' }, 403), head);
        return;
      }
    }
    let reply: Reply;
    try {
      reply = await found.route({ req, url, params: found.params, json: () => readJson(req) });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply = json({ error: err.message }, err.status);
    }
    send(res, reply, head);
  }
}

function send(res: ServerResponse, reply: Reply, head: boolean) {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  res.writeHead(reply.status, {
    'Content-Type': reply.type ?? 'application/octet-stream',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    ...reply.headers,
  });
  res.end(head ? undefined : body);
}

export interface ListeningServer {
  name: string;
  /** e.g. http://127.0.0.1:9880 (the bound port when 0 was asked). */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function listen(name: string, host: string, port: number, handler: RequestListener): Promise<ListeningServer> {
  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 30_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`${name}: cannot listen on ${host}:${port} (${err.code ?? err.message})`)),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    name,
    url: `http://${shownHost}:${bound}`,
    port: bound,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
