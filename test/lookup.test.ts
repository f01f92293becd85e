/**
 * On-demand look-ups (`fetchPapersByIds`, `paperboy ingest id`) against the local replay server, answering
 * `id_list` requests with the real 2026 API recordings (see test/helpers/api-replies.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { type ArxivClient, ArxivHttpError, createArxivClient } from '../src/arxiv/client.ts';
import type { Connection } from '../src/db/connect.ts';
import { ArxivApiError, fetchPapersByIds, InvalidArxivIdError, normalizeIds } from '../src/ingest/lookup.ts';
import { getPaper } from '../src/store/papers.ts';
import { getSourceStatus } from '../src/store/source-status.ts';
import { ApiPool, readRecording } from './helpers/api-replies.ts';
import { type ReplayServer, startReplayServer } from './helpers/arxiv-server.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'paperboy.js');

let server: ReplayServer;
let pool: ApiPool;
let conn: Connection;
let dir = '';

const isApi = (u: URL) => u.pathname === '/api/query';

before(async () => {
  server = await startReplayServer();
  pool = new ApiPool();
  server.route(isApi, (u) => ({ body: pool.reply(u), headers: { 'content-type': 'application/atom+xml; charset=utf-8' } }));
  dir = await mkdtemp(join(tmpdir(), 'paperboy-lookup-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await conn?.close();
  conn = await freshDb();
  server.requests.length = 0;
});
after(() => conn?.close());

function config() {
  return testConfig({ arxiv: { ...testConfig().arxiv, apiUrl: `${server.url}/api/query`, delayMs: 0 } });
}

function client(): ArxivClient {
  return createArxivClient({ delayMs: 0, timeoutMs: 5000, userAgent: 'paperboy-test', retries: 1, backoffMs: 1 });
}

test('normalizeIds strips versions, accepts URLs and prefixes, dedupes, and names the invalid inputs', () => {
  assert.deepEqual(normalizeIds(['2104.12255v1', 'https://arxiv.org/abs/2104.12255', 'arXiv:astro-ph/0601001v2', 'abc', '0000.0000']), {
    ids: ['2104.12255', 'astro-ph/0601001'],
    invalid: ['abc', '0000.0000'],
  });
});

test('ids are fetched in one id_list request, stored, and ids arXiv does not return are unknown', async () => {
  const r = await fetchPapersByIds(conn.db, client(), config(), ['2104.12255v1', 'https://arxiv.org/abs/1707.08567', 'astro-ph/0601001', '2609.99999']);
  assert.deepEqual(r, { stored: ['2104.12255', '1707.08567', 'astro-ph/0601001'], unknown: ['2609.99999'] });
  assert.equal(server.requests.length, 1);
  const u = server.requests[0]!.url;
  assert.equal(u.search, '?id_list=2104.12255,1707.08567,astro-ph%2F0601001,2609.99999&max_results=4');
  // The request carries the version-less ids: the API then answers with the latest version.
  const p = await getPaper(conn.db, '1707.08567');
  assert.equal(p?.title, 'Proceedings of Workshop AEW10: Concepts in Information Theory and Communications');
  assert.equal(p?.authors.length, 34);
  assert.equal((await getPaper(conn.db, 'astro-ph/0601001'))?.version, 1);
  assert.equal(await getPaper(conn.db, '2609.99999'), undefined);
  const status = await getSourceStatus(conn.db, 'api');
  assert.ok(status?.last_success_at, 'a successful look-up is recorded under source api');
});

test('more than 100 ids go in batches of at most 100, one request each', async () => {
  // 250 valid new-style ids; three of them are real recorded papers, the rest unknown to the pool.
  const ids = Array.from({ length: 247 }, (_, i) => `2609.${String(30000 + i)}`);
  ids.splice(10, 0, '2104.12255');
  ids.splice(150, 0, '1605.08386');
  ids.push('quant-ph/0201082');
  const r = await fetchPapersByIds(conn.db, client(), config(), ids);
  assert.deepEqual(
    server.requests.map((q) => [q.url.searchParams.get('id_list')!.split(',').length, q.url.searchParams.get('max_results')]),
    [
      [100, '100'],
      [100, '100'],
      [50, '50'],
    ],
  );
  assert.deepEqual(r.stored.sort(), ['1605.08386', '2104.12255', 'quant-ph/0201082']);
  assert.equal(r.unknown.length, 247);
});

test('invalid ids are refused before any request', async () => {
  await assert.rejects(fetchPapersByIds(conn.db, client(), config(), ['2104.12255', 'abc', 'hep-th/99']), (err: unknown) => {
    assert.ok(err instanceof InvalidArxivIdError);
    assert.deepEqual(err.ids, ['abc', 'hep-th/99']);
    assert.match(err.message, /"abc"/);
    return true;
  });
  assert.equal(server.requests.length, 0);
});

test("an API error entry (the real HTTP 400 reply) becomes an error carrying arXiv's message", async () => {
  // The recorded reply to id_list=abc, served for an id this test reserves for it.
  server.route(
    (u) => isApi(u) && u.searchParams.get('id_list') === '2609.00400',
    { status: 400, body: readRecording('api/arxivpy-2026-recorded/id_abc_s0_m100_b79c8dcf6bc3.status400.xml') },
  );
  await assert.rejects(fetchPapersByIds(conn.db, client(), config(), ['2609.00400']), (err: unknown) => {
    assert.ok(err instanceof ArxivApiError, String(err));
    assert.match(err.message, /incorrect id format for abc/);
    return true;
  });
  const status = await getSourceStatus(conn.db, 'api');
  assert.match(status?.last_error ?? '', /incorrect id format for abc/);
});

test('an unreachable API throws ArxivHttpError and records the error under source api', async () => {
  const down = await startReplayServer();
  const url = down.url;
  await down.close();
  const cfg = testConfig({ arxiv: { ...testConfig().arxiv, apiUrl: `${url}/api/query`, delayMs: 0 } });
  await assert.rejects(fetchPapersByIds(conn.db, client(), cfg, ['2104.12255']), ArxivHttpError);
  const status = await getSourceStatus(conn.db, 'api');
  assert.match(status?.last_error ?? '', /network error/);
  assert.equal(status?.last_success_at, null);
});

/** Runs `paperboy ARGS` asynchronously (the replay server lives in this process, so spawnSync would deadlock). */
function paperboy(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...base, LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_DELAY_MS: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('paperboy ingest id fetches from PAPERBOY_ARXIV_API_URL and prints each stored id with its title, and the unknown ones', async () => {
  const db = join(dir, 'ingest-id.db');
  const r = await paperboy(['ingest', 'id', 'https://arxiv.org/abs/2104.12255v1', 'quant-ph/0201082', '2609.99999'], {
    PAPERBOY_DATABASE_URL: db,
    PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`,
  });
  assert.equal(r.status, 0, r.stderr);
  // The real arXiv title of 2104.12255 is "0".
  assert.match(r.stdout, /^2104\.12255v1 {2}0$/m);
  assert.match(r.stdout, /^quant-ph\/0201082v1 {2}\S.+$/m);
  assert.match(r.stdout, /^unknown to arXiv: 2609\.99999$/m);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.url.searchParams.get('id_list'), '2104.12255,quant-ph/0201082,2609.99999');
  assert.match(String(server.requests[0]!.headers['user-agent']), /^Paperboy\//);
});

test('paperboy ingest id names invalid ids (exit 2) and sends nothing', async () => {
  const r = await paperboy(['ingest', 'id', '2104.12255', 'not-an-id', '1234.5'], {
    PAPERBOY_DATABASE_URL: join(dir, 'unused.db'),
    PAPERBOY_ARXIV_API_URL: `${server.url}/api/query`,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not arXiv ids: not-an-id, 1234\.5/);
  assert.equal(server.requests.length, 0);
});

test('paperboy ingest id exits 1 with a clear message when arXiv is unreachable', async () => {
  const down = await startReplayServer();
  const url = down.url;
  await down.close();
  const r = await paperboy(['ingest', 'id', '2104.12255'], { PAPERBOY_DATABASE_URL: join(dir, 'down.db'), PAPERBOY_ARXIV_API_URL: `${url}/api/query` });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /arXiv API unreachable at http:\/\/127\.0\.0\.1:\d+\/api\/query/);
  assert.equal(r.stdout, '');
});
