/**
 * Hybrid search end to end on a database built by the real migrations (SQLite, or PostgreSQL with
 * PAPERBOY_TEST_DIALECT=postgres), 1000 real arXiv papers, a real built-in model trained on them and
 * the real Semantic service: fusion of the two real rankings, the keyword-only switch, vector mode,
 * filters and pagination on fused and vector results, exclusions, exact titles first, the fallback
 * to keyword search (no embedder, an embedder that fails, one that hangs), and the /search page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rrf } from '../src/search/fusion.ts';
import { hybridSearch, type HybridResult } from '../src/search/hybrid.ts';
import { searchPapers, SearchOptionError } from '../src/search/lexical.ts';
import { failingEmbedder, hangingEmbedder, SAMPLE, sampleModel, semanticEnv } from './helpers/semantic-env.ts';

const ids = (r: { hits: Array<{ paper: { id: string } }> }) => r.hits.map((h) => h.paper.id);
const Q = 'language models reasoning';

describe('hybrid search', () => {
  let env: Awaited<ReturnType<typeof semanticEnv>>;
  before(async () => {
    env = await semanticEnv();
  });
  after(() => env.close());

  const search = (o: Parameters<typeof hybridSearch>[2]) => hybridSearch(env.db, env.semantic, o, env.config.fusion);

  it('has the real model and vectors loaded', () => {
    assert.equal(env.semantic!.available(), true);
    assert.equal(env.semantic!.index()!.size, SAMPLE.length);
  });

  it('fuses the real keyword and vector rankings with reciprocal rank fusion', async () => {
    const r = await search({ q: Q, limit: 20 });
    assert.equal(r.mode, 'hybrid');
    assert.equal(r.fallback, undefined);
    // Recompute independently: the keyword ranking and the index's nearest papers to the query vector.
    const kw = await searchPapers(env.db, { q: Q, limit: 100 });
    const qv = await env.semantic!.queryVector('language models reasoning');
    const near = env.semantic!.index()!.search(qv, 100);
    const { keyword, vector, k } = env.config.fusion;
    const expected = rrf(
      [
        { ids: ids(kw), weight: keyword },
        { ids: near.map((n) => n.id), weight: vector },
      ],
      k,
    );
    assert.deepEqual(ids(r), expected.slice(0, 20).map((e) => e.id));
    assert.ok(Math.abs(r.hits[0]!.score - expected[0]!.score) < 1e-12);
    // Both rankings contribute: papers found by both lead, and deeper down some only the vectors found.
    assert.ok(r.hits.some((h) => h.vectorRank !== undefined && h.keywordRank !== undefined), 'a hit found by both');
    const deep = await search({ q: Q, limit: 100 });
    assert.deepEqual(ids(deep), expected.slice(0, 100).map((e) => e.id));
    assert.ok(deep.hits.some((h) => h.vectorRank !== undefined && h.keywordRank === undefined), 'a hit found by meaning alone');
    assert.ok(deep.hits.some((h) => h.vectorRank === undefined && h.keywordRank !== undefined), 'a hit found by keywords alone');
    for (const h of deep.hits) if (h.similarity !== undefined) assert.ok(h.similarity > 0 && h.similarity <= 1.0001);
    // Vector-only hits are full hits: title segments and a snippet like keyword hits.
    const vecOnly = deep.hits.find((h) => h.keywordRank === undefined)!;
    assert.equal(vecOnly.titleSegments.map((s) => s.text).join(''), vecOnly.paper.title);
    assert.ok(vecOnly.snippetSegments.length > 0);
  });

  it('the keyword switch gives exactly keyword search', async () => {
    const o = { q: Q, category: 'cs.CL', limit: 15, offset: 5 };
    const r = await search({ ...o, mode: 'keyword' });
    const kw = await searchPapers(env.db, o);
    assert.equal(r.mode, 'keyword');
    assert.equal(r.fallback, undefined);
    assert.deepEqual(ids(r), ids(kw));
    assert.equal(r.total, kw.total);
  });

  it('vector mode ranks by cosine: a paper\'s own text finds the paper first', async () => {
    const p = SAMPLE[123]!;
    const r = await search({ q: `${p.title} ${p.abstract}`, mode: 'vector', limit: 10 });
    assert.equal(r.mode, 'vector');
    assert.equal(r.hits[0]!.paper.id, p.id);
    assert.ok(r.hits[0]!.similarity! > 0.9, `similarity ${r.hits[0]!.similarity}`);
    const sims = r.hits.map((h) => h.similarity!);
    assert.deepEqual(sims, [...sims].sort((a, b) => b - a), 'best first');
  });

  it('applies the category filter to vector hits exactly as a filter over the full ranking', async () => {
    const cat = 'quant-ph'; // 41 of the 1000 papers: the nearest papers are mostly not in it
    const r = await search({ q: Q, category: cat, mode: 'vector', limit: 10 });
    assert.equal(r.hits.length, 10);
    const qv = await env.semantic!.queryVector('language models reasoning');
    const inCat = new Set(SAMPLE.filter((p) => p.categories.includes(cat)).map((p) => p.id));
    const all = env.semantic!.index()!.search(qv, SAMPLE.length);
    assert.deepEqual(ids(r), all.filter((n) => inCat.has(n.id)).slice(0, 10).map((n) => n.id));
    const hybrid = await search({ q: Q, category: cat, limit: 20 });
    assert.ok(hybrid.hits.length > 0);
    for (const h of hybrid.hits) assert.ok(h.paper.categories.includes(cat), `${h.paper.id} is not in ${cat}`);
  });

  it('applies the date range to keyword and vector hits', async () => {
    const from = '2025-09-01';
    const to = '2025-12-31';
    const r = await search({ q: Q, from, to, limit: 50 });
    assert.ok(r.hits.length > 10);
    assert.ok(r.hits.some((h) => h.keywordRank === undefined), 'vector hits among them');
    for (const h of r.hits) {
      const day = h.paper.publishedAt.slice(0, 10);
      assert.ok(day >= from && day <= to, `${h.paper.id} published ${day}`);
    }
    assert.deepEqual(await search({ q: Q, from: '2025-10-01', to: '2025-09-01' }), { total: 0, hits: [], capped: false, mode: 'hybrid' });
    await assert.rejects(search({ q: Q, from: '2025-13-45' }), SearchOptionError);
  });

  it('pages through the fused ranking without gaps or repeats, with a stable total', async () => {
    const whole = await search({ q: Q, limit: 30 });
    const pages: HybridResult[] = [];
    for (let i = 0; i < 3; i++) pages.push(await search({ q: Q, limit: 10, offset: i * 10 }));
    assert.deepEqual(pages.flatMap(ids), ids(whole));
    assert.equal(new Set(pages.flatMap(ids)).size, 30);
    for (const p of pages) assert.equal(p.total, whole.total);
    // Deeper pages widen the window; at the deepest the vector ranking holds every paper of the sample.
    const deepest = await search({ q: Q, limit: 20, offset: 980 });
    assert.equal(deepest.total, SAMPLE.length);
    assert.equal(deepest.hits.length, 20);
    const past = await search({ q: Q, limit: 20, offset: 1000 });
    assert.equal(past.hits.length, 0);
    // Filters and pages together: page 2 of a filtered vector search continues page 1.
    const a = await search({ q: Q, category: 'cs.CV', mode: 'vector', limit: 5 });
    const b = await search({ q: Q, category: 'cs.CV', mode: 'vector', limit: 5, offset: 5 });
    const ab = await search({ q: Q, category: 'cs.CV', mode: 'vector', limit: 10 });
    assert.deepEqual([...ids(a), ...ids(b)], ids(ab));
  });

  it('sorts the fused window by date on request', async () => {
    const r = await search({ q: Q, sort: 'date', limit: 40 });
    const days = r.hits.map((h) => h.paper.publishedAt);
    assert.deepEqual(days, [...days].sort().reverse());
    const relevance = await search({ q: Q, limit: 40 });
    assert.equal(r.total, relevance.total, 'the same window, another order');
  });

  it('keeps an exact title first and honours exclusions for vector hits', async () => {
    const p = SAMPLE[42]!;
    const r = await search({ q: p.title, limit: 5 });
    assert.equal(r.hits[0]!.paper.id, p.id);
    const withExcl = await search({ q: 'reasoning benchmark -model', limit: 50 });
    assert.ok(withExcl.hits.length > 0);
    for (const h of withExcl.hits) {
      assert.ok(!/\bmodel/i.test(`${h.paper.title} ${h.paper.abstract}`), `${h.paper.id} holds the excluded word`);
    }
  });

  it('finds nothing for a query without words, like keyword search', async () => {
    const r = await search({ q: '!!! ---', limit: 10 });
    assert.equal(r.total, 0);
    assert.equal(r.hits.length, 0);
  });
});

describe('hybrid search falls back to keyword search', () => {
  it('without an embedder', async () => {
    const env = await semanticEnv({ withSemantic: false });
    try {
      for (const mode of ['hybrid', 'vector'] as const) {
        const r = await hybridSearch(env.db, undefined, { q: Q, mode, limit: 10 }, env.config.fusion);
        assert.equal(r.mode, 'keyword');
        assert.equal(r.fallback?.reason, 'no-embedder');
        assert.deepEqual(ids(r), ids(await searchPapers(env.db, { q: Q, limit: 10 })));
      }
    } finally {
      await env.close();
    }
  });

  it('when the embedder fails, and when it hangs past the deadline; the page says so', async () => {
    const { model } = sampleModel();
    const failing = await semanticEnv({ embedder: failingEmbedder(model, 'connect ECONNREFUSED 127.0.0.1:11434') });
    try {
      const r = await hybridSearch(failing.db, failing.semantic, { q: Q, category: 'cs.CL', limit: 10 }, failing.config.fusion);
      assert.equal(r.mode, 'keyword');
      assert.equal(r.fallback?.reason, 'embedder-failed');
      assert.match(r.fallback!.message, /ECONNREFUSED/);
      assert.deepEqual(ids(r), ids(await searchPapers(failing.db, { q: Q, category: 'cs.CL', limit: 10 })));
      const page = await failing.app.request(`/search?q=${encodeURIComponent(Q)}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Search by meaning failed/);
      assert.match(html, /keyword results are shown/);
    } finally {
      await failing.close();
    }
    const hanging = await semanticEnv({ embedder: hangingEmbedder(model) });
    try {
      const t0 = Date.now();
      const r = await hybridSearch(hanging.db, hanging.semantic, { q: Q, limit: 10, timeoutMs: 100 }, hanging.config.fusion);
      assert.equal(r.fallback?.reason, 'timeout');
      assert.ok(Date.now() - t0 < 5000, 'did not wait for the hung embedder');
      assert.deepEqual(ids(r), ids(await searchPapers(hanging.db, { q: Q, limit: 10 })));
    } finally {
      await hanging.close();
    }
  });
});

describe('the /search page', () => {
  let env: Awaited<ReturnType<typeof semanticEnv>>;
  before(async () => {
    env = await semanticEnv();
  });
  after(() => env.close());

  it('searches in hybrid mode by default, offers the switch and keeps filters in its links', async () => {
    const res = await env.app.request(`/search?q=${encodeURIComponent(Q)}&category=cs.CL`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const expected = await hybridSearch(env.db, env.semantic, { q: Q, category: 'cs.CL', limit: 20 }, env.config.fusion);
    // The page lists the fused hits in their order.
    const shown = [...html.matchAll(/<a href="\/papers\/([^"#/]+)"/g)].map((m) => m[1]).filter((id, i, all) => all.indexOf(id) === i);
    assert.deepEqual(shown.slice(0, 20), ids(expected));
    assert.match(html, /<select name="mode">/);
    assert.match(html, /href="\/search\?q=language\+models\+reasoning&amp;category=cs\.CL&amp;mode=keyword"/);
    assert.doesNotMatch(html, /keyword results are shown/);
  });

  it('mode=keyword shows keyword results; a bad mode is a 400', async () => {
    const res = await env.app.request(`/search?q=${encodeURIComponent(Q)}&mode=keyword`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const kw = await searchPapers(env.db, { q: Q, limit: 20 });
    assert.match(html, new RegExp(`${kw.total} results? for`));
    const bad = await env.app.request(`/search?q=x&mode=semantic`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Match by/);
  });

  it('the Hugging Face search API takes the same mode', async () => {
    const hybrid = await env.app.request(`/api/papers/search?q=${encodeURIComponent(Q)}&limit=20`);
    assert.equal(hybrid.status, 200);
    assert.equal(hybrid.headers.get('X-Search-Mode'), 'hybrid');
    const expected = await hybridSearch(env.db, env.semantic, { q: Q, limit: 20 }, env.config.fusion);
    assert.deepEqual(((await hybrid.json()) as Array<{ paper: { id: string } }>).map((x) => x.paper.id), ids(expected));
    const keyword = await env.app.request(`/api/papers/search?q=${encodeURIComponent(Q)}&limit=20&mode=keyword`);
    assert.equal(keyword.headers.get('X-Search-Mode'), 'keyword');
    const kw = await searchPapers(env.db, { q: Q, limit: 20 });
    assert.deepEqual(((await keyword.json()) as Array<{ paper: { id: string } }>).map((x) => x.paper.id), ids(kw));
    const bad = await env.app.request('/api/papers/search?q=x&mode=semantic');
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'mode must be hybrid, keyword or vector' });
  });
});
