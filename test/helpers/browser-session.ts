/**
 * Test helpers for signed-in requests through `app.request()`: a tiny cookie-keeping client, and
 * ready-made signed-in clients and API tokens built with the real store functions.
 *
 *   const alice = await signedInClient(app, db, { email: 'alice@example.org', handle: 'alice' });
 *   const res = await alice.post('/settings', { handle: 'alice2' });   // adds the CSRF token itself
 *   const token = await apiTokenFor(db, alice.user.id);                 // for `Authorization: Bearer …`
 */
import type { Hono } from 'hono';
import type { DB } from '../../src/db/connect.ts';
import { createSession } from '../../src/store/sessions.ts';
import { createApiToken } from '../../src/store/tokens.ts';
import { createUser, type User, type UserRole } from '../../src/store/users.ts';
import { SESSION_COOKIE } from '../../src/web/auth.ts';

/** The value of the first `name="_csrf"` hidden field in an HTML page, or undefined. */
export function csrfFrom(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** A client that keeps cookies between `app.request()` calls, like a browser would. */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly app: Hono) {}

  /** The Cookie header for the next request. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** A request with the kept cookies (plus `init`'s headers); Set-Cookie answers are kept. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    const res = await this.app.request(path, { ...init, headers });
    this.remember(res);
    return res;
  }

  /** GET `path`. */
  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** The CSRF token of a page of this client (default /signin, which every client may open). */
  async csrf(path = '/signin'): Promise<string> {
    const html = await (await this.get(path)).text();
    const token = csrfFrom(html);
    if (!token) throw new Error(`no _csrf field on ${path}`);
    return token;
  }

  /**
   * POSTs a form. The CSRF token is fetched from `csrfFrom` (a page path) and added, unless `form`
   * already has `_csrf` or `csrfFrom` is null (to test refusals).
   */
  async post(path: string, form: Record<string, string> = {}, o: { csrfFrom?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
    const fields = { ...form };
    if (fields._csrf === undefined && o.csrfFrom !== null) fields._csrf = await this.csrf(o.csrfFrom ?? '/signin');
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...o.headers },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** A signed-in client for a new user (created with the store, session opened directly: no mail). */
export async function signedInClient(
  app: Hono,
  db: DB,
  o: { email: string; handle: string; role?: UserRole; displayName?: string },
): Promise<TestClient & { user: User }> {
  const user = await createUser(db, { email: o.email, handle: o.handle, role: o.role, displayName: o.displayName });
  const session = await createSession(db, user.id);
  const client = new TestClient(app) as TestClient & { user: User };
  client.cookies.set(SESSION_COOKIE, session.id);
  client.user = user;
  return client;
}

/** A new personal API token for a user, for `Authorization: Bearer …`. */
export async function apiTokenFor(db: DB, userId: number, name = 'test'): Promise<string> {
  return (await createApiToken(db, userId, name)).token;
}
