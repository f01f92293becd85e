/**
 * Server-rendered pages driven through app.request() on a fresh SQLite built by the migrations,
 * with real arXiv papers from testdata/ (the listings sample and an old-style paper).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { addAnnouncements } from '../src/store/announcements.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { upsertPapers, type PaperInput } from '../src/store/papers.ts';
import { createApp } from '../src/web/app.ts';
import { freshApp } from './helpers/db.ts';

const sample: PaperInput[] = readFileSync(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 80)
  .map((l) => {
    const r = JSON.parse(l);
    return {
      id: r.id,
      version: 1,
      title: r.title,
      abstract: r.abstract,
      authors: r.authors ?? [],
      categories: r.categories ?? [],
      publishedAt: `${r.listing_date}T00:00:00Z`,
      updatedAt: `${r.listing_date}T00:00:00Z`,
      comment: r.comment,
    };
  });
const oldStyle: PaperInput = JSON.parse(readFileSync(new URL('../testdata/pages/astro-ph-0601001.json', import.meta.url), 'utf8'));
const byId = (id: string) => sample.find((p) => p.id === id)!;

const HOSTILE = '<script>alert("pwned")</script> Leveraging asymmetries';
const HOSTILE_SUBMITTER = '<img src=x onerror=alert(1)>';

async function seed(conn: Connection) {
  const hostile = { ...byId('2503.17579'), title: HOSTILE };
  await upsertPapers(conn.db, [...sample.filter((p) => p.id !== '2503.17579'), hostile, oldStyle]);
  const at = (d: string) => `${d}T12:00:00Z`;
  await upsertEntries(conn.db, [
    { paperId: '2503.12447', feedDate: '2025-03-18', submittedAt: at('2025-03-18'), upvotes: 9, submitterName: 'Ada' },
    { paperId: '2503.14935', feedDate: '2025-03-20', submittedAt: at('2025-03-20'), upvotes: 42, organization: 'Example Lab' },
    { paperId: '2503.15477', feedDate: '2025-03-20', submittedAt: at('2025-03-20'), upvotes: 17, submitterName: 'Grace' },
    { paperId: '2503.16055', feedDate: '2025-03-20', submittedAt: at('2025-03-20'), upvotes: 5 },
    { paperId: '2503.17579', feedDate: '2025-03-24', submittedAt: at('2025-03-24'), upvotes: 1, submitterName: HOSTILE_SUBMITTER },
    { paperId: '2503.18073', feedDate: '2025-03-25', submittedAt: at('2025-03-25'), upvotes: 3 },
  ]);
  await addAnnouncements(conn.db, [
    { paperId: '2503.11677', date: '2025-03-18', kind: 'new', category: 'cs.HC' },
    { paperId: '2503.12447', date: '2025-03-18', kind: 'new', category: 'cs.CV' },
    { paperId: '2503.12981', date: '2025-03-18', kind: 'new', category: 'cs.CV' },
    { paperId: '2503.15477', date: '2025-03-18', kind: 'cross', category: 'cs.CL' },
    { paperId: '2503.14358', date: '2025-03-18', kind: 'replace', category: 'cs.CV' },
    { paperId: '2503.13739', date: '2025-03-19', kind: 'new', category: 'cs.CV' },
    { paperId: '2503.18073', date: '2025-03-25', kind: 'new', category: 'cs.CV' },
  ]);
}

let app: Hono;
let conn: Connection;

async function get(path: string) {
  const res = await app.request(path);
  return { res, status: res.status, html: await res.text() };
}

/** Asserts that the needles appear in the haystack in this order. */
function assertOrder(html: string, needles: string[]) {
  let last = -1;
  for (const n of needles) {
    const i = html.indexOf(n, last + 1);
    assert.ok(i > last, `expected “${n}” after position ${last}`);
    last = i;
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

before(async () => {
  const made = await freshApp({ baseUrl: 'https://papers.example.org' });
  app = made.app;
  conn = made.conn;
  await seed(conn);
});
after(() => conn.close());

describe('every page', () => {
  it('has a doctype, title, description, canonical link, viewport and the hashed stylesheet', async () => {
    const { status, html, res } = await get('/papers/date/2025-03-20');
    assert.equal(status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(html.startsWith('<!doctype html>'));
    assert.match(html, /<title>Daily Papers — Mar 20, 2025 · Paperboy<\/title>/);
    assert.match(html, /<meta name="description" content="3 papers featured/);
    assert.match(html, /<link rel="canonical" href="https:\/\/papers.example.org\/papers\/date\/2025-03-20"/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1"/);
    const href = /<link rel="stylesheet" href="(\/assets\/style\.[0-9a-f]{12}\.css)"/.exec(html)?.[1];
    assert.ok(href, 'stylesheet link');
    const css = await app.request(href);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    assert.match(css.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.match(await css.text(), /prefers-color-scheme: dark/);
  });

  it('says "Demo data" only when the meta flag is set', async () => {
    assert.doesNotMatch((await get('/')).html, /Demo data/);
    await conn.db.insertInto('meta').values({ key: 'demo_data', value: 'true' }).execute();
    try {
      assert.match((await get('/')).html, /<strong>Demo data\.<\/strong>/);
      assert.match((await get('/papers/2503.15477')).html, /Demo data/);
    } finally {
      await conn.db.deleteFrom('meta').where('key', '=', 'demo_data').execute();
    }
  });
});

describe('daily, weekly and monthly feeds', () => {
  it('/ shows the latest feed date that has entries', async () => {
    const { status, html } = await get('/');
    assert.equal(status, 200);
    const [latest, recent] = html.split('Recently featured');
    assert.ok(latest!.includes(esc(byId('2503.18073').title)));
    assert.ok(!latest!.includes(esc(byId('2503.14935').title)), 'older entries are not in the latest day');
    // The latest day is quiet (under 10 entries), so earlier entries follow it, newest feed date first.
    assert.ok(recent?.includes(esc(byId('2503.14935').title)), 'a quiet latest day is followed by recently featured papers');
    assert.match(html, /Tuesday, March 25, 2025/);
    assert.match(html, /href="\/papers\/date\/2025-03-24" rel="prev"/);
  });

  it('orders a day by upvotes with counts, authors (et al.), organization or submitter, categories and links', async () => {
    const { html } = await get('/papers/date/2025-03-20');
    const [a, b, c] = ['2503.14935', '2503.15477', '2503.16055'].map((id) => byId(id));
    assertOrder(html, [esc(a!.title), esc(b!.title), esc(c!.title)]);
    assertOrder(html, ['<b>42</b>', '<b>17</b>', '<b>5</b>']);
    // FAVOR-Bench has 8 authors: the first three and "et al.".
    assert.ok(html.includes(`${esc(a!.authors.slice(0, 3).join(', '))} et al.`));
    assert.ok(html.includes('Example Lab'));
    assert.ok(html.includes('Submitted by Grace'));
    assert.ok(html.includes('href="/papers/2503.14935"'));
    assert.ok(html.includes('href="https://arxiv.org/pdf/2503.14935"'));
    assert.ok(html.includes('href="https://arxiv.org/abs/2503.14935"'));
    assert.ok(html.includes('>eess.IV</a>'));
    // The abstract excerpt, hard wraps collapsed.
    assert.ok(html.includes(esc(c!.abstract.replace(/\s+/g, ' ').slice(0, 60))));
    // Previous and next days that have entries, and the tabs for the periods that hold this day.
    assert.match(html, /href="\/papers\/date\/2025-03-18" rel="prev"/);
    assert.match(html, /href="\/papers\/date\/2025-03-24" rel="next"/);
    assert.match(html, /href="\/papers\/week\/2025-W12"/);
    assert.match(html, /href="\/papers\/month\/2025-03"/);
  });

  it('a week gathers its days, by upvotes, with the next week that has entries', async () => {
    const { status, html } = await get('/papers/week/2025-W12');
    assert.equal(status, 200);
    assertOrder(html, ['<b>42</b>', '<b>17</b>', '<b>9</b>', '<b>5</b>']);
    assert.ok(!html.includes(esc(byId('2503.18073').title)), 'W13 entries are not in W12');
    assert.match(html, /href="\/papers\/week\/2025-W13" rel="next"/);
    assert.match(html, /featured <a href="\/papers\/date\/2025-03-18">/);
    assert.match(html, /aria-current="page">Weekly/);
  });

  it('a month gathers every entry of the month', async () => {
    const { status, html } = await get('/papers/month/2025-03');
    assert.equal(status, 200);
    assertOrder(html, ['<b>42</b>', '<b>17</b>', '<b>9</b>', '<b>5</b>', '<b>3</b>', '<b>1</b>']);
    assert.match(html, /6 papers/);
  });

  it('answers 400 with the styled page for malformed dates, weeks, months and pages', async () => {
    for (const path of [
      '/papers/date/2025-02-30',
      '/papers/date/yesterday',
      '/papers/date/2025-3-20',
      '/papers/week/2025-W54',
      '/papers/week/2025-12',
      '/papers/month/2025-13',
      '/papers/month/March',
      '/papers/date/2025-03-20?page=0',
      '/papers/date/2025-03-20?page=abc',
    ]) {
      const { status, html } = await get(path);
      assert.equal(status, 400, path);
      assert.match(html, /<link rel="stylesheet"/, path);
      assert.match(html, /Error 400/, path);
    }
  });

  it('answers 404 for a valid period without entries, linking to the nearest ones', async () => {
    const day = await get('/papers/date/2025-03-21');
    assert.equal(day.status, 404);
    assert.match(day.html, /href="\/papers\/date\/2025-03-20"/);
    assert.match(day.html, /href="\/papers\/date\/2025-03-24"/);
    const week = await get('/papers/week/2025-W20');
    assert.equal(week.status, 404);
    assert.match(week.html, /href="\/papers\/week\/2025-W13"/);
    const month = await get('/papers/month/2024-01');
    assert.equal(month.status, 404);
    assert.match(month.html, /href="\/papers\/month\/2025-03"/);
    assert.equal((await get('/papers/date/2025-03-20?page=2')).status, 404);
  });
});

describe('paper pages', () => {
  it('shows a featured paper with everything it has', async () => {
    const p = byId('2503.15477');
    const { status, html } = await get('/papers/2503.15477');
    assert.equal(status, 200);
    assert.ok(html.includes(`<h1>${esc(p.title)}</h1>`));
    // Author names link to their author pages (src/web/routes/authors.tsx).
    for (const name of p.authors) assert.ok(html.includes(`href="/authors/${encodeURIComponent(name)}">${esc(name)}</a>`), name);
    assert.ok(html.includes(esc(p.abstract.replace(/\s+/g, ' ').slice(0, 80))));
    for (const cat of p.categories) assert.ok(html.includes(`>${cat}</a>`), cat);
    assert.ok(html.includes('href="https://arxiv.org/abs/2503.15477"'));
    assert.ok(html.includes('href="https://arxiv.org/pdf/2503.15477"'));
    assert.match(html, /<b>17<\/b>/);
    assert.match(html, /Daily Papers of Mar 20, 2025/);
    assert.match(html, /submitted by Grace/);
    assert.match(html, /<time datetime="2025-03-20">Mar 20, 2025<\/time>/);
    assert.match(html, /<link rel="canonical" href="https:\/\/papers.example.org\/papers\/2503.15477"/);
  });

  it('serves old-style ids with a slash, with comment and journal ref, escaping the abstract', async () => {
    const { status, html } = await get('/papers/astro-ph/0601001');
    assert.equal(status, 200);
    assert.ok(html.includes(oldStyle.title));
    assert.ok(html.includes('ActaAstron.56:1-50,2006'));
    assert.ok(html.includes('href="https://arxiv.org/abs/astro-ph/0601001"'));
    assert.ok(html.includes('V_max&lt;17.5'), 'a < in an abstract is escaped');
    assert.ok(!html.includes('<b>'), 'not featured: no upvote box');
  });

  it('redirects versions and prefixes to the canonical URL', async () => {
    for (const [from, to] of [
      ['/papers/2503.15477v2', '/papers/2503.15477'],
      ['/papers/arXiv:2503.15477', '/papers/2503.15477'],
      ['/papers/2503.15477/', '/papers/2503.15477'],
      ['/papers/astro-ph/0601001v1', '/papers/astro-ph/0601001'],
    ] as const) {
      const res = await app.request(from);
      assert.equal(res.status, 301, from);
      assert.equal(res.headers.get('location'), to, from);
    }
  });

  it('answers 400 for malformed ids and 404 for unknown ones', async () => {
    for (const path of ['/papers/not-an-id', '/papers/2513.00001', '/papers/%E0%A4%A', '/papers/1234.5']) {
      assert.equal((await get(path)).status, 400, path);
    }
    const unknown = await get('/papers/2503.99999');
    assert.equal(unknown.status, 404);
    assert.match(unknown.html, /not in this instance/);
    assert.match(unknown.html, /href="https:\/\/arxiv.org\/abs\/2503.99999"/);
    assert.equal((await get('/papers/hep-th/9901001')).status, 404);
  });

  it('links code and project pages, but never a javascript: URL', async () => {
    await conn.db.updateTable('papers').set({ code_url: 'javascript:alert(1)', project_url: 'https://example.org/project' }).where('id', '=', '2503.16055').execute();
    try {
      const { html } = await get('/papers/2503.16055');
      assert.ok(!html.includes('javascript:'));
      assert.match(html, /href="https:\/\/example.org\/project"[^>]*>\s*Project page/);
      assert.doesNotMatch(html, />\s*Code\s*</);
    } finally {
      await conn.db.updateTable('papers').set({ code_url: null, project_url: null }).where('id', '=', '2503.16055').execute();
    }
  });

  it('keeps a hostile title and submitter escaped everywhere', async () => {
    for (const path of ['/papers/2503.17579', '/papers/date/2025-03-24', '/papers/month/2025-03']) {
      const { status, html } = await get(path);
      assert.equal(status, 200, path);
      assert.ok(!html.includes('<script>'), `${path}: no raw script tag`);
      assert.ok(!html.includes('<img src=x'), `${path}: no raw img tag`);
      assert.ok(html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'), `${path}: title shown escaped`);
    }
  });
});

describe('New on arXiv', () => {
  it('/new shows the latest announcement date', async () => {
    const { status, html } = await get('/new');
    assert.equal(status, 200);
    assert.match(html, /Tuesday, March 25, 2025/);
    assert.ok(html.includes(esc(byId('2503.18073').title)));
  });

  it('groups a date as new, cross-lists, replacements with a category picker and next date', async () => {
    const { status, html } = await get('/new/2025-03-18');
    assert.equal(status, 200);
    assertOrder(html, ['New submissions (3)', 'Cross-lists (1)', 'Replacements (1)']);
    assertOrder(html, ['New submissions', esc(byId('2503.11677').title), 'Cross-lists', esc(byId('2503.15477').title), 'Replacements', esc(byId('2503.14358').title)]);
    assert.match(html, /href="\/new\/2025-03-18\?category=cs.CV"/);
    assert.match(html, /href="\/new\/2025-03-19" rel="next"/);
    assert.match(html, /← Earlier/); // no earlier date: shown disabled, not linked
  });

  it('filters by category (a paper counts for every category it carries)', async () => {
    const { status, html } = await get('/new/2025-03-18?category=cs.HC');
    assert.equal(status, 200);
    assert.ok(html.includes(esc(byId('2503.11677').title)));
    assert.ok(html.includes(esc(byId('2503.12981').title)), 'cs.CV paper cross-listed to cs.HC');
    assert.ok(!html.includes(esc(byId('2503.12447').title)));
    assert.match(html, /class="chip on" href="\/new\/2025-03-18\?category=cs.HC"/);
    assert.match(html, /href="\/new\/2025-03-19\?category=cs.HC" rel="next"/);
  });

  it('answers 400 for a malformed date or category and 404 for a date without announcements', async () => {
    assert.equal((await get('/new/2025-02-30')).status, 400);
    assert.equal((await get('/new/2025-03-18?category=%3Cscript%3E')).status, 400);
    const none = await get('/new/2025-03-20');
    assert.equal(none.status, 404);
    assert.match(none.html, /href="\/new\/2025-03-19"/);
    assert.match(none.html, /href="\/new\/2025-03-25"/);
  });
});

describe('search page', () => {
  it('shows the form for an empty query', async () => {
    const { status, html } = await get('/search');
    assert.equal(status, 200);
    assert.match(html, /<form class="search-form" action="\/search"/);
    assert.match(html, /name="from"/);
  });

  it('highlights matches in titles and snippets', async () => {
    const { status, html } = await get('/search?q=prosthetic');
    assert.equal(status, 200);
    assert.ok(html.includes('href="/papers/2503.11677"'));
    assert.match(html, /<mark>[Pp]rosthetic<\/mark>/);
    assert.match(html, /1 result/);
  });

  it('paginates, sorts and keeps filters in links', async () => {
    const first = await get('/search?q=learning');
    const total = Number(/(\d+) results/.exec(first.html)?.[1]);
    assert.ok(total > 20, `needs more than a page of results, got ${total}`);
    assert.match(first.html, /href="\/search\?q=learning&amp;page=2" rel="next"/);
    const second = await get('/search?q=learning&page=2');
    assert.equal(second.status, 200);
    const ids = (html: string) => new Set([...html.matchAll(/<h2><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]));
    const overlap = [...ids(first.html)].filter((id) => ids(second.html).has(id));
    assert.deepEqual(overlap, [], 'page 2 holds other papers');
    assert.match(second.html, /href="\/search\?q=learning&amp;sort=upvotes"/);

    const filtered = await get('/search?q=learning&category=cs.CL&from=2025-03-01&to=2025-04-30&sort=date');
    assert.equal(filtered.status, 200);
    assert.match(filtered.html, /name="category" value="cs.CL"/);
    assert.match(filtered.html, /<option value="date" selected="">date<\/option>/);
    const cats = [...filtered.html.matchAll(/<h2><a href="\/papers\/([^"]+)"/g)].map((m) => byId(m[1]!).categories);
    assert.ok(cats.length > 0);
    for (const c of cats) assert.ok(c.includes('cs.CL'), `every hit carries cs.CL: ${c.join(',')}`);
  });

  it('reflects hostile queries escaped and never fails on FTS syntax', async () => {
    const { status, html } = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script> "reward')}`);
    assert.equal(status, 200);
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('value="&lt;script&gt;alert(1)&lt;/script&gt; &quot;reward"'));
    for (const q of ['"unbalanced', 'a NEAR b', '-learning', '((model', '*', 'reward AND OR NOT', '🙂 emoji', 'x'.repeat(500)]) {
      assert.equal((await get(`/search?q=${encodeURIComponent(q)}`)).status, 200, q);
    }
  });

  it('answers 400 for bad filters and overlong queries', async () => {
    for (const path of [
      '/search?q=x&from=2025-13-01',
      '/search?q=x&to=tomorrow',
      '/search?q=x&from=2025-05-01&to=2025-04-01',
      '/search?q=x&sort=random',
      '/search?q=x&page=-1',
      `/search?q=${'a'.repeat(501)}`,
      '/search?q=x&category=a%20b',
    ]) {
      const { status, html } = await get(path);
      assert.equal(status, 400, path);
      assert.match(html, /Error 400/, path);
    }
  });
});

describe('errors and caching', () => {
  it('keeps JSON errors under /api and a styled page elsewhere', async () => {
    const api = await app.request('/api/nothing-here');
    assert.equal(api.status, 404);
    const body = (await api.json()) as { error?: unknown };
    assert.equal(typeof body.error, 'string');
    const page = await get('/nothing-here');
    assert.equal(page.status, 404);
    assert.match(page.html, /<link rel="stylesheet"/);
  });

  it('answers 500 with the styled page and no details when the database fails', async () => {
    const broken = await freshApp();
    await broken.conn.close();
    const res = await broken.app.request('/papers/date/2025-03-20');
    assert.equal(res.status, 500);
    const html = await res.text();
    assert.match(html, /Something went wrong/);
    assert.match(html, /<link rel="stylesheet"/);
    assert.doesNotMatch(html, /at \/|Error:|sqlite/i, 'no stack trace or driver message');
  });

  it('sends /papers/ to the front page', async () => {
    const res = await app.request('/papers/');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/');
  });

  it('shows fresh data without a cache, and serves from memory within the TTL with one', async () => {
    const cachedApp = createApp({ db: conn.db, config: (await freshApp()).config, log: createLogger('silent'), pageCacheTtlMs: 60_000 });
    const before = await (await cachedApp.request('/papers/date/2025-03-18')).text();
    await upsertEntries(conn.db, [{ paperId: '2503.13739', feedDate: '2025-03-18', submittedAt: '2025-03-18T13:00:00Z', upvotes: 99 }]);
    try {
      assert.ok((await get('/papers/date/2025-03-18')).html.includes('<b>99</b>'), 'uncached app sees the new entry');
      const again = await (await cachedApp.request('/papers/date/2025-03-18')).text();
      assert.equal(again, before, 'cached app answers from memory');
    } finally {
      await conn.db.deleteFrom('daily_entries').where('paper_id', '=', '2503.13739').execute();
    }
  });
});
