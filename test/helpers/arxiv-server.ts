/**
 * A local HTTP server that stands in for arXiv (and Hugging Face) in tests: it replays recorded bodies
 * by route and injects faults (503 with Retry-After, connection resets, hangs, truncated bodies,
 * malformed XML), and logs every request with its arrival time.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';

/** A fault for the next `times` (default 1) matching requests. */
export interface Fault {
  /**
   * status503: a 503 (with `Retry-After: retryAfter` seconds when given); reset: the socket is destroyed
   * before any response; hang: no answer ever (until close()); truncate: headers with the full
   * Content-Length, half the body, then the socket is destroyed; malformed: a complete reply whose body
   * is the first half of the real one (so XML is broken but HTTP is fine).
   */
  kind: 'status503' | 'reset' | 'hang' | 'truncate' | 'malformed';
  retryAfter?: number;
  times?: number;
}

/** A reply: body as text or bytes, or a stream (piped with backpressure; for endless bodies). */
export interface Reply {
  status?: number;
  body: string | Buffer | Readable;
  headers?: Record<string, string>;
}

/** Builds a reply from the request, e.g. to pick an OAI page by `resumptionToken`. */
export type ReplyFn = (u: URL, req: IncomingMessage) => Reply | Promise<Reply>;

/** One request seen by the server. */
export interface SeenRequest {
  url: URL;
  /** performance.now() when the request arrived. */
  at: number;
  headers: IncomingHttpHeaders;
}

export interface ReplayServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Adds a route; the most recently added matching route answers (so a test can override a default); 404 if none. */
  route(match: (u: URL) => boolean, reply: Reply | ReplyFn): void;
  /** The next `times` (default 1) matching requests get this fault instead of the reply; faults are tried in the order added. */
  fault(match: (u: URL) => boolean, f: Fault): void;
  /** Every request seen, in arrival order. */
  requests: SeenRequest[];
  /** Stops the server and destroys every open socket (hung ones included), so tests never hang. */
  close(): Promise<void>;
}

/** Reads testdata/arxiv/<path> as text. */
export function recording(path: string): string {
  return readFileSync(new URL(`../../testdata/arxiv/${path}`, import.meta.url), 'utf8');
}

/** Headers the server sets itself: a recorded value would contradict the body we actually send. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive']);

/**
 * The exchanges of a nock recording (the paperhive `.json` files: [{status, response, rawHeaders}])
 * as replies, with their real headers (Retry-After, Content-Type, ...) minus the hop-by-hop ones.
 */
export function nockReplies(path: string): Reply[] {
  const exchanges = JSON.parse(recording(path)) as Array<{ status: number; response: string; rawHeaders?: string[] }>;
  return exchanges.map((x) => {
    const headers: Record<string, string> = {};
    const raw = x.rawHeaders ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = raw[i + 1]!;
    }
    return { status: x.status, body: x.response, headers };
  });
}

/** A reply function that gives each reply once, in order, then keeps repeating the last one. */
export function sequence(replies: Reply[]): ReplyFn {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}

/** Starts a server on 127.0.0.1 with a free port. */
export async function startReplayServer(): Promise<ReplayServer> {
  const routes: Array<{ match: (u: URL) => boolean; reply: Reply | ReplyFn }> = [];
  const faults: Array<{ match: (u: URL) => boolean; f: Fault; left: number }> = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let base = '';

  async function replyFor(u: URL, req: IncomingMessage): Promise<Reply> {
    const r = routes.findLast((x) => x.match(u));
    if (!r) return { status: 404, body: `no route for ${u.pathname}${u.search}\n`, headers: { 'content-type': 'text/plain' } };
    return typeof r.reply === 'function' ? await r.reply(u, req) : r.reply;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', base);
    requests.push({ url: u, at: performance.now(), headers: req.headers });
    const fault = faults.find((x) => x.left > 0 && x.match(u));
    if (fault) fault.left--;
    const kind = fault?.f.kind;

    if (kind === 'reset') return void req.socket.destroy();
    if (kind === 'hang') return; // the socket stays open until the client gives up or close()
    if (kind === 'status503') {
      const retry = fault!.f.retryAfter;
      const body = `<html><body>\n<h1>Retry after ${retry ?? 'a while'}</h1>\n</body></html>\n`;
      const headers: Record<string, string> = { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) };
      if (retry !== undefined) headers['retry-after'] = String(retry);
      res.writeHead(503, headers).end(body);
      return;
    }

    const reply = await replyFor(u, req);
    const headers = { ...reply.headers };
    if (reply.body instanceof Readable) {
      if (kind) throw new Error(`fault ${kind} needs a text or Buffer body`);
      res.writeHead(reply.status ?? 200, headers);
      reply.body.on('error', () => res.destroy());
      res.on('close', () => (reply.body as Readable).destroy());
      reply.body.pipe(res);
      return;
    }
    const full = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8');
    const half = full.subarray(0, Math.floor(full.length / 2));
    if (kind === 'truncate') {
      res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(full.length) });
      // Let the half body reach the client before the socket goes, so this is a mid-body cut.
      res.write(half, () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    const body = kind === 'malformed' ? half : full;
    res.writeHead(reply.status ?? 200, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`replay server: ${err.message}\n`);
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    route(match, reply) {
      routes.push({ match, reply });
    },
    fault(match, f) {
      faults.push({ match, f, left: f.times ?? 1 });
    },
    requests,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
