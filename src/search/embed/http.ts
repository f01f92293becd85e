/**
 * The HTTP embedder: any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama,
 * text-embeddings-inference, vLLM, LocalAI). Requests are batched, time-limited and retried (network
 * errors, 5xx and 429 honouring Retry-After; never other 4xx), and every answer is checked before a
 * vector is trusted, so a misbehaving server gives a clear EmbedderError instead of bad vectors.
 */
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import { EmbedderError, normalize, type EmbedPurpose, type Embedder } from './embedder.ts';
import { withPurpose } from './prefixes.ts';

/** Attempts per request (the first one and two retries). */
const ATTEMPTS = 3;
/** A Retry-After longer than this fails the call now rather than holding a search or a job. */
const MAX_RETRY_AFTER_MS = 30_000;

/** Test seams: a fetch to use and the base of the exponential backoff between attempts. */
export interface HttpEmbedderOptions {
  fetch?: typeof fetch;
  backoffMs?: number;
}

/** Connects to the configured endpoint and probes the model's dimension; throws EmbedderError when it cannot. */
export async function createHttpEmbedder(cfg: Config['embedder'], log: Logger, o: HttpEmbedderOptions = {}): Promise<Embedder> {
  if (!cfg.url || !cfg.model) throw new EmbedderError('the http embedder needs PAPERBOY_EMBEDDER_URL and PAPERBOY_EMBEDDER_MODEL');
  const embedder = new HttpEmbedder(cfg, log, o);
  const [probe] = await embedder.embed(['dimension probe'], 'document');
  embedder.dim = probe!.length;
  log.info({ embedder: embedder.name, dim: embedder.dim, endpoint: embedder.endpointShown }, 'http embedder ready');
  return embedder;
}

class HttpEmbedder implements Embedder {
  readonly kind = 'http' as const;
  readonly name: string;
  dim = 0;
  private readonly model: string;
  private readonly endpoint: string;
  /** The endpoint without any credentials, for messages and logs. */
  readonly endpointShown: string;
  private readonly fetch: typeof fetch;
  private readonly backoffMs: number;
  private readonly basicAuth: string | undefined;

  constructor(
    private readonly cfg: Config['embedder'],
    private readonly log: Logger,
    o: HttpEmbedderOptions,
  ) {
    this.model = cfg.model!;
    this.name = `http:${this.model}`;
    const u = new URL(`${cfg.url!.replace(/\/+$/, '')}/embeddings`);
    // fetch refuses URLs with credentials: send them as Basic auth unless an API key is set.
    if (u.username || u.password) {
      this.basicAuth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
      u.username = '';
      u.password = '';
    }
    this.endpoint = u.toString();
    this.endpointShown = `${u.origin}${u.pathname}`;
    this.fetch = o.fetch ?? fetch;
    this.backoffMs = o.backoffMs ?? 500;
  }

  async embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    const input = withPurpose(this.model, texts, purpose);
    const batch = Math.max(1, this.cfg.batch);
    const out: Float32Array[] = [];
    for (let i = 0; i < input.length; i += batch) out.push(...(await this.request(input.slice(i, i + batch))));
    return out;
  }

  /** One batch, with retries. */
  private async request(input: string[]): Promise<Float32Array[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.cfg.apiKey) headers.authorization = `Bearer ${this.cfg.apiKey}`;
    else if (this.basicAuth) headers.authorization = `Basic ${this.basicAuth}`;
    const body = JSON.stringify({ model: this.model, input });
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: string | null = null;
      try {
        const res = await this.fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.cfg.timeoutMs) });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch (err) {
        const reason = isTimeout(err) ? `timed out after ${this.cfg.timeoutMs} ms` : describeNetworkError(err);
        if (attempt >= ATTEMPTS) throw new EmbedderError(`${this.name}: no answer from ${this.endpointShown} after ${ATTEMPTS} attempts (${reason})`);
        await this.pause(attempt, null, reason);
        continue;
      }
      if (status >= 200 && status < 300) return this.parse(text, input.length);
      const message = `${this.endpointShown} answered ${status}: ${errorMessage(text)}`;
      if (status !== 429 && status < 500) {
        const hint = status === 401 || status === 403 ? ' (check PAPERBOY_EMBEDDER_API_KEY)' : status === 404 ? ' (check PAPERBOY_EMBEDDER_URL and PAPERBOY_EMBEDDER_MODEL)' : '';
        throw new EmbedderError(`${this.name}: ${message}${hint}`);
      }
      if (attempt >= ATTEMPTS) throw new EmbedderError(`${this.name}: ${message} (after ${ATTEMPTS} attempts)`);
      await this.pause(attempt, retryAfter, message);
    }
  }

  /** Waits before the next attempt: the server's Retry-After when it gave one, else exponential backoff. */
  private async pause(attempt: number, retryAfter: string | null, reason: string): Promise<void> {
    const asked = parseRetryAfter(retryAfter);
    if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
      throw new EmbedderError(`${this.name}: ${reason}; the server asks to wait ${Math.round(asked / 1000)} s, longer than we hold a request`);
    }
    const ms = asked ?? this.backoffMs * 2 ** (attempt - 1);
    this.log.warn({ embedder: this.name, attempt, wait_ms: ms, reason }, 'embedding request failed, retrying');
    await new Promise((r) => setTimeout(r, ms));
  }

  /** Checks an answer thoroughly: a wrong count, order or dimension would silently corrupt search. */
  private parse(text: string, count: number): Float32Array[] {
    const fail = (why: string): never => {
      throw new EmbedderError(`${this.name}: ${this.endpointShown} gave an unusable answer: ${why}`);
    };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(`not JSON (${snippet(text)})`);
    }
    const data = (json as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) return fail('no "data" array (is this an OpenAI-compatible /embeddings endpoint?)');
    if (data.length !== count) return fail(`${data.length} embeddings for ${count} texts`);
    const withIndex = data.some((d) => (d as { index?: unknown })?.index !== undefined);
    const out: Array<Float32Array | undefined> = new Array(count);
    data.forEach((item, pos) => {
      const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
      const at = withIndex ? index : pos;
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= count || out[at]) {
        fail(`item ${pos} has a missing, out-of-range or repeated index (${JSON.stringify(index)})`);
      }
      if (!Array.isArray(embedding) || embedding.length === 0) return fail(`item ${pos} has no embedding array`);
      if (!embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) return fail(`item ${pos} has non-numeric or non-finite values`);
      const expected = this.dim || out.find((v) => v)?.length || embedding.length;
      if (embedding.length !== expected) return fail(`item ${pos} has ${embedding.length} dimensions, expected ${expected}`);
      out[at as number] = normalize(Float32Array.from(embedding as number[]));
    });
    return out as Float32Array[];
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** fetch's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function describeNetworkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The server's own error text: OpenAI `{error: {message}}`, TEI `{error: "…"}`, or the body. */
function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === 'string' && m) return snippet(m);
  } catch {
    // not JSON: show the body itself
  }
  return snippet(text) || '(empty body)';
}

function snippet(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one;
}
