/**
 * A small in-memory cache of rendered anonymous pages, keyed by path and query string.
 *
 * Why: the daily page is the most requested page and changes only when entries or votes change;
 * serving it from memory for a few seconds keeps throughput high without touching the database or
 * re-rendering. Staleness is bounded by the TTL, so a vote shows up within that many seconds.
 * The TTL comes from `AppDeps.pageCacheTtlMs` (0 or absent disables caching, which is what tests
 * use so they see rows they insert between requests; `paperboy serve` sets 5 s).
 * Only 200 answers are cached. While one request re-renders an expired page, concurrent requests
 * get the previous copy instead of all rendering it at once. Requests that carry a session cookie
 * (signed-in readers; see web/auth.ts) bypass the cache both ways, and an answer marked `uncacheable`
 * (it set a cookie, e.g. a CSRF anchor) is not stored.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { hasSessionCookie } from './auth.ts';

/** A rendered HTML page and its status. */
export interface Page {
  status: ContentfulStatusCode;
  html: string;
}

interface Cached {
  status: ContentfulStatusCode;
  /** UTF-8 bytes, encoded once instead of on every hit. */
  body: Uint8Array;
  expires: number;
  refreshing: boolean;
}

const encoder = new TextEncoder();

/** A TTL cache of rendered pages with a bound on the number of entries. */
export class PageCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  /** Serves `c` from the cache, or builds the answer; a Page with status 200 is remembered. */
  async serve(c: Context, build: () => Promise<Page | Response>): Promise<Response> {
    if (this.ttlMs <= 0 || hasSessionCookie(c)) return toResponse(c, await build());
    const url = new URL(c.req.url);
    const key = url.pathname + url.search;
    const hit = this.entries.get(key);
    if (hit && (hit.expires > Date.now() || hit.refreshing)) return cachedResponse(c, hit);
    if (hit) hit.refreshing = true;
    let built: Page | Response;
    try {
      built = await build();
    } finally {
      if (hit) hit.refreshing = false;
    }
    if (built instanceof Response) return built;
    if (built.status !== 200 || c.var.uncacheable) return toResponse(c, built);
    const entry: Cached = { status: built.status, body: encoder.encode(built.html), expires: Date.now() + this.ttlMs, refreshing: false };
    this.entries.delete(key);
    // Maps iterate in insertion order, so the first key is the oldest: drop it when full.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
    return cachedResponse(c, entry);
  }
}

function cachedResponse(c: Context, e: Cached): Response {
  return c.body(e.body as Uint8Array<ArrayBuffer>, e.status, { 'Content-Type': 'text/html; charset=UTF-8' });
}

function toResponse(c: Context, p: Page | Response): Response {
  return p instanceof Response ? p : c.html(p.html, p.status);
}
