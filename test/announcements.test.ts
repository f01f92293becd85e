/**
 * The daily announcement reader against the local replay server: real arXiv feeds from
 * testdata/arxiv/rss, and API `id_list` replies from test/helpers/api-replies.ts (real recorded entries,
 * plus entries assembled from the feed items' own real metadata: the API was never recorded for them).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { type ArxivClient, createArxivClient } from '../src/arxiv/client.ts';
import { parseAnnouncementFeed } from '../src/arxiv/rss.ts';
import type { Connection } from '../src/db/connect.ts';
import { announcementsHandler, readAnnouncements } from '../src/ingest/announcements.ts';
import type { JobContext } from '../src/jobs/handlers.ts';
import { createLogger } from '../src/log.ts';
import { announcementCounts, listAnnouncements } from '../src/store/announcements.ts';
import { batchStatus, missingPaperIds } from '../src/store/feed-items.ts';
import type { Job } from '../src/store/jobs.ts';
import { getPaper, upsertPapers } from '../src/store/papers.ts';
import { getSourceStatus } from '../src/store/source-status.ts';
import { ApiPool, readRecording } from './helpers/api-replies.ts';
import { type ReplayServer, startReplayServer } from './helpers/arxiv-server.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const ROOT = join(import.meta.dirname, '..');
const log = createLogger('silent');

/** The real feeds. LAYA is arXiv's combined cs.LG+cs.AI+cs.CL+stat.ML feed of 24 Sep 2026 (new, new, cross, replace), served as cs.LG's. */
const LAYA = readRecording('rss/laya-reader-2026/arxiv_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml');
const ATOM = readRecording('rss/paper-forge-2026/arxiv_atom_cs.LG.abstracts-trimmed.xml');
const DISTILL: Record<string, string> = {
  'cs.AI': readRecording('rss/distill-2026/arxiv_rss_cs_ai.xml'),
  'cs.CL': readRecording('rss/distill-2026/arxiv_rss_cs_cl.xml'),
  'cs.LG': readRecording('rss/distill-2026/arxiv_rss_cs_lg.xml'),
};

/** Thursday 24 Sep 2026, 19:00 in New York: after that day's announcement. */
const SEP24 = () => new Date('2026-09-24T23:00:00Z');

let server: ReplayServer;
let pool: ApiPool;
let conn: Connection;

const isApi = (u: URL) => u.pathname === '/api/query';
const apiRequests = () => server.requests.filter((r) => isApi(r.url));
const idList = (u: URL) => (u.searchParams.get('id_list') ?? '').split(',').sort();

before(async () => {
  server = await startReplayServer();
  pool = new ApiPool();
  for (const [xml] of [[LAYA], [ATOM], ...Object.values(DISTILL).map((x) => [x])] as Array<[string]>) {
    const feed = parseAnnouncementFeed(xml);
    for (const item of feed.items) pool.addFeedItem(item, feed.feedDate!);
  }
  server.route(isApi, (u) => ({ body: pool.reply(u), headers: { 'content-type': 'application/atom+xml; charset=utf-8' } }));
});
after(async () => {
  await server.close();
  await conn?.close();
});
beforeEach(async () => {
  await conn?.close();
  conn = await freshDb();
  server.requests.length = 0;
});

function config() {
  return testConfig({ arxiv: { ...testConfig().arxiv, apiUrl: `${server.url}/api/query`, rssUrl: server.url, delayMs: 0 } });
}

function client(): ArxivClient {
  return createArxivClient({ delayMs: 0, timeoutMs: 5000, userAgent: 'paperboy-test', retries: 1, backoffMs: 1 });
}

/** Serves `body` as `/rss/{category}` (added last, so it overrides earlier routes for that path). */
function serveFeed(category: string, body: string, headers: Record<string, string> = {}, format = 'rss'): void {
  server.route((u) => u.pathname === `/${format}/${category}`, { body, headers: { 'content-type': 'application/rss+xml; charset=utf-8', ...headers } });
}

/** 2009.13987 as we held it before the feed announced v3: the feed item's own metadata at v2, with older dates. */
async function holdOlderVersionOfReplacedPaper(): Promise<void> {
  const item = parseAnnouncementFeed(LAYA).items.find((i) => i.id === '2009.13987')!;
  await upsertPapers(conn.db, [
    { ...item, version: 2, publishedAt: '2020-09-29T12:00:00.000Z', updatedAt: '2021-03-01T12:00:00.000Z' },
  ]);
}

async function count(table: 'feed_items' | 'feed_runs' | 'announcements'): Promise<number> {
  const r = await conn.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

test('new, cross and replace are recorded with their kinds; a replacement bumps the version and is never new', async () => {
  await holdOlderVersionOfReplacedPaper();
  serveFeed('cs.LG', LAYA);
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });

  assert.deepEqual(r.categories, [
    { category: 'cs.LG', status: 'updated', feedDate: '2026-09-24', items: 4, new: 2, cross: 1, replace: 1, held: 4, skipped: 0, error: null },
  ]);
  assert.equal(r.apiError, null);
  // One batched API request: the three papers we lack and the replaced one we hold at v2.
  assert.equal(apiRequests().length, 1);
  assert.deepEqual(idList(apiRequests()[0]!.url), ['2009.13987', '2205.06398', '2609.26811', '2609.26820']);

  const ids = async (kinds: Array<'new' | 'cross' | 'replace'>) =>
    (await listAnnouncements(conn.db, { date: '2026-09-24', kinds })).items.map((a) => `${a.paper.id}:${a.kind}:${a.category}`);
  assert.deepEqual(await ids(['new']), ['2609.26811:new:cs.LG', '2609.26820:new:cs.LG']);
  assert.deepEqual(await ids(['cross']), ['2205.06398:cross:cs.LG']);
  assert.deepEqual(await ids(['replace']), ['2009.13987:replace:cs.LG']);
  assert.deepEqual(await announcementCounts(conn.db, { date: '2026-09-24' }), { new: 2, cross: 1, replace: 1 });

  const replaced = await getPaper(conn.db, '2009.13987');
  assert.equal(replaced?.version, 3, 'the replacement brought the new version');
  assert.equal(replaced?.updatedAt, '2026-09-24T00:00:00.000Z');
  assert.equal(replaced?.publishedAt, '2020-09-29T12:00:00.000Z', 'the first-version date is kept');

  // Reading the same feed again changes nothing and asks the API for nothing.
  server.requests.length = 0;
  const again = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });
  assert.equal(apiRequests().length, 0);
  assert.equal(again.announcementsAdded, 0);
  assert.equal(await count('feed_items'), 4);
  assert.equal(await count('announcements'), 4);
});

test('a replacement of a paper we never held is fetched and recorded as replace only', async () => {
  serveFeed('cs.LG', LAYA);
  await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });
  assert.equal((await getPaper(conn.db, '2009.13987'))?.version, 3);
  const rows = await conn.db.selectFrom('announcements').select(['kind']).where('paper_id', '=', '2009.13987').execute();
  assert.deepEqual(rows, [{ kind: 'replace' }]);
  assert.ok(!(await listAnnouncements(conn.db, { date: '2026-09-24', kinds: ['new'] })).items.some((a) => a.paper.id === '2009.13987'));
});

test('a weekend feed without items records nothing and is a success', async () => {
  // Derived from the real feed: arXiv serves the same channel with no <item> on Saturdays, Sundays and holidays.
  const weekend = LAYA.replace(/<item>[\s\S]*<\/item>\s*/g, '');
  assert.ok(!weekend.includes('<item>'));
  serveFeed('cs.LG', weekend, { etag: '"weekend"' });
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });
  assert.equal(r.categories[0]!.status, 'empty');
  assert.equal(r.categories[0]!.items, 0);
  assert.equal(await count('feed_items'), 0);
  assert.equal(await count('feed_runs'), 0);
  assert.equal(apiRequests().length, 0);
  const status = await getSourceStatus(conn.db, 'feed:cs.LG');
  assert.ok(status?.last_success_at);
  assert.equal(status?.last_error, null);
  assert.equal(status?.etag, '"weekend"');
  assert.deepEqual(await batchStatus(conn.db, { categories: ['cs.LG'] }), []);
});

test('a 304 Not Modified means nothing new: the stored validators are sent and nothing is rewritten', async () => {
  const lastModified = 'Thu, 24 Sep 2026 08:58:05 GMT';
  server.route(
    (u) => u.pathname === '/rss/cs.LG',
    (_u, req) =>
      req.headers['if-none-match'] === '"laya-1"'
        ? { status: 304, body: '' }
        : { body: LAYA, headers: { etag: '"laya-1"', 'last-modified': lastModified, 'content-type': 'application/rss+xml' } },
  );
  await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });
  const firstRun = await conn.db.selectFrom('feed_runs').selectAll().execute();
  server.requests.length = 0;

  const later = () => new Date('2026-09-25T01:00:00Z');
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: later });
  assert.equal(r.categories[0]!.status, 'not-modified');
  const feedRequest = server.requests.find((q) => q.url.pathname === '/rss/cs.LG')!;
  assert.equal(feedRequest.headers['if-none-match'], '"laya-1"');
  assert.equal(feedRequest.headers['if-modified-since'], lastModified);
  assert.equal(apiRequests().length, 0, 'everything announced is held: nothing to fetch');
  assert.deepEqual(await conn.db.selectFrom('feed_runs').selectAll().execute(), firstRun);
  const status = await getSourceStatus(conn.db, 'feed:cs.LG');
  assert.equal(status?.etag, '"laya-1"', 'a 304 keeps the validators');
  assert.equal(status?.last_success_at, later().toISOString());
});

test('API down: the feed items are kept, the error recorded; the next run completes the batch', async () => {
  await holdOlderVersionOfReplacedPaper();
  serveFeed('cs.LG', LAYA, { etag: '"laya-1"' });
  // Every attempt of the scheduled job's client (1 + 4 retries) gets a 503; Retry-After 0 keeps the test fast.
  server.fault(isApi, { kind: 'status503', retryAfter: 0, times: 5 });
  const handler = announcementsHandler(config());
  const ctx: JobContext = { db: conn.db, log, job: {} as Job, workerId: 'test', signal: new AbortController().signal, now: SEP24 };
  await assert.rejects(handler({ categories: ['cs.LG'] }, ctx), /announcements incomplete \(arXiv API: .*HTTP 503/);

  assert.equal(apiRequests().length, 5);
  assert.equal(await count('feed_items'), 4, 'the feed items are stored before the metadata fetch');
  assert.equal(await count('feed_runs'), 1);
  assert.match((await getSourceStatus(conn.db, 'api'))?.last_error ?? '', /HTTP 503/);
  // Only the paper we held (at its old version) could be announced; it is a replacement, not new.
  assert.deepEqual(await announcementCounts(conn.db, { date: '2026-09-24' }), { new: 0, cross: 0, replace: 1 });
  assert.deepEqual(await missingPaperIds(conn.db, '2026-09-17'), ['2009.13987', '2205.06398', '2609.26811', '2609.26820']);
  let [batch] = await batchStatus(conn.db, { categories: ['cs.LG'] });
  assert.deepEqual(
    { announced: batch!.announced, held: batch!.held, complete: batch!.complete },
    { announced: 4, held: 0, complete: false },
    'a paper held at an older version than its replacement is not counted as held',
  );

  // Next day's run: the feed did not change (304), but the missing papers of the last 7 days are fetched.
  server.requests.length = 0;
  const friday = () => new Date('2026-09-25T23:00:00Z');
  await handler({ categories: ['cs.LG'] }, { ...ctx, now: friday });
  assert.equal(server.requests.find((q) => q.url.pathname === '/rss/cs.LG')?.headers['if-none-match'], '"laya-1"');
  assert.equal(apiRequests().length, 1);
  assert.deepEqual(idList(apiRequests()[0]!.url), ['2009.13987', '2205.06398', '2609.26811', '2609.26820']);
  assert.deepEqual(await announcementCounts(conn.db, { date: '2026-09-24' }), { new: 2, cross: 1, replace: 1 });
  assert.equal((await getPaper(conn.db, '2009.13987'))?.version, 3);
  [batch] = await batchStatus(conn.db, { categories: ['cs.LG'] });
  assert.deepEqual({ announced: batch!.announced, held: batch!.held, complete: batch!.complete }, { announced: 4, held: 4, complete: true });
  assert.ok((await getSourceStatus(conn.db, 'api'))?.last_success_at);
});

test('several categories: one batched API request for all of them; batchStatus per category and feed date', async () => {
  for (const [cat, xml] of Object.entries(DISTILL)) serveFeed(cat, xml);
  const now = () => new Date('2026-04-27T23:00:00Z');
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.AI', 'cs.CL', 'cs.LG'], log, now });
  assert.deepEqual(
    r.categories.map((c) => [c.category, c.status, c.feedDate, c.items, c.new, c.held]),
    [
      ['cs.AI', 'updated', '2026-04-27', 3, 3, 3],
      ['cs.CL', 'updated', '2026-04-27', 3, 3, 3],
      ['cs.LG', 'updated', '2026-04-27', 3, 3, 3],
    ],
  );
  assert.equal(apiRequests().length, 1);
  assert.equal(idList(apiRequests()[0]!.url).length, 9);
  assert.equal(r.fetched, 9);
  const status = await batchStatus(conn.db, { categories: ['cs.AI', 'cs.CL', 'cs.LG', 'stat.ML'] });
  assert.deepEqual(
    status.map((s) => ({ ...s, fetchedAt: s.fetchedAt.length > 0 })),
    ['cs.AI', 'cs.CL', 'cs.LG'].map((category) => ({
      category,
      feedDate: '2026-04-27',
      announced: 3,
      held: 3,
      new: 3,
      cross: 0,
      replace: 0,
      fetchedAt: true,
      complete: true,
    })),
  );
  assert.equal(status[0]!.fetchedAt, now().toISOString());
  // "New on arXiv" for cs.LG lists the cs.LG papers, including the cs.AI/cs.CL ones that carry cs.LG.
  const lg = await listAnnouncements(conn.db, { date: '2026-04-27', category: 'cs.LG', kinds: ['new'] });
  assert.ok(lg.total >= 3);
});

test('one failing feed is reported and recorded; the other categories go on', async () => {
  serveFeed('cs.AI', DISTILL['cs.AI']!);
  // cs.CL answers with an HTML error page (200): a FeedParseError, not a crash.
  serveFeed('cs.CL', '<html><body>Service temporarily unavailable</body></html>', { 'content-type': 'text/html' });
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.AI', 'cs.CL'], log, now: () => new Date('2026-04-27T23:00:00Z') });
  assert.equal(r.categories[0]!.status, 'updated');
  assert.equal(r.categories[1]!.status, 'error');
  assert.ok(r.categories[1]!.error);
  assert.ok((await getSourceStatus(conn.db, 'feed:cs.CL'))?.last_error);
  assert.deepEqual(await announcementCounts(conn.db, { date: '2026-04-27' }), { new: 3, cross: 0, replace: 0 });
});

test('the Atom flavour of the feed ({rssUrl}/atom/{cat}) is read the same way; batchStatus limits feed dates', async () => {
  serveFeed('cs.LG', ATOM, {}, 'atom');
  serveFeed('cs.LG', LAYA);
  await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: SEP24 });
  const fri = () => new Date('2026-09-25T23:00:00Z');
  const r = await readAnnouncements(conn.db, client(), config(), { categories: ['cs.LG'], log, now: fri, format: 'atom' });
  assert.ok(server.requests.some((q) => q.url.pathname === '/atom/cs.LG'));
  assert.deepEqual(
    [r.categories[0]!.feedDate, r.categories[0]!.new, r.categories[0]!.cross, r.categories[0]!.replace],
    ['2026-09-25', 1, 1, 1],
  );
  const kinds = (await listAnnouncements(conn.db, { date: '2026-09-25' })).items.map((a) => `${a.paper.id}:${a.kind}`);
  assert.deepEqual(kinds, ['2609.28553:new', '2402.10149:cross', '2401.08875:replace']);
  assert.deepEqual(
    (await batchStatus(conn.db, { categories: ['cs.LG'] })).map((s) => [s.feedDate, s.announced, s.complete]),
    [
      ['2026-09-25', 3, true],
      ['2026-09-24', 4, true],
    ],
  );
  assert.deepEqual(
    (await batchStatus(conn.db, { categories: ['cs.LG'], dates: 1 })).map((s) => s.feedDate),
    ['2026-09-25'],
  );
});

/** Runs `paperboy ARGS` asynchronously (the replay server lives in this process, so spawnSync would deadlock). */
async function paperboy(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'paperboy.js'), ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_DELAY_MS: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { status, stdout, stderr };
}

test('paperboy ingest announcements prints a summary per category; a bad --category is a usage error', async () => {
  serveFeed('cs.LG', LAYA);
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-ann-'));
  try {
    const env = {
      PAPERBOY_DATABASE_URL: join(dir, 'p.db'),
      PAPERBOY_ARXIV_RSS_URL: server.url,
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`,
    };
    const r = await paperboy(['ingest', 'announcements', '--category', 'cs.LG'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^cs\.LG 2026-09-24: 4 announced \(2 new, 1 cross-lists, 1 replacements\), 4 held$/m);
    assert.match(r.stdout, /^fetched 4 papers from the arXiv API; 4 announcements recorded$/m);

    server.requests.length = 0;
    const bad = await paperboy(['ingest', 'announcements', '--category', '../etc'], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--category accepts an arXiv category such as cs\.LG, got \.\.\/etc/);
    assert.equal(server.requests.length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
