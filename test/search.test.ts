/** Keyword search on a real database (migrations; SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT) holding the 1,000-paper corpus sample. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../src/db/connect.ts';
import { porterStem } from '../src/search/porter.ts';
import { CANDIDATES, SearchOptionError, type SearchHit, type Segment, searchPapers } from '../src/search/lexical.ts';
import { sql } from 'kysely';
import { holdsEvery } from '../src/search/highlight.ts';
import { contentClauses, foldToken, ftsExpression, parseQuery, titleKey, tokenize } from '../src/search/query.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { loadPapers, readListings } from './helpers/corpus.ts';
import { TEST_DIALECT, freshDb } from './helpers/db.ts';

const SAMPLE = new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname;
let conn: Connection;

before(async () => {
  conn = await freshDb();
  await loadPapers(conn.db, readListings(SAMPLE));
});
after(async () => conn.close());

const search = (q: string, extra: Record<string, unknown> = {}) => searchPapers(conn.db, { q, ...extra });
const ids = (hits: SearchHit[]) => hits.map((h) => h.paper.id);
const joined = (segs: Segment[]) => segs.map((s) => s.text).join('');
const stems = (text: string) => tokenize(text).map(porterStem);

describe('ranking', () => {
  test('a query equal to a title ranks that paper first, case and punctuation aside', async () => {
    const cases: Array<[string, string]> = [
      ['What Makes a Reward Model a Good Teacher? An Optimization Perspective', '2503.15477'],
      ['the good the bad and the hybrid a reward structure showdown in reasoning models training', '2511.13016'],
      ['Compressing Many-Shots in In-Context Learning', '2510.16092'],
      ['VISUAL SPATIAL TUNING', '2511.05491'],
      ['Equivariant Image Modeling', '2503.18948'],
      ['PlayerOne: Egocentric World Simulator', '2506.09995'],
      ['MatLat: Material Latent Space for PBR Texture Generation', '2512.17302'],
    ];
    for (const [q, id] of cases) {
      const r = await search(q);
      assert.equal(r.hits[0]?.paper.id, id, `title query ${JSON.stringify(q)} should rank ${id} first, got ${ids(r.hits).slice(0, 3)}`);
    }
  });

  test('a ten-plus-word description with words the paper lacks finds it in the top 5', async () => {
    const cases: Array<[string, string]> = [
      // 2510.16092 Compressing Many-Shots in In-Context Learning
      ['shrinking many-shot prompts so a language model can learn tasks from demonstrations with a smaller memory footprint', '2510.16092'],
      // 2506.08676 OWA pooling for fault diagnosis in a wastewater treatment plant
      ['detecting faults in sewage and wastewater treatment facilities with a deep network using fuzzy aggregation pooling', '2506.08676'],
      // 2601.06186 anomaly classification for launch vehicle propulsion
      ['classifying anomalies in rocket propulsion telemetry before launch combining statistical detectors with recurrent networks', '2601.06186'],
      // 2605.28897 Review Arcade
      ['can authors game automated peer reviews written by chatbots for conference submissions and do they agree with humans', '2605.28897'],
    ];
    for (const [q, id] of cases) {
      assert.ok(q.split(' ').length >= 10);
      const r = await search(q);
      const paper = r.hits.find((h) => h.paper.id === id)?.paper ?? (await search(id)).hits[0]?.paper;
      const rank = ids(r.hits).indexOf(id);
      assert.ok(rank >= 0 && rank < 5, `${id} should be in the top 5 for ${JSON.stringify(q)}, got rank ${rank}: ${ids(r.hits).slice(0, 5)}`);
      // Honest test: some word of the description is really absent from the paper.
      const own = new Set(stems(`${paper?.title} ${paper?.abstract} ${paper?.authors.join(' ')}`));
      assert.ok(stems(q).some((s) => !own.has(s)), 'the description should contain a word the paper lacks');
    }
  });

  test('an AND query that finds little never ends at zero: one wrong word still returns the paper', async () => {
    const r = await search('interleaved motion synthesis xylophone');
    assert.ok(r.total > 0);
    assert.equal(r.hits[0]?.paper.id, '2508.10297');
  });

  test('title words outrank the same words in an abstract', async () => {
    const r = await search('reward');
    const firstTitles = r.hits.slice(0, 5).map((h) => h.paper.title.toLowerCase());
    assert.ok(firstTitles.every((t) => t.includes('reward')), firstTitles.join(' | '));
    assert.ok(r.hits.some((h) => !h.paper.title.toLowerCase().includes('reward')), 'abstract-only matches still appear');
  });

  test('author names find the author’s papers', async () => {
    const r = await search('Hans Ole Hatzel');
    assert.equal(r.hits[0]?.paper.id, '2605.28897');
    const dahua = await search('Dahua Lin');
    assert.ok(dahua.hits.length >= 2);
    for (const h of dahua.hits.slice(0, 2)) assert.ok(h.paper.authors.includes('Dahua Lin'), h.paper.id);
  });

  test('quoted phrases match the words adjacent and in order', async () => {
    const phrase = await search('"in-context learning"', { limit: 200 });
    const loose = await search('context in learning', { limit: 200 });
    assert.ok(phrase.total > 0);
    assert.ok(phrase.total < loose.total, `phrase ${phrase.total} should be narrower than words ${loose.total}`);
    // PostgreSQL does not index stop words, so there the phrase is "context learning" with anything before it.
    const want = TEST_DIALECT === 'postgres' ? 'context learn' : 'in context learn';
    for (const h of phrase.hits) {
      const s = stems(`${h.paper.title} ${h.paper.abstract}`).join(' ');
      assert.ok(s.includes(want), `${h.paper.id} lacks the phrase`);
    }
  });

  test('a leading minus excludes a word', async () => {
    const all = await search('reward', { limit: 200 });
    const without = await search('reward -diffusion', { limit: 200 });
    assert.ok(without.total < all.total);
    for (const h of without.hits) assert.ok(!stems(`${h.paper.title} ${h.paper.abstract} ${h.paper.authors.join(' ')}`).includes('diffus'));
  });
});

describe('hostile input never throws', () => {
  const inputs = [
    '"', '"""', 'reward "model', 'reward" model', '*', 'rew*', 'a*', '* reward', 'NEAR', 'NEAR(reward model, 2)',
    'reward AND', 'OR', 'AND OR NOT', 'NOT reward', '-', '-reward', '--', 'reward -', 'title:reward', 'abstract:', ':',
    '{title}: reward', '^reward', '^', '(((', 'reward)', ')(', '(reward OR', 'reward\u0000model', '\u0000', '🙂', '🙂 reward 🚀',
    '!!!', '...', '@#$%^&*()', "reward'; DROP TABLE papers; --", 'C++', "don't", 'x'.repeat(10_000),
    'reward model '.repeat(900), '\uD800 lone surrogate', 'é', 'Ünïcödé spëctrüm', '中文 检索', '   ', '\n\t',
    // PostgreSQL tsquery syntax: operators, weights, prefixes, quoting and escapes.
    'reward & model | !diffusion', '(reward <-> model) <2> x', 'reward:* & model:AB', 'rew*:*', "'reward' ''", 'back\\slash \\',
    'reward\u0000* -"\u0000model"',
  ];
  for (const q of inputs) {
    test(`q=${JSON.stringify(q.slice(0, 40))}${q.length > 40 ? `… (${q.length} chars)` : ''}`, async () => {
      const r = await search(q);
      assert.ok(Number.isInteger(r.total) && r.total >= 0);
      assert.ok(r.hits.length <= 20);
      assert.ok(r.total >= r.hits.length);
    });
  }

  test('empty, blank and punctuation-only queries find nothing', async () => {
    for (const q of ['', '   ', '!!!', '"', '-', '*', '🙂', '\u0000']) assert.deepEqual(await search(q), { total: 0, hits: [], capped: false });
  });

  test('operators are searched as words, not obeyed', async () => {
    const r = await search('reward "model');
    assert.ok(r.total > 0, 'an unbalanced quote runs to the end');
    assert.equal((await search('NOT reward')).total, (await search('reward')).total);
    const sql = await search("reward'; DROP TABLE papers; --");
    assert.ok(sql.total > 0);
    assert.ok((await search('Equivariant Image Modeling')).total > 0, 'the table is still there');
  });
});

describe('filters, sorting and pagination', () => {
  test('category keeps papers carrying it as primary or cross-list, by exact name', async () => {
    const r = await search('learning', { category: 'cs.CL', limit: 200 });
    assert.ok(r.total > 0);
    for (const h of r.hits) assert.ok(h.paper.categories.includes('cs.CL'), h.paper.id);
    assert.ok(r.hits.some((h) => h.paper.categories[0] !== 'cs.CL'), 'cross-listed papers count too');
    assert.equal((await search('learning', { category: 'cs.C' })).total, 0, 'no prefix match on category names');
  });

  test('date range is inclusive on published_at', async () => {
    const r = await search('model', { from: '2025-12-01', to: '2025-12-31', limit: 200 });
    assert.ok(r.total > 0);
    for (const h of r.hits) assert.ok(h.paper.publishedAt >= '2025-12-01' && h.paper.publishedAt < '2026-01-01', h.paper.publishedAt);
    const day = await search('model', { from: '2025-12-22', to: '2025-12-22', limit: 200 });
    assert.ok(day.hits.some((h) => h.paper.id === '2512.17302'));
    assert.equal((await search('model', { from: '2030-01-01' })).total, 0);
    assert.equal((await search('model', { from: '2026-01-02', to: '2026-01-01' })).total, 0);
  });

  test('a malformed date is a SearchOptionError naming the option', async () => {
    await assert.rejects(search('model', { from: '2025-13-01' }), (e: unknown) => e instanceof SearchOptionError && /from/.test(e.message));
    await assert.rejects(search('model', { to: 'yesterday' }), SearchOptionError);
  });

  test('sort by date is newest first; sort by upvotes uses daily entries', async () => {
    const byDate = await search('model', { sort: 'date', limit: 50 });
    const dates = byDate.hits.map((h) => h.paper.publishedAt);
    assert.deepEqual(dates, [...dates].sort().reverse());

    const rel = await search('reward', { limit: 50 });
    const a = rel.hits[7]?.paper.id ?? '';
    const b = rel.hits[3]?.paper.id ?? '';
    assert.ok(a && b);
    await upsertEntries(conn.db, [
      { paperId: a, feedDate: '2026-01-01', submittedAt: '2026-01-01T00:00:00Z', upvotes: 42 },
      { paperId: b, feedDate: '2026-01-01', submittedAt: '2026-01-01T00:00:00Z', upvotes: 7 },
    ]);
    const byVotes = await search('reward', { sort: 'upvotes', limit: 50 });
    assert.deepEqual(ids(byVotes.hits).slice(0, 2), [a, b]);
    assert.deepEqual(byVotes.hits.slice(0, 3).map((h) => h.upvotes), [42, 7, 0]);
    assert.equal(byVotes.total, rel.total);
  });

  test('pages fit together and the total is exact', async () => {
    const all = await search('learning', { limit: 200 });
    assert.ok(all.total > 40 && all.total < CANDIDATES && !all.capped);
    const pages: string[] = [];
    for (let offset = 0; offset < 60; offset += 20) {
      const page = await search('learning', { offset, limit: 20 });
      assert.equal(page.total, all.total);
      pages.push(...ids(page.hits));
    }
    assert.deepEqual(pages, ids(all.hits).slice(0, 60));
    assert.equal(new Set(pages).size, 60);
    assert.deepEqual((await search('learning', { offset: all.total })).hits, []);
    // Exact-title pins take part in pagination too.
    const pinned = await search('Visual Spatial Tuning', { limit: 1 });
    const second = await search('Visual Spatial Tuning', { limit: 1, offset: 1 });
    assert.equal(pinned.hits[0]?.paper.id, '2511.05491');
    assert.notEqual(second.hits[0]?.paper.id, '2511.05491');
  });

  test('limit and offset are clamped, not trusted', async () => {
    assert.equal((await search('learning', { limit: 0 })).hits.length, 1);
    assert.ok((await search('learning', { limit: 10_000 })).hits.length <= 200);
    assert.equal((await search('learning', { offset: -5, limit: 3 })).hits.length, 3);
    assert.equal((await search('learning', { limit: Number.NaN })).hits.length, 20);
  });
});

describe('highlighting', () => {
  test('segments concatenate to the original title and abstract', async () => {
    for (const q of ['reward model', 'in-context learning', 'Hans Ole Hatzel', 'shrinking the prompt memory when models learn from demonstrations']) {
      const r = await search(q);
      for (const h of r.hits) {
        assert.equal(joined(h.titleSegments), h.paper.title);
        assert.equal(joined(h.summarySegments), h.paper.abstract);
      }
    }
  });

  test('matched words are marked, including stemmed forms', async () => {
    const r = await search('compressing');
    const hit = r.hits.find((h) => h.paper.id === '2510.16092');
    assert.ok(hit);
    assert.deepEqual(hit.titleSegments.filter((s) => s.type === 'highlight').map((s) => s.text), ['Compressing']);
    // The abstract says "compression"/"compress…" in other forms: all marked, nothing else.
    const marked = hit.summarySegments.filter((s) => s.type === 'highlight').map((s) => s.text);
    assert.ok(marked.length > 0);
    for (const m of marked) assert.equal(porterStem(foldToken(m)), 'compress');
    assert.ok(marked.some((m) => foldToken(m) !== 'compressing'), `stemmed variants marked: ${marked}`);
  });

  test('the snippet is ~300 characters around a match', async () => {
    const r = await search('wastewater');
    const hit = r.hits[0];
    assert.ok(hit);
    const text = joined(hit.snippetSegments);
    assert.ok(text.length <= 320, `${text.length} chars`);
    assert.ok(hit.snippetSegments.some((s) => s.type === 'highlight' && /wastewater/i.test(s.text)));
  });
});

describe('fast paths agree with the slow ones', () => {
  // The OR candidates, strict tier and counting shortcuts are those of the SQLite search (lexical.ts).
  const sqliteOnly = { skip: TEST_DIALECT === 'postgres' ? 'SQLite search paths (FTS5)' : false };

  test('every paper stores its title key, and a title typed differently finds it by that key', async () => {
    const rows = await conn.db.selectFrom('papers').select(['id', 'title', 'title_key']).execute();
    assert.equal(rows.length, 1000);
    for (const r of rows) assert.equal(r.title_key, titleKey(r.title), r.id);
    const row = rows.find((r) => r.id === '2512.17302');
    assert.equal(row?.title_key, 'matlat material latent space for pbr texture generation');
    const r = await search('matlat -- MATERIAL latent SPACE for PBR texture generation!');
    assert.equal(r.hits[0]?.paper.id, '2512.17302');
  });

  test('the text check for "holds every word" matches FTS5 exactly', sqliteOnly, async () => {
    const papers = await conn.db.selectFrom('papers').select(['num', 'title', 'abstract', 'authors']).execute();
    const queries = ['reward model', 'language models learning', '"reward model" training', 'optim* policy', 'hacking', 'in-context learning', 'Zhang Wang', 'graph neural networks'];
    for (const q of queries) {
      const content = contentClauses(parseQuery(q));
      const fts = await sql<{ r: number }>`SELECT rowid AS r FROM papers_fts WHERE papers_fts MATCH ${ftsExpression(content, 'AND')}`.execute(conn.db);
      const want = new Set(fts.rows.map((x) => x.r));
      assert.ok(want.size > 0, `${q} should match some papers`);
      const got = new Set(papers.filter((p) => holdsEvery([p.title, p.abstract, p.authors], content)).map((p) => p.num));
      assert.deepEqual([...got].sort(), [...want].sort(), q);
    }
  });

  test('totals and pages are the same whether counted from the candidates or by SQL (a filter forces SQL)', sqliteOnly, async () => {
    const wide = { from: '1990-01-01', to: '2100-12-31' };
    const queries = [
      'Visual Spatial Tuning', // exact title pinned, AND mode
      'learning', // AND mode
      'interleaved motion synthesis xylophone', // AND finds nothing: OR mode
      'shrinking many-shot prompts so a language model can learn tasks from demonstrations with a smaller memory footprint',
    ];
    for (const q of queries) {
      const [a, b] = [await search(q), await search(q, wide)];
      assert.ok(a.total > 0, q);
      assert.equal(a.total, b.total, q);
      assert.deepEqual(ids(a.hits), ids(b.hits), q);
    }
  });

  test('a long query holding every word of a paper, reordered, ranks it first', sqliteOnly, async () => {
    // Nine content words: the OR keeps eight, so "holds every word" is checked on the text.
    const r = await search('training models reasoning showdown structure reward hybrid bad good');
    assert.equal(r.hits[0]?.paper.id, '2511.13016');
  });
});
