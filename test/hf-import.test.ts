/**
 * The Hugging Face Daily Papers import against a local server replaying the real 2024-10-25
 * `/api/daily_papers` answer (testdata/hf/), with a malformed body, a 503 and an empty day; the arXiv
 * API is the same server (recorded answers) or a closed port (unreachable). Also the CLI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { type ArxivClient, createArxivClient } from '../src/arxiv/client.ts';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { HF_MAX_DAYS, HfRangeError, hfDates, importHfDaily } from '../src/ingest/hf.ts';
import { createLogger } from '../src/log.ts';
import { getPaper } from '../src/store/papers.ts';
import { getSourceStatus } from '../src/store/source-status.ts';
import { type ReplayServer, recording, startReplayServer } from './helpers/arxiv-server.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const ROOT = join(import.meta.dirname, '..');
const DAY_JSON = readFileSync(join(ROOT, 'testdata/hf/daily_papers_2024-10-25.deep-diver.json'), 'utf8');
const DAY = JSON.parse(DAY_JSON) as any[];
const IDS = DAY.map((i) => i.paper.id as string);
/** A real arXiv API answer that lists no paper (arXiv knows none of the ids asked). */
const API_EMPTY = recording('api/arxivpy-2026-recorded/id_0000.0000_s0_m100_8b51d9633a68.status200.xml');
/** A real arXiv API answer for 1707.08567. */
const API_1707 = recording('api/arxivpy-2026-recorded/id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml');

const log = createLogger('silent');
const isDaily = (date: string) => (u: URL) => u.pathname === '/api/daily_papers' && u.searchParams.get('date') === date;
const isApi = (u: URL) => u.pathname === '/api/query';
const json = (body: string) => ({ body, headers: { 'content-type': 'application/json; charset=utf-8' } });

function testClient(): ArxivClient {
  return createArxivClient({ delayMs: 0, timeoutMs: 5000, userAgent: 'paperboy-test', retries: 1, backoffMs: 1 });
}

/** A TCP port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function configFor(hfUrl: string, apiUrl: string): Config {
  return testConfig({ hfUrl, arxiv: { ...testConfig().arxiv, apiUrl, delayMs: 0 } });
}

async function entryRows(conn: Connection) {
  return conn.db.selectFrom('daily_entries').selectAll().orderBy('upvotes', 'desc').orderBy('paper_id').execute();
}

describe('hfDates: clear errors for bad ranges', () => {
  it('accepts a range and lists its dates', () => {
    assert.deepEqual(hfDates('2024-10-30', '2024-11-02'), ['2024-10-30', '2024-10-31', '2024-11-01', '2024-11-02']);
    assert.equal(hfDates('2024-01-01', '2024-12-31').length, HF_MAX_DAYS);
  });
  it('refuses bad dates, a reversed range and more than 366 days', () => {
    assert.throws(() => hfDates('2024-02-30', '2024-03-01'), (e: Error) => e instanceof HfRangeError && /--from must be a date written YYYY-MM-DD/.test(e.message));
    assert.throws(() => hfDates('2024-03-01', 'tomorrow'), /--to must be a date/);
    assert.throws(() => hfDates('2024-03-02', '2024-03-01'), /--to \(2024-03-01\) is before --from \(2024-03-02\)/);
    assert.throws(() => hfDates('2023-01-01', '2024-01-02'), /longer than 366 days/);
  });
});

describe('importHfDaily against the replayed Hugging Face answer', () => {
  let server: ReplayServer;
  let conn: Connection;
  let config: Config;

  /** The body each date is answered with; a test may change one. */
  let days: Map<string, string>;
  /** The arXiv API answer. */
  let apiBody = API_EMPTY;

  before(async () => {
    server = await startReplayServer();
    config = configFor(server.url, `${server.url}/api/query`);
    server.route((u) => u.pathname === '/api/daily_papers', (u) => {
      const body = days.get(u.searchParams.get('date') ?? '');
      return body === undefined ? { status: 404, body: '{"error":"no recording"}' } : json(body);
    });
    server.route(isApi, () => ({ body: apiBody, headers: { 'content-type': 'application/atom+xml' } }));
  });
  after(() => server.close());
  beforeEach(async () => {
    await conn?.close();
    conn = await freshDb();
    server.requests.length = 0;
    apiBody = API_EMPTY;
    days = new Map([
      ['2024-10-24', '[]'],
      ['2024-10-25', DAY_JSON],
      ['2024-10-26', DAY_JSON], // served broken by a 'malformed' fault
      ['2024-10-27', DAY_JSON], // answered 503 by a fault
      ['2024-10-28', '{"error":"Invalid date"}'],
    ]);
  });
  after(() => conn.close());

  it('records every entry with upvotes, comments and submitter, asking arXiv first for papers we lack', async () => {
    const s = await importHfDaily(conn.db, testClient(), config, { from: '2024-10-25', to: '2024-10-25', log });
    assert.deepEqual(s.dates, [{ date: '2024-10-25', entries: 29, fromArxiv: 0, fromHf: 29, skipped: [] }]);
    assert.equal(s.entries, 29);
    assert.equal(s.failedDates, 0);

    // One arXiv API request listing exactly the 29 papers we did not hold (the recorded answer knows none).
    const api = server.requests.filter((r) => isApi(r.url));
    assert.equal(api.length, 1);
    assert.deepEqual(api[0]!.url.searchParams.get('id_list')!.split(',').sort(), [...IDS].sort());
    const daily = server.requests.filter((r) => r.url.pathname === '/api/daily_papers');
    assert.equal(daily.length, 1);
    assert.equal(daily[0]!.url.searchParams.get('limit'), '100');
    assert.equal(daily[0]!.headers['user-agent'], 'paperboy-test');

    const rows = await entryRows(conn);
    assert.equal(rows.length, 29);
    assert.ok(rows.every((r) => r.feed_date === '2024-10-25'));
    const top = rows[0]!;
    assert.deepEqual(
      { paper: top.paper_id, upvotes: top.upvotes, comments: top.num_comments, name: top.submitter_name, handle: top.submitter_handle, at: top.submitted_at },
      { paper: '2410.17243', upvotes: 64, comments: 3, name: 'Zesen Cheng', handle: 'ClownRat', at: '2024-10-25T00:57:09.392Z' },
    );
    assert.deepEqual(
      rows.map((r) => r.upvotes),
      DAY.map((i) => i.paper.upvotes).sort((a, b) => b - a),
    );
    const paper = (await getPaper(conn.db, '2410.17243'))!;
    assert.equal(paper.title, 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
    assert.equal(paper.authors.length, 9);
    assert.equal(paper.authors[0], 'Zesen Cheng');
    assert.match(paper.abstract, /^Contrastive loss is a powerful approach/);
    assert.equal(paper.publishedAt, '2024-10-22T17:59:30.000Z');
    const status = await getSourceStatus(conn.db, 'hf');
    assert.ok(status?.last_success_at);
    assert.equal(status?.last_error, null);
  });

  it('is idempotent: a second run adds nothing, asks arXiv nothing, and updates upvotes', async () => {
    await importHfDaily(conn.db, testClient(), config, { from: '2024-10-25', to: '2024-10-25', log });
    // The same day later on: the recording with one paper's count moved on.
    const later = JSON.parse(DAY_JSON) as any[];
    later[0].paper.upvotes = 101;
    later[0].numComments = 7;
    days.set('2024-10-25', JSON.stringify(later));
    server.requests.length = 0;
    const s = await importHfDaily(conn.db, testClient(), config, { from: '2024-10-25', to: '2024-10-25', log });
    assert.deepEqual(s.dates, [{ date: '2024-10-25', entries: 29, fromArxiv: 0, fromHf: 0, skipped: [] }]);
    assert.equal(server.requests.filter((r) => isApi(r.url)).length, 0, 'every paper is held: no arXiv request');
    const rows = await entryRows(conn);
    assert.equal(rows.length, 29);
    assert.equal((await conn.db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 29);
    const top = rows.find((r) => r.paper_id === '2410.17243')!;
    assert.equal(top.upvotes, 101);
    assert.equal(top.num_comments, 7);
  });

  it('skips a malformed body, a 503 and an unexpected shape with a recorded error; other dates continue', async () => {
    server.fault(isDaily('2024-10-26'), { kind: 'malformed' });
    server.fault(isDaily('2024-10-27'), { kind: 'status503', times: 2 }); // the first try and the one retry
    const s = await importHfDaily(conn.db, testClient(), config, { from: '2024-10-24', to: '2024-10-28', log });
    const byDate = Object.fromEntries(s.dates.map((d) => [d.date, d]));
    assert.equal(byDate['2024-10-24']!.entries, 0);
    assert.equal(byDate['2024-10-24']!.error, undefined);
    assert.equal(byDate['2024-10-25']!.entries, 29);
    assert.match(byDate['2024-10-26']!.error!, /not JSON/);
    assert.match(byDate['2024-10-27']!.error!, /HTTP 503/);
    assert.match(byDate['2024-10-28']!.error!, /expected a JSON array of daily papers, got object/);
    assert.equal(s.failedDates, 3);
    assert.equal(s.entries, 29);
    assert.equal(server.requests.filter((r) => isDaily('2024-10-27')(r.url)).length, 2, 'the 503 was retried once');
    assert.equal((await entryRows(conn)).length, 29);
    const status = await getSourceStatus(conn.db, 'hf');
    assert.match(status!.last_error!, /expected a JSON array/);
    assert.ok(status!.last_success_at);
  });

  it('prefers arXiv metadata for a paper arXiv knows', async () => {
    // The recorded item re-pointed at a paper whose arXiv API answer is recorded too.
    const item = JSON.parse(JSON.stringify(DAY[0]));
    item.paper.id = '1707.08567';
    days.set('2024-10-29', JSON.stringify([item]));
    apiBody = API_1707;
    const s = await importHfDaily(conn.db, testClient(), config, { from: '2024-10-29', to: '2024-10-29', log });
    assert.deepEqual(s.dates, [{ date: '2024-10-29', entries: 1, fromArxiv: 1, fromHf: 0, skipped: [] }]);
    const paper = (await getPaper(conn.db, '1707.08567'))!;
    assert.match(paper.title, /^Proceedings of Workshop AEW10/);
    assert.ok(paper.categories.length > 0, 'arXiv gives categories; Hugging Face does not');
  });
});

describe('importHfDaily when arXiv is unreachable', () => {
  let server: ReplayServer;
  let conn: Connection;
  before(async () => {
    server = await startReplayServer();
    server.route(isDaily('2024-10-25'), json(DAY_JSON));
    conn = await freshDb();
  });
  after(async () => {
    await server.close();
    await conn.close();
  });

  it('stores the papers from the Hugging Face fields and records the entries anyway', async () => {
    const config = configFor(server.url, `http://127.0.0.1:${await closedPort()}/api/query`);
    const s = await importHfDaily(conn.db, testClient(), config, { from: '2024-10-25', to: '2024-10-25', log });
    assert.deepEqual(s.dates, [{ date: '2024-10-25', entries: 29, fromArxiv: 0, fromHf: 29, skipped: [] }]);
    assert.equal((await entryRows(conn)).length, 29);
    assert.ok((await getSourceStatus(conn.db, 'api'))?.last_error, 'the arXiv failure is visible on /status');
    assert.ok((await getSourceStatus(conn.db, 'hf'))?.last_success_at);
  });
});

describe('paperboy ingest hf', () => {
  const run = promisify(execFile);
  let server: ReplayServer;
  let dir = '';
  before(async () => {
    server = await startReplayServer();
    server.route(isDaily('2024-10-25'), json(DAY_JSON));
    server.route(isApi, { body: API_EMPTY, headers: { 'content-type': 'application/atom+xml' } });
    dir = await mkdtemp(join(tmpdir(), 'paperboy-hf-'));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI asynchronously (the replay server lives in this process and must keep answering). */
  async function paperboy(args: string[]) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
    const env = {
      ...base,
      LOG_LEVEL: 'silent',
      PAPERBOY_DEMO_DATA: 'off',
      PAPERBOY_ARXIV_SYNC: 'off',
      PAPERBOY_DATABASE_URL: join(dir, 'hf.db'),
      PAPERBOY_HF_URL: server.url,
      PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`,
      PAPERBOY_ARXIV_DELAY_MS: '0',
    };
    try {
      const r = await run(process.execPath, [join(ROOT, 'bin', 'paperboy.js'), ...args], { cwd: ROOT, env, timeout: 60_000 });
      return { status: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { status: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('imports a date and prints its counts', async () => {
    const r = await paperboy(['ingest', 'hf', '--from', '2024-10-25']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^2024-10-25 {2}29 entries \(new papers: 0 from arXiv, 29 from Hugging Face fields\)$/m);
    const db = new SQLite(join(dir, 'hf.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM daily_entries').get() as { n: number }).n, 29);
    } finally {
      db.close();
    }
  });

  it('refuses bad dates and reversed ranges with exit 2 before any request', async () => {
    server.requests.length = 0;
    const bad = await paperboy(['ingest', 'hf', '--from', '2024-13-01']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--from must be a date written YYYY-MM-DD/);
    const reversed = await paperboy(['ingest', 'hf', '--from', '2024-10-25', '--to', '2024-10-01']);
    assert.equal(reversed.status, 2);
    assert.match(reversed.stderr, /is before --from/);
    const missing = await paperboy(['ingest', 'hf']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /needs --from/);
    assert.equal(server.requests.length, 0);
  });
});

