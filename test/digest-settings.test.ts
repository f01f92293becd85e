/**
 * /settings/digest and the forms other pages embed, through app.request() on a database built by the
 * real migrations (SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres), with the real arXiv
 * sample: subscription settings (cadence, hour, zone, include flags, stop, bad values → 400), saved
 * searches ("Save this search" on /search, list, delete, someone else's id), follows (paper and author
 * pages' buttons, list, unfollow), CSRF, sign-in, safe `next` redirects, and no form for anonymous
 * (cacheable) pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listFollows } from '../src/store/follows.ts';
import type { PaperInput } from '../src/store/papers.ts';
import { listSavedSearches } from '../src/store/saved-searches.ts';
import { getUserSubscription, isActive } from '../src/store/subscriptions.ts';
import { signedInClient, type TestClient } from './helpers/browser-session.ts';
import { freshApp } from './helpers/db.ts';
import { seedDigestData } from './helpers/digest-seed.ts';

type Env = Awaited<ReturnType<typeof freshApp>>;
const SETTINGS = '/settings/digest';

describe('digest settings, saved searches and follows', () => {
  let env: Env;
  let featured: PaperInput[];
  let alice: TestClient & { user: { id: number } };

  before(async () => {
    env = await freshApp();
    featured = await seedDigestData(env.db);
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
  });
  after(() => env.conn.close());

  const post = (client: TestClient, path: string, form: Record<string, string>) => client.post(path, form, { csrfFrom: SETTINGS });

  it('sends anonymous readers to sign in, and refuses their posts', async () => {
    const res = await env.app.request(SETTINGS);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/signin?next=${encodeURIComponent(SETTINGS)}`);
    for (const path of [SETTINGS, '/follows', '/saved-searches', `${SETTINGS}/stop`]) {
      const r = await env.app.request(path, { method: 'POST' });
      assert.ok([401, 403].includes(r.status), `${path}: ${r.status}`);
    }
  });

  it('saves the subscription from the form: cadence, hour, zone and the checked include flags', async () => {
    const page = await (await alice.get(SETTINGS)).text();
    assert.match(page, /You are not subscribed yet/);
    const res = await post(alice, SETTINGS, { cadence: 'weekly', hour: '6', timezone: 'Pacific/Auckland', include_top: '1', include_follows: '1' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${SETTINGS}?done=saved`);
    const sub = (await getUserSubscription(env.db, alice.user.id))!;
    assert.equal(sub.cadence, 'weekly');
    assert.equal(sub.hour, 6);
    assert.equal(sub.timezone, 'Pacific/Auckland');
    assert.deepEqual(sub.include, { top: true, savedSearches: false, follows: true, picks: false });
    assert.ok(isActive(sub));
    const after = await (await alice.get(`${SETTINGS}?done=saved`)).text();
    assert.match(after, /Your digest settings are saved/);
    assert.match(after, /Active: a weekly digest to alice@example.org at 06:00 \(Pacific\/Auckland\) on Mondays/);
    assert.match(after, /<option value="6" selected="">06:00<\/option>/);
  });

  it('refuses bad settings with a 400 naming the problem, and changes nothing', async () => {
    const before = await getUserSubscription(env.db, alice.user.id);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ cadence: 'hourly', hour: '8', timezone: 'UTC' }, /cadence must be/],
      [{ cadence: 'daily', hour: '24', timezone: 'UTC' }, /hour must be/],
      [{ cadence: 'daily', hour: 'eight', timezone: 'UTC' }, /hour must be/],
      [{ cadence: 'daily', hour: '8', timezone: 'Mars/Olympus' }, /timezone must be/],
      [{ cadence: 'daily', hour: '8', timezone: '<script>alert(1)</script>' }, /timezone must be/],
    ];
    for (const [form, message] of cases) {
      const res = await post(alice, SETTINGS, form);
      assert.equal(res.status, 400, JSON.stringify(form));
      const html = await res.text();
      assert.match(html, message);
      assert.ok(!html.includes('<script>alert(1)</script>'));
    }
    assert.deepEqual(await getUserSubscription(env.db, alice.user.id), before);
  });

  it('stops the digest and restarts it on save; a forged post (no CSRF token) changes nothing', async () => {
    const forged = await alice.post(`${SETTINGS}/stop`, {}, { csrfFrom: null });
    assert.equal(forged.status, 403);
    assert.ok(isActive((await getUserSubscription(env.db, alice.user.id))!));
    const res = await post(alice, `${SETTINGS}/stop`, {});
    assert.equal(res.status, 303);
    const sub = (await getUserSubscription(env.db, alice.user.id))!;
    assert.equal(sub.disabledReason, 'stopped');
    assert.match(await (await alice.get(SETTINGS)).text(), /Stopped\. Save the settings to start again/);
    await post(alice, SETTINGS, { cadence: 'daily', hour: '8', timezone: 'UTC', include_top: '1' });
    assert.ok(isActive((await getUserSubscription(env.db, alice.user.id))!));
  });

  describe('saved searches', () => {
    it('/search offers "Save this search" to a signed-in reader and a sign-in link (no form) to others', async () => {
      const anon = await (await env.app.request('/search?q=language+models&category=cs.CL')).text();
      assert.match(anon, /Sign in to save this search/);
      assert.ok(!anon.includes('action="/saved-searches"'), 'no form (and no CSRF field) on a cacheable page');
      assert.match(anon, /href="\/feeds\/search.atom\?q=language\+models&amp;category=cs.CL"/);
      const mine = await (await alice.get('/search?q=language+models&category=cs.CL')).text();
      assert.match(mine, /<form class="inline-form" method="post" action="\/saved-searches">/);
      assert.match(mine, /<input type="hidden" name="q" value="language models"/);
    });

    it('saves from /search and comes back to it; a second save is harmless; the page then says it is saved', async () => {
      const back = '/search?q=language+models&category=cs.CL';
      const res = await alice.post('/saved-searches', { q: 'language models', category: 'cs.CL', next: back }, { csrfFrom: back });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), back);
      const again = await alice.post('/saved-searches', { q: 'language models', category: 'cs.CL', next: back }, { csrfFrom: back });
      assert.equal(again.status, 303);
      const saved = await listSavedSearches(env.db, alice.user.id);
      assert.equal(saved.length, 1);
      assert.deepEqual([saved[0]!.query, saved[0]!.filters], ['language models', { category: 'cs.CL' }]);
      assert.match(await (await alice.get(back)).text(), /This search is saved/);
      const page = await (await alice.get(SETTINGS)).text();
      assert.match(page, /<a href="\/search\?q=language\+models&amp;category=cs.CL">language models<\/a>/);
    });

    it('adds from the settings form, refuses bad input with 400, deletes only one’s own', async () => {
      const ok = await post(alice, '/saved-searches', { q: 'diffusion', name: 'Diffusion <b>', next: SETTINGS });
      assert.equal(ok.headers.get('location'), `${SETTINGS}?done=search_saved`);
      assert.equal((await post(alice, '/saved-searches', { q: '   ' })).status, 400);
      assert.equal((await post(alice, '/saved-searches', { q: 'x', category: 'not a category' })).status, 400);
      assert.equal((await post(alice, '/saved-searches', { q: 'y'.repeat(301) })).status, 400);
      const page = await (await alice.get(SETTINGS)).text();
      assert.ok(page.includes('Diffusion &lt;b&gt;'));
      const diffusion = (await listSavedSearches(env.db, alice.user.id)).find((s) => s.query === 'diffusion')!;
      const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
      assert.equal((await post(bob, `/saved-searches/${diffusion.id}/delete`, {})).status, 404);
      assert.equal((await post(alice, '/saved-searches/abc/delete', {})).status, 404);
      const del = await post(alice, `/saved-searches/${diffusion.id}/delete`, { next: SETTINGS });
      assert.equal(del.headers.get('location'), `${SETTINGS}?done=search_deleted`);
      assert.ok(!(await listSavedSearches(env.db, alice.user.id)).some((s) => s.id === diffusion.id));
    });
  });

  describe('follows', () => {
    it('the paper page offers Follow for its categories and authors to signed-in readers only', async () => {
      const p = featured[0]!;
      const anon = await (await env.app.request(`/papers/${p.id}`)).text();
      assert.ok(!anon.includes('action="/follows"'));
      const html = await (await alice.get(`/papers/${p.id}`)).text();
      assert.ok(html.includes(`Follow category ${p.categories[0]}`));
      assert.ok(html.includes(`<option value="${p.authors[0]}">`));

      const res = await alice.post('/follows', { kind: 'category', value: p.categories[0]!, next: `/papers/${p.id}` }, { csrfFrom: `/papers/${p.id}` });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `/papers/${p.id}`);
      await alice.post('/follows', { kind: 'author', value: p.authors[0]!, next: `/papers/${p.id}` }, { csrfFrom: `/papers/${p.id}` });
      const follows = await listFollows(env.db, alice.user.id);
      assert.deepEqual(
        follows.map((f) => [f.kind, f.value]),
        [
          ['category', p.categories[0]],
          ['author', p.authors[0]],
        ],
      );
      const now = await (await alice.get(`/papers/${p.id}`)).text();
      assert.ok(now.includes(`Unfollow category ${p.categories[0]}`));
      assert.ok(now.includes(`Unfollow ${p.authors[0]}`));
    });

    it('the author page has Follow / Unfollow and its Atom link; settings list follows and unfollow', async () => {
      const name = featured[1]!.authors[0]!;
      const path = `/authors/${encodeURIComponent(name)}`;
      const anon = await (await env.app.request(path)).text();
      assert.ok(anon.includes(`href="/feeds/authors/${encodeURIComponent(name)}.atom"`));
      assert.ok(!anon.includes('action="/follows"'));
      assert.ok((await (await alice.get(path)).text()).includes(`Follow ${name}`));
      await alice.post('/follows', { kind: 'author', value: name, next: path }, { csrfFrom: path });
      assert.ok((await (await alice.get(path)).text()).includes(`Unfollow ${name}`));
      const settings = await (await alice.get(SETTINGS)).text();
      assert.ok(settings.includes(`Author <a href="${path}">`));
      const res = await post(alice, '/follows/remove', { kind: 'author', value: name, next: SETTINGS });
      assert.equal(res.headers.get('location'), `${SETTINGS}?done=unfollowed`);
      assert.ok(!(await listFollows(env.db, alice.user.id)).some((f) => f.value === name));
    });

    it('refuses bad follows with 400 and never redirects off the site', async () => {
      assert.equal((await post(alice, '/follows', { kind: 'planet', value: 'Mars' })).status, 400);
      assert.equal((await post(alice, '/follows', { kind: 'category', value: 'not a category' })).status, 400);
      assert.equal((await post(alice, '/follows', { kind: 'author', value: 'x' })).status, 400);
      assert.equal((await post(alice, '/follows', { kind: 'author', value: 'y'.repeat(201) })).status, 400);
      assert.equal((await post(alice, '/follows/remove', { kind: 'category', value: '<script>' })).status, 400);
      for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '']) {
        const res = await post(alice, '/follows', { kind: 'category', value: 'math.PR', next });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), `${SETTINGS}?done=followed`, `next=${next}`);
      }
    });
  });
});
