/**
 * Who is asking: the signed-in user from the session cookie, or from a personal API token
 * (`Authorization: Bearer pb_…`), plus the guards routes put in front of writes.
 *
 * A request with an Authorization header is authenticated by it alone (cookies are ignored), which is
 * what exempts API calls from CSRF checks: a browser never adds that header on its own.
 * A refused token (malformed, forged, revoked, banned user) is answered 401 JSON on /api/v1/* and on
 * every write; read-only calls to the Hugging Face–compatible API ignore it, because existing HF
 * clients send their Hugging Face token by habit and must keep working when pointed at Paperboy.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.ts';
import { userForSession } from '../store/sessions.ts';
import { type ApiTokenRefusal, userForApiToken } from '../store/tokens.ts';
import { roleAtLeast, type User, type UserRole } from '../store/users.ts';
import type { AppDeps } from './deps.ts';
import { errorAnswer } from './routes/errors.tsx';

export type { User, UserRole };

/** Name of the session cookie; its presence also makes a request skip the anonymous page cache. */
export const SESSION_COOKIE = 'pb_session';

declare module 'hono' {
  interface ContextVariableMap {
    /** The signed-in user, or null (set for every request by `authenticate`). */
    user: User | null;
    /** How the user was authenticated. */
    authVia: 'session' | 'token' | null;
    /** The raw session id of a signed-in browser (CSRF tokens are bound to it), else null. */
    sessionId: string | null;
    /** This request's CSRF token when it is known without side effects (signed-in browsers); see csrf.ts. */
    csrfToken: string | undefined;
    /** Set when the answer is personal (it set a cookie) and must not be kept in the page cache. */
    uncacheable: boolean | undefined;
  }
}

const REFUSALS: Record<ApiTokenRefusal, string> = {
  malformed: 'Malformed credentials: send "Authorization: Bearer pb_…" with a personal API token from your settings page.',
  unknown: 'Invalid API token: it does not exist or was revoked. Create a new one on your settings page.',
  banned: 'This account is banned; its API tokens do not work.',
};

function isSecure(config: Pick<Config, 'baseUrl'>): boolean {
  return config.baseUrl.startsWith('https:');
}

/** Sends the session cookie: httpOnly, SameSite=Lax, Secure on an https site, until the session expires. */
export function setSessionCookie(c: Context, config: Pick<Config, 'baseUrl'>, id: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: isSecure(config),
    expires: expiresAt,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
  });
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(c: Context, config: Pick<Config, 'baseUrl'>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isSecure(config) });
}

/** True when the request carries a session cookie (valid or not). */
export function hasSessionCookie(c: Context): boolean {
  return getCookie(c, SESSION_COOKIE) !== undefined;
}

/** The 401 JSON answer for API calls, with the WWW-Authenticate challenge. */
function unauthorizedJson(c: Context, message: string, invalidToken: boolean) {
  c.header('WWW-Authenticate', invalidToken ? 'Bearer realm="paperboy", error="invalid_token"' : 'Bearer realm="paperboy"');
  c.header('Cache-Control', 'no-store');
  return c.json({ error: message }, 401);
}

function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || c.req.path.endsWith('.json') || c.var.authVia === 'token';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Middleware that sets `user`, `authVia` and `sessionId` for every request (see the file comment). */
export function authenticate(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    c.set('user', null);
    c.set('authVia', null);
    c.set('sessionId', null);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
      const result = m ? await userForApiToken(deps.db, m[1]!) : ({ refused: 'malformed' } as const);
      if ('user' in result) {
        c.set('user', result.user);
        c.set('authVia', 'token');
      } else if (c.req.path.startsWith('/api/v1/') || !SAFE_METHODS.has(c.req.method)) {
        return unauthorizedJson(c, REFUSALS[result.refused], true);
      }
      return next();
    }
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid !== undefined) {
      const session = await userForSession(deps.db, sid);
      if (session) {
        c.set('user', session.user);
        c.set('authVia', 'session');
        c.set('sessionId', sid);
        if (session.renewed) setSessionCookie(c, deps.config, sid, session.expiresAt);
      } else {
        // Expired, signed out elsewhere, or banned: drop the cookie so the page cache serves this browser again.
        clearSessionCookie(c, deps.config);
      }
    }
    return next();
  };
}

/** The signed-in user, or null. */
export function currentUser(c: Context): User | null {
  return c.var.user ?? null;
}

/** A local path to come back to after signing in: `/…` only (never `//host` or a scheme), else `/`. */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f]/.test(value)) return '/';
  return value;
}

/**
 * Guard for routes that need a signed-in user: API calls get 401 JSON `{"error"}`, page GETs are sent
 * to the sign-in page (and back afterwards), other browser requests get a 401 page.
 */
export function requireUser(deps: AppDeps): MiddlewareHandler {
  return async (c, next) => {
    if (c.var.user) return next();
    if (wantsJson(c)) return unauthorizedJson(c, 'Authentication required: sign in, or send "Authorization: Bearer pb_…" with a personal API token.', false);
    if (c.req.method === 'GET') {
      const url = new URL(c.req.url);
      return c.redirect(`/signin?next=${encodeURIComponent(safeNextPath(url.pathname + url.search))}`, 303);
    }
    return errorAnswer(c, deps, 401, 'Please sign in first; your session may have expired.', [{ href: '/signin', label: 'Sign in' }]);
  };
}

/** Guard for routes that need at least `role` (admins pass moderator checks); implies requireUser. */
export function requireRole(deps: AppDeps, role: UserRole): MiddlewareHandler {
  const signedIn = requireUser(deps);
  return async (c, next) => {
    const refused = await signedIn(c, async () => {});
    if (refused) return refused;
    if (!roleAtLeast(c.var.user!.role, role)) {
      if (wantsJson(c)) return c.json({ error: `This needs the ${role} role.` }, 403);
      return errorAnswer(c, deps, 403, `This page needs the ${role} role.`);
    }
    return next();
  };
}
