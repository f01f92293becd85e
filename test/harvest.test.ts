/**
 * The OAI-PMH harvester against a local replay server serving the REAL recorded ListRecords pages
 * (testdata/arxiv/oai), chained by resumption token (test/helpers/oai-pages.ts), with faults injected:
 * a full multi-page window, resume after a failure, an expired token, malformed and truncated pages,
 * OAI error replies, the set filter, the politeness delay, the CLI and the job handler.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ArxivClient, createArxivClient } from '../src/arxiv/client.ts';
import type { Config } from '../src/config.ts';
import { type Connection, connect } from '../src/db/connect.ts';
import type { DB } from '../src/db/connect.ts';
import { HarvestError, harvestHandler, harvestOai } from '../src/ingest/harvest.ts';
import type { JobContext } from '../src/jobs/handlers.ts';
import { createLogger } from '../src/log.ts';
import { HarvestConflictError, getHarvestState } from '../src/store/harvest-state.ts';
import { getSourceStatus } from '../src/store/source-status.ts';
import { type ReplayServer, recording, startReplayServer } from './helpers/arxiv-server.ts';
import { freshDb, testConfig } from './helpers/db.ts';
import { ARXIV_PAGES, ARXIV_RAW_PAGES, type OaiChain, chainPageIndex, chainPages } from './helpers/oai-pages.ts';

const ROOT = join(import.meta.dirname, '..');
const log = createLogger('silent');
const ERR = (name: string) => recording(`oai/arXivOAIHarvester-2015/ErrorResponse${name}.xml`);
const isList = (u: URL) => u.pathname === '/oai' && u.searchParams.get('verb') === 'ListRecords';
const FROM = '2013-05-20';
const UNTIL = '2013-05-24';

let server: ReplayServer;
const conns: Connection[] = [];
before(async () => {
  server = await startReplayServer();
});
after(async () => {
  await server.close();
  for (const c of conns) await c.close();
});

/** A fresh server per test would do too; one server with per-test path prefixes keeps tests independent. */
let n = 0;
async function setup(o: { delayMs?: number; retries?: number } = {}) {
  const base = `/t${++n}`;
  const conn = await freshDb();
  conns.push(conn);
  const config: Config = testConfig({ arxiv: { ...testConfig().arxiv, oaiUrl: `${server.url}${base}/oai`, delayMs: o.delayMs ?? 0 } });
  const client: ArxivClient = createArxivClient({ delayMs: o.delayMs ?? 0, timeoutMs: 10_000, userAgent: 'paperboy-test', retries: o.retries ?? 1, backoffMs: 1 });
  const mine = (u: URL) => u.pathname.startsWith(`${base}/`);
  const local = (u: URL) => new URL(u.pathname.slice(base.length) + u.search, server.url);
  /** Requests of this test, paths without the prefix. */
  const seen = () => server.requests.filter((r) => mine(r.url)).map((r) => ({ ...r, url: local(r.url) }));
  /** Routes ListRecords requests of this test to `reply` (given the request without its prefix). */
  const route = (match: (u: URL) => boolean, reply: (u: URL) => { status?: number; body: string; headers?: Record<string, string> }) =>
    server.route((u) => mine(u) && match(local(u)), (u) => reply(local(u)));
  const fault = (match: (u: URL) => boolean, f: Parameters<ReplayServer['fault']>[1]) => server.fault((u) => mine(u) && match(local(u)), f);
  const serveChain = (chain: OaiChain) =>
    route(
      (u) => isList(u) && chainPageIndex(chain, u) >= 0,
      (u) => ({ body: chain.pages[chainPageIndex(chain, u)]!, headers: { 'content-type': 'text/xml' } }),
    );
  return { db: conn.db, conn, config, client, seen, route, fault, serveChain };
}

/** What the crash test and the resume tests compare: the arXiv-owned columns that matter, by id. */
async function paperRows(db: DB) {
  return db.selectFrom('papers').select(['id', 'version', 'title', 'updated_at', 'published_at', 'categories']).orderBy('id').execute();
}

/** The rows an uninterrupted harvest of `chain` gives, into a fresh database. */
async function uninterrupted(chain: OaiChain) {
  const t = await setup();
  t.serveChain(chain);
  await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
  return paperRows(t.db);
}

describe('OAI-PMH harvest', () => {
  test('a full multi-page window stores exactly the union of the pages; a second run changes nothing', async () => {
    const t = await setup();
    const chain = chainPages(ARXIV_PAGES); // the two recorded 1000-record pages, chained by token
    t.serveChain(chain);
    const pages: number[] = [];
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log, onPage: (i) => pages.push(i.page) });
    assert.deepEqual({ pages: r.pages, records: r.records, deleted: r.deleted, window: r.window, resumed: r.resumed }, { pages: 2, records: 2000, deleted: 0, window: { from: FROM, until: UNTIL }, resumed: false });
    assert.deepEqual(pages, [1, 2]);

    const ids = (await t.db.selectFrom('papers').select('id').orderBy('id').execute()).map((x) => x.id);
    assert.deepEqual(ids, [...chain.ids].sort());
    // A real record, checked field by field: 0704.4001 has <updated>, so the arXiv format proves version >= 2.
    const p = await t.db.selectFrom('papers').selectAll().where('id', '=', '0704.4001').executeTakeFirstOrThrow();
    assert.equal(p.title, 'Warping and Supersymmetry Breaking');
    assert.equal(p.primary_category, 'hep-th');
    assert.equal(p.published_at.slice(0, 10), '2007-04-30');
    assert.equal(p.updated_at.slice(0, 10), '2008-01-28');

    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    assert.equal(s?.status, 'idle');
    assert.equal(s?.harvested_until, UNTIL);
    assert.equal(s?.resumption_token, null);
    assert.equal(s?.window_from, null);
    assert.deepEqual([s?.pages, s?.records], [2, 2000]);
    assert.ok(s?.last_success_at);
    assert.ok((await getSourceStatus(t.db, 'oai:arXiv:cs'))?.last_success_at);

    // The first request carries the window and set; the next only the verb and the token (OAI-PMH rule).
    const reqs = t.seen();
    assert.equal(reqs.length, 2);
    assert.deepEqual(Object.fromEntries(reqs[0]!.url.searchParams), { verb: 'ListRecords', metadataPrefix: 'arXiv', from: FROM, until: UNTIL, set: 'cs' });
    assert.deepEqual(Object.fromEntries(reqs[1]!.url.searchParams), { verb: 'ListRecords', resumptionToken: chain.tokens[1] });

    const before = await t.db.selectFrom('papers').selectAll().orderBy('id').execute();
    const again = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    assert.equal(again.records, 2000);
    assert.deepEqual(await t.db.selectFrom('papers').selectAll().orderBy('id').execute(), before, 'a second run over the same window must change no row');
  });

  test('a failure mid-window keeps the checkpoint; the next run resumes there and ends like an uninterrupted run', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 250 });
    const expected = await uninterrupted(chain);
    const t = await setup({ retries: 1 });
    t.serveChain(chain);
    // Page 2 fails on every attempt the client makes (1 + 1 retry).
    t.fault((u) => u.searchParams.get('resumptionToken') === chain.tokens[1], { kind: 'status503', times: 2 });
    const now = () => new Date('2013-05-24T21:00:00Z');
    await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', log, now }), /HTTP 503/);

    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    // Default first window: 3 days back to today (UTC).
    assert.deepEqual([s?.status, s?.window_from, s?.window_until], ['running', '2013-05-21', '2013-05-24']);
    assert.equal(s?.resumption_token, chain.tokens[1]);
    assert.deepEqual([s?.pages, s?.records], [1, 250]);
    assert.match(s?.last_error ?? '', /503/);
    assert.match((await getSourceStatus(t.db, 'oai:arXiv:cs'))?.last_error ?? '', /503/);
    assert.equal((await paperRows(t.db)).length, 250);

    const before = t.seen().length;
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', log, now });
    assert.deepEqual([r.resumed, r.pages, r.records], [true, 7, 1750]);
    // It resumed at the stored token: the first page was not asked for again.
    assert.equal(t.seen()[before]!.url.searchParams.get('resumptionToken'), chain.tokens[1]);
    assert.deepEqual(await paperRows(t.db), expected);
    const done = await getHarvestState(t.db, 'oai:arXiv:cs');
    assert.deepEqual([done?.status, done?.harvested_until, done?.pages, done?.records], ['idle', '2013-05-24', 8, 2000]);
  });

  test('the next default window starts at the last harvested until', async () => {
    const t = await setup();
    t.route(isList, () => ({ body: ERR('NoRecordsMatch') }));
    await harvestOai(t.db, t.client, t.config, { set: 'cs', log, now: () => new Date('2026-11-20T10:00:00Z') });
    await harvestOai(t.db, t.client, t.config, { set: 'cs', log, now: () => new Date('2026-11-27T10:00:00Z') });
    const [a, b] = t.seen().map((r) => r.url.searchParams);
    assert.deepEqual([a!.get('from'), a!.get('until'), a!.get('metadataPrefix')], ['2026-11-17', '2026-11-20', 'arXivRaw']);
    assert.deepEqual([b!.get('from'), b!.get('until')], ['2026-11-20', '2026-11-27']);
  });

  test('an expired resumption token restarts the window from its first page, and completes', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 500 });
    const t = await setup();
    t.serveChain(chain);
    let expired = 1;
    t.route(
      (u) => u.searchParams.get('resumptionToken') === chain.tokens[2] && expired-- > 0,
      () => ({ body: ERR('BadResumptionToken') }),
    );
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    const asked = t.seen().map((x) => x.url.searchParams.get('resumptionToken'));
    assert.deepEqual(asked, [null, chain.tokens[1], chain.tokens[2], null, chain.tokens[1], chain.tokens[2], chain.tokens[3]]);
    assert.equal((await paperRows(t.db)).length, 2000);
    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    // The restart reset the window's counters: they describe the list as finally harvested.
    assert.deepEqual([s?.status, s?.pages, s?.records], ['idle', 4, 2000]);
    assert.equal(r.pages, 6);
  });

  test('a token that keeps expiring gives up after 3 restarts, state kept', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 1000 });
    const t = await setup();
    t.serveChain(chain);
    t.route((u) => u.searchParams.get('resumptionToken') === chain.tokens[1], () => ({ body: ERR('BadResumptionToken') }));
    await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log }), (e: Error) => e instanceof HarvestError && /resumption token/.test(e.message));
    assert.equal(t.seen().filter((x) => !x.url.searchParams.has('resumptionToken')).length, 4, 'first run + 3 restarts');
    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    assert.equal(s?.status, 'running');
    assert.match((await getSourceStatus(t.db, 'oai:arXiv:cs'))?.last_error ?? '', /resumption token/);
  });

  test('a malformed page is fetched again, and applied once it parses', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 500 });
    const t = await setup();
    t.fault((u) => u.searchParams.get('resumptionToken') === chain.tokens[1], { kind: 'malformed', times: 2 });
    t.serveChain(chain);
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log, parseBackoffMs: 1 });
    assert.equal(t.seen().filter((x) => x.url.searchParams.get('resumptionToken') === chain.tokens[1]).length, 3);
    assert.deepEqual([r.pages, r.records], [4, 2000]);
    assert.equal((await paperRows(t.db)).length, 2000);
  });

  test('a page that stays unreadable is never half-applied: the run fails with the checkpoint before it', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 500 });
    const t = await setup();
    // Half of page 2, cut mid-record but served as a complete 200 (a broken proxy): 250-odd records are readable.
    t.serveChain(chain);
    let broken = true;
    t.route((u) => broken && u.searchParams.get('resumptionToken') === chain.tokens[1], () => ({ body: chain.pages[1]!.slice(0, chain.pages[1]!.length / 2) }));
    await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log, parseRetries: 2, parseBackoffMs: 1 }), /unreadable page 3 times/);
    assert.equal((await paperRows(t.db)).length, 500, 'only page 1 is stored');
    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    assert.deepEqual([s?.status, s?.resumption_token, s?.pages], ['running', chain.tokens[1], 1]);
    broken = false;
    await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    assert.equal((await paperRows(t.db)).length, 2000);
    assert.equal((await getHarvestState(t.db, 'oai:arXiv:cs'))?.status, 'idle');
  });

  test('a deleted record is counted and logged, and the paper is kept', async () => {
    const t = await setup();
    t.serveChain(chainPages(ARXIV_PAGES));
    await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    const before = await t.db.selectFrom('papers').selectAll().where('id', '=', '0704.4001').executeTakeFirstOrThrow();
    // No recording has a deleted record, so one real record's header is turned into the OAI-PMH deleted form
    // (status="deleted", no metadata), as arXiv (deletedRecord: persistent) would send it.
    const page = chainPages(ARXIV_PAGES.slice(0, 1)).pages[0]!.replace(
      /<record>\s*<header>\s*<identifier>oai:arXiv\.org:0704\.4001<\/identifier>[\s\S]*?<\/record>/,
      '<record>\n<header status="deleted">\n <identifier>oai:arXiv.org:0704.4001</identifier>\n <datestamp>2013-05-25</datestamp>\n <setSpec>physics:hep-th</setSpec>\n</header>\n</record>',
    );
    assert.match(page, /status="deleted"/);
    t.route((u) => isList(u) && u.searchParams.get('from') === UNTIL, () => ({ body: page }));
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: UNTIL, until: '2013-05-25', log });
    assert.deepEqual([r.deleted, r.records], [1, 999]);
    assert.deepEqual(await t.db.selectFrom('papers').selectAll().where('id', '=', '0704.4001').executeTakeFirstOrThrow(), before);
  });

  test('harvested_until only moves forward over joined windows (a backfill or a gap does not move it)', async () => {
    const t = await setup();
    t.route(isList, () => ({ body: ERR('NoRecordsMatch') }));
    const run = (from: string, until: string) => harvestOai(t.db, t.client, t.config, { set: 'cs', from, until, log });
    const until = async () => (await getHarvestState(t.db, 'oai:arXivRaw:cs'))?.harvested_until;
    await run('2013-05-20', '2013-05-24');
    assert.equal(await until(), '2013-05-24');
    await run('2013-01-01', '2013-01-31'); // backfill
    assert.equal(await until(), '2013-05-24');
    await run('2013-06-10', '2013-06-12'); // leaves 05-25..06-09 unharvested
    assert.equal(await until(), '2013-05-24');
    await run('2013-05-24', '2013-06-12');
    assert.equal(await until(), '2013-06-12');
  });

  test('two harvests of the same set at once: one wins, the other stops at its first checkpoint', async () => {
    const chain = chainPages(ARXIV_PAGES, { perPage: 500 });
    const t = await setup();
    t.serveChain(chain);
    const go = () => harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    const [a, b] = await Promise.allSettled([go(), go()]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.ok((b as PromiseRejectedResult).reason instanceof HarvestConflictError);
    assert.equal((await paperRows(t.db)).length, 2000);
    const s = await getHarvestState(t.db, 'oai:arXiv:cs');
    assert.deepEqual([s?.status, s?.pages, s?.records], ['idle', 4, 2000]);
  });

  test('noRecordsMatch is an empty window and a success', async () => {
    const t = await setup();
    t.route(isList, () => ({ body: ERR('NoRecordsMatch') }));
    const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', from: FROM, until: UNTIL, log });
    assert.deepEqual([r.records, r.deleted], [0, 0]);
    const s = await getHarvestState(t.db, 'oai:arXivRaw:cs');
    assert.deepEqual([s?.status, s?.harvested_until], ['idle', UNTIL]);
    assert.ok((await getSourceStatus(t.db, 'oai:arXivRaw:cs'))?.last_success_at);
  });

  for (const code of ['BadArgument', 'BadVerb', 'IdDoesNotExist'] as const) {
    test(`${code} fails with a clear message, is recorded, and the next run retries the window`, async () => {
      const t = await setup();
      t.serveChain(chainPages(ARXIV_PAGES));
      let failing = true;
      t.route((u) => failing && isList(u), () => ({ body: ERR(code) }));
      const wanted = code[0]!.toLowerCase() + code.slice(1);
      await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log }), new RegExp(`harvest oai:arXiv:cs: arXiv OAI-PMH answered ${wanted}`));
      const s = await getHarvestState(t.db, 'oai:arXiv:cs');
      assert.deepEqual([s?.status, s?.window_from, s?.harvested_until], ['running', FROM, null]);
      assert.match((await getSourceStatus(t.db, 'oai:arXiv:cs'))?.last_error ?? '', new RegExp(wanted));
      failing = false;
      const r = await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
      assert.deepEqual([r.resumed, r.records], [true, 2000]);
    });
  }

  test('the set filter is sent as set= (hepcrawl recording of physics:hep-th)', async () => {
    const t = await setup();
    t.route((u) => isList(u) && u.searchParams.get('set') === 'physics:hep-th', () => ({ body: recording('oai/hepcrawl-2017-2018/ListRecords_arXiv_set-physics-hep-th_2017-12-14.xml') }));
    const r = await harvestOai(t.db, t.client, t.config, { set: 'physics:hep-th', prefix: 'arXiv', from: '2017-12-14', until: '2017-12-14', log });
    assert.equal(t.seen()[0]!.url.searchParams.get('set'), 'physics:hep-th');
    assert.equal(r.records, 3);
    const ids = (await t.db.selectFrom('papers').select('id').orderBy('id').execute()).map((x) => x.id);
    assert.equal(ids.length, 3);
    assert.ok(ids.includes('1412.8323'));
    assert.equal((await getHarvestState(t.db, 'oai:arXiv:physics:hep-th'))?.harvested_until, '2017-12-14');
  });

  test('pages are requested no faster than the client delay', async () => {
    const delayMs = 150;
    const chain = chainPages(ARXIV_PAGES, { perPage: 500 });
    const t = await setup({ delayMs });
    t.serveChain(chain);
    await harvestOai(t.db, t.client, t.config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log });
    const at = t.seen().map((r) => r.at);
    assert.equal(at.length, 4);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= delayMs - 5, `gap ${i}: ${(at[i]! - at[i - 1]!).toFixed(0)} ms < ${delayMs} ms`);
  });

  test('bad window arguments are refused before any request', async () => {
    const t = await setup();
    await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', from: '2013-02-30', log }), /YYYY-MM-DD/);
    await assert.rejects(harvestOai(t.db, t.client, t.config, { set: 'cs', from: '2013-05-25', until: '2013-05-24', log }), /after it ends/);
    assert.equal(t.seen().length, 0);
  });

  test('the job handler harvests every configured set', async () => {
    const t = await setup();
    const config = testConfig({ arxiv: { ...t.config.arxiv, oaiSets: ['cs', 'physics:hep-th'] } });
    // The scheduled job harvests arXivRaw: the recorded arXivRaw page for cs, nothing for hep-th.
    const chain = chainPages(ARXIV_RAW_PAGES, { perPage: 500 });
    t.serveChain(chain);
    t.route((u) => isList(u) && u.searchParams.get('set') === 'physics:hep-th', () => ({ body: ERR('NoRecordsMatch') }));
    const ctx = { db: t.db, log, job: {} as JobContext['job'], workerId: 'w', signal: new AbortController().signal, now: () => new Date('2017-12-14T22:00:00Z') };
    await harvestHandler(config)(null, ctx);
    assert.equal((await getHarvestState(t.db, 'oai:arXivRaw:cs'))?.harvested_until, '2017-12-14');
    assert.equal((await getHarvestState(t.db, 'oai:arXivRaw:physics:hep-th'))?.harvested_until, '2017-12-14');
    assert.equal((await paperRows(t.db)).length, 1000);
    assert.deepEqual(t.seen().map((r) => r.url.searchParams.get('set') ?? r.url.searchParams.get('resumptionToken')), ['cs', chain.tokens[1], 'physics:hep-th']);
  });
});

describe('paperboy ingest oai', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperboy-oai-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Runs the real CLI asynchronously (the replay server lives in this process). */
  function paperboy(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'LOG_LEVEL'));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'paperboy.js'), ...args], {
      cwd: ROOT,
      env: { ...base, LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_DELAY_MS: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  }

  test('harvests a window and prints a summary; bad dates are usage errors; arXiv errors exit 1', async () => {
    const t = await setup();
    const chain = chainPages(ARXIV_PAGES);
    t.serveChain(chain);
    t.route((u) => isList(u) && u.searchParams.get('set') === 'math', () => ({ body: ERR('BadArgument') }));
    const env = { PAPERBOY_DATABASE_URL: join(dir, 'cli.db'), PAPERBOY_ARXIV_OAI_URL: t.config.arxiv.oaiUrl };

    const ok = await paperboy(['ingest', 'oai', '--from', FROM, '--until', UNTIL, '--set', 'cs', '--prefix', 'arXiv'], env);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^oai arXiv set cs: 2013-05-20\.\.2013-05-24: 2 pages, 2000 records, 0 deleted, \d+\.\d s$/m);
    const db = connect(join(dir, 'cli.db'));
    try {
      assert.equal((await db.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 2000);
    } finally {
      await db.close();
    }

    const bad = await paperboy(['ingest', 'oai', '--from', '2013-13-01'], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--from accepts a date YYYY-MM-DD, got 2013-13-01/);
    const badPrefix = await paperboy(['ingest', 'oai', '--prefix', 'oai_dc'], env);
    assert.equal(badPrefix.status, 2);

    const failed = await paperboy(['ingest', 'oai', '--from', FROM, '--until', UNTIL, '--set', 'math'], env);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /OAI-PMH harvest of set math failed: .*badArgument/);
  });
});
