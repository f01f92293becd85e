/**
 * Rate limits: a fixed-window counter per (action, key), e.g. ("vote", user id) or ("signin", address).
 *
 * Counters live in the memory of each web process: cheap (no write per vote) and enough for one
 * process. With several web processes each keeps its own counters, so the effective limit is up to
 * N times the configured one; that still stops floods, and the limits that must hold exactly (the
 * daily submission quota) are counted in the database by their own feature. Limits come from
 * PAPERBOY_RATE_LIMITS (src/config.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Config, RateLimitAction, RateLimitRule } from '../config.ts';
import { errorAnswer } from './routes/errors.tsx';
import type { AppDeps } from './deps.ts';

export type { RateLimitAction };

/** The outcome of one hit: allowed, or refused with the seconds until the window resets. */
export type RateLimitResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Window {
  start: number;
  count: number;
}

/** Fixed-window counters for every action, bounded in memory. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly rules: Readonly<Record<RateLimitAction, RateLimitRule>>,
    /** The clock, injectable for tests. */
    private readonly now: () => number = Date.now,
    /** Most keys remembered; past that, expired windows are swept, then the oldest dropped. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit of `action` by `key`; refused once the window's limit is reached (a refused hit is not counted). */
  hit(action: RateLimitAction, key: string): RateLimitResult {
    const rule = this.rules[action];
    if (!rule) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const now = this.now();
    const id = `${action}\u0000${key}`;
    let w = this.windows.get(id);
    if (!w || now - w.start >= rule.windowMs) {
      if (w) this.windows.delete(id);
      w = { start: now, count: 0 };
      this.remember(id, w, now);
    }
    if (w.count >= rule.limit) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + rule.windowMs - now) / 1000)) };
    w.count++;
    return { ok: true, remaining: rule.limit - w.count };
  }

  /** Forgets every counter (tests; an operator lifting limits at run time has no use for it yet). */
  reset(): void {
    this.windows.clear();
  }

  private remember(id: string, w: Window, now: number): void {
    if (this.windows.size >= this.maxKeys) {
      for (const [k, v] of this.windows) {
        const rule = this.rules[k.slice(0, k.indexOf('\u0000')) as RateLimitAction];
        if (!rule || now - v.start >= rule.windowMs) this.windows.delete(k);
      }
      // Still nearly full (a flood of distinct keys): drop the oldest tenth (Maps iterate in insertion
      // order), so the next sweep is maxKeys/10 inserts away and the cost stays amortised.
      const target = Math.floor(this.maxKeys * 0.9);
      for (const k of this.windows.keys()) {
        if (this.windows.size <= target) break;
        this.windows.delete(k);
      }
    }
    this.windows.set(id, w);
  }
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The app's rate limiter (set for every request by `useRateLimiter`). */
    rateLimiter: RateLimiter;
  }
}

/** Middleware that makes the app's limiter available to every route as `c.var.rateLimiter`. */
export function useRateLimiter(limiter: RateLimiter): MiddlewareHandler {
  return async (c, next) => {
    c.set('rateLimiter', limiter);
    await next();
  };
}

/**
 * The client's IP address: the socket's peer, or behind a reverse proxy (PAPERBOY_TRUST_PROXY=on)
 * the last X-Forwarded-For entry, the one our own proxy appended (earlier ones are client-supplied).
 */
export function clientIp(c: Context, config: Pick<Config, 'trustProxy'>): string {
  if (config.trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (last) return last;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** The 429 answer (JSON under /api, a page elsewhere) with Retry-After. */
export function tooManyRequests(c: Context, deps: AppDeps, retryAfterSeconds: number) {
  c.header('Retry-After', String(retryAfterSeconds));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} seconds` : `${minutes} minutes`;
  return errorAnswer(c, deps, 429, `Too many requests of this kind; please wait ${wait} and try again.`);
}

/**
 * Counts one `action` by `key` and returns the 429 answer when over the limit, else undefined.
 * Routes call it after validating input and before doing the work: `const r = checkRateLimit(…); if (r) return r;`
 */
export function checkRateLimit(c: Context, deps: AppDeps, action: RateLimitAction, key: string): Response | undefined {
  const result = c.var.rateLimiter.hit(action, key);
  if (result.ok) return undefined;
  deps.log.info({ action, path: c.req.path, retry_after: result.retryAfterSeconds }, 'rate limited');
  return tooManyRequests(c, deps, result.retryAfterSeconds);
}

/**
 * Middleware form: limits `action` per key, where `keyOf` picks the key (usually the signed-in
 * user's id: `rateLimited(deps, 'vote', (c) => String(c.var.user!.id))`, after requireUser). A null key skips.
 */
export function rateLimited(deps: AppDeps, action: RateLimitAction, keyOf: (c: Context) => string | null): MiddlewareHandler {
  return async (c, next) => {
    const key = keyOf(c);
    if (key !== null) {
      const refused = checkRateLimit(c, deps, action, key);
      if (refused) return refused;
    }
    await next();
  };
}
