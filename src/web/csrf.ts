/**
 * Cross-site request forgery protection for every state-changing browser request.
 *
 * Tokens are signed, not stored: HMAC(site key, session id) for a signed-in browser, so the token
 * dies with the session; for a browser without a session (the sign-in form), HMAC(site key, a random
 * `pb_csrf` cookie) set when a form first needs it. A POST/PUT/PATCH/DELETE must carry the token in
 * the `_csrf` form field or the `X-CSRF-Token` header, and its Origin, when sent, must be this site.
 * Exempt: requests authenticated by an API token (cookies play no part there), and /api/* requests
 * that carry no session cookie at all (nothing ambient to abuse; the route answers 401 itself).
 *
 * Forms on anonymous pages that the page cache keeps must not include the field (it would be bound to
 * the first visitor's cookie); `csrfToken` marks such answers `uncacheable` so the cache skips them.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { tryGetContext } from 'hono/context-storage';
import { jsx } from 'hono/jsx';
import { randomToken } from '../store/tokens.ts';
import { hasSessionCookie } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { errorAnswer } from './routes/errors.tsx';
import { loadSecret, sign, verifySignature } from './secret.ts';

/** Form field that carries the token. */
export const CSRF_FIELD = '_csrf';
/** Header that carries the token (for scripts posting JSON with the session cookie). */
export const CSRF_HEADER = 'X-CSRF-Token';
/** Cookie that anchors tokens of browsers without a session. */
export const ANON_CSRF_COOKIE = 'pb_csrf';

const PURPOSE = 'csrf';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'hono' {
  interface ContextVariableMap {
    /** The site's signing key, loaded by `csrfProtection`. */
    signingKey: Buffer;
    /** Cookies get the Secure flag (the base URL is https). */
    secureCookies: boolean;
  }
}

function binding(sessionId: string | null, anon: string | undefined): string | null {
  if (sessionId) return `s:${sessionId}`;
  if (anon) return `a:${anon}`;
  return null;
}

/**
 * This request's CSRF token, for a hidden form field or a `data-` attribute. For a browser without a
 * session it sets the anchoring cookie on first use (and marks the answer uncacheable).
 */
export function csrfToken(c: Context): string {
  const known = c.var.csrfToken;
  if (known) return known;
  if (!c.var.signingKey) throw new Error('csrfToken() needs the signing key, which could not be loaded (database unavailable?)');
  let anon = getCookie(c, ANON_CSRF_COOKIE);
  if (!anon || !/^[A-Za-z0-9_-]{22,64}$/.test(anon)) {
    anon = randomToken(16);
    setCookie(c, ANON_CSRF_COOKIE, anon, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: c.var.secureCookies === true,
    });
  }
  c.set('uncacheable', true);
  const token = sign(c.var.signingKey, PURPOSE, binding(c.var.sessionId, anon)!);
  c.set('csrfToken', token);
  return token;
}

/**
 * The hidden `<input name="_csrf">` every state-changing form includes: `{csrfField(c)}` in JSX. Without
 * an argument it uses the current request (needs the app's context storage, which createApp installs).
 */
export function csrfField(c?: Context) {
  const ctx = c ?? tryGetContext();
  if (!ctx) throw new Error('csrfField() outside a request: pass the Context');
  return jsx('input', { type: 'hidden', name: CSRF_FIELD, value: csrfToken(ctx) });
}

/** The origins this site answers as: the configured base URL's and the request's own. */
function allowedOrigins(c: Context, deps: AppDeps): Set<string> {
  const origins = new Set([new URL(c.req.url).origin]);
  try {
    origins.add(new URL(deps.config.baseUrl).origin);
  } catch {
    // A base URL that is not a URL was refused by config; nothing to add.
  }
  return origins;
}

async function presentedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  try {
    // Hono caches the parsed body, so the route reading the form afterwards gets the same one.
    const body = await c.req.parseBody();
    const v = body[CSRF_FIELD];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function forbidden(c: Context, deps: AppDeps, why: string) {
  deps.log.warn({ method: c.req.method, path: c.req.path, reason: why }, 'csrf check failed');
  return errorAnswer(
    c,
    deps,
    403,
    'This form could not be accepted: it has expired or did not come from this site. Go back, reload the page and try again.',
  );
}

/**
 * Middleware (after `authenticate`): loads the signing key, precomputes the token of signed-in
 * browsers, and refuses unsafe requests without a valid token or from another origin (403 page).
 */
export function csrfProtection(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    const unsafe = UNSAFE_METHODS.has(c.req.method);
    let key: Buffer;
    try {
      key = await loadSecret(deps.db, deps.config);
    } catch (err) {
      // Reading the key needs the database once per process; a plain anonymous read (a cached page,
      // /healthz) must not fail on that during an outage. csrfToken() then throws if a page asks for it.
      if (unsafe || c.var.sessionId) throw err;
      return next();
    }
    c.set('signingKey', key);
    c.set('secureCookies', deps.config.baseUrl.startsWith('https:'));
    const sessionId = c.var.sessionId;
    if (sessionId) c.set('csrfToken', sign(key, PURPOSE, binding(sessionId, undefined)!));
    if (!unsafe || c.var.authVia === 'token') return next();
    if (c.req.path.startsWith('/api/') && !hasSessionCookie(c)) return next();
    // RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` to the URL of the
    // List-Unsubscribe header with no cookie, token or Origin of ours. The URL's signed token (bound to
    // the subscription and its address, src/digest/tokens.ts) is the credential, so a forged cross-site
    // request needs that secret anyway; unsubscribing is also the only thing the route can do.
    if (c.req.method === 'POST' && c.req.path === '/unsubscribe') return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowedOrigins(c, deps).has(origin)) return forbidden(c, deps, `origin ${origin.slice(0, 100)}`);
    const expected = binding(sessionId, getCookie(c, ANON_CSRF_COOKIE));
    const token = await presentedToken(c);
    if (!expected || !token) return forbidden(c, deps, token ? 'no session or csrf cookie' : 'missing token');
    if (!verifySignature(key, PURPOSE, expected, token)) return forbidden(c, deps, 'wrong token');
    return next();
  };
}
