/**
 * A local node:http server speaking the OpenAI embeddings API (`POST /v1/embeddings`), for the HTTP
 * embedder's tests. By default it answers like OpenAI: one deterministic, not-normalised vector per
 * input with its index; a required API key gives OpenAI's 401 error. Tests script misbehaviour for the
 * next requests with `server.next(...)`: an error status (with Retry-After), a hang, malformed JSON,
 * a wrong count or dimension, shuffled or repeated indexes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';

/** What the server does with one request instead of answering normally. */
export type Misbehaviour =
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'hang'
  | 'malformed-json'
  | 'no-data'
  | 'one-missing'
  | 'wrong-dim'
  | 'non-numeric'
  | 'reversed'
  | 'repeated-index';

/** A request as the server saw it. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  body: { model?: unknown; input?: unknown };
}

/** The running server. */
export interface EmbeddingsServer {
  /** Base URL to configure (ends in /v1; the client appends /embeddings). */
  url: string;
  requests: SeenRequest[];
  /** Queues misbehaviours, one per coming request; then it answers normally again. */
  next(...steps: Misbehaviour[]): void;
  close(): Promise<void>;
}

/** The vector the server gives a text: deterministic, length `dim`, deliberately not unit length. */
export function serverVector(text: string, dim: number): number[] {
  const h = createHash('sha256').update(text).digest();
  return Array.from({ length: dim }, (_, i) => ((h[i % h.length]! - 128) / 32) * (1 + i / dim));
}

/** Starts the server on a free loopback port. */
export async function startEmbeddingsServer(o: { dim?: number; apiKey?: string } = {}): Promise<EmbeddingsServer> {
  const dim = o.dim ?? 8;
  const queue: Misbehaviour[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    readBody(req).then((raw) => handle(req, res, raw));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: SeenRequest['body'] = {};
    try {
      body = JSON.parse(raw) as SeenRequest['body'];
    } catch {
      // recorded as empty; answered 400 below
    }
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(res, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
    if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const step = queue.shift();
    if (step === 'hang') return; // never answers; the socket is destroyed on close()
    if (typeof step === 'object') {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      return void res.end(step.body ?? JSON.stringify({ error: { message: `scripted ${step.status}`, type: 'server_error' } }));
    }
    const input = body.input;
    if (typeof body.model !== 'string' || !Array.isArray(input) || !input.every((t) => typeof t === 'string')) {
      return send(res, 400, { error: { message: "'input' must be a string array and 'model' a string", type: 'invalid_request_error' } });
    }
    if (step === 'malformed-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"object": "list", "data": [');
    }
    if (step === 'no-data') return send(res, 200, { object: 'list', results: [] });
    let data: Array<{ object: string; index: number; embedding: unknown[] }> = input.map((text: string, index) => ({
      object: 'embedding',
      index,
      embedding: serverVector(text, dim),
    }));
    if (step === 'one-missing') data = data.slice(1);
    if (step === 'wrong-dim') data[data.length - 1]!.embedding.pop();
    if (step === 'non-numeric') data[0]!.embedding[0] = 'NaN';
    if (step === 'reversed') data.reverse();
    if (step === 'repeated-index' && data.length > 1) data[1]!.index = 0;
    send(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    next: (...steps) => void queue.push(...steps),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
