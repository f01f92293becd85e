/**
 * The Hugging Face–compatible read API against real recordings (testdata/hf/): our answers must
 * have the recordings' keys with the recordings' JSON types, recursively.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { upsertEntries, type EntryInput } from '../src/store/entries.ts';
import { upsertPapers, type PaperInput } from '../src/store/papers.ts';
import { freshApp } from './helpers/db.ts';

const dir = new URL('../testdata/hf/', import.meta.url);
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

const daily = load('daily_papers_2024-10-25.deep-diver.json') as any[];
const r1 = load('papers_2501.12948.taste-inbox.json');
const trm = load('papers_2510.04871.taste-inbox.json');
const kazakh = load('papers_search_q-kazakh.hf-mcp-server.json') as any[];

// ---------------------------------------------------------------------------------------------
// Shape comparison: a schema merged from every value in a recording, then our answer checked
// against it. Keys we add are allowed; keys the recording has must keep their JSON type.

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
interface Schema {
  kinds: Set<Kind>;
  keys: Map<string, Schema>;
  items?: Schema;
}

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

function schemaOf(values: unknown[], s: Schema = { kinds: new Set(), keys: new Map() }): Schema {
  for (const v of values) {
    s.kinds.add(kindOf(v));
    if (Array.isArray(v)) s.items = schemaOf(v, s.items);
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) s.keys.set(k, schemaOf([child], s.keys.get(k)));
    }
  }
  return s;
}

/**
 * Paths (`.submittedBy`) where we answer null for a value the recording has as an object: a
 * documented choice (hf-shapes.ts) for entries without a recorded submitter.
 */
const NULLABLE = new Set(['.submittedBy', '.submittedOnDailyBy']);

function shapeProblems(ours: unknown, s: Schema, path = ''): string[] {
  const kind = kindOf(ours);
  if (!s.kinds.has(kind) && !(kind === 'null' && NULLABLE.has(path.replace(/\[\]/g, '')))) {
    return [`${path || '(root)'}: ours is ${kind}, recording has ${[...s.kinds].join('|')}`];
  }
  const problems: string[] = [];
  if (Array.isArray(ours) && s.items) ours.forEach((v) => problems.push(...shapeProblems(v, s.items!, `${path}[]`)));
  else if (kind === 'object') {
    for (const [k, v] of Object.entries(ours as object)) {
      const child = s.keys.get(k);
      if (child) problems.push(...shapeProblems(v, child, `${path}.${k}`));
    }
  }
  return problems;
}

function assertSameShape(ours: unknown, recording: unknown) {
  assert.deepEqual(shapeProblems(ours, schemaOf([recording])), []);
}

/** Keys the recording has that we leave out (documented in hf-shapes.ts), for the report. */
function missingKeys(ours: any, recording: any): string[] {
  return Object.keys(recording).filter((k) => !(k in ours));
}

// ---------------------------------------------------------------------------------------------
// Real data from the recordings, stored through the real store functions.

function paperFromHf(p: any): PaperInput {
  return {
    id: p.id,
    version: 1,
    title: p.title,
    abstract: p.summary,
    authors: (p.authors ?? []).map((a: any) => a.name),
    categories: [],
    publishedAt: p.publishedAt,
    updatedAt: p.publishedAt,
    codeUrl: p.githubRepo ?? null,
    projectUrl: p.projectPage ?? null,
  };
}

const entity = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const tag = (xml: string, name: string) => entity(new RegExp(`<${name}[^>]*>([\\s\\S]*?)</${name}>`).exec(xml)![1]!);

/** The old-style paper astro-ph/0601001 from a recorded arXiv API answer. */
function oldStylePaper(): PaperInput {
  const xml = readFileSync(new URL('arxiv-api_astro-ph_0601001.xml', dir), 'utf8');
  const entry = xml.slice(xml.indexOf('<entry>'));
  return {
    id: 'astro-ph/0601001',
    version: 1,
    title: tag(entry, 'title'),
    abstract: tag(entry, 'summary'),
    authors: [...entry.matchAll(/<name>([^<]+)<\/name>/g)].map((m) => entity(m[1]!)),
    categories: ['astro-ph'],
    publishedAt: tag(entry, 'published'),
    updatedAt: tag(entry, 'updated'),
    comment: tag(entry, 'arxiv:comment'),
    journalRef: tag(entry, 'arxiv:journal_ref'),
  };
}

let app: Hono;
let close: () => Promise<void>;

before(async () => {
  const t = await freshApp();
  app = t.app;
  close = () => t.conn.close();
  const papers = [...daily.map((i) => paperFromHf(i.paper)), paperFromHf(r1), paperFromHf(trm), ...kazakh.map((i) => paperFromHf(i.paper)), oldStylePaper()];
  const entries: EntryInput[] = [
    ...daily.map((i) => ({
      paperId: i.paper.id,
      // HF's daily batches are UTC days; this file is the 2024-10-25 batch.
      feedDate: '2024-10-25',
      submitterName: i.submittedBy.fullname,
      submitterHandle: i.submittedBy.name,
      submittedAt: i.publishedAt,
      upvotes: i.paper.upvotes,
      numComments: i.numComments,
    })),
    // The single-paper recordings carry their Daily Papers date and upvotes but no submitter.
    { paperId: r1.id, feedDate: r1.submittedOnDailyAt.slice(0, 10), submittedAt: r1.submittedOnDailyAt, upvotes: r1.upvotes },
    { paperId: trm.id, feedDate: trm.submittedOnDailyAt.slice(0, 10), submittedAt: trm.submittedOnDailyAt, upvotes: trm.upvotes },
  ];
  await t.db.transaction().execute(async (tx) => {
    await upsertPapers(tx, papers);
    await upsertEntries(tx, entries);
  });
});

after(async () => close());

async function get(path: string) {
  const res = await app.request(path);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { res, status: res.status, text, json: type.includes('json') ? JSON.parse(text) : undefined };
}

async function assertError(path: string, status: number) {
  const r = await get(path);
  assert.equal(r.status, status, `${path} -> ${r.status} ${r.text}`);
  assert.equal(typeof r.json?.error, 'string', `${path} answers {"error": string}`);
  assert.ok(r.json.error.length > 5);
  assert.deepEqual(Object.keys(r.json), ['error']);
  assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
}

// ---------------------------------------------------------------------------------------------

describe('the shape check', () => {
  it('catches a changed type deep inside, and allows extra keys', () => {
    const schema = schemaOf([daily]);
    const item = structuredClone(daily[0]);
    assert.deepEqual(shapeProblems([item], schema), []);
    item.paper.upvotes = '64';
    item.paper.authors[0].hidden = null;
    item.extra = 1;
    assert.deepEqual(shapeProblems([item], schema), ['[].paper.authors[].hidden: ours is null, recording has boolean', '[].paper.upvotes: ours is string, recording has number']);
  });
});

describe('GET /api/daily_papers', () => {
  it('answers a day with the recording’s item shape, ordered by upvotes', async () => {
    const r = await get('/api/daily_papers?date=2024-10-25');
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json));
    assert.equal(r.json.length, 29);
    assert.equal(r.res.headers.get('x-total-count'), '29');
    assertSameShape(r.json, daily);
    // Upvote order as in the recording (which HF sorted the same way).
    assert.deepEqual(
      r.json.map((i: any) => i.paper.upvotes),
      daily.map((i) => i.paper.upvotes),
    );
    const first = r.json[0];
    const rec = daily[0];
    assert.equal(first.paper.id, '2410.17243');
    assert.equal(first.paper.title, rec.paper.title);
    assert.equal(first.paper.summary, rec.paper.summary);
    assert.equal(first.paper.publishedAt, rec.paper.publishedAt);
    assert.equal(first.publishedAt, rec.publishedAt);
    assert.equal(first.title, rec.title, 'top-level title is the one-line form');
    assert.equal(first.numComments, 3);
    assert.deepEqual(first.paper.authors.map((a: any) => a.name), rec.paper.authors.map((a: any) => a.name));
    assert.deepEqual(first.paper.authors[0], { name: 'Zesen Cheng', hidden: false });
    assert.deepEqual(first.submittedBy, { name: 'ClownRat', fullname: 'Zesen Cheng', type: 'user' });
    assert.deepEqual(first.mediaUrls, []);
    // The keys we leave out are exactly the documented ones.
    assert.deepEqual(missingKeys(first, rec), ['thumbnail']);
    assert.deepEqual(missingKeys(first.paper, rec.paper), ['discussionId']);
    assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
    assert.match(r.res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
  });

  it('pages with p (0-based) and limit, without overlap', async () => {
    const pages = [];
    for (let p = 0; p < 4; p++) pages.push((await get(`/api/daily_papers?date=2024-10-25&limit=10&p=${p}`)).json);
    assert.deepEqual(pages.map((x: any[]) => x.length), [10, 10, 9, 0]);
    const ids = pages.flat().map((i: any) => i.paper.id);
    assert.equal(new Set(ids).size, 29);
    assert.deepEqual(new Set(ids), new Set(daily.map((i) => i.paper.id)));
    assert.equal((await get('/api/daily_papers?date=2024-10-25&limit=1')).json[0].paper.id, '2410.17243');
  });

  it('defaults to 50 items, newest papers first, across dates', async () => {
    const r = await get('/api/daily_papers');
    assert.equal(r.json.length, 31);
    assert.deepEqual(r.json.slice(0, 2).map((i: any) => i.paper.id), ['2510.04871', '2501.12948']);
    const withoutSubmitter = r.json[0];
    assert.equal(withoutSubmitter.submittedBy, null);
    assert.equal(withoutSubmitter.paper.githubRepo, trm.githubRepo);
    assert.equal(withoutSubmitter.paper.projectPage, trm.projectPage);
    assertSameShape(r.json, daily);
  });

  it('filters by week, month and submitter', async () => {
    assert.equal((await get('/api/daily_papers?week=2024-W43')).json.length, 29);
    assert.equal((await get('/api/daily_papers?week=2024-W44')).json.length, 0);
    assert.equal((await get('/api/daily_papers?month=2024-10')).json.length, 29);
    assert.deepEqual((await get('/api/daily_papers?month=2025-01')).json.map((i: any) => i.paper.id), ['2501.12948']);
    assert.equal((await get('/api/daily_papers?date=2024-10-24')).json.length, 0);
    const brando = (await get('/api/daily_papers?submitter=brando')).json;
    assert.deepEqual(brando.map((i: any) => i.paper.id).sort(), ['2410.16429', '2410.18194']);
    assert.equal((await get('/api/daily_papers?submitter=nobody-here')).json.length, 0);
    // A NUL byte is a 400 on both databases (PostgreSQL would refuse it in a query parameter).
    assert.equal((await get('/api/daily_papers?submitter=a%00b')).status, 400);
  });

  it('sorts by trending and publishedAt on request', async () => {
    const trending = (await get('/api/daily_papers?date=2024-10-25&sort=trending')).json;
    assert.equal(trending.length, 29);
    const published = (await get('/api/daily_papers?date=2024-10-25&sort=publishedAt')).json.map((i: any) => i.paper.publishedAt);
    assert.deepEqual(published, [...published].sort().reverse());
  });

  it('refuses malformed parameters with 400 {"error"}', async () => {
    for (const q of [
      'date=2024-13-01',
      'date=2025-02-30',
      'date=yesterday',
      'date=2024-10-25%27%20OR%201=1',
      'week=2024-W60',
      'week=2024-43',
      'month=2024-13',
      'month=2024',
      'limit=0',
      'limit=101',
      'limit=-5',
      'limit=ten',
      'limit=1e3',
      'p=-1',
      'p=1.5',
      'p=99999999999',
      'sort=random',
      'date=2024-10-25&week=2024-W43',
    ]) {
      await assertError(`/api/daily_papers?${q}`, 400);
    }
  });
});

describe('GET /api/papers/{id}', () => {
  it('answers a flat paper with the recording’s shape and our extras', async () => {
    const r = await get('/api/papers/2510.04871');
    assert.equal(r.status, 200);
    assertSameShape(r.json, trm);
    assert.equal(r.json.id, '2510.04871');
    assert.equal(r.json.title, trm.title);
    assert.equal(r.json.summary, trm.summary);
    assert.equal(r.json.publishedAt, trm.publishedAt);
    assert.equal(r.json.submittedOnDailyAt, trm.submittedOnDailyAt);
    assert.equal(r.json.upvotes, 520);
    assert.equal(r.json.githubRepo, trm.githubRepo);
    assert.equal(r.json.projectPage, trm.projectPage);
    assert.deepEqual(r.json.categories, []);
    assert.equal(r.json.feedDate, '2025-10-08');
    // Nothing in our answer is HF data we do not hold.
    for (const k of ['ai_summary', 'linkedModels', 'githubStars', 'organization', 'discussionId']) assert.ok(!(k in r.json), k);
    assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
    assertSameShape((await get('/api/papers/2501.12948')).json, r1);
  });

  it('normalises versioned and prefixed ids', async () => {
    for (const id of ['2501.12948v3', 'arXiv:2501.12948', '2501.12948v1']) {
      const r = await get(`/api/papers/${encodeURIComponent(id)}`);
      assert.equal(r.status, 200, id);
      assert.equal(r.json.id, '2501.12948');
    }
  });

  it('serves old-style ids, slash included', async () => {
    const r = await get('/api/papers/astro-ph/0601001');
    assert.equal(r.status, 200);
    assert.equal(r.json.id, 'astro-ph/0601001');
    assert.equal(r.json.authors.length, 4);
    assert.equal(r.json.upvotes, 0);
    assert.equal(r.json.journalRef, 'ActaAstron.56:1-50,2006');
    assert.ok(!('submittedOnDailyAt' in r.json));
    assert.equal((await get('/api/papers/astro-ph%2F0601001v1')).json?.id, 'astro-ph/0601001');
  });

  it('404s unknown valid ids and 400s malformed ones', async () => {
    await assertError('/api/papers/2501.99999', 404);
    await assertError('/api/papers/hep-th/9901001', 404);
    for (const bad of ['not-an-id', '2513.00001', '..%2F..%2Fetc%2Fpasswd', '2501.12948%00', "2501.12948'%20OR%201=1", 'x'.repeat(400)]) {
      await assertError(`/api/papers/${bad}`, 400);
    }
  });
});

describe('GET /api/papers/search', () => {
  it('answers with the recording’s item shape and highlighted spans', async () => {
    const r = await get('/api/papers/search?q=kazakh');
    assert.equal(r.status, 200);
    assert.ok(r.json.length >= 5, `found ${r.json.length}`);
    assertSameShape(r.json, kazakh);
    const ids = new Set(kazakh.map((i) => i.paper.id));
    assert.ok(r.json.every((i: any) => ids.has(i.paper.id)), 'only the Kazakh papers match');
    const kazqad = r.json.find((i: any) => i.paper.id === '2404.04487');
    assert.ok(kazqad, 'KazQAD is found');
    assert.ok(kazqad.highlightedTitle.some((s: any) => s.type === 'highlight' && /kazakh/i.test(s.text)));
    assert.ok(kazqad.highlightedSummary.some((s: any) => s.type === 'highlight'));
    assert.equal(kazqad.upvoted, false);
    assert.equal(r.res.headers.get('x-total-count'), String(r.json.length));
    // As on HF, the spans put together give back the title and the whole abstract.
    for (const item of r.json) {
      assert.equal(item.highlightedTitle.map((s: any) => s.text).join(''), item.title);
      assert.equal(item.highlightedSummary.map((s: any) => s.text).join(''), item.summary);
    }
    assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
  });

  it('honours limit and its bounds', async () => {
    assert.equal((await get('/api/papers/search?q=kazakh&limit=2')).json.length, 2);
    await assertError('/api/papers/search?q=kazakh&limit=121', 400);
    await assertError('/api/papers/search?q=kazakh&limit=0', 400);
    await assertError('/api/papers/search?q=kazakh&limit=abc', 400);
    assert.equal((await get('/api/papers/search?q=kazakh&limit=120')).status, 200);
  });

  it('requires q of at most 250 characters', async () => {
    await assertError('/api/papers/search', 400);
    await assertError('/api/papers/search?q=', 400);
    await assertError('/api/papers/search?q=%20%20', 400);
    await assertError(`/api/papers/search?q=${'a'.repeat(251)}`, 400);
    assert.equal((await get(`/api/papers/search?q=${'a'.repeat(250)}`)).status, 200);
    // 250 emoji are 250 characters (500 UTF-16 units).
    assert.equal((await get(`/api/papers/search?q=${encodeURIComponent('🦙'.repeat(250))}`)).status, 200);
  });

  it('never answers 500 to hostile queries', async () => {
    const hostile = ['"', '"unbalanced', '*', 'kazakh*', 'NEAR(a b)', 'a NEAR b', '-', '- -kazakh', '((((', ')', 'AND', 'OR OR', 'NOT', 'title:kazakh', '^kazakh', '🦙🦙', "'; DROP TABLE papers; --", '\\', '%', '{}[]', '\u0000', 'a'.repeat(250)];
    for (const q of hostile) {
      const r = await get(`/api/papers/search?q=${encodeURIComponent(q)}`);
      assert.ok(r.status === 200 || r.status === 400, `${JSON.stringify(q)} -> ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(r.status === 200 ? Array.isArray(r.json) : typeof r.json.error === 'string');
    }
    // The table survived.
    assert.equal((await get('/api/papers/2501.12948')).status, 200);
  });
});

describe('GET /papers/{id}.md', () => {
  it('renders the paper as Markdown', async () => {
    const r = await get('/papers/2510.04871.md');
    assert.equal(r.status, 200);
    assert.match(r.res.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8/);
    assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
    assert.ok(r.text.startsWith('# Less is More: Recursive Reasoning with Tiny Networks\n'));
    assert.ok(r.text.includes('[2510.04871](https://arxiv.org/abs/2510.04871)'));
    assert.ok(r.text.includes('<https://arxiv.org/pdf/2510.04871>'));
    assert.ok(r.text.includes(`- Code: <${trm.githubRepo}>`));
    assert.ok(r.text.includes('- Published: 2025-10-06'));
    assert.ok(r.text.includes('- Daily Papers: 2025-10-08, 520 upvotes'));
    assert.ok(r.text.includes('## Abstract'));
    // The abstract's hard wraps are joined into a paragraph.
    const firstWords = trm.summary.trim().split(/\s+/).slice(0, 12).join(' ');
    assert.ok(r.text.includes(firstWords), firstWords);
  });

  it('serves old-style ids with authors, categories and inert angle brackets', async () => {
    const r = await get('/papers/astro-ph/0601001.md');
    assert.equal(r.status, 200);
    assert.match(r.text, /^# Frequency of Hot Jupiters/);
    assert.ok(r.text.includes('**Authors:** Andrew Gould, Susan Dorsher, B. Scott Gaudi, Andrzej Udalski'));
    assert.ok(r.text.includes('- Categories: astro-ph'));
    assert.ok(r.text.includes('- Journal reference: ActaAstron.56:1-50,2006'));
    assert.ok(r.text.includes('V_max&lt;17.5'));
    assert.ok(!r.text.includes('V_max<17.5'));
  });

  it('takes precedence over the HTML page only for .md paths', async () => {
    const html = await get('/papers/2510.04871');
    assert.match(html.res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(html.res.headers.get('access-control-allow-origin'), null);
    const pre = await app.request('/papers/2510.04871.md', { method: 'OPTIONS', headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  });

  it('normalises versions and refuses unknown or malformed ids', async () => {
    assert.equal((await get('/papers/2510.04871v2.md')).status, 200);
    await assertError('/papers/2510.99999.md', 404);
    await assertError('/papers/not-an-id.md', 400);
  });
});
