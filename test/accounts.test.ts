/**
 * Accounts end to end: sign-in links mailed through a real SMTP server on 127.0.0.1, sessions, sign
 * out (everywhere), bans, settings, personal API tokens, roles, rate limits on sign-in, the log
 * transport — all through app.request() on a database built by the real migrations (SQLite, or
 * PostgreSQL with PAPERBOY_TEST_DIALECT=postgres).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { LOG_TRANSPORT_NOTICE } from '../src/mail/transport.ts';
import { consumeLoginToken, createLoginToken, createSession, LOGIN_TOKEN_TTL_MS, SESSION_TTL_MS, userForSession } from '../src/store/sessions.ts';
import { getUserByEmail, getUserByHandle, setBanned } from '../src/store/users.ts';
import { createApp } from '../src/web/app.ts';
import { requireRole, safeNextPath, SESSION_COOKIE } from '../src/web/auth.ts';
import type { AppDeps } from '../src/web/deps.ts';
import { apiTokenFor, csrfFrom, signedInClient, TestClient } from './helpers/browser-session.ts';
import { freshDb, testConfig } from './helpers/db.ts';
import { type SmtpReceiver, startSmtpReceiver } from './helpers/smtp.ts';

/** The `error` of a JSON error answer. */
async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let smtp: SmtpReceiver;
before(async () => {
  smtp = await startSmtpReceiver();
});
after(() => smtp.close());

/** An app over a fresh database whose mail goes to the test SMTP receiver. */
async function setup(overrides: Partial<Config> = {}, extra: Partial<AppDeps> = {}) {
  const conn: Connection = await freshDb();
  const config = testConfig({ smtpUrl: smtp.url, ...overrides });
  const deps: AppDeps = { db: conn.db, config, log: createLogger('silent'), ...extra };
  const app = createApp(deps);
  return { app, conn, db: conn.db, config, deps };
}

/** The sign-in link in the newest mail to `to`. */
async function linkFor(to: string, count: number): Promise<string> {
  const mails = await smtp.waitFor(count);
  const mail = [...mails].reverse().find((m) => m.to && JSON.stringify(m.to).includes(to));
  assert.ok(mail, `a mail to ${to}`);
  const m = /(https?:\/\/\S+\/signin\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  assert.ok(m, `a sign-in link in: ${mail.text}`);
  return m[1]!;
}

/** Path and query of an absolute link, for app.request(). */
const pathOf = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

describe('sign-in by e-mailed link', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.conn.close());

  test('a mailed link signs in, creates the account with a handle from the address, and shows it on pages', async () => {
    const browser = new TestClient(env.app);
    const form = await browser.get('/signin');
    assert.equal(form.status, 200);
    assert.ok(csrfFrom(await form.text()), 'the sign-in form has a CSRF field');

    const before = smtp.messages.length;
    const res = await browser.post('/signin', { email: 'Ada.Lovelace+papers@Example.org', next: '/search?q=x' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Check your inbox/);
    const link = await linkFor('ada.lovelace+papers@example.org', before + 1);
    const mail = smtp.messages.at(-1)!;
    assert.match(mail.subject ?? '', /sign-in link/i);
    assert.ok(typeof mail.html === 'string' && mail.html.includes(link.replace(/&/g, '&amp;')), 'the HTML part has the same link');
    assert.match(String(mail.from?.text), /paperboy@localhost/);

    // The token: >= 128 bits in base64url, stored only as its sha256.
    const token = new URL(link).searchParams.get('token')!;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const row = await env.db.selectFrom('login_tokens').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.token_hash, sha256(token));
    assert.notEqual(row.token_hash, token);
    assert.equal(Date.parse(row.expires_at) - Date.parse(row.created_at), 15 * 60_000);

    assert.equal(await getUserByEmail(env.db, 'ada.lovelace+papers@example.org'), undefined, 'no account before the link is used');
    const verified = await browser.get(pathOf(link));
    assert.equal(verified.status, 303);
    assert.equal(verified.headers.get('location'), '/search?q=x', 'back to where the reader was');
    const cookie = verified.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i, 'no Secure flag on an http base URL');
    assert.match(cookie, /Max-Age=259(19\d\d|2000)\b/, 'lasts 30 days');

    const user = await getUserByEmail(env.db, 'ADA.LOVELACE+papers@example.org');
    assert.ok(user);
    assert.equal(user.handle, 'ada-lovelace');
    assert.equal(user.role, 'user');
    const sid = browser.cookies.get(SESSION_COOKIE)!;
    const session = await env.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    assert.equal(session.id_hash, sha256(sid), 'the session id is stored hashed');

    const home = await browser.get('/search');
    const html = await home.text();
    assert.match(html, /@ada-lovelace/);
    assert.doesNotMatch(html, />Sign in</);
    const settings = await browser.get('/settings');
    assert.equal(settings.status, 200);
    assert.match(await settings.text(), /ada\.lovelace\+papers@example\.org/);

    // The same link a second time: refused, no new session.
    const anonymous = new TestClient(env.app);
    const again = await anonymous.get(pathOf(link));
    assert.equal(again.status, 400);
    assert.match(await again.text(), /already used/);
    assert.equal(anonymous.cookies.get(SESSION_COOKIE), undefined);
  });

  test('an expired link fails, in the store (injected clock) and through the route', async () => {
    const t0 = new Date('2026-01-01T10:00:00Z');
    const token = await createLoginToken(env.db, 'late@example.org', null, t0);
    assert.equal(await consumeLoginToken(env.db, token, new Date(t0.getTime() + LOGIN_TOKEN_TTL_MS + 1)), null);
    assert.deepEqual(await consumeLoginToken(env.db, token, new Date(t0.getTime() + LOGIN_TOKEN_TTL_MS - 1000)), { email: 'late@example.org', nextPath: null });

    const old = await createLoginToken(env.db, 'late@example.org', null, new Date(Date.now() - 16 * 60_000));
    const res = await new TestClient(env.app).get(`/signin/verify?token=${old}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /expired/);
    assert.equal(await getUserByEmail(env.db, 'late@example.org'), undefined);
  });

  test('forged, malformed and missing tokens fail without a 500', async () => {
    const c = new TestClient(env.app);
    for (const q of ['', '?token=', '?token=abc', `?token=${'A'.repeat(43)}`, '?token=%00%ff', `?token=${'x'.repeat(5000)}`]) {
      const res = await c.get(`/signin/verify${q}`);
      assert.equal(res.status, 400, q);
    }
  });

  test('the answer is the same whether the address has an account, has none, or is banned', async () => {
    await signedInClient(env.app, env.db, { email: 'known@example.org', handle: 'known' });
    await signedInClient(env.app, env.db, { email: 'banned@example.org', handle: 'banned-one' });
    await setBanned(env.db, 'banned-one', true);
    const answers: string[] = [];
    const before = smtp.messages.length;
    for (const email of ['known@example.org', 'nobody@example.org', 'banned@example.org']) {
      const res = await new TestClient(env.app).post('/signin', { email });
      assert.equal(res.status, 200, email);
      answers.push((await res.text()).replaceAll(email, 'ADDRESS').replace(/name="_csrf" value="[^"]+"/g, ''));
    }
    assert.equal(answers[0], answers[1]);
    assert.equal(answers[1], answers[2]);
    await smtp.waitFor(before + 2);
    await new Promise((r) => setTimeout(r, 200));
    const recipients = smtp.messages.slice(before).map((m) => JSON.stringify(m.to));
    assert.equal(recipients.length, 2, 'no mail to the banned account');
    assert.ok(!recipients.some((r) => r.includes('banned@')));
  });

  test('the page to come back to is a local path only (no open redirect)', async () => {
    for (const [i, next] of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/ok\r\nSet-Cookie: x=1'].entries()) {
      const c = new TestClient(env.app);
      const before = smtp.messages.length;
      assert.equal((await c.post('/signin', { email: `redirect${i}@example.org`, next })).status, 200);
      const link = await linkFor(`redirect${i}@example.org`, before + 1);
      const res = await c.get(pathOf(link));
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/', JSON.stringify(next));
    }
    assert.equal(safeNextPath('/papers/2509.08826?x=1#c'), '/papers/2509.08826?x=1#c');
  });

  test('a bad address gets the form again with a message, not a 500', async () => {
    const c = new TestClient(env.app);
    for (const email of ['', 'not-an-address', '<script>alert(1)</script>@x', 'a@b', `${'x'.repeat(300)}@example.org`]) {
      const res = await c.post('/signin', { email });
      assert.equal(res.status, 400, email);
      const html = await res.text();
      assert.match(html, /valid e-mail address/);
      assert.doesNotMatch(html, /<script>alert/);
    }
  });

  test('sign out ends the session; sign out everywhere ends every session of the user', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'multi@example.org', handle: 'multi' });
    const other = new TestClient(env.app);
    other.cookies.set(SESSION_COOKIE, (await createSession(env.db, u.user.id)).id);
    const third = new TestClient(env.app);
    third.cookies.set(SESSION_COOKIE, (await createSession(env.db, u.user.id)).id);
    assert.equal((await other.get('/settings')).status, 200);

    const out = await third.post('/signout', {}, { csrfFrom: '/settings' });
    assert.equal(out.status, 303);
    assert.equal(third.cookies.get(SESSION_COOKIE), undefined, 'the cookie is cleared');
    assert.equal((await third.get('/settings')).status, 303, 'signed out');
    assert.equal((await other.get('/settings')).status, 200, 'other sessions go on');

    const settings = await (await u.get('/settings')).text();
    assert.match(settings, /signed in on 2 browsers/);
    const everywhere = await u.post('/signout/everywhere', {}, { csrfFrom: '/settings' });
    assert.equal(everywhere.status, 303);
    const rows = await env.db.selectFrom('sessions').select('id_hash').where('user_id', '=', u.user.id).execute();
    assert.equal(rows.length, 0);
    const res = await other.get('/settings');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/signin?next=%2Fsettings');
  });

  test('a banned user cannot sign in, and their sessions and API tokens stop working; unban restores tokens', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'troll@example.org', handle: 'troll' });
    const token = await apiTokenFor(env.db, u.user.id);
    const pending = await createLoginToken(env.db, 'troll@example.org', null);
    assert.equal((await u.get('/settings')).status, 200);
    assert.equal((await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 200);

    await setBanned(env.db, 'troll', true);
    assert.equal((await u.get('/settings')).status, 303, 'the session no longer signs in');
    const api = await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(api.status, 401);
    assert.match(await errorOf(api), /banned/);
    const verify = await new TestClient(env.app).get(`/signin/verify?token=${pending}`);
    assert.equal(verify.status, 403, 'a link mailed before the ban does not sign in');
    assert.match(await verify.text(), /banned/);

    await setBanned(env.db, 'troll', false);
    assert.equal((await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await u.get('/settings')).status, 303, 'sessions ended by the ban stay ended');
  });

  test('sessions expire after 30 days and slide while used', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'slide@example.org', handle: 'slide' });
    const t0 = new Date();
    const s = await createSession(env.db, u.user.id, t0);
    const later = new Date(t0.getTime() + 2 * 86_400_000);
    const used = await userForSession(env.db, s.id, later);
    assert.ok(used?.renewed, 'extended when used after a day');
    assert.equal(used.expiresAt.getTime(), later.getTime() + SESSION_TTL_MS);
    assert.equal((await userForSession(env.db, s.id, new Date(later.getTime() + 3600_000)))?.renewed, false, 'not rewritten on every request');
    assert.equal(await userForSession(env.db, s.id, new Date(later.getTime() + SESSION_TTL_MS + 1)), null, 'expired 30 days after last use');
  });
});

describe('settings and personal API tokens', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
    // Routes guarded by requireRole, added before the first request builds the router.
    env.app.get('/test-only/moderation', requireRole(env.deps, 'moderator'), (c) => c.text(`hello ${c.var.user!.handle}`));
    env.app.get('/api/v1/test-only/admin', requireRole(env.deps, 'admin'), (c) => c.json({ ok: true }));
  });
  after(() => env.conn.close());

  test('display name and handle can be changed; taken, reserved and malformed handles are refused with a message', async () => {
    await signedInClient(env.app, env.db, { email: 'taken@example.org', handle: 'taken' });
    const u = await signedInClient(env.app, env.db, { email: 'grace@example.org', handle: 'grace' });
    const ok = await u.post('/settings', { handle: 'Grace-H', display_name: '  Grace <b>Hopper</b>\u0007 ' }, { csrfFrom: '/settings' });
    assert.equal(ok.status, 303);
    const user = await getUserByHandle(env.db, 'grace-h');
    assert.equal(user?.displayName, 'Grace <b>Hopper</b>');
    const page = await (await u.get('/settings?saved=profile')).text();
    assert.match(page, /Profile saved/);
    assert.match(page, /value="Grace &lt;b&gt;Hopper&lt;\/b&gt;"/, 'escaped in the form');
    assert.match(page, /@grace-h/);

    for (const [handle, message] of [
      ['taken', /is taken/],
      ['admin', /reserved/],
      ['a', /2 to 30 characters/],
      ['no spaces', /2 to 30 characters/],
      ['<script>', /2 to 30 characters/],
    ] as const) {
      const res = await u.post('/settings', { handle, display_name: '' }, { csrfFrom: '/settings' });
      assert.equal(res.status, 400, handle);
      const html = await res.text();
      assert.match(html, message);
      assert.doesNotMatch(html, /<script>/);
    }
    assert.equal((await getUserByHandle(env.db, 'grace-h'))?.id, u.user.id, 'handle unchanged by refusals');
  });

  test('a token is shown once, stored hashed, works as Bearer, records its last use, and can be revoked', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'tok@example.org', handle: 'tok' });
    const created = await u.post('/settings/tokens', { name: 'laptop <script>' }, { csrfFrom: '/settings' });
    assert.equal(created.status, 200);
    const html = await created.text();
    const token = /(pb_[A-Za-z0-9_-]{43})/.exec(html)?.[1];
    assert.ok(token, 'the new token is on the page');
    assert.match(html, /laptop &lt;script&gt;/);
    const row = await env.db.selectFrom('api_tokens').selectAll().where('user_id', '=', u.user.id).executeTakeFirstOrThrow();
    assert.equal(row.token_hash, sha256(token));
    assert.equal(row.last_used_at, null);
    assert.doesNotMatch(await (await u.get('/settings')).text(), new RegExp(token), 'never shown again');

    const me = await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { handle: 'tok', displayName: null, role: 'user' });
    const used = await env.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    assert.ok(used.last_used_at, 'last use recorded');

    // Another user cannot revoke it (answered like an unknown id).
    const mallory = await signedInClient(env.app, env.db, { email: 'mallory@example.org', handle: 'mallory' });
    const steal = await mallory.post(`/settings/tokens/${row.id}/revoke`, {}, { csrfFrom: '/settings' });
    assert.equal(steal.status, 404);
    assert.equal((await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 200);

    const revoked = await u.post(`/settings/tokens/${row.id}/revoke`, {}, { csrfFrom: '/settings' });
    assert.equal(revoked.status, 303);
    const after = await env.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401);
    assert.match(await errorOf(after), /revoked/);
  });

  test('forged, malformed and missing credentials get 401 JSON on the API; HF read calls ignore foreign tokens', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [`Bearer pb_${'A'.repeat(43)}`, /Invalid API token/],
      ['Bearer pb_short', /Malformed/],
      ['Bearer hf_abcdefghijklmnopqrstuvwxyz', /Malformed/],
      ['Basic dXNlcjpwYXNz', /Malformed/],
      ['Bearer', /Malformed/],
      [undefined, /Authentication required/],
    ];
    for (const [authorization, message] of cases) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await env.app.request('/api/v1/me', { headers });
      assert.equal(res.status, 401, String(authorization));
      assert.match(res.headers.get('content-type') ?? '', /json/);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(await errorOf(res), message);
      // A write with a bad token is refused before any route, whatever the path.
      if (authorization) {
        const post = await env.app.request('/api/papers/submit', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
        assert.equal(post.status, 401, `POST with ${authorization}`);
        assert.ok(await errorOf(post));
      }
    }
    // Existing Hugging Face clients send their HF token: the read API still answers.
    const hf = await env.app.request('/api/daily_papers', { headers: { authorization: 'Bearer hf_xxxxxxxxxxxxxxxxxxxx' } });
    assert.equal(hf.status, 200);
  });

  test('requireRole: anonymous are sent to sign in, users refused, moderators and admins let through', async () => {
    const anon = await env.app.request('/test-only/moderation');
    assert.equal(anon.status, 303);
    const user = await signedInClient(env.app, env.db, { email: 'plain@example.org', handle: 'plain' });
    const mod = await signedInClient(env.app, env.db, { email: 'mod@example.org', handle: 'mod1', role: 'moderator' });
    const admin = await signedInClient(env.app, env.db, { email: 'root@example.org', handle: 'root1', role: 'admin' });
    assert.equal((await user.get('/test-only/moderation')).status, 403);
    assert.equal((await mod.get('/test-only/moderation')).status, 200);
    assert.equal(await (await admin.get('/test-only/moderation')).text(), 'hello root1');
    const modToken = await apiTokenFor(env.db, mod.user.id);
    const refused = await env.app.request('/api/v1/test-only/admin', { headers: { authorization: `Bearer ${modToken}` } });
    assert.equal(refused.status, 403);
    assert.match(await errorOf(refused), /admin/);
  });
});

describe('rate limits on sign-in', () => {
  test('per address and per client IP, with 429 and Retry-After', async () => {
    const env = await setup(
      { rateLimits: { ...testConfig().rateLimits, signin: { limit: 2, windowMs: 15 * 60_000 }, signin_ip: { limit: 4, windowMs: 60_000 } }, trustProxy: true },
    );
    try {
      const from = (ip: string) => ({ headers: { 'x-forwarded-for': `203.0.113.9, ${ip}` } });
      const c = new TestClient(env.app);
      assert.equal((await c.post('/signin', { email: 'flood@example.org' }, from('198.51.100.1'))).status, 200);
      assert.equal((await c.post('/signin', { email: 'FLOOD@example.org' }, from('198.51.100.2'))).status, 200);
      const third = await c.post('/signin', { email: 'flood@example.org' }, from('198.51.100.3'));
      assert.equal(third.status, 429, 'the address is limited whatever the IP');
      const retry = Number(third.headers.get('retry-after'));
      assert.ok(retry > 800 && retry <= 900, `Retry-After ${retry}`);
      assert.match(await third.text(), /wait 15 minutes/);

      // Per IP: the 5th request from one IP is refused even for fresh addresses; another IP goes on.
      for (let i = 0; i < 3; i++) assert.equal((await c.post('/signin', { email: `p${i}@example.org` }, from('198.51.100.7'))).status, 200);
      assert.equal((await c.post('/signin', { email: 'p3@example.org' }, from('198.51.100.7'))).status, 200);
      const limited = await c.post('/signin', { email: 'p4@example.org' }, from('198.51.100.7'));
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) <= 60);
      assert.equal((await c.post('/signin', { email: 'p4@example.org' }, from('198.51.100.8'))).status, 200);
    } finally {
      await env.conn.close();
    }
  });
});

describe('https base URL', () => {
  test('the session cookie is Secure', async () => {
    const env = await setup({ baseUrl: 'https://papers.example.org' });
    try {
      const token = await createLoginToken(env.db, 'secure@example.org', null);
      const res = await env.app.request(`https://papers.example.org/signin/verify?token=${token}`);
      assert.equal(res.status, 303);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      assert.match(cookie, /; Secure/);
    } finally {
      await env.conn.close();
    }
  });
});

describe('without PAPERBOY_SMTP_URL', () => {
  test('the mail, with its sign-in link, is written to the log with a clear notice, and the link works', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    const env = await setup({ smtpUrl: undefined }, { log });
    try {
      const before = smtp.messages.length;
      const res = await new TestClient(env.app).post('/signin', { email: 'dev@example.org' });
      assert.equal(res.status, 200);
      const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === LOG_TRANSPORT_NOTICE);
      assert.ok(entry, 'the notice is logged');
      assert.equal(entry.level, 40, 'at warn level');
      assert.equal(entry.mail.to, 'dev@example.org');
      const link = /(http:\/\/\S+\/signin\/verify\?token=[A-Za-z0-9_-]+)/.exec(entry.text)?.[1];
      assert.ok(link);
      const verified = await env.app.request(pathOf(link));
      assert.equal(verified.status, 303);
      assert.equal(smtp.messages.length, before, 'nothing went to an SMTP server');
    } finally {
      await env.conn.close();
    }
  });

  test('an unreachable SMTP server gives a clear 503 page, not a 500', async () => {
    const env = await setup({ smtpUrl: 'smtp://127.0.0.1:1' });
    try {
      const res = await new TestClient(env.app).post('/signin', { email: 'down@example.org' });
      assert.equal(res.status, 503);
      assert.match(await res.text(), /could not be sent/);
    } finally {
      await env.conn.close();
    }
  });
});
