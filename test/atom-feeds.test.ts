/**
 * Atom feeds end to end through app.request() on a database built by the real migrations (SQLite, or
 * PostgreSQL with PAPERBOY_TEST_DIALECT=postgres), with the real arXiv sample of testdata/: every feed
 * (daily, trending, search, public collection, author, category, private) parsed by an XML parser and
 * checked for the required Atom elements and for what it should hold; the hostile corpus as paper
 * titles, author names, collection names and search text; the private feed token (hashed, regenerate,
 * revoke, banned owner) and bad input answered with 400/404, never a 500.
 */
import { setPaperFeedback } from '../src/store/feedback.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { personalFeedPapers } from '../src/digest/feed-sources.ts';
import { addPaperToCollection, createCollection } from '../src/store/collections.ts';
import { recordFeedback } from '../src/store/digests.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { regenerateFeedToken, userFromFeedToken } from '../src/store/feed-tokens.ts';
import { follow } from '../src/store/follows.ts';
import { getPaper, type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { createSavedSearch } from '../src/store/saved-searches.ts';
import { hashToken } from '../src/store/tokens.ts';
import { DEFAULT_SETTINGS, saveUserSubscription } from '../src/store/subscriptions.ts';
import { setBanned } from '../src/store/users.ts';
import { HOSTILE_INPUTS } from './fixtures/hostile-inputs.ts';
import { asFeedText, type ParsedFeed, parseAtom } from './helpers/atom.ts';
import { signedInClient } from './helpers/browser-session.ts';
import { freshApp } from './helpers/db.ts';
import { seedDigestData } from './helpers/digest-seed.ts';

type Env = Awaited<ReturnType<typeof freshApp>>;

/** Hostile papers: one per hostile input, in groups of 40 under their own category so each group fits one feed. */
const GROUP = 40;
// Stored as given: upsertPapers drops NUL itself (PostgreSQL text cannot hold it), so inputs with NUL
// must store on both databases; src/web/atom.test.ts covers NUL in renderAtom.
const hostilePapers: PaperInput[] = HOSTILE_INPUTS.map((h, i) => ({
  id: `2611.${String(10000 + i).padStart(5, '0')}`,
  version: 1,
  title: h.input,
  abstract: `Hostile abstract ${h.input}`,
  authors: [h.input.slice(0, 200), 'Hostile Fixture Author'],
  categories: [`hostile.g${'abcdefghij'[Math.floor(i / GROUP)]}`],
  publishedAt: `2026-11-0${1 + (i % 5)}T00:00:00Z`,
  updatedAt: `2026-11-0${1 + (i % 5)}T00:00:00Z`,
}));

describe('Atom feeds', () => {
  let env: Env;
  let featured: PaperInput[];

  before(async () => {
    env = await freshApp();
    featured = await seedDigestData(env.db);
    await upsertPapers(env.db, hostilePapers);
  });
  after(() => env.conn.close());

  async function feed(path: string, label = path): Promise<ParsedFeed & { res: Response }> {
    const res = await env.app.request(path);
    const body = await res.text();
    assert.equal(res.status, 200, `${label}: ${res.status} ${body.slice(0, 300)}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/atom\+xml/);
    return { ...parseAtom(body, label), res };
  }

  it('daily: the featured papers, newest feed day first, with absolute links', async () => {
    const f = await feed('/feeds/daily.atom');
    assert.equal(f.self, `${env.config.baseUrl}/feeds/daily.atom`);
    assert.equal(f.entries.length, Math.min(50, featured.length));
    const ids = new Set(featured.map((p) => `${env.config.baseUrl}/papers/${p.id}`));
    for (const e of f.entries) assert.ok(ids.has(e.id), `${e.id} was not featured`);
    // The first entry is from the latest feed day (2026-02-04) and its title is the paper's.
    const first = featured.find((p) => f.entries[0]!.id.endsWith(`/papers/${p.id}`))!;
    assert.ok(first.publishedAt.startsWith('2026-02-04'));
    assert.equal(f.entries[0]!.title, first.title);
    assert.deepEqual(f.entries[0]!.authors, first.authors);
    assert.match(f.res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  });

  it('trending: the featured papers of the last week before the latest feed day', async () => {
    const f = await feed('/feeds/trending.atom');
    // The latest feed day is 2026-02-04; a week back covers every seeded entry (2026-02-03 and 04).
    const want = new Set(featured.map((p) => `${env.config.baseUrl}/papers/${p.id}`));
    assert.equal(f.entries.length, Math.min(50, featured.length));
    for (const e of f.entries) assert.ok(want.has(e.id), `${e.id} is not a featured paper`);
    assert.equal(f.alternate, `${env.config.baseUrl}/trending`);
  });

  it('search: any /search URL as a feed, newest first by default, filters applied', async () => {
    const word = featured[0]!.title.split(/\s+/).find((w) => /^[A-Za-z]{6,}$/.test(w))!;
    const f = await feed(`/feeds/search.atom?q=${encodeURIComponent(word)}`);
    assert.ok(f.entries.length > 0, `no hit for ${word}`);
    assert.match(f.title, new RegExp(word));
    const dates = [];
    for (const e of f.entries) {
      const p = (await getPaper(env.db, e.id.split('/papers/')[1]!))!;
      assert.match(`${p.title} ${p.abstract} ${p.authors.join(' ')}`.toLowerCase(), new RegExp(word.slice(0, 5).toLowerCase()));
      dates.push(p.publishedAt);
    }
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
    const cat = featured[0]!.categories[0]!;
    const filtered = await feed(`/feeds/search.atom?q=${encodeURIComponent(word)}&category=${cat}`);
    for (const e of filtered.entries) assert.ok(e.categories.includes(cat));
    assert.equal(filtered.alternate, `${env.config.baseUrl}/search?q=${encodeURIComponent(word)}&category=${encodeURIComponent(cat)}&sort=date`);
  });

  it('category and author feeds hold only papers of that category / author', async () => {
    const cat = featured[0]!.categories[0]!;
    const fc = await feed(`/feeds/categories/${cat}.atom`);
    assert.ok(fc.entries.length > 0);
    for (const e of fc.entries) assert.ok(e.categories.includes(cat), `${e.id} lacks ${cat}`);
    const author = featured[0]!.authors[0]!;
    const fa = await feed(`/feeds/authors/${encodeURIComponent(author)}.atom`);
    assert.ok(fa.entries.some((e) => e.id.endsWith(featured[0]!.id)));
    for (const e of fa.entries) assert.ok(e.authors.includes(author));
  });

  it('a public collection is a feed; a private one is 404 even to its owner through the feed URL', async () => {
    const alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
    const pub = await createCollection(env.db, alice.user.id, { name: 'Reading <list> & more', isPublic: true });
    const priv = await createCollection(env.db, alice.user.id, { name: 'Secret', isPublic: false });
    for (const p of featured.slice(0, 3)) {
      await addPaperToCollection(env.db, pub.id, p.id, `note on ${p.id} <b>`);
      await addPaperToCollection(env.db, priv.id, p.id);
    }
    const f = await feed(`/feeds/collections/alice/${pub.slug}.atom`);
    assert.equal(f.entries.length, 3);
    assert.match(f.title, /Reading <list> & more/);
    assert.match(f.entries[0]!.summary, /^note on .* <b>\n\n/);
    assert.equal(f.alternate, `${env.config.baseUrl}/u/alice/collections/${pub.slug}`);
    for (const path of [`/feeds/collections/alice/${priv.slug}.atom`, '/feeds/collections/alice/nope.atom', '/feeds/collections/nobody/x.atom']) {
      assert.equal((await env.app.request(path)).status, 404, path);
      assert.equal((await alice.get(path)).status, 404, `${path} (owner)`);
    }
    // The collection page offers its feed for autodiscovery.
    const html = await (await env.app.request(`/u/alice/collections/${pub.slug}`)).text();
    assert.match(html, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]*" href="/feeds/collections/alice/${pub.slug}.atom"`));
  });

  it('pages offer their feed with <link rel="alternate" type="application/atom+xml">', async () => {
    const cases: Array<[string, string]> = [
      ['/', '/feeds/daily.atom'],
      ['/trending', '/feeds/trending.atom'],
      ['/search?q=neural&category=cs.LG', '/feeds/search.atom?q=neural&amp;category=cs.LG'],
      [`/authors/${encodeURIComponent(featured[0]!.authors[0]!)}`, `/feeds/authors/${encodeURIComponent(featured[0]!.authors[0]!)}.atom`],
    ];
    for (const [page, href] of cases) {
      const html = await (await env.app.request(page)).text();
      assert.ok(html.includes(`type="application/atom+xml"`) && html.includes(`href="${href}"`), `${page} should link ${href}`);
    }
  });

  describe('hostile text', () => {
    it('every hostile title, author and abstract gives a valid feed that reads back as the stored text', async () => {
      const groups = Math.ceil(hostilePapers.length / GROUP);
      let seen = 0;
      for (let g = 0; g < groups; g++) {
        const cat = `hostile.g${'abcdefghij'[g]}`;
        const f = await feed(`/feeds/categories/${cat}.atom`, cat);
        for (const e of f.entries) {
          const stored = (await getPaper(env.db, e.id.split('/papers/')[1]!))!;
          assert.equal(e.title, asFeedText(stored.title), `title of ${stored.id}`);
          assert.deepEqual(e.authors, stored.authors.map(asFeedText));
          assert.equal(e.summary, asFeedText(stored.abstract));
          seen++;
        }
      }
      assert.equal(seen, hostilePapers.length);
    });

    it('featured hostile papers keep the daily and trending feeds valid', async () => {
      await upsertEntries(
        env.db,
        hostilePapers.map((p, i) => ({ paperId: p.id, feedDate: '2026-11-05', submittedAt: '2026-11-05T08:00:00Z', upvotes: i })),
      );
      const daily = await feed('/feeds/daily.atom');
      assert.equal(daily.entries.length, 50);
      const titles = new Set(hostilePapers.map((p) => asFeedText(p.title)));
      assert.ok(daily.entries.every((e) => titles.has(e.title) || e.title.includes('\ufffd')));
      await feed('/feeds/trending.atom');
    });

    it('hostile search text, author names and collection names give valid feeds or a clear 400/404', async () => {
      const owner = await signedInClient(env.app, env.db, { email: 'h@example.org', handle: 'hostile' });
      for (const h of HOSTILE_INPUTS) {
        const q = h.input.slice(0, 400);
        const res = await env.app.request(`/feeds/search.atom?q=${encodeURIComponent(q.replace(/[\ud800-\udfff]/g, ''))}`);
        assert.ok(res.status === 200 || res.status === 400, `${h.name}: search feed ${res.status}`);
        if (res.status === 200) parseAtom(await res.text(), `search ${h.name}`);
        const name = h.input.slice(0, 200).replace(/[\ud800-\udfff]/g, '');
        const ar = await env.app.request(`/feeds/authors/${encodeURIComponent(name)}.atom`);
        assert.ok([200, 400, 404].includes(ar.status), `${h.name}: author feed ${ar.status}`);
        if (ar.status === 200) parseAtom(await ar.text(), `author ${h.name}`);
      }
      const col = await createCollection(env.db, owner.user.id, { name: HOSTILE_INPUTS[0]!.input, description: HOSTILE_INPUTS[1]!.input, isPublic: true });
      await addPaperToCollection(env.db, col.id, hostilePapers[0]!.id, HOSTILE_INPUTS[2]!.input);
      const f = await feed(`/feeds/collections/hostile/${col.slug}.atom`);
      assert.equal(f.entries[0]!.title, asFeedText(hostilePapers[0]!.title));
    });
  });

  it('bad feed addresses are 400 or 404 with a message, never 500', async () => {
    const cases: Array<[string, number]> = [
      ['/feeds/search.atom', 400],
      ['/feeds/search.atom?q=', 400],
      ['/feeds/search.atom?q=x&sort=sideways', 400],
      ['/feeds/search.atom?q=x&from=2026-13-01', 400],
      ['/feeds/search.atom?q=x&from=2026-02-05&to=2026-02-01', 400],
      ['/feeds/search.atom?q=x&category=%3Cscript%3E', 400],
      [`/feeds/search.atom?q=${'x'.repeat(600)}`, 400],
      ['/feeds/categories/not%20a%20category.atom', 400],
      ['/feeds/categories/cs.CL.rss', 400],
      ['/feeds/authors/%E0%A4%A.atom', 400],
      ['/feeds/authors/.atom', 400],
      ['/feeds/authors/Nobody%20At%20All.atom', 404],
      ['/feeds/authors/Someone', 400],
      ['/feeds/me.atom', 404],
      ['/feeds/me.atom?token=pbf_short', 404],
      [`/feeds/me.atom?token=pbf_${'A'.repeat(43)}`, 404],
      ['/feeds/nothing.atom', 404],
    ];
    for (const [path, status] of cases) {
      const res = await env.app.request(path);
      assert.equal(res.status, status, path);
      assert.match(await res.text(), /<p>[^<]{10,}<\/p>/, `${path}: a message`);
    }
  });

  describe('private feed', () => {
    it('is opened by the token made in settings, shown once, stored hashed, and holds the reader’s sources with reasons', async () => {
      const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
      const target = featured[5]!;
      const word = target.title.split(/\s+/).find((w) => /^[A-Za-z]{7,}$/.test(w))!;
      await createSavedSearch(env.db, bob.user.id, { name: 'My topic', query: word, filters: {} });
      const followedAuthor = featured[7]!.authors[0]!;
      await follow(env.db, bob.user.id, 'author', followedAuthor);

      const made = await bob.post('/settings/digest/feed-token', {}, { csrfFrom: '/settings/digest' });
      assert.equal(made.status, 200);
      const html = await made.text();
      const url = /id="feed-url">\s*([^<\s]+)\s*</.exec(html)?.[1];
      assert.ok(url, 'the new URL is shown');
      assert.ok(url.startsWith(`${env.config.baseUrl}/feeds/me.atom?token=pbf_`));
      const token = new URL(url).searchParams.get('token')!;
      // Stored as sha256 only; the settings page never shows it again.
      const row = await env.db.selectFrom('feed_tokens').selectAll().where('user_id', '=', bob.user.id).executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token));
      assert.ok(!JSON.stringify(row).includes(token));
      assert.ok(!(await (await bob.get('/settings/digest')).text()).includes(token));

      const res = await env.app.request(`/feeds/me.atom?token=${token}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /private, no-store/);
      const f = parseAtom(await res.text(), 'private');
      assert.equal(f.title, 'Paperboy for @bob');
      assert.ok(!f.id.includes(token), 'the feed id does not leak the token');
      const reasons = f.entries.map((e) => e.summary.split('\n')[0]!);
      assert.ok(reasons.some((r) => r.includes('top of the week')));
      assert.ok(reasons.some((r) => r.includes('matched saved search "My topic"')));
      assert.ok(f.entries.some((e) => e.authors.includes(followedAuthor) && e.summary.includes(`followed author ${followedAuthor}`)));

      // Include flags of the digest settings apply to the feed.
      await bob.post('/settings/digest', { cadence: 'daily', hour: '8', timezone: 'UTC', include_follows: '1' }, { csrfFrom: '/settings/digest' });
      const only = parseAtom(await (await env.app.request(`/feeds/me.atom?token=${token}`)).text());
      assert.ok(only.entries.length > 0);
      for (const e of only.entries) assert.match(e.summary, /^Why: followed author /);

      // Regenerate: the old URL stops working, the new one works.
      const again = await bob.post('/settings/digest/feed-token', {}, { csrfFrom: '/settings/digest' });
      const token2 = new URL(/id="feed-url">\s*([^<\s]+)\s*</.exec(await again.text())![1]!).searchParams.get('token')!;
      assert.notEqual(token2, token);
      assert.equal((await env.app.request(`/feeds/me.atom?token=${token}`)).status, 404);
      assert.equal((await env.app.request(`/feeds/me.atom?token=${token2}`)).status, 200);

      // Revoke: gone.
      const revoked = await bob.post('/settings/digest/feed-token/revoke', {}, { csrfFrom: '/settings/digest' });
      assert.equal(revoked.status, 303);
      assert.equal((await env.app.request(`/feeds/me.atom?token=${token2}`)).status, 404);
      assert.match(await (await bob.get('/settings/digest')).text(), /You have no private feed URL/);
    });

    it('adds personal picks after the digest sources (when include.picks) and leaves out "not interested" papers', async () => {
      const erin = await signedInClient(env.app, env.db, { email: 'erin@example.org', handle: 'erin' });
      const pick = featured[featured.length - 1]!.id;
      const extra = async () => [{ paperId: pick, reason: 'picked for you: close to X' }, { paperId: hostilePapers[3]!.id, reason: 'picked for you: close to Y' }];
      const today = '2026-11-27';
      const all = await personalFeedPapers(env.db, erin.user.id, { today, extra });
      assert.ok(all.find((p) => p.paper.id === hostilePapers[3]!.id)!.reasons.includes('picked for you: close to Y'));
      assert.ok(all.find((p) => p.paper.id === pick)!.reasons.includes('picked for you: close to X'));
      const sub = await saveUserSubscription(env.db, { id: erin.user.id, email: 'erin@example.org' }, { ...DEFAULT_SETTINGS, include: { ...DEFAULT_SETTINGS.include, picks: false } });
      assert.ok(!(await personalFeedPapers(env.db, erin.user.id, { today, extra })).some((p) => p.paper.id === hostilePapers[3]!.id));
      const top = all[0]!.paper.id;
      await recordFeedback(env.db, { subscriptionId: sub.id, userId: erin.user.id, paperId: top, kind: 'not_interested' });
      assert.ok(!(await personalFeedPapers(env.db, erin.user.id, { today, extra })).some((p) => p.paper.id === top));
      // "Not interested" given on the site (a paper page or /for-you) counts the same.
      const second = all.find((p) => p.paper.id !== top)!.paper.id;
      await setPaperFeedback(env.db, erin.user.id, second, 'not_interested');
      assert.ok(!(await personalFeedPapers(env.db, erin.user.id, { today, extra })).some((p) => p.paper.id === second), 'site feedback leaves the paper out');
    });

    it('a banned owner’s feed is closed; userFromFeedToken refuses malformed tokens', async () => {
      const carol = await signedInClient(env.app, env.db, { email: 'carol@example.org', handle: 'carol' });
      const token = await regenerateFeedToken(env.db, carol.user.id);
      assert.equal((await userFromFeedToken(env.db, token))?.id, carol.user.id);
      await setBanned(env.db, 'carol', true);
      assert.equal(await userFromFeedToken(env.db, token), undefined);
      assert.equal((await env.app.request(`/feeds/me.atom?token=${token}`)).status, 404);
      for (const bad of [undefined, '', token.slice(0, -1), `pb_${token.slice(4)}`, `${token}x`, token.replace('pbf_', 'PBF_')]) {
        assert.equal(await userFromFeedToken(env.db, bad), undefined, String(bad));
      }
    });

    it('making or revoking a feed token needs a signed-in reader and a CSRF token', async () => {
      const res = await env.app.request('/settings/digest/feed-token', { method: 'POST' });
      assert.ok([401, 403].includes(res.status));
      const dave = await signedInClient(env.app, env.db, { email: 'dave@example.org', handle: 'dave' });
      const forged = await dave.post('/settings/digest/feed-token', {}, { csrfFrom: null });
      assert.equal(forged.status, 403);
      assert.equal(await env.db.selectFrom('feed_tokens').select('user_id').where('user_id', '=', dave.user.id).executeTakeFirst(), undefined);
    });
  });
});
