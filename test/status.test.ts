/**
 * `/status` and `GET /api/v1/status` on a real database: empty (no 500, "not yet read"), then with
 * feed runs, feed items and real papers (testdata/arxiv-listings-sample1000.jsonl) so "today's batch"
 * goes from incomplete to complete; sources and harvest checkpoints are listed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { parseListingsRecord } from '../src/arxiv/listings.ts';
import { isParseFailure } from '../src/arxiv/snapshot.ts';
import type { Connection } from '../src/db/connect.ts';
import { addFeedItems, recordFeedRun } from '../src/store/feed-items.ts';
import { finishHarvestWindow, startHarvestWindow } from '../src/store/harvest-state.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { recordSourceError, recordSourceSuccess } from '../src/store/source-status.ts';
import { addDays } from '../src/time.ts';
import { expectedFeedDate, type StatusReport, statusReport } from '../src/web/routes/status.tsx';
import { createLogger } from '../src/log.ts';
import { freshApp, testConfig } from './helpers/db.ts';
import { SAMPLE, semanticEnv } from './helpers/semantic-env.ts';

const LISTINGS = new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url);

/** The first `n` real papers of the sample whose primary category is `cat`. */
function realPapers(cat: string, n: number): PaperInput[] {
  const out: PaperInput[] = [];
  for (const line of readFileSync(LISTINGS, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = parseListingsRecord(JSON.parse(line));
    if (!isParseFailure(r) && r.paper.categories[0] === cat) out.push(r.paper);
    if (out.length === n) break;
  }
  assert.equal(out.length, n, `the sample has ${n} ${cat} papers`);
  return out;
}

async function getJson(app: Hono): Promise<StatusReport> {
  const res = await app.request('/api/v1/status');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as StatusReport;
}

describe('status on an empty database', () => {
  let app: Hono;
  let conn: Connection;
  before(async () => {
    ({ app, conn } = await freshApp());
  });
  after(() => conn.close());

  it('answers 200 with "not yet read" and empty lists, never a 500', async () => {
    const page = await app.request('/status');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Today’s batch \([^)]+\): not yet read/);
    assert.match(html, /No announcement feed has been read yet/);
    assert.match(html, /No source has run yet/);
    assert.match(html, /No harvest has run yet/);

    const r = await getJson(app);
    assert.equal(r.today.state, 'not_read');
    assert.equal(r.today.feedDate, expectedFeedDate(new Date(), 'America/New_York'));
    assert.equal(r.timezone, 'America/New_York');
    assert.deepEqual(r.batches, []);
    assert.deepEqual(r.sources, []);
    assert.deepEqual(r.harvests, []);
    assert.deepEqual(r.embeddings, { embedder: r.embeddings.embedder, model: null, papers: 0, embedded: 0, loaded: null });
    assert.match(html, r.embeddings.embedder === 'off' ? /The embedder is off/ : /No embedding model yet/);
  });
});

describe('status of search by meaning', () => {
  it("shows the embed job's progress under the model in use and the vectors loaded; counts are re-read after 30 s", async () => {
    const env = await semanticEnv();
    try {
      let r = await getJson(env.app);
      assert.deepEqual(r.embeddings, { embedder: 'builtin', model: env.model.name, papers: SAMPLE.length, embedded: SAMPLE.length, loaded: SAMPLE.length });
      const html = await (await env.app.request('/status')).text();
      assert.match(html, new RegExp(`<strong>${SAMPLE.length.toLocaleString('en-US')}</strong> of ${SAMPLE.length.toLocaleString('en-US')} papers embedded \\(100 %\\)`));
      assert.ok(html.includes(env.model.name), 'the model is named');

      // Two new papers, no vectors yet: the counts (read at t0) stay for 30 s, then show them.
      const deps = { db: env.db, config: env.config, log: createLogger('silent'), semantic: env.semantic };
      const t0 = new Date('2026-05-01T12:00:00Z');
      assert.equal((await statusReport(deps, t0)).embeddings.papers, SAMPLE.length);
      await upsertPapers(env.db, [{ ...SAMPLE[6]!, id: '2512.99992' }, { ...SAMPLE[7]!, id: '2512.99993' }]);
      assert.equal((await statusReport(deps, new Date(t0.getTime() + 29_000))).embeddings.papers, SAMPLE.length, 'cached');
      r = await statusReport(deps, new Date(t0.getTime() + 30_000));
      assert.equal(r.embeddings.papers, SAMPLE.length + 2);
      assert.equal(r.embeddings.embedded, SAMPLE.length);
      assert.equal(r.embeddings.loaded, SAMPLE.length);
    } finally {
      await env.close();
    }
  });
});

describe('status with feed runs, sources and harvests', () => {
  const categories = ['cs.CL', 'cs.LG'];
  let app: Hono;
  let conn: Connection;
  const today = expectedFeedDate(new Date(), 'America/New_York');
  const earlier = addDays(today, -7); // same weekday a week before: always a weekday
  const cl = realPapers('cs.CL', 4);
  const lg = realPapers('cs.LG', 1);

  before(async () => {
    ({ app, conn } = await freshApp({ arxiv: { ...testConfig().arxiv, categories } }));
    const db = conn.db;
    // Today cs.CL announced 3 papers (2 new, 1 cross-list) and we hold 2 of them; cs.LG is not read yet.
    await upsertPapers(db, [cl[0]!, cl[1]!, cl[3]!]);
    await addFeedItems(db, [
      { category: 'cs.CL', feedDate: today, paperId: cl[0]!.id, kind: 'new', version: 1 },
      { category: 'cs.CL', feedDate: today, paperId: cl[1]!.id, kind: 'cross', version: 1 },
      { category: 'cs.CL', feedDate: today, paperId: cl[2]!.id, kind: 'new', version: 1 },
      { category: 'cs.CL', feedDate: earlier, paperId: cl[3]!.id, kind: 'replace', version: 1 },
    ]);
    await recordFeedRun(db, { category: 'cs.CL', feedDate: today, items: 3, fetchedAt: '2026-04-27T04:05:00.000Z' });
    await recordFeedRun(db, { category: 'cs.CL', feedDate: earlier, items: 1, fetchedAt: '2026-04-20T04:05:00.000Z' });
    await recordSourceSuccess(db, 'feed:cs.CL', { now: new Date('2026-04-27T04:05:00Z') });
    await recordSourceError(db, 'api', new Error('arXiv answered 503 four times'), new Date('2026-04-27T04:06:00Z'));
    await startHarvestWindow(db, { key: 'oai:arXiv:cs', prefix: 'arXiv', set: 'cs', window: { from: '2026-04-20', until: '2026-04-26' }, now: new Date('2026-04-27T05:00:00Z') });
    await startHarvestWindow(db, { key: 'oai:arXivRaw:cs', prefix: 'arXivRaw', set: 'cs', window: { from: '2026-04-19', until: '2026-04-25' }, now: new Date('2026-04-26T05:00:00Z') });
    await finishHarvestWindow(db, { key: 'oai:arXivRaw:cs', until: '2026-04-25', now: new Date('2026-04-26T05:10:00Z') });
  });
  after(() => conn.close());

  it('counts announced against held per category and feed date, newest first', async () => {
    const r = await getJson(app);
    assert.deepEqual(r.batches, [
      { category: 'cs.CL', feedDate: today, announced: 3, held: 2, new: 2, cross: 1, replace: 0, fetchedAt: '2026-04-27T04:05:00.000Z', complete: false },
      { category: 'cs.CL', feedDate: earlier, announced: 1, held: 1, new: 0, cross: 0, replace: 1, fetchedAt: '2026-04-20T04:05:00.000Z', complete: true },
    ]);
    assert.deepEqual(r.today, { feedDate: today, state: 'incomplete', announced: 3, held: 2, categoriesRead: 1, categories: 2 });
  });

  it('lists every source with its last success and last error, and the harvest checkpoints', async () => {
    const r = await getJson(app);
    assert.deepEqual(r.sources, [
      { source: 'api', lastSuccessAt: null, lastError: 'arXiv answered 503 four times', lastErrorAt: '2026-04-27T04:06:00.000Z' },
      { source: 'feed:cs.CL', lastSuccessAt: '2026-04-27T04:05:00.000Z', lastError: null, lastErrorAt: null },
    ]);
    assert.equal(r.harvests.length, 2);
    const [running, idle] = r.harvests;
    assert.deepEqual(
      { key: running!.key, status: running!.status, windowFrom: running!.windowFrom, windowUntil: running!.windowUntil, pages: running!.pages, records: running!.records },
      { key: 'oai:arXiv:cs', status: 'running', windowFrom: '2026-04-20', windowUntil: '2026-04-26', pages: 0, records: 0 },
    );
    assert.deepEqual(
      { key: idle!.key, status: idle!.status, harvestedUntil: idle!.harvestedUntil, lastSuccessAt: idle!.lastSuccessAt, set: idle!.set, metadataPrefix: idle!.metadataPrefix },
      { key: 'oai:arXivRaw:cs', status: 'idle', harvestedUntil: '2026-04-25', lastSuccessAt: '2026-04-26T05:10:00.000Z', set: 'cs', metadataPrefix: 'arXivRaw' },
    );
  });

  it('the page says incomplete with N of M held, and shows sources and harvests', async () => {
    const res = await app.request('/status');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Today’s batch \([^)]+\): <strong>incomplete<\/strong> \(2 of 3 papers held; 1 of 2 categories not read yet\)/);
    assert.ok(html.includes('arXiv answered 503 four times'));
    assert.ok(html.includes('oai:arXiv:cs'));
    assert.ok(html.includes(`/new/${today}?category=cs.CL`));
  });

  it('becomes complete once every category is read and every announced paper is held', async () => {
    await upsertPapers(conn.db, [cl[2]!, lg[0]!]);
    await addFeedItems(conn.db, [{ category: 'cs.LG', feedDate: today, paperId: lg[0]!.id, kind: 'new', version: 1 }]);
    await recordFeedRun(conn.db, { category: 'cs.LG', feedDate: today, items: 1, fetchedAt: '2026-04-27T04:07:00.000Z' });
    const r = await getJson(app);
    assert.deepEqual(r.today, { feedDate: today, state: 'complete', announced: 4, held: 4, categoriesRead: 2, categories: 2 });
    const html = await (await app.request('/status')).text();
    assert.match(html, /<strong>complete<\/strong> \(4 of 4 papers held\)/);
  });
});

describe('expectedFeedDate', () => {
  it('is today on a weekday and the Friday before on a weekend, in New York time', () => {
    // 2026-04-27 is a Monday. 03:00 UTC Monday is still Sunday evening in New York.
    assert.equal(expectedFeedDate(new Date('2026-04-27T15:00:00Z'), 'America/New_York'), '2026-04-27');
    assert.equal(expectedFeedDate(new Date('2026-04-27T03:00:00Z'), 'America/New_York'), '2026-04-24');
    assert.equal(expectedFeedDate(new Date('2026-04-25T12:00:00Z'), 'America/New_York'), '2026-04-24');
  });
});
