/**
 * Similar papers end to end (SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres): 1000 real
 * arXiv papers, a real built-in model trained on them, the real Semantic service. The API
 * `GET /api/v1/papers/{id}/similar` (top 5 by default, never the paper itself, the index's own
 * nearest neighbours, limit, 400/404, a paper without a stored vector, no embedder) and the
 * "Similar papers" section of the paper page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SIMILAR_CACHE_MS, similarPapers } from '../src/search/similar.ts';
import { POOL_SIZE, rerankSimilar } from '../src/search/similarity.ts';
import { upsertPapers } from '../src/store/papers.ts';
import { paperPath } from '../src/web/views/text.ts';
import { failingEmbedder, SAMPLE, sampleModel, semanticEnv } from './helpers/semantic-env.ts';

interface SimilarBody {
  paperId: string;
  model: string | null;
  papers: Array<{ paperId: string; title: string; authors: string[]; categories: string[]; publishedAt: string; score: number; cosine: number; url: string }>;
  reason?: string;
}

const P = SAMPLE[7]!;

describe('GET /api/v1/papers/{id}/similar', () => {
  let env: Awaited<ReturnType<typeof semanticEnv>>;
  before(async () => {
    env = await semanticEnv();
  });
  after(() => env.close());

  const get = async (path: string) => {
    const res = await env.app.request(path);
    return { status: res.status, body: (await res.json()) as SimilarBody & { error?: string } };
  };

  it('answers the five nearest papers by embedding, best first, never the paper itself', async () => {
    const { status, body } = await get(`/api/v1/papers/${P.id}/similar`);
    assert.equal(status, 200);
    assert.equal(body.paperId, P.id);
    assert.equal(body.model, env.model.name);
    assert.equal(body.reason, undefined);
    assert.equal(body.papers.length, 5);
    assert.ok(!body.papers.some((s) => s.paperId === P.id), 'not itself');
    // Exactly the index's nearest neighbours of the paper's stored vector, re-ranked with shared words.
    const v = env.semantic!.paperVector(P.id)!;
    const near = env.semantic!.index()!.search(v, POOL_SIZE + 1).filter((n) => n.id !== P.id);
    const byId = new Map(SAMPLE.map((p) => [p.id, p]));
    const vec = (id: string) => env.semantic!.index()!.get(id)!;
    const expected = rerankSimilar(
      { ...P, vector: v },
      near.map((n) => ({ id: n.id, title: byId.get(n.id)!.title, abstract: byId.get(n.id)!.abstract, vector: vec(n.id) })),
    );
    assert.deepEqual(
      body.papers.map((s) => s.paperId),
      expected.slice(0, 5).map((e) => e.id),
    );
    // All five come from the nearest neighbours by embedding, with their cosine.
    const cos = new Map(near.map((n) => [n.id, n.score]));
    for (const s of body.papers) assert.ok(Math.abs(s.cosine - cos.get(s.paperId)!) < 1e-4);
    const scores = body.papers.map((s) => s.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    assert.ok(scores[0]! < 1 && scores[0]! > 0);
    const first = SAMPLE.find((p) => p.id === body.papers[0]!.paperId)!;
    assert.equal(body.papers[0]!.title, first.title);
    assert.deepEqual(body.papers[0]!.authors, first.authors);
    assert.equal(body.papers[0]!.url, `${env.config.baseUrl}${paperPath(first.id)}`);
  });

  it('takes a limit, and refuses bad limits and ids; 404 for a paper it does not hold', async () => {
    const three = await get(`/api/v1/papers/${P.id}/similar?limit=3`);
    assert.equal(three.status, 200);
    assert.equal(three.body.papers.length, 3);
    const many = await get(`/api/v1/papers/${P.id}/similar?limit=50`);
    assert.equal(many.body.papers.length, 50);
    for (const bad of ['0', '51', 'abc', '-1', '2.5', '99999999999']) {
      const r = await get(`/api/v1/papers/${P.id}/similar?limit=${bad}`);
      assert.equal(r.status, 400, `limit=${bad}`);
      assert.match(r.body.error!, /limit must be a whole number from 1 to 50/);
    }
    const badId = await get('/api/v1/papers/not-an-id/similar');
    assert.equal(badId.status, 400);
    assert.match(badId.body.error!, /not an arXiv id/);
    const unknown = await get('/api/v1/papers/2501.99999/similar');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error!, /not in this instance/);
    // A version or arXiv: prefix names the same paper.
    const versioned = await get(`/api/v1/papers/arXiv:${P.id}v2/similar?limit=3`);
    assert.deepEqual(versioned.body.papers, three.body.papers);
  });

  it('keeps a paper\'s list for SIMILAR_CACHE_MS (no second scan), then computes it again', async () => {
    const index = env.semantic!.index()!;
    const scan = index.search.bind(index);
    let scans = 0;
    index.search = (...args: Parameters<typeof scan>) => {
      scans++;
      return scan(...args);
    };
    try {
      let t = 1_000_000;
      const now = () => t;
      const Q = SAMPLE[11]!;
      const ids = (r: Awaited<ReturnType<typeof similarPapers>>) => r.papers.map((p) => p.paper.id);
      const first = await similarPapers(env.db, env.semantic, Q, { now });
      assert.equal(first.papers.length, 5);
      assert.equal(scans, 1);
      t += SIMILAR_CACHE_MS - 1;
      const again = await similarPapers(env.db, env.semantic, Q, { now });
      assert.equal(scans, 1, 'served from the cache');
      assert.deepEqual(ids(again), ids(first));
      // A smaller limit shares the list; a limit that needs a larger pool scans.
      assert.deepEqual(ids(await similarPapers(env.db, env.semantic, Q, { now, limit: 3 })), ids(first).slice(0, 3));
      assert.equal(scans, 1);
      assert.equal((await similarPapers(env.db, env.semantic, Q, { now, limit: 50 })).papers.length, 50);
      assert.equal(scans, 2);
      t += 2;
      assert.deepEqual(ids(await similarPapers(env.db, env.semantic, Q, { now })), ids(first));
      assert.equal(scans, 3, 'computed again once the entry is older than SIMILAR_CACHE_MS');
    } finally {
      delete (index as { search?: unknown }).search;
    }
    assert.equal(index.search, Object.getPrototypeOf(index).search, 'the index has its own search back');
  });

  it('embeds a paper that has no stored vector yet', async () => {
    // A copy of a sample paper under a new id: not in the index, its text closest to the original.
    const src = SAMPLE[300]!;
    await upsertPapers(env.db, [{ ...src, id: '2512.99991' }]);
    assert.equal(env.semantic!.paperVector('2512.99991'), undefined);
    const { status, body } = await get('/api/v1/papers/2512.99991/similar');
    assert.equal(status, 200);
    assert.equal(body.papers.length, 5);
    assert.equal(body.papers[0]!.paperId, src.id, 'the paper with the same text is the nearest');
    assert.ok(body.papers[0]!.cosine > 0.99, `cosine ${body.papers[0]!.cosine}`);
  });
});

describe('similar papers without vectors', () => {
  it('answers 200 with no papers and a reason when no embedder is configured; the page leaves the section out', async () => {
    const env = await semanticEnv({ withSemantic: false });
    try {
      const res = await env.app.request(`/api/v1/papers/${P.id}/similar`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as SimilarBody;
      assert.deepEqual(body.papers, []);
      assert.equal(body.model, null);
      assert.match(body.reason!, /need an embedder/);
      const page = await env.app.request(paperPath(P.id));
      assert.equal(page.status, 200);
      assert.doesNotMatch(await page.text(), /Similar papers/);
    } finally {
      await env.close();
    }
  });

  it('still uses stored vectors when the embedder is down, and gives a reason when a paper needs embedding', async () => {
    const { model } = sampleModel();
    const env = await semanticEnv({ embedder: failingEmbedder(model) });
    try {
      const ok = await env.app.request(`/api/v1/papers/${P.id}/similar`);
      assert.equal(((await ok.json()) as SimilarBody).papers.length, 5, 'stored vectors need no embedder');
      await upsertPapers(env.db, [{ ...SAMPLE[300]!, id: '2512.99992' }]);
      const res = await env.app.request('/api/v1/papers/2512.99992/similar');
      assert.equal(res.status, 200);
      const body = (await res.json()) as SimilarBody;
      assert.deepEqual(body.papers, []);
      assert.match(body.reason!, /embedder failed/);
      const page = await env.app.request(paperPath('2512.99992'));
      assert.equal(page.status, 200, 'the paper page works without its similar papers');
    } finally {
      await env.close();
    }
  });
});

describe('the paper page', () => {
  let env: Awaited<ReturnType<typeof semanticEnv>>;
  before(async () => {
    env = await semanticEnv();
  });
  after(() => env.close());

  it('shows the five similar papers, linked, without the paper itself', async () => {
    const res = await env.app.request(paperPath(P.id));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h2 id="similar-heading">Similar papers<\/h2>/);
    const section = html.slice(html.indexOf('<section class="similar"'), html.indexOf('</section>', html.indexOf('<section class="similar"')));
    const links = [...section.matchAll(/<a href="\/papers\/([^"]+)">/g)].map((m) => m[1]);
    const api = (await (await env.app.request(`/api/v1/papers/${P.id}/similar`)).json()) as SimilarBody;
    assert.deepEqual(
      links,
      api.papers.map((s) => s.paperId),
    );
    assert.equal(links.length, 5);
    assert.ok(!links.includes(P.id));
  });
});
