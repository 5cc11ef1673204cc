// One HTTP exchange over node:http or node:https, shared by the Plex and
// Stash transports. Not fetch: fetch loads undici (its WebAssembly parser,
// web streams), some 14 MB of resident memory in every process that calls it,
// which is a quarter of what the worker may use (docs/benchmarks.md).
import type http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpExchange {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string | undefined;
  /** undefined: node's global agent (keep-alive, idle sockets unreferenced). */
  agent?: http.Agent | undefined;
  signal: AbortSignal;
}

/**
 * node:http and node:https come through getBuiltinModule, not a static import:
 * an ESM import of node:http builds its export facade, which evaluates the lazy
 * getters that load undici (tens of ms). The bundle is one file, so a static
 * import here would cost every hook process that time, though hooks send no
 * HTTP at all.
 */
export const httpLib = (secure: boolean) => (secure ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http'));

/** Sends one request and reads the whole answer; a body cut off before its end is an `ECUTOFF` error. */
export function exchange(url: URL, req: HttpExchange): Promise<HttpAnswer> {
  const lib = httpLib(url.protocol === 'https:');
  const headers: Record<string, string | number> = { ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body);
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = lib.request(url, { method: req.method, headers, signal: req.signal, ...(req.agent ? { agent: req.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        // A connection closed before Content-Length bytes arrived still ends
        // the stream on some Node versions; `complete` tells the truth.
        if (!res.complete) {
          reject(Object.assign(new Error('response body cut off'), { code: 'ECUTOFF' }));
          return;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error('response body cut off'), { code: 'ECUTOFF' }));
      });
    });
    request.on('error', reject);
    request.end(req.body);
  });
}
