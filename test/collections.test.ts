/**
 * Collections end to end, through app.request() on a database built by the real migrations (SQLite,
 * or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres), with real arXiv papers from testdata/:
 * pages and forms (create, rename, visibility, delete, add/remove papers, the paper page's box),
 * who may see what (private = 404 to others), the JSON Feed listing, the BibTeX export (duplicate keys),
 * the /api/v1/collections API with its refusals, and the hostile corpus through every collection surface.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { Connection } from '../src/db/connect.ts';
import {
  addPaperToCollection,
  CollectionError,
  createCollection,
  getCollectionBySlug,
  listCollectionItems,
  MAX_NAME_LENGTH,
  slugify,
  updateCollection,
} from '../src/store/collections.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { paperToBibtex } from '../src/text/bibtex.ts';
import { papersToBibtexFile, uniqueBibtexKeys } from '../src/text/bibtex-file.ts';
import { HOSTILE_INPUTS } from './fixtures/hostile-inputs.ts';
import { apiTokenFor, csrfFrom, signedInClient, TestClient } from './helpers/browser-session.ts';
import { readListings } from './helpers/corpus.ts';
import { freshApp } from './helpers/db.ts';
import { assertNoExecutableMarkup, assertSameMarkup, benignTwin } from './helpers/xss.ts';

const sample: PaperInput[] = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
const oldStyle: PaperInput = JSON.parse(readFileSync(new URL('../testdata/pages/astro-ph-0601001.json', import.meta.url), 'utf8'));
const P1 = sample[0]!.id;
const P2 = sample[1]!.id;
const P3 = sample[2]!.id;
// Two real papers whose citation keys collide (li2025robust).
const DUP_A = '2505.02549';
const DUP_B = '2510.25934';
const UNKNOWN = '2501.99999';


async function setup() {
  const env = await freshApp();
  await upsertPapers(env.db, [...sample, oldStyle]);
  const alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice', displayName: 'Alice' });
  const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
  return { ...env, alice, bob };
}

/** POSTs a form as a signed-in client (CSRF token taken from /collections). */
function post(client: TestClient, path: string, form: Record<string, string>, csrf = true) {
  return client.post(path, form, { csrfFrom: csrf ? '/collections' : null });
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe('the store', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.conn.close());

  it('makes slugs from names, unique per user, and keeps them on rename', async () => {
    assert.equal(slugify('  Reading List: RL & Reward Models! '), 'reading-list-rl-reward-models');
    assert.equal(slugify('Éléments de théorie'), 'elements-de-theorie');
    assert.equal(slugify('日本語'), 'collection');
    const [alice, bob] = [env.alice.user, env.bob.user];
    const a1 = await createCollection(env.db, alice.id, { name: 'Reading list' });
    const a2 = await createCollection(env.db, alice.id, { name: 'Reading list' });
    const b1 = await createCollection(env.db, bob.id, { name: 'Reading list' });
    assert.deepEqual([a1.slug, a2.slug, b1.slug], ['reading-list', 'reading-list-2', 'reading-list']);
    assert.equal(a1.isPublic, false, 'private by default');
    const renamed = await updateCollection(env.db, a1.id, { name: 'Must read' });
    assert.equal(renamed.name, 'Must read');
    assert.equal(renamed.slug, 'reading-list', 'links keep working after a rename');
    await assert.rejects(createCollection(env.db, alice.id, { name: 'x', slug: 'reading-list-2' }), (e: unknown) => e instanceof CollectionError && e.kind === 'duplicate');
    await assert.rejects(updateCollection(env.db, a2.id, { slug: 'reading-list' }), (e: unknown) => e instanceof CollectionError && e.kind === 'duplicate');
    for (const bad of ['', '   ', '\u0000\u0007', 'x'.repeat(MAX_NAME_LENGTH + 1)]) {
      await assert.rejects(createCollection(env.db, alice.id, { name: bad }), (e: unknown) => e instanceof CollectionError && e.kind === 'invalid', JSON.stringify(bad));
    }
    for (const bad of ['Upper', '-a', 'a-', 'a--b', 'a b', 'x'.repeat(61)]) {
      await assert.rejects(createCollection(env.db, alice.id, { name: 'ok', slug: bad }), (e: unknown) => e instanceof CollectionError && e.kind === 'invalid', bad);
    }
    // Names are one line: control characters and line breaks become spaces.
    const odd = await createCollection(env.db, alice.id, { name: 'a\nb\u202e\tc', description: 'line 1\r\nline 2\n\n\n\nline 3\u0000' });
    assert.equal(odd.name, 'a b c');
    assert.equal(odd.description, 'line 1\nline 2\n\nline 3');
  });

  it('lists items newest first (or oldest first for BibTeX), keeps the first added time, updates notes', async () => {
    const alice = env.alice.user;
    const col = await createCollection(env.db, alice.id, { name: 'Order' });
    const t = (s: string) => new Date(`2026-03-0${s}T10:00:00Z`);
    assert.equal((await addPaperToCollection(env.db, col.id, P2, undefined, t('1'))).added, true);
    await addPaperToCollection(env.db, col.id, P1, 'first note', t('2'));
    await addPaperToCollection(env.db, col.id, P3, undefined, t('3'));
    const again = await addPaperToCollection(env.db, col.id, P2, 'later note', t('4'));
    assert.deepEqual(again, { added: false, addedAt: t('1').toISOString(), note: 'later note' });
    const kept = await addPaperToCollection(env.db, col.id, P1, undefined, t('5'));
    assert.equal(kept.note, 'first note', 'no note given: the old one stays');
    const newest = await listCollectionItems(env.db, col.id);
    assert.deepEqual(newest.map((i) => i.paper.id), [P3, P1, P2]);
    assert.equal(newest[0]!.paper.title, sample[2]!.title);
    assert.deepEqual((await listCollectionItems(env.db, col.id, { order: 'oldest' })).map((i) => i.paper.id), [P2, P1, P3]);
    assert.deepEqual((await listCollectionItems(env.db, col.id, { limit: 1 })).map((i) => i.paper.id), [P3]);
  });
});

describe('BibTeX files', () => {
  const dupA = sample.find((p) => p.id === DUP_A)!;
  const dupB = sample.find((p) => p.id === DUP_B)!;
  const asPaper = (p: PaperInput) => ({ ...p, primaryCategory: p.categories[0] ?? null, num: 0, createdAt: '', modifiedAt: '' }) as never;

  it('suffixes duplicate keys a, b, … after the first, so appending papers keeps earlier keys', () => {
    assert.deepEqual(uniqueBibtexKeys([asPaper(dupA), asPaper(dupB)]), ['li2025robust', 'li2025robusta']);
    assert.deepEqual(uniqueBibtexKeys([asPaper(dupA), asPaper(dupB), asPaper(dupA)]), ['li2025robust', 'li2025robusta', 'li2025robustb']);
    const file = papersToBibtexFile([asPaper(dupA), asPaper(dupB)]);
    assert.deepEqual([...file.matchAll(/^@misc\{([^,]+),$/gm)].map((m) => m[1]), ['li2025robust', 'li2025robusta']);
    assert.ok(file.includes(`eprint = {${DUP_B}}`));
    assert.equal(papersToBibtexFile([]), '');
    // The single-paper entry of K1's module is used as is (only the key differs).
    assert.ok(file.includes(paperToBibtex(asPaper(dupA)).trim()));
  });
});

describe('collection pages and forms', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let app: Hono;
  before(async () => {
    env = await setup();
    app = env.app;
  });
  after(() => env.conn.close());

  it('needs a signed-in user for /collections and for every form', async () => {
    const anon = new TestClient(app);
    const res = await anon.get('/collections');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/signin?next=%2Fcollections');
    const created = await anon.post('/collections', { name: 'x' }, { csrfFrom: '/signin' });
    assert.equal(created.status, 401);
    assert.equal(await env.db.selectFrom('collections').select('id').executeTakeFirst(), undefined);
  });

  it('creates a collection from the form (CSRF required), shows it, and refuses an empty name', async () => {
    const noToken = await post(env.alice, '/collections', { name: 'No token' }, false);
    assert.equal(noToken.status, 403);
    const empty = await post(env.alice, '/collections', { name: '   ' });
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /A collection needs a name/);

    const res = await post(env.alice, '/collections', { name: 'Reward models', description: 'Papers on RMs.\n\nSecond paragraph.', public: '1' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/u/alice/collections/reward-models');
    const page = await env.alice.get('/u/alice/collections/reward-models');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<h1>Reward models<\/h1>/);
    assert.match(html, /Papers on RMs\./);
    assert.match(html, /Second paragraph\./);
    assert.match(html, /action="\/collections\/\d+\/edit"/, 'the owner gets the edit form');
    const mine = await (await env.alice.get('/collections')).text();
    assert.match(mine, /href="\/u\/alice\/collections\/reward-models">Reward models<\/a>/);
    // Someone else sees the public page without the owner's forms.
    const other = await (await env.bob.get('/u/alice/collections/reward-models')).text();
    assert.match(other, /<h1>Reward models<\/h1>/);
    assert.doesNotMatch(other, /\/edit"/);
    assert.doesNotMatch(other, /Remove from collection/);
  });

  it('adds a paper from the paper page, which then shows where it is', async () => {
    const paperPage = await (await env.alice.get(`/papers/${P1}`)).text();
    assert.match(paperPage, /Save to a collection/);
    const col = (await getCollectionBySlug(env.db, 'alice', 'reward-models'))!;
    assert.match(paperPage, new RegExp(`<option value="${col.id}">Reward models</option>`));
    const anonPage = await (await new TestClient(app).get(`/papers/${P1}`)).text();
    assert.doesNotMatch(anonPage, /Save to a collection/, 'no save box for anonymous readers');

    const res = await env.alice.post('/collections/add', { collection_id: String(col.id), paper_id: P1, note: 'Read §3 first', next: `/papers/${P1}` }, { csrfFrom: `/papers/${P1}` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${P1}`);
    const after = await (await env.alice.get(`/papers/${P1}`)).text();
    assert.match(after, /In your collection:/);
    // Public: listed for everyone on the paper page.
    const anonAfter = await (await new TestClient(app).get(`/papers/${P1}`)).text();
    assert.match(anonAfter, /In public collections/);
    assert.match(anonAfter, /href="\/u\/alice\/collections\/reward-models"/);
    const colPage = await (await env.alice.get('/u/alice/collections/reward-models')).text();
    assert.match(colPage, /Read §3 first/);
    assert.ok(colPage.includes(sample[0]!.title.replace(/&/g, '&amp;').replace(/</g, '&lt;')), 'the paper title is listed');

    // "New collection with this paper" in one step, back to the paper.
    const both = await env.alice.post('/collections', { name: 'To cite', paper_id: oldStyle.id, next: `/papers/${oldStyle.id}` }, { csrfFrom: '/collections' });
    assert.equal(both.status, 303);
    assert.equal(both.headers.get('location'), `/papers/${oldStyle.id}`);
    const toCite = (await getCollectionBySlug(env.db, 'alice', 'to-cite'))!;
    assert.deepEqual((await listCollectionItems(env.db, toCite.id)).map((i) => i.paper.id), [oldStyle.id]);
    // An external `next` is not followed.
    const away = await env.alice.post('/collections/add', { collection_id: String(toCite.id), paper_id: P2, next: '//evil.example/' }, { csrfFrom: '/collections' });
    assert.equal(away.headers.get('location'), '/');
  });

  it('refuses invalid and unknown papers, and other people’s collections (404 private, 403 public)', async () => {
    const col = (await getCollectionBySlug(env.db, 'alice', 'reward-models'))!;
    const invalid = await post(env.alice, `/collections/${col.id}/papers`, { paper_id: 'not-an-id' });
    assert.equal(invalid.status, 400);
    const unknown = await post(env.alice, `/collections/${col.id}/papers`, { paper_id: UNKNOWN });
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /not in this instance/);

    const priv = await createCollection(env.db, env.alice.user.id, { name: 'Secret plans', description: 'hidden' });
    for (const path of [`/collections/${priv.id}/papers`, `/collections/${priv.id}/edit`, `/collections/${priv.id}/delete`, `/collections/${priv.id}/visibility`]) {
      const res = await post(env.bob, path, { paper_id: P2, name: 'pwned', public: '1' });
      assert.equal(res.status, 404, path);
      const missing = await post(env.bob, path.replace(String(priv.id), '999999'), { paper_id: P2, name: 'pwned', public: '1' });
      assert.equal(missing.status, 404);
      assert.equal(await res.text(), await missing.text(), 'a private collection answers exactly like a missing one');
    }
    for (const path of [`/collections/${col.id}/papers`, `/collections/${col.id}/edit`, `/collections/${col.id}/delete`, `/collections/${col.id}/papers/remove`]) {
      const res = await post(env.bob, path, { paper_id: P1, name: 'pwned' });
      assert.equal(res.status, 403, path);
    }
    const after = (await getCollectionBySlug(env.db, 'alice', 'secret-plans'))!;
    assert.equal(after.name, 'Secret plans');
    assert.equal(after.paperCount, 0);
    assert.equal((await getCollectionBySlug(env.db, 'alice', 'reward-models'))!.paperCount, 1);
  });

  it('hides private collections from everyone but the owner, as 404, on every format', async () => {
    const anon = new TestClient(app);
    for (const suffix of ['', '.json', '.bib']) {
      const owner = await env.alice.get(`/u/alice/collections/secret-plans${suffix}`);
      assert.equal(owner.status, 200, `owner ${suffix}`);
      assert.match(owner.headers.get('cache-control') ?? '', /no-store/);
      for (const [who, client] of [['bob', env.bob], ['anonymous', anon]] as const) {
        const res = await client.get(`/u/alice/collections/secret-plans${suffix}`);
        const missing = await client.get(`/u/alice/collections/no-such-thing${suffix}`);
        assert.equal(res.status, 404, `${who} ${suffix}`);
        assert.equal(await res.text(), (await missing.text()).replace(/no-such-thing/g, 'secret-plans'), `${who} ${suffix}: same as missing`);
      }
    }
    const listAnon = await (await anon.get('/u/alice/collections')).text();
    assert.match(listAnon, /Reward models/);
    assert.doesNotMatch(listAnon, /Secret plans/);
    const listOwner = await (await env.alice.get('/u/alice/collections')).text();
    assert.match(listOwner, /Secret plans/);
    assert.equal((await anon.get('/u/nobody-here/collections')).status, 404);
    const paper = await (await anon.get(`/papers/${P1}`)).text();
    assert.doesNotMatch(paper, /Secret plans/);
  });

  it('renames, toggles visibility, removes papers and deletes through the forms', async () => {
    const priv = (await getCollectionBySlug(env.db, 'alice', 'secret-plans'))!;
    const edit = await post(env.alice, `/collections/${priv.id}/edit`, { name: 'Open plans', description: 'now visible', public: '1' });
    assert.equal(edit.status, 303);
    assert.equal(edit.headers.get('location'), '/u/alice/collections/secret-plans', 'the slug stays');
    const anon = new TestClient(app);
    const page = await anon.get('/u/alice/collections/secret-plans');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>Open plans<\/h1>/);

    const badEdit = await post(env.alice, `/collections/${priv.id}/edit`, { name: '' });
    assert.equal(badEdit.status, 400);
    assert.match(await badEdit.text(), /needs a name/);

    assert.equal((await post(env.alice, `/collections/${priv.id}/visibility`, { public: 'maybe' })).status, 400);
    assert.equal((await post(env.alice, `/collections/${priv.id}/visibility`, { public: '0' })).status, 303);
    assert.equal((await anon.get('/u/alice/collections/secret-plans')).status, 404);
    assert.equal((await post(env.alice, `/collections/${priv.id}/visibility`, { public: '1' })).status, 303);
    assert.equal((await anon.get('/u/alice/collections/secret-plans')).status, 200);

    await post(env.alice, `/collections/${priv.id}/papers`, { paper_id: `https://arxiv.org/abs/${P2}v2` });
    assert.deepEqual((await listCollectionItems(env.db, priv.id)).map((i) => i.paper.id), [P2], 'a URL with a version is normalized');
    const notIn = await post(env.alice, `/collections/${priv.id}/papers/remove`, { paper_id: P3 });
    assert.equal(notIn.status, 404);
    const removed = await post(env.alice, `/collections/${priv.id}/papers/remove`, { paper_id: P2 });
    assert.equal(removed.status, 303);
    assert.deepEqual(await listCollectionItems(env.db, priv.id), []);

    const del = await post(env.alice, `/collections/${priv.id}/delete`, {});
    assert.equal(del.status, 303);
    assert.equal(del.headers.get('location'), '/collections');
    assert.equal((await env.alice.get('/u/alice/collections/secret-plans')).status, 404);
    assert.ok(await env.db.selectFrom('papers').select('id').where('id', '=', P2).executeTakeFirst(), 'the papers stay');
  });
});

describe('the JSON listing and the BibTeX export', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
    const col = await createCollection(env.db, env.alice.user.id, { name: 'Robustness', description: 'Robust things', isPublic: true });
    await addPaperToCollection(env.db, col.id, DUP_B, undefined, new Date('2026-01-01T00:00:00Z'));
    await addPaperToCollection(env.db, col.id, oldStyle.id, 'classic', new Date('2026-01-02T00:00:00Z'));
    await addPaperToCollection(env.db, col.id, DUP_A, 'same key', new Date('2026-01-03T00:00:00Z'));
  });
  after(() => env.conn.close());

  it('serves a JSON Feed 1.1 listing, newest first, with added time and note', async () => {
    const res = await new TestClient(env.app).get('/u/alice/collections/robustness.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/feed+json; charset=utf-8');
    const feed = (await res.json()) as {
      version: string;
      title: string;
      home_page_url: string;
      feed_url: string;
      description: string;
      items: Array<{ id: string; url: string; title: string; date_published: string; summary?: string; tags: string[]; authors: Array<{ name: string }>; _paperboy: { arxiv_id: string; note: string | null; added_at: string } }>;
    };
    const base = env.config.baseUrl;
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(feed.title, 'Robustness · @alice');
    assert.equal(feed.home_page_url, `${base}/u/alice/collections/robustness`);
    assert.equal(feed.feed_url, `${base}/u/alice/collections/robustness.json`);
    assert.equal(feed.description, 'Robust things');
    assert.deepEqual(feed.items.map((i) => i._paperboy.arxiv_id), [DUP_A, oldStyle.id, DUP_B]);
    const first = feed.items[0]!;
    assert.equal(first.id, `${base}/papers/${DUP_A}`);
    assert.equal(first.date_published, '2026-01-03T00:00:00.000Z');
    assert.equal(first.summary, 'same key');
    assert.equal(first.title, sample.find((p) => p.id === DUP_A)!.title);
    assert.deepEqual(first.authors.map((a) => a.name), sample.find((p) => p.id === DUP_A)!.authors);
    assert.equal(feed.items[1]!.url, `${base}/papers/${oldStyle.id}`);
    assert.equal(feed.items[2]!.summary, undefined);
  });

  it('exports BibTeX as a text/plain attachment with unique keys, oldest first', async () => {
    const res = await new TestClient(env.app).get('/u/alice/collections/robustness.bib');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="alice-robustness.bib"');
    const text = await res.text();
    const keys = [...text.matchAll(/^@misc\{([^,]+),$/gm)].map((m) => m[1]);
    assert.equal(keys.length, 3);
    assert.equal(keys[0], 'li2025robust', `oldest first: ${DUP_B} keeps the plain key`);
    assert.equal(keys[2], 'li2025robusta');
    assert.equal(new Set(keys).size, 3);
    assert.deepEqual([...text.matchAll(/eprint = \{([^}]+)\}/g)].map((m) => m[1]), [DUP_B, oldStyle.id, DUP_A]);
    // An empty collection exports an empty file, not an error.
    await createCollection(env.db, env.alice.user.id, { name: 'Empty', isPublic: true });
    const empty = await new TestClient(env.app).get('/u/alice/collections/empty.bib');
    assert.equal(empty.status, 200);
    assert.equal(await empty.text(), '');
  });
});

describe('/api/v1/collections', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let aliceToken: string;
  let bobToken: string;
  const api = (path: string, token: string | null, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) =>
    env.app.request(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
  before(async () => {
    env = await setup();
    aliceToken = await apiTokenFor(env.db, env.alice.user.id);
    bobToken = await apiTokenFor(env.db, env.bob.user.id);
  });
  after(() => env.conn.close());

  let pubId: number;
  let privId: number;

  it('needs credentials for listing and writing (401 JSON), and refuses a bad token', async () => {
    for (const [method, path] of [['GET', '/api/v1/collections'], ['POST', '/api/v1/collections'], ['PATCH', '/api/v1/collections/1'], ['DELETE', '/api/v1/collections/1'], ['PUT', `/api/v1/collections/1/papers/${P1}`], ['DELETE', `/api/v1/collections/1/papers/${P1}`]]) {
      const res = await api(path!, null, { method, body: method === 'GET' ? undefined : { name: 'x' } });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.match(await errorOf(res), /Authentication required/);
    }
    const bad = await api('/api/v1/collections', 'pb_forged');
    assert.equal(bad.status, 401);
  });

  it('creates collections (201 + Location) and refuses bad bodies (400) and taken slugs (409)', async () => {
    const res = await api('/api/v1/collections', aliceToken, { method: 'POST', body: { name: 'Agents', description: 'LLM agents', public: true } });
    assert.equal(res.status, 201);
    const col = (await res.json()) as { id: number; slug: string; public: boolean; owner: { handle: string }; url: string; bibtexUrl: string; paperCount: number };
    assert.equal(res.headers.get('location'), `/api/v1/collections/${col.id}`);
    assert.equal(col.slug, 'agents');
    assert.equal(col.public, true);
    assert.equal(col.owner.handle, 'alice');
    assert.equal(col.paperCount, 0);
    assert.equal(col.url, `${env.config.baseUrl}/u/alice/collections/agents`);
    assert.equal(col.bibtexUrl, `${col.url}.bib`);
    pubId = col.id;
    const priv = await api('/api/v1/collections', aliceToken, { method: 'POST', body: { name: 'Private stuff', slug: 'private' } });
    assert.equal(priv.status, 201);
    privId = ((await priv.json()) as { id: number }).id;

    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /JSON object/],
      ['{not json', /JSON object/],
      ['[1,2]', /JSON object/],
      ['{"name": 5}', /"name" must be a string/],
      ['{"name": "x", "public": "yes"}', /"public" must be true or false/],
      ['{"name": "x", "description": 7}', /"description"/],
      ['{"description": "no name"}', /needs a name/],
      ['{"name": "x", "slug": "Bad Slug"}', /slug/],
    ];
    for (const [raw, message] of cases) {
      const r = await api('/api/v1/collections', aliceToken, { method: 'POST', raw: raw ?? '' });
      assert.equal(r.status, 400, String(raw));
      assert.match(await errorOf(r), message);
    }
    const dup = await api('/api/v1/collections', aliceToken, { method: 'POST', body: { name: 'Again', slug: 'agents' } });
    assert.equal(dup.status, 409);
    assert.match(await errorOf(dup), /already have a collection/);
  });

  it('lists one’s own collections, and only the public ones of someone else', async () => {
    const mine = (await (await api('/api/v1/collections', aliceToken)).json()) as { collections: Array<{ slug: string }> };
    assert.deepEqual(mine.collections.map((c) => c.slug).sort(), ['agents', 'private']);
    const theirs = (await (await api('/api/v1/collections?user=alice', bobToken)).json()) as { collections: Array<{ slug: string }> };
    assert.deepEqual(theirs.collections.map((c) => c.slug), ['agents']);
    assert.equal((await api('/api/v1/collections?user=nobody-at-all', bobToken)).status, 404);
  });

  it('adds papers with PUT (201, then 200 idempotent), and refuses invalid (400) and unknown (404) papers', async () => {
    const put = await api(`/api/v1/collections/${pubId}/papers/${P1}`, aliceToken, { method: 'PUT', body: { note: 'great' } });
    assert.equal(put.status, 201);
    const first = (await put.json()) as { paperId: string; added: boolean; addedAt: string; note: string };
    assert.equal(first.added, true);
    assert.equal(first.note, 'great');
    const again = await api(`/api/v1/collections/${pubId}/papers/${P1}v3`, aliceToken, { method: 'PUT' });
    assert.equal(again.status, 200);
    const second = (await again.json()) as typeof first;
    assert.deepEqual(second, { ...first, added: false }, 'same added time, note kept');
    const cleared = (await (await api(`/api/v1/collections/${pubId}/papers/${P1}`, aliceToken, { method: 'PUT', body: { note: null } })).json()) as typeof first;
    assert.equal(cleared.note, null);
    // Old-style ids, with the slash as is or encoded.
    assert.equal((await api(`/api/v1/collections/${pubId}/papers/${oldStyle.id}`, aliceToken, { method: 'PUT' })).status, 201);
    assert.equal((await api(`/api/v1/collections/${pubId}/papers/${encodeURIComponent(oldStyle.id)}`, aliceToken, { method: 'PUT' })).status, 200);

    const invalid = await api(`/api/v1/collections/${pubId}/papers/not-a-paper`, aliceToken, { method: 'PUT' });
    assert.equal(invalid.status, 400);
    assert.match(await errorOf(invalid), /Not an arXiv id/);
    const unknown = await api(`/api/v1/collections/${pubId}/papers/${UNKNOWN}`, aliceToken, { method: 'PUT' });
    assert.equal(unknown.status, 404);
    assert.match(await errorOf(unknown), /not in this instance/);
    const badNote = await api(`/api/v1/collections/${pubId}/papers/${P2}`, aliceToken, { method: 'PUT', body: { note: 42 } });
    assert.equal(badNote.status, 400);
    const longNote = await api(`/api/v1/collections/${pubId}/papers/${P2}`, aliceToken, { method: 'PUT', body: { note: 'x'.repeat(1001) } });
    assert.equal(longNote.status, 400);
    assert.equal((await api(`/api/v1/collections/abc/papers/${P2}`, aliceToken, { method: 'PUT' })).status, 400);
    assert.equal((await api(`/api/v1/collections/424242/papers/${P2}`, aliceToken, { method: 'PUT' })).status, 404);

    const got = (await (await api(`/api/v1/collections/${pubId}`, null)).json()) as { paperCount: number; papers: Array<{ paperId: string; note: string | null; title: string }> };
    assert.equal(got.paperCount, 2);
    assert.deepEqual(got.papers.map((p) => p.paperId).sort(), [P1, oldStyle.id].sort());
  });

  it('shows a public collection to anyone, a private one only to its owner (404 like a missing one)', async () => {
    assert.equal((await api(`/api/v1/collections/${pubId}`, null)).status, 200);
    assert.equal((await api(`/api/v1/collections/${privId}`, aliceToken)).status, 200);
    for (const token of [bobToken, null]) {
      const res = await api(`/api/v1/collections/${privId}`, token);
      const missing = await api('/api/v1/collections/999999', token);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), await missing.json());
    }
    assert.equal((await api('/api/v1/collections/0', null)).status, 400);
    assert.equal((await api('/api/v1/collections/99999999999999999999', null)).status, 400);
  });

  it('lets only the owner change a collection: 403 on public ones, 404 on private ones', async () => {
    const writes: Array<[string, string, unknown]> = [
      ['PATCH', '', { name: 'pwned' }],
      ['PUT', `/papers/${P2}`, undefined],
      ['DELETE', `/papers/${P1}`, undefined],
      ['DELETE', '', undefined],
    ];
    for (const [method, suffix, body] of writes) {
      const pub = await api(`/api/v1/collections/${pubId}${suffix}`, bobToken, { method, body });
      assert.equal(pub.status, 403, `${method} public${suffix}`);
      assert.match(await errorOf(pub), /Only the owner/);
      const priv = await api(`/api/v1/collections/${privId}${suffix}`, bobToken, { method, body });
      assert.equal(priv.status, 404, `${method} private${suffix}`);
    }
    const still = (await (await api(`/api/v1/collections/${pubId}`, aliceToken)).json()) as { name: string; paperCount: number };
    assert.equal(still.name, 'Agents');
    assert.equal(still.paperCount, 2);
  });

  it('updates (PATCH), removes papers and deletes (204)', async () => {
    const patched = await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'PATCH', body: { name: 'Shared stuff', public: true, description: null } });
    assert.equal(patched.status, 200);
    const p = (await patched.json()) as { name: string; public: boolean; slug: string; description: string | null };
    assert.deepEqual([p.name, p.public, p.slug, p.description], ['Shared stuff', true, 'private', null]);
    assert.equal((await api(`/api/v1/collections/${privId}`, bobToken)).status, 200, 'now public');
    const taken = await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'PATCH', body: { slug: 'agents' } });
    assert.equal(taken.status, 409);
    const renamedSlug = await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'PATCH', body: { slug: 'shared' } });
    assert.equal(((await renamedSlug.json()) as { slug: string }).slug, 'shared');
    assert.equal((await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'PATCH', body: { name: '' } })).status, 400);
    assert.equal((await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'PATCH', raw: 'nope' })).status, 400);

    const del = await api(`/api/v1/collections/${pubId}/papers/${P1}`, aliceToken, { method: 'DELETE' });
    assert.equal(del.status, 204);
    const delAgain = await api(`/api/v1/collections/${pubId}/papers/${P1}`, aliceToken, { method: 'DELETE' });
    assert.equal(delAgain.status, 404);
    assert.match(await errorOf(delAgain), /not in this collection/);
    assert.equal((await api(`/api/v1/collections/${pubId}/papers/junk`, aliceToken, { method: 'DELETE' })).status, 400);

    assert.equal((await api(`/api/v1/collections/${privId}`, aliceToken, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/api/v1/collections/${privId}`, aliceToken)).status, 404);
  });

  it('works with a session cookie, which needs the X-CSRF-Token header on writes', async () => {
    const cookie = env.alice.cookieHeader();
    const without = await api(`/api/v1/collections/${pubId}/papers/${P3}`, null, { method: 'PUT', headers: { cookie } });
    assert.equal(without.status, 403);
    assert.ok((await errorOf(without)).length > 0, 'a JSON error');
    const token = csrfFrom(await (await env.alice.get('/collections')).text())!;
    const withToken = await api(`/api/v1/collections/${pubId}/papers/${P3}`, null, { method: 'PUT', headers: { cookie, 'x-csrf-token': token } });
    assert.equal(withToken.status, 201);
    const list = await api('/api/v1/collections', null, { headers: { cookie } });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('cache-control'), 'no-store');
  });
});

describe('XSS: hostile collection names, descriptions and notes', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.conn.close());

  /** A public collection with the text as name, description and note (cut to the limits), holding P1 and oldStyle. */
  async function make(text: string, i: number, tag: string) {
    const col = await createCollection(env.db, env.alice.user.id, {
      name: text.slice(0, MAX_NAME_LENGTH).trim() || 'x',
      description: text.slice(0, 2000),
      isPublic: true,
      slug: `${tag}-${i}`,
    });
    await addPaperToCollection(env.db, col.id, P1, text.slice(0, 1000), new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    await addPaperToCollection(env.db, col.id, oldStyle.id, undefined, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    return col;
  }

  it('never produce executable markup or change the markup of any page; .json and .bib still parse', async () => {
    const anon = new TestClient(env.app);
    let checked = 0;
    for (const [i, h] of HOSTILE_INPUTS.entries()) {
      await env.db.deleteFrom('collections').execute();
      const bad = await make(h.input, i, 'h');
      const good = await make(benignTwin(h.input), i, 'b');
      for (const [who, client] of [['owner', env.alice], ['anonymous', anon]] as const) {
        const hostile = await (await client.get(`/u/alice/collections/${bad.slug}`)).text();
        const benign = await (await client.get(`/u/alice/collections/${good.slug}`)).text();
        assertNoExecutableMarkup(hostile, { page: true, label: `${h.name} (${who} collection page)` });
        assertSameMarkup(hostile, benign.replaceAll(good.slug, bad.slug), `${h.name} (${who} collection page)`);
        checked++;
      }
      // Lists and the paper page hold both collections: checked for executable markup.
      for (const path of ['/collections', '/u/alice/collections', `/papers/${P1}`]) {
        const html = await (await env.alice.get(path)).text();
        assertNoExecutableMarkup(html, { page: true, label: `${h.name} (${path})` });
        checked++;
      }
      const feed = await anon.get(`/u/alice/collections/${bad.slug}.json`);
      assert.equal(feed.status, 200);
      const parsed = (await feed.json()) as { title: string; items: Array<{ summary?: string }> };
      assert.ok(parsed.title.endsWith(' · @alice'), h.name);
      const bib = await anon.get(`/u/alice/collections/${bad.slug}.bib`);
      assert.equal(bib.status, 200);
      assert.equal(bib.headers.get('content-type'), 'text/plain; charset=utf-8');
      const text = await bib.text();
      assert.equal([...text.matchAll(/^@misc\{/gm)].length, 2, `${h.name}: two entries`);
      checked++;
    }
    assert.ok(checked >= HOSTILE_INPUTS.length * 6, `${checked} renderings checked`);
  });
});
