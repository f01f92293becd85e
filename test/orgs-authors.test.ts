/**
 * Organization pages (`/orgs`, `/orgs/{slug}`) and author pages (`/authors/{name}`) on the real
 * 1000-paper sample, through app.request() on a database built by the real migrations (SQLite, or
 * PostgreSQL with PAPERBOY_TEST_DIALECT=postgres). Author look-ups are checked name by name against
 * a brute-force scan of the same papers, so the index pre-filter can neither miss nor add a paper.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { Connection } from '../src/db/connect.ts';
import { papersByAuthor } from '../src/store/authors.ts';
import { type EntryInput, upsertEntries } from '../src/store/entries.ts';
import { isOrganizationSlug, organizationSlug } from '../src/store/orgs.ts';
import type { PaperInput } from '../src/store/papers.ts';
import { loadPapers, readListings } from './helpers/corpus.ts';
import { freshApp } from './helpers/db.ts';

const SAMPLE = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);

/** Names real authors carry that are awkward for a tokenizer or for JSON (added to one real paper). */
const AWKWARD = ["Jean-Pierre O'Connor", 'A. "Quoted" Name', 'Back\\slash', '***', 'Ünïcödé Ñame', '李明', 'Wei Wang Jr.', 'R&D / Team 100%'];
const AWKWARD_PAPER: PaperInput = { ...SAMPLE[5]!, id: '2501.00001', authors: [...AWKWARD, SAMPLE[5]!.authors[0]!] };
const PAPERS = [...SAMPLE, AWKWARD_PAPER];

/** Organization names as they appear in the real Hugging Face data (testdata/hf, the seed page). */
const ORGS: Array<{ name: string; count: number }> = [
  { name: 'DeepSeek', count: 30 },
  { name: 'NVIDIA', count: 3 },
  { name: 'nvidia', count: 1 },
  { name: 'Samsung  AI Lab (SAIL) Montreal', count: 2 },
  { name: 'Duke NLP', count: 1 },
  { name: '***', count: 1 },
];

let app: Hono;
let conn: Connection;
/** Entries made, by organization name, newest feed date first. */
const byOrg = new Map<string, Array<{ paperId: string; feedDate: string }>>();

before(async () => {
  const made = await freshApp();
  app = made.app;
  conn = made.conn;
  await loadPapers(conn.db, PAPERS);
  const entries: EntryInput[] = [];
  let k = 0;
  for (const o of ORGS) {
    for (let i = 0; i < o.count; i++, k++) {
      const paper = SAMPLE[100 + k]!;
      // Feed dates spread over two months, interleaved between organizations.
      const feedDate = `2025-0${4 + (k % 2)}-${String(1 + ((k * 7) % 28)).padStart(2, '0')}`;
      entries.push({ paperId: paper.id, feedDate, submittedAt: `${feedDate}T10:00:00Z`, organization: o.name, submitterName: 'someone', upvotes: k % 5 });
      byOrg.set(o.name, [...(byOrg.get(o.name) ?? []), { paperId: paper.id, feedDate }]);
    }
  }
  await upsertEntries(conn.db, entries);
});
after(() => conn?.close());

async function get(path: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await app.request(path);
  return { status: res.status, html: await res.text(), res };
}

/** Paper ids in the order their cards appear on a page. */
function cardIds(html: string): string[] {
  return [...html.matchAll(/<h2><a href="\/papers\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!));
}

describe('organization slugs', () => {
  it('are lower-case ASCII words joined by hyphens', () => {
    assert.equal(organizationSlug('Google DeepMind'), 'google-deepmind');
    assert.equal(organizationSlug('Samsung  AI Lab (SAIL) Montreal'), 'samsung-ai-lab-sail-montreal');
    assert.equal(organizationSlug('Université de Montréal'), 'universite-de-montreal');
    assert.equal(organizationSlug('  --math-ai--  '), 'math-ai');
    assert.equal(organizationSlug('<script>alert(1)</script>'), 'script-alert-1-script');
    // Names without ASCII letters or digits get a hashed slug (case and spacing folded); blank names none.
    assert.match(organizationSlug('清华大学'), /^org-[0-9a-f]{10}$/);
    assert.equal(organizationSlug('清华 大学'), organizationSlug(' 清华  大学 '));
    assert.notEqual(organizationSlug('清华大学'), organizationSlug('北京大学'));
    assert.match(organizationSlug('***'), /^org-[0-9a-f]{10}$/);
    assert.equal(organizationSlug('  '), '');
    const long = organizationSlug('word '.repeat(100));
    assert.ok(long.length <= 80 && isOrganizationSlug(long), long);
    assert.ok(!isOrganizationSlug('Google'));
    assert.ok(!isOrganizationSlug('a--b'));
  });
});

describe('/orgs and /orgs/{slug}', () => {
  it('lists organizations with their paper counts, spellings merged, most papers first', async () => {
    const { status, html } = await get('/orgs');
    assert.equal(status, 200);
    const links = [...html.matchAll(/<a href="\/orgs\/([a-z0-9-]+)">([^<]+)<\/a> · (\d+) papers?/g)].map((m) => [m[1], m[2], Number(m[3])]);
    const stars = organizationSlug('***');
    assert.deepEqual(links, [
      ['deepseek', 'DeepSeek', 30],
      ['nvidia', 'NVIDIA', 4],
      ['samsung-ai-lab-sail-montreal', 'Samsung  AI Lab (SAIL) Montreal', 2],
      ...[['duke-nlp', 'Duke NLP', 1], [stars, '***', 1]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ]);
  });

  it('lists the papers of an organization (every spelling), newest feed date first', async () => {
    const { status, html } = await get('/orgs/nvidia');
    assert.equal(status, 200);
    assert.match(html, /<h1>NVIDIA<\/h1>/);
    assert.match(html, /also written nvidia/);
    const expected = [...byOrg.get('NVIDIA')!, ...byOrg.get('nvidia')!].sort((a, b) => (a.feedDate < b.feedDate ? 1 : -1)).map((e) => e.paperId);
    assert.deepEqual(cardIds(html), expected);
  });

  it('paginates, newest first across pages, and refuses bad or empty pages', async () => {
    const all = byOrg.get('DeepSeek')!.sort((a, b) => (a.feedDate < b.feedDate ? 1 : a.feedDate > b.feedDate ? -1 : 0));
    const p1 = await get('/orgs/deepseek');
    const p2 = await get('/orgs/deepseek?page=2');
    assert.equal(cardIds(p1.html).length, 25);
    assert.equal(cardIds(p2.html).length, 5);
    const shown = [...cardIds(p1.html), ...cardIds(p2.html)];
    assert.deepEqual(new Set(shown), new Set(all.map((e) => e.paperId)));
    const dates = shown.map((id) => all.find((e) => e.paperId === id)!.feedDate);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest feed date first');
    assert.match(p1.html, /href="\/orgs\/deepseek\?page=2" rel="next"/);
    assert.equal((await get('/orgs/deepseek?page=3')).status, 404);
    assert.equal((await get('/orgs/deepseek?page=abc')).status, 400);
  });

  it('redirects a name or a non-canonical slug to the canonical page, and answers 404 for unknown ones', async () => {
    const r1 = await get('/orgs/NVIDIA');
    assert.equal(r1.status, 301);
    assert.equal(r1.res.headers.get('location'), '/orgs/nvidia');
    const r2 = await get(`/orgs/${encodeURIComponent('Samsung  AI Lab (SAIL) Montreal')}`);
    assert.equal(r2.res.headers.get('location'), '/orgs/samsung-ai-lab-sail-montreal');
    assert.equal((await get('/orgs/no-such-lab')).status, 404);
    const stars = await get('/orgs/%2A%2A%2A');
    assert.equal(stars.status, 301, 'a name is sent to its (hashed) slug');
    assert.equal(stars.res.headers.get('location'), `/orgs/${organizationSlug('***')}`);
    assert.equal((await get('/orgs/%20%20')).status, 404);
    assert.equal((await get('/orgs/%E0%A4%A')).status, 400);
  });

  it('links the organization from the paper page', async () => {
    const { html } = await get(`/papers/${byOrg.get('Duke NLP')![0]!.paperId}`);
    assert.match(html, /<a href="\/orgs\/duke-nlp">Duke NLP<\/a>/);
    const { html: stars } = await get(`/papers/${byOrg.get('***')![0]!.paperId}`);
    assert.ok(stars.includes(`<a href="/orgs/${organizationSlug('***')}">***</a>`), 'a name without ASCII letters links to its hashed slug');
  });
});

/** Papers listing exactly `name`, by brute force over what was loaded. */
function bruteForce(name: string): string[] {
  return PAPERS.filter((p) => p.authors.includes(name)).map((p) => p.id).sort();
}

describe('author look-ups', () => {
  it('find exactly the papers listing each name (every author of 300 real papers, plus partial names)', async () => {
    const names = new Set<string>();
    for (const p of SAMPLE.slice(0, 300)) for (const a of p.authors) names.add(a);
    // Partial names: a surname alone, a first name alone, a name without its last word must find only exact holders.
    for (const p of SAMPLE.slice(0, 40)) {
      const words = p.authors[0]!.split(' ');
      names.add(words[words.length - 1]!);
      names.add(words[0]!);
      if (words.length > 2) names.add(words.slice(0, -1).join(' '));
    }
    let checked = 0;
    for (const name of names) {
      const expected = bruteForce(name);
      const { total, papers } = await papersByAuthor(conn.db, name, { limit: 100 });
      assert.equal(total, expected.length, name);
      assert.deepEqual(papers.map((p) => p.id).sort(), expected, name);
      checked++;
    }
    assert.ok(checked > 1000, `${checked} names checked`);
  });

  it('find awkward names exactly (quotes, backslash, punctuation only, accents, CJK)', async () => {
    for (const name of AWKWARD) {
      const { papers } = await papersByAuthor(conn.db, name);
      assert.deepEqual(papers.map((p) => p.id), [AWKWARD_PAPER.id], name);
    }
    assert.equal((await papersByAuthor(conn.db, 'Wei Wang')).papers.some((p) => p.id === AWKWARD_PAPER.id), false, '"Wei Wang Jr." is not "Wei Wang"');
    assert.equal((await papersByAuthor(conn.db, 'Unicode Name')).total, 0, 'accents are part of the exact name');
  });

  it('paginate newest first', async () => {
    const counts = new Map<string, number>();
    for (const p of PAPERS) for (const a of p.authors) counts.set(a, (counts.get(a) ?? 0) + 1);
    const [name, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    assert.ok(n >= 3, `${name} has ${n} papers`);
    const pages = [];
    for (let offset = 0; offset < n; offset += 2) pages.push(...(await papersByAuthor(conn.db, name, { limit: 2, offset })).papers);
    assert.deepEqual(pages.map((p) => p.id).sort(), bruteForce(name));
    const dates = pages.map((p) => p.publishedAt);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });
});

describe('/authors/{name}', () => {
  it('lists the papers of the name, linked from the paper page', async () => {
    const paper = SAMPLE[0]!;
    const name = paper.authors[0]!;
    const paperHtml = (await get(`/papers/${paper.id}`)).html;
    const href = `/authors/${encodeURIComponent(name)}`;
    assert.ok(paperHtml.includes(`href="${href}"`));
    const { status, html } = await get(href);
    assert.equal(status, 200);
    assert.ok(html.includes(`<h1>${name}</h1>`));
    assert.deepEqual(cardIds(html).sort(), bruteForce(name));
  });

  it('works for names with slashes, quotes and percent signs', async () => {
    for (const name of AWKWARD) {
      const { status, html } = await get(`/authors/${encodeURIComponent(name)}`);
      assert.equal(status, 200, name);
      assert.deepEqual(cardIds(html), [AWKWARD_PAPER.id], name);
    }
  });

  it('answers 404 for a name nobody has (with a search link), 400 for bad input', async () => {
    const none = await get('/authors/Nobody%20Here');
    assert.equal(none.status, 404);
    assert.ok(none.html.includes('href="/search?q=%22Nobody%20Here%22"'));
    assert.equal((await get(`/authors/${encodeURIComponent(SAMPLE[0]!.authors[0]!)}?page=0`)).status, 400);
    assert.equal((await get(`/authors/${encodeURIComponent(SAMPLE[0]!.authors[0]!)}?page=2`)).status, 404);
    assert.equal((await get('/authors/%E0%A4%A')).status, 400);
    assert.equal((await get(`/authors/${'x'.repeat(400)}`)).status, 400);
    assert.equal((await get('/authors/%20')).status, 400);
  });
});
