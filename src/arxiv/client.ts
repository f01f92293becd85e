/**
 * The polite HTTP client every arXiv (and Hugging Face) request goes through: one request at a time per
 * host with a pause of `delayMs` between two of them, a descriptive User-Agent, a time limit per attempt
 * (body included), a size cap, retries with exponential backoff, Retry-After on 503/429, conditional GET.
 *
 * Built on Node's global fetch (undici) rather than node:http because it gives us, without code of our
 * own: the WHATWG `Headers` the contract returns, transparent gzip/deflate/br decoding (so the size cap
 * counts decoded bytes, which also guards against compression bombs), AbortSignal cancellation of both
 * the connection and the body, redirects (http -> https), and an error when a body ends before its
 * Content-Length. It needs no dependency.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export interface ArxivClientOptions {
  delayMs: number;
  timeoutMs: number;
  /** Build with userAgent(config). */
  userAgent: string;
  /** Default 50 MiB; larger bodies fail with a clear error. */
  maxBytes?: number;
  /** Default 4 (network errors, timeouts, 5xx, 429, truncated bodies). */
  retries?: number;
  /** First backoff, doubled each retry; default 5000. */
  backoffMs?: number;
  /** Cap on honoured Retry-After, default 10 min: a longer one is waited for this long, then retried. */
  maxRetryAfterMs?: number;
  log?: Logger;
  /** Every wait (politeness, backoff, Retry-After) goes through it; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A 2xx or 304 reply, body read in full (empty for 304). `url` is the final URL after redirects. */
export interface FetchResult {
  status: number;
  body: string;
  headers: Headers;
  notModified: boolean;
  url: string;
}

/** A non-retryable reply (4xx other than 429, a body over the size cap) or retries exhausted. */
export class ArxivHttpError extends Error {
  override name = 'ArxivHttpError';
  constructor(
    message: string,
    /** HTTP status of the last reply; null when no reply came (network error, timeout). */
    public status: number | null,
    public url: string,
    /** Body of the error reply (e.g. the arXiv API's error feed for a 400), when there was one. */
    public body?: string,
  ) {
    super(message);
  }
}

/** The client: see createArxivClient. */
export interface ArxivClient {
  /**
   * GET with per-host politeness (at most one request per delayMs per host, across concurrent callers),
   * retries, Retry-After on 503 (and 429), size cap, timeout. `validators` send If-None-Match /
   * If-Modified-Since; a 304 returns notModified: true with an empty body. Returns 2xx/304; other 4xx
   * throw ArxivHttpError without retry. An aborted `signal` rejects with its reason at once.
   */
  get(
    url: string,
    o?: { validators?: { etag?: string | null; lastModified?: string | null }; signal?: AbortSignal },
  ): Promise<FetchResult>;
}

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
const DEFAULT_RETRIES = 4;
const DEFAULT_BACKOFF_MS = 5000;
const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/** Thrown inside one attempt for a failure worth retrying (network error, timeout, 5xx, truncated body). */
class RetryableError extends Error {
  constructor(
    message: string,
    public status: number | null,
    /** Server-requested wait (Retry-After), already capped; null: use the backoff. */
    public waitMs: number | null = null,
    public body?: string,
  ) {
    super(message);
  }
}

/**
 * One gate per host and client: one request in flight at a time (arXiv asks for a single connection)
 * and a pause between two. Per client, not per process, so that tests stay independent; a process
 * that wants one politeness budget per host shares one client between its jobs.
 */
class HostGate {
  /** performance.now() before which the next request must not start. */
  notBefore = 0;
  private locked = false;
  private waiters: Array<() => void> = [];

  /** Waits (FIFO) until no other request to this host is in flight; leaves the queue on abort. */
  async lock(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== grant);
        reject(signal!.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the host to the next waiter, or frees it. */
  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** Default sleep: rejects with the signal's reason when aborted. */
async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return signal?.throwIfAborted();
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The message of a network error, with undici's cause ("fetch failed" alone says nothing). */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const top = e.message ?? String(err);
  if (!e.cause) return top;
  const why = [e.cause.message, e.cause.code].filter(Boolean);
  return why.length ? `${top}: ${why.join(' ')}` : top;
}

/** Creates a client; see ArxivClient.get. */
export function createArxivClient(o: ArxivClientOptions): ArxivClient {
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const retries = o.retries ?? DEFAULT_RETRIES;
  const backoffMs = o.backoffMs ?? DEFAULT_BACKOFF_MS;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const sleep = o.sleep ?? defaultSleep;
  const gates = new Map<string, HostGate>();

  function gateFor(url: URL): HostGate {
    let g = gates.get(url.host);
    if (!g) gates.set(url.host, (g = new HostGate()));
    return g;
  }

  /** One attempt, holding the host: waits its turn and the pause, sends, reads the whole body. */
  async function attempt(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<FetchResult> {
    const gate = gateFor(url);
    await gate.lock(signal);
    try {
      const wait = gate.notBefore - performance.now();
      if (wait > 0) await sleep(wait, signal);
      return await send(url, headers, signal);
    } finally {
      // The pause counts from the end of this request: "a pause between two requests".
      gate.notBefore = Math.max(gate.notBefore, performance.now() + o.delayMs);
      gate.unlock();
    }
  }

  async function send(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<FetchResult> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('timeout')), o.timeoutMs);
    const onAbort = () => ac.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const href = url.href;
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: ac.signal, redirect: 'follow' });
      } catch (err) {
        throw networkError(err, href, 'request', ac, signal);
      }
      if (res.status === 304) {
        await res.body?.cancel().catch(() => {});
        return { status: 304, body: '', headers: res.headers, notModified: true, url: res.url || href };
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes && !res.headers.get('content-encoding')) {
        await res.body?.cancel().catch(() => {});
        throw new ArxivHttpError(`GET ${href}: response of ${declared} bytes is over the ${maxBytes}-byte limit`, res.status, href);
      }
      let body: string;
      let bytes: number;
      try {
        ({ body, bytes } = await readCapped(res, maxBytes, href));
      } catch (err) {
        if (err instanceof ArxivHttpError) {
          ac.abort(); // stop the transfer: we will not read more
          throw err;
        }
        throw networkError(err, href, 'body', ac, signal);
      }
      if (res.status >= 200 && res.status < 300) {
        // undici reports a body cut short of its Content-Length; this double-checks uncompressed bodies.
        if (Number.isFinite(declared) && res.headers.has('content-length') && !res.headers.get('content-encoding')) {
          if (bytes < declared) throw new RetryableError(`GET ${href}: truncated body (${bytes} of ${declared} bytes)`, res.status);
        }
        return { status: res.status, body, headers: res.headers, notModified: false, url: res.url || href };
      }
      if (res.status === 429 || res.status >= 500) {
        const ra = parseRetryAfter(res.headers.get('retry-after'));
        if (ra !== null && ra > maxRetryAfterMs) {
          o.log?.warn({ url: href, retry_after_ms: ra, cap_ms: maxRetryAfterMs }, 'arXiv Retry-After over the cap; waiting the cap');
        }
        const waitMs = ra === null ? null : Math.min(ra, maxRetryAfterMs);
        throw new RetryableError(`GET ${href}: HTTP ${res.status}`, res.status, waitMs, body);
      }
      // Other statuses (4xx, and 1xx/3xx that fetch did not resolve) are answers, not accidents.
      // The body stays on the error: the arXiv API explains a 400 in an Atom error entry.
      throw new ArxivHttpError(`GET ${href}: HTTP ${res.status} ${res.statusText}`.trimEnd(), res.status, href, body);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A failed connection or body read: the caller's abort as is, else a retryable error naming why. */
  function networkError(err: unknown, href: string, where: 'request' | 'body', ac: AbortController, signal?: AbortSignal): unknown {
    if (signal?.aborted) return signal.reason;
    if (ac.signal.aborted) return new RetryableError(`GET ${href}: timed out after ${o.timeoutMs} ms`, null);
    const what = where === 'body' ? 'connection lost while reading the body' : 'network error';
    return new RetryableError(`GET ${href}: ${what}: ${describe(err)}`, null);
  }

  return {
    async get(rawUrl, opts = {}) {
      const { signal, validators } = opts;
      const url = new URL(rawUrl);
      const headers: Record<string, string> = { 'user-agent': o.userAgent, accept: '*/*' };
      if (validators?.etag) headers['if-none-match'] = validators.etag;
      if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
      let last: RetryableError | null = null;
      for (let i = 0; i <= retries; i++) {
        if (last) {
          const wait = last.waitMs ?? backoffMs * 2 ** (i - 1);
          if (last.waitMs !== null) {
            // The server asked every client to hold off: the whole host waits, not only this caller.
            const gate = gateFor(url);
            gate.notBefore = Math.max(gate.notBefore, performance.now() + wait);
          }
          o.log?.warn({ url: url.href, attempt: i + 1, wait_ms: wait, err: last.message }, 'arXiv request failed; retrying');
          await sleep(wait, signal);
        }
        try {
          const r = await attempt(url, headers, signal);
          o.log?.debug({ url: url.href, status: r.status, bytes: r.body.length }, 'arXiv request');
          return r;
        } catch (err) {
          if (!(err instanceof RetryableError)) throw err;
          last = err;
        }
      }
      const attempts = retries + 1;
      throw new ArxivHttpError(
        `${last!.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
        last!.status,
        url.href,
        last!.body,
      );
    },
  };
}

/** Reads the body as UTF-8, failing as soon as it passes maxBytes (never buffers more than that). */
async function readCapped(res: Response, maxBytes: number, href: string): Promise<{ body: string; bytes: number }> {
  if (!res.body) return { body: '', bytes: 0 };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ArxivHttpError(`GET ${href}: response is over the ${maxBytes}-byte limit`, res.status, href);
    }
    chunks.push(value);
  }
  return { body: Buffer.concat(chunks, total).toString('utf8'), bytes: total };
}

const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0';
  } catch {
    return '0';
  }
})();

/** "Paperboy/<version> (+<baseUrl>; mailto:<contact>)"; without a contact, the site URL alone identifies us. */
export function userAgent(config: Config): string {
  const parts = [`+${config.baseUrl}`];
  if (config.contactEmail) parts.push(`mailto:${config.contactEmail}`);
  return `Paperboy/${VERSION} (${parts.join('; ')})`;
}

/** A client with the configured delay, timeout and User-Agent (other options at their defaults). */
export function clientFromConfig(config: Config, log?: Logger): ArxivClient {
  return createArxivClient({
    delayMs: config.arxiv.delayMs,
    timeoutMs: config.arxiv.timeoutMs,
    userAgent: userAgent(config),
    ...(log ? { log } : {}),
  });
}
