// The provider's HTTP surface, at the root of its own port. Plex sends no
// credentials to a provider, so everything here is read-only scene
// metadata and images: no settings, no queue, no writes, no secrets.
// Every failure is a short JSON answer, never a stack trace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorCode, isTransient } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { StashClient } from '../stash/client.ts';
import {
  type Answer,
  collectionAnswer,
  collectionChildrenAnswer,
  container,
  type HandlerDeps,
  imagesAnswer,
  matchAnswer,
  metadataAnswer,
  paging,
} from './handlers.ts';
import { fetchStashImage, type ImageKind } from './images.ts';
import { manifest } from './manifest.ts';
import type { MetadataOptions } from './metadata.ts';

export interface RouterDeps extends HandlerDeps {
  stash: StashClient;
  /** The provider's URL as Plex reaches it; undefined: taken from each request's Host. */
  publicUrl: string | undefined;
  log: Logger;
}

/** A match body is a few hundred bytes; anything past this is not Plex. */
const MAX_BODY = 64 * 1024;
/** Stash ids are integers; anything else cannot name a scene. */
const ID = '(\\d{1,18})';
const ROUTES = {
  metadata: new RegExp(`^/library/metadata/${ID}$`),
  images: new RegExp(`^/library/metadata/${ID}/images$`),
  extras: new RegExp(`^/library/metadata/${ID}/extras$`),
  collection: new RegExp(`^/library/collections/${ID}$`),
  children: new RegExp(`^/library/collections/${ID}/children$`),
  image: new RegExp(`^/images/(scene|performer|group)/${ID}$`),
};

class BadRequest extends Error {}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : text);
}

function sendAnswer(res: ServerResponse, answer: Answer, head: boolean): void {
  if (answer.status === 200) sendJson(res, 200, answer.body, head);
  else sendJson(res, answer.status, { error: answer.message }, head);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw new BadRequest('the match request needs a JSON body');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('the match request body is not JSON');
  }
}

/** Only a plain host[:port] is echoed into URLs Plex stores. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function baseUrl(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const host = req.headers.host ?? '';
  if (!HOST_HEADER.test(host)) throw new BadRequest('missing or malformed Host header');
  return `http://${host}`;
}

export function providerHandler(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://provider.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const isGet = method === 'GET' || head;
    const { contentRating, titleTemplate } = deps.settings();
    const options: MetadataOptions = { baseUrl: baseUrl(req, deps.publicUrl), contentRating, titleTemplate };
    let m: RegExpExecArray | null;

    if (path === '/library/metadata/matches') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      return sendAnswer(res, await matchAnswer(await readJson(req), deps, options), false);
    }
    if (!isGet) return methodNotAllowed(res, 'GET, HEAD');
    if (path === '/') return sendJson(res, 200, manifest(), head);
    if ((m = ROUTES.metadata.exec(path))) return sendAnswer(res, await metadataAnswer(m[1]!, deps, options), head);
    if ((m = ROUTES.images.exec(path))) return sendAnswer(res, await imagesAnswer(m[1]!, deps, options), head);
    // Plex asks every item for extras; Stash has none to give.
    if (ROUTES.extras.test(path)) return sendJson(res, 200, container([]), head);
    if ((m = ROUTES.collection.exec(path))) return sendAnswer(res, await collectionAnswer(m[1]!, deps, options), head);
    if ((m = ROUTES.children.exec(path))) {
      const page = paging((name) => header(req, name) ?? url.searchParams.get(name) ?? undefined);
      if (!page) throw new BadRequest('X-Plex-Container-Start and X-Plex-Container-Size must be whole numbers');
      return sendAnswer(res, await collectionChildrenAnswer(m[1]!, page, deps, options), head);
    }
    if ((m = ROUTES.image.exec(path))) {
      const image = await fetchStashImage(deps.stash, m[1] as ImageKind, m[2]!, url.searchParams.get('t') ?? undefined);
      if (image.status === 404) return sendJson(res, 404, { error: 'no such image' }, head);
      res.writeHead(200, { 'Content-Type': image.contentType, 'Content-Length': image.bytes.length, 'Cache-Control': 'public, max-age=86400' });
      res.end(head ? undefined : image.bytes);
      return;
    }
    sendJson(res, 404, { error: 'not found' }, head);
  };

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BadRequest) {
        sendJson(res, 400, { error: err.message }, false);
        return;
      }
      // Stash down or refusing us: Plex retries later. The detail goes to
      // our log (redacted there), not to whoever asked.
      const code = errorCode(err);
      deps.log.warn(`provider: ${req.method} ${(req.url ?? '').split('?')[0]} failed: ${err instanceof Error ? err.message : String(err)}`);
      sendJson(res, isTransient(err) ? 503 : 500, { error: code === 'stash_auth' ? 'Stash refused the provider (check the API key)' : 'Stash did not answer' }, false);
    });
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendJson(res, 405, { error: 'method not allowed' }, false);
}
