/**
 * Protection: security headers on every kind of answer, CSRF on every state-changing browser request
 * (and not on token-authenticated API calls), Origin checks, the page cache never mixing signed-in
 * and anonymous pages, and the shared signing key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createLogger } from '../src/log.ts';
import { createSession } from '../src/store/sessions.ts';
import { createApp, MAX_BODY_BYTES } from '../src/web/app.ts';
import { SESSION_COOKIE } from '../src/web/auth.ts';
import { loadSecret, sign, verifySignature } from '../src/web/secret.ts';
import { apiTokenFor, csrfFrom, signedInClient, TestClient } from './helpers/browser-session.ts';
import { freshApp, freshDb, testConfig } from './helpers/db.ts';

describe('security headers', () => {
  let env: Awaited<ReturnType<typeof freshApp>>;
  before(async () => {
    env = await freshApp();
  });
  after(() => env.conn.close());

  test('every answer (page, 404, API JSON, stylesheet, sign-in) has CSP without inline script, frame-ancestors none, referrer policy, nosniff', async () => {
    const css = /href="(\/assets\/style\.[0-9a-f]+\.css)"/.exec(await (await env.app.request('/signin')).text())?.[1];
    assert.ok(css);
    for (const path of ['/', '/search?q=x', '/nowhere', '/api/daily_papers', '/api/papers/9999.99999', css, '/signin', '/healthz']) {
      const res = await env.app.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /style-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('strict-transport-security'), null, `${path}: no HSTS on an http site`);
    }
  });

  test('pages carry no inline script or style that the CSP would block', async () => {
    for (const path of ['/', '/search?q=model', '/signin', '/nowhere']) {
      const html = await (await env.app.request(path)).text();
      assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, path);
      assert.doesNotMatch(html, /<style[\s>]/i, path);
      assert.doesNotMatch(html, /\sstyle="/i, path);
      assert.doesNotMatch(html, /\son[a-z]+="/i, path);
    }
  });

  test('HSTS only with an https base URL', async () => {
    const https = await freshApp({ baseUrl: 'https://papers.example.org' });
    try {
      const res = await https.app.request('https://papers.example.org/');
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d{7,}/);
    } finally {
      await https.conn.close();
    }
  });
});

describe('CSRF', () => {
  let env: Awaited<ReturnType<typeof freshApp>>;
  before(async () => {
    env = await freshApp();
  });
  after(() => env.conn.close());

  test('a signed-in form post without a token, with a wrong one, or with another session\'s is refused with a clear 403 page', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'csrf@example.org', handle: 'csrf-user' });
    const other = await signedInClient(env.app, env.db, { email: 'other@example.org', handle: 'other' });
    const othersToken = await other.csrf('/settings');
    for (const [label, form, o] of [
      ['missing', { handle: 'hacked' }, { csrfFrom: null }],
      ['wrong', { handle: 'hacked', _csrf: 'x'.repeat(43) }, {}],
      ['empty', { handle: 'hacked', _csrf: '' }, {}],
      ["another session's", { handle: 'hacked', _csrf: othersToken }, {}],
    ] as const) {
      const res = await u.post('/settings', form, o);
      assert.equal(res.status, 403, label);
      const html = await res.text();
      assert.match(html, /expired or did not come from this site/, label);
    }
    const unchanged = await env.db.selectFrom('users').select('handle').where('id', '=', u.user.id).executeTakeFirstOrThrow();
    assert.equal(unchanged.handle, 'csrf-user');

    // The token from the page works, in the form field or in the X-CSRF-Token header.
    assert.equal((await u.post('/settings', { handle: 'csrf-ok', display_name: '' }, { csrfFrom: '/settings' })).status, 303);
    const token = await u.csrf('/settings');
    const viaHeader = await u.request('/settings', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': token },
      body: 'handle=csrf-hdr&display_name=',
    });
    assert.equal(viaHeader.status, 303);
  });

  test('a token dies with its session', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'rotate@example.org', handle: 'rotate' });
    const token = await u.csrf('/settings');
    u.cookies.set(SESSION_COOKIE, (await createSession(env.db, u.user.id)).id);
    const res = await u.post('/settings', { handle: 'rotated', _csrf: token });
    assert.equal(res.status, 403);
  });

  test('a foreign Origin is refused even with a valid token; this site\'s Origin is accepted', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'origin@example.org', handle: 'origin' });
    const evil = await u.post('/settings', { handle: 'evil', display_name: '' }, { csrfFrom: '/settings', headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    const nul = await u.post('/settings', { handle: 'evil', display_name: '' }, { csrfFrom: '/settings', headers: { origin: 'null' } });
    assert.equal(nul.status, 403);
    const own = await u.post('/settings', { handle: 'origin-ok', display_name: '' }, { csrfFrom: '/settings', headers: { origin: 'http://localhost' } });
    assert.equal(own.status, 303);
    const base = await u.post('/settings', { handle: 'origin-ok2', display_name: '' }, { csrfFrom: '/settings', headers: { origin: env.config.baseUrl } });
    assert.equal(base.status, 303);
  });

  test('the anonymous sign-in form is protected too: its token is bound to a cookie it sets', async () => {
    const c = new TestClient(env.app);
    const page = await c.get('/signin');
    assert.ok(page.headers.getSetCookie().some((l) => /^pb_csrf=.+HttpOnly/i.test(l)));
    const token = csrfFrom(await page.text())!;
    assert.equal((await c.post('/signin', { email: 'x@example.org', _csrf: token })).status, 200);
    assert.equal((await c.post('/signin', { email: 'x@example.org' }, { csrfFrom: null })).status, 403);
    const stranger = new TestClient(env.app);
    assert.equal((await stranger.post('/signin', { email: 'x@example.org', _csrf: token })).status, 403, "another browser cannot replay this browser's token");
  });

  test('Bearer-token API calls need no CSRF token; cookie-less /api calls are not refused by CSRF', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'bearer@example.org', handle: 'bearer' });
    const token = await apiTokenFor(env.db, u.user.id);
    const res = await env.app.request('/api/v1/papers/2509.08826/upvote', { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    assert.notEqual(res.status, 403, 'not a CSRF refusal (no such route yet: 404)');
    assert.equal(res.status, 404);
    const anon = await env.app.request('/api/papers/submit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"paperId":"2509.08826"}' });
    assert.notEqual(anon.status, 403);
    // With the session cookie, the same API call needs the token (a browser sends the cookie by itself).
    const withCookie = await u.request('/api/v1/papers/2509.08826/upvote', { method: 'PUT' });
    assert.equal(withCookie.status, 403);
  });

  test('a body over 1 MiB is refused with 413 before it is read, as a page or as JSON', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'big@example.org', handle: 'big' });
    const token = await apiTokenFor(env.db, u.user.id);
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const api = await env.app.request('/api/v1/papers/2509.08826/comments', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: big }),
    });
    assert.equal(api.status, 413);
    assert.match(((await api.json()) as { error: string }).error, /too large/);
    const form = await u.post('/signin', { email: big });
    assert.equal(form.status, 413);
    assert.match(await form.text(), /too large/);
  });

  test('sign out needs the token too (no logout by a foreign page)', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'so@example.org', handle: 'so' });
    assert.equal((await u.post('/signout', {}, { csrfFrom: null })).status, 403);
    assert.equal((await u.get('/settings')).status, 200);
  });
});

describe('page cache and sessions', () => {
  test('signed-in requests bypass the anonymous cache both ways', async () => {
    const conn = await freshDb();
    try {
      const app = createApp({ db: conn.db, config: testConfig(), log: createLogger('silent'), pageCacheTtlMs: 60_000 });
      const anonymous1 = await (await app.request('/')).text();
      assert.match(anonymous1, />Sign in</);
      const u = await signedInClient(app, conn.db, { email: 'cache@example.org', handle: 'cache-reader' });
      const signedIn = await (await u.get('/')).text();
      assert.match(signedIn, /@cache-reader/, 'not the cached anonymous copy');
      const anonymous2 = await (await app.request('/')).text();
      assert.doesNotMatch(anonymous2, /cache-reader/, 'the signed-in page was not stored for others');
      assert.doesNotMatch(anonymous2, /name="_csrf"/);
    } finally {
      await conn.close();
    }
  });
});

describe('signing key', () => {
  test('generated once, kept in the database and shared by every process on it; PAPERBOY_SECRET wins', async () => {
    // Two connections to one SQLite file stand for two processes (each has its own in-process cache).
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-secret-'));
    const file = join(dir, 'p.db');
    const one = connect(file);
    await migrateToLatest(one.db);
    const two = connect(file);
    try {
      const [a, b] = await Promise.all([loadSecret(one.db, { secret: undefined }), loadSecret(two.db, { secret: undefined })]);
      assert.deepEqual(a, b, 'both processes sign with the same key');
      const row = await one.db.selectFrom('meta').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
      assert.ok(row.value.length >= 43);
      assert.deepEqual(a, Buffer.from(row.value));
      const configured = await loadSecret(one.db, { secret: 's'.repeat(40) });
      assert.deepEqual(configured, Buffer.from('s'.repeat(40)));
      const sig = sign(a, 'csrf', 'value');
      assert.ok(verifySignature(a, 'csrf', 'value', sig));
      assert.ok(!verifySignature(a, 'unsubscribe', 'value', sig), 'purposes are separate');
      assert.ok(!verifySignature(configured, 'csrf', 'value', sig));
      assert.ok(!verifySignature(a, 'csrf', 'value', `${sig}x`));
    } finally {
      await one.close();
      await two.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
