/**
 * The benchmark's own building blocks, so `npm run bench` does not rot between runs: query set,
 * bare baseline (insert + query), statistics and the report table. Runs on the 1,000-paper sample.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bareFtsExpression, bareInsert, openBareSearch } from '../bench/lib/baseline.ts';
import { resolveCorpusPath } from '../bench/lib/corpus.ts';
import { processCpuMs } from '../bench/lib/cpu.ts';
import { benchPages } from '../bench/lib/pages.ts';
import { backendCpuDelta, createBenchDatabase, isLocalServer, postgresBenchTarget, redactUrl } from '../bench/lib/pg.ts';
import type { ImportResult } from '../bench/lib/pg-run.ts';
import { runChildJson } from '../bench/lib/spawn.ts';
import { buildQueries } from '../bench/lib/queries.ts';
import { formatTable, row } from '../bench/lib/report.ts';
import { latencyStats, percentile } from '../bench/lib/stats.ts';
import pg from 'pg';

const SAMPLE = join(import.meta.dirname, '..', 'testdata', 'arxiv-listings-sample1000.jsonl');

test('the query set is 200 queries of every kind, identical run to run', async () => {
  const a = await buildQueries(SAMPLE);
  const b = await buildQueries(SAMPLE);
  assert.equal(a.length, 200);
  assert.deepEqual(a, b);
  const kinds = new Map<string, number>();
  for (const q of a) kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(kinds), { title: 40, topic: 40, author: 30, phrase: 25, description: 40, handwritten: 25 });
  for (const q of a.filter((x) => x.kind === 'description')) assert.ok(q.q.split(' ').length >= 10, `description too short: ${q.q}`);
  for (const q of a.filter((x) => x.kind === 'phrase')) assert.match(q.q, /^"[^"]+"$/);
});

test('the bare baseline stores every row and finds a paper by its exact title', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-benchtest-'));
  try {
    const file = join(dir, 'bare.db');
    const { rows } = await bareInsert(file, SAMPLE);
    assert.equal(rows, 1000);
    const search = openBareSearch(file);
    try {
      const [first] = await buildQueries(SAMPLE);
      assert.equal(first?.kind, 'title');
      assert.equal(search.search(first!.q)[0]?.id, first!.expectId);
      // User text never becomes FTS5 syntax, so hostile input cannot make the baseline throw.
      for (const q of ['"unbalanced', 'NEAR(a b)', 'a OR -b*', '(((', '🙂', '', 'x'.repeat(10_000)]) search.search(q);
    } finally {
      search.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bare FTS5 expressions quote every word and keep phrases', () => {
  assert.equal(bareFtsExpression('reward "human feedback" NEAR'), '"human feedback" "reward" "NEAR"');
  assert.equal(bareFtsExpression('*** ()'), '');
});

test('percentiles use the nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 95), 95);
  assert.equal(percentile([7], 95), 7);
  const s = latencyStats([3, 1, 2]);
  assert.deepEqual([s.p50, s.max, s.mean], [2, 3, 2]);
});

test('the report table shows ratios and pass/fail, and a missing corpus is detected', () => {
  const out = formatTable([row({ name: 'import: wall time', value: 14, unit: 's', baseline: 7, target: '< 60 s', pass: true })]);
  assert.match(out, /import: wall time\s+14\.0\s+s\s+7\.00\s+2\.00x\s+< 60 s\s+PASS/);
  assert.equal(resolveCorpusPath(['/nonexistent/corpus.jsonl.gz'], {}).exists, false);
  assert.equal(resolveCorpusPath([], { PAPERBOY_BENCH_CORPUS: SAMPLE }).exists, true);
});

test('the report table gains a database column when rows name their database', () => {
  const out = formatTable([
    row({ database: 'sqlite', name: 'search: p95', value: 10, unit: 'ms' }),
    row({ database: 'postgres', name: 'search: p95', value: 25, unit: 'ms', baseline: 10 }),
  ]);
  assert.match(out.split('\n')[0]!, /^database\s+name\s+value/);
  assert.match(out, /\npostgres\s+search: p95\s+25\.0\s+ms\s+10\.0\s+2\.50x/);
});

test('the PostgreSQL server comes from PAPERBOY_BENCH_POSTGRES_URL, else the test URL, else a printed skip', () => {
  const bench = 'postgres://u:pw@127.0.0.1:5433/a';
  const testUrl = 'postgres://u:pw@127.0.0.1:5433/b';
  assert.deepEqual(postgresBenchTarget({ PAPERBOY_BENCH_POSTGRES_URL: bench, PAPERBOY_TEST_POSTGRES_URL: testUrl }), { url: bench });
  assert.deepEqual(postgresBenchTarget({ PAPERBOY_TEST_POSTGRES_URL: testUrl }), { url: testUrl });
  const none = postgresBenchTarget({});
  assert.ok('skip' in none && /PostgreSQL rows skipped: set PAPERBOY_BENCH_POSTGRES_URL/.test(none.skip));
  assert.equal(redactUrl(bench), 'postgres://u:***@127.0.0.1:5433/a');
  assert.equal(isLocalServer(bench), true);
  assert.equal(isLocalServer('postgres://u@db.example.org/x'), false);
  // Backends that appeared during the measurement count whole; ones that ended are lost, never negative.
  assert.equal(backendCpuDelta(new Map([[1, 100], [2, 50]]), new Map([[1, 130], [3, 20]])), 50);
  assert.equal(backendCpuDelta(undefined, new Map()), undefined);
});

test('process CPU time is read from /proc and grows with work', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  const before = processCpuMs(process.pid);
  assert.ok(before !== undefined && before > 0);
  const until = performance.now() + 120;
  while (performance.now() < until); // busy, so at least a few 10 ms ticks pass
  assert.ok(processCpuMs(process.pid)! - before >= 50);
  assert.equal(processCpuMs(2 ** 22 + 1), undefined); // above pid_max: no such process
});

test('two servers are loaded at once and their requests/s summed; a page that fails is not measured', async () => {
  const servers = [0, 1].map(() => createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 500).end('x')));
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  try {
    const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    const r = await benchPages(urls, '/ok', 1, 2);
    assert.equal(r.status, 200);
    assert.equal(r.perServer.length, 2);
    assert.ok(r.perServer.every((x) => x > 0));
    assert.ok(Math.abs(r.requestsPerSec - (r.perServer[0]! + r.perServer[1]!)) < 1e-9);
    assert.ok(r.requests! >= r.requestsPerSec * 0.5);
    assert.deepEqual([r.non2xx, r.errors], [0, 0]);
    const bad = await benchPages(urls, '/broken', 1, 2);
    assert.deepEqual([bad.status, bad.requestsPerSec], [500, 0]);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
});

test('the import child fills a fresh PostgreSQL database, which is dropped afterwards', async (t) => {
  const target = postgresBenchTarget(process.env);
  if ('skip' in target) {
    // CI starts PostgreSQL (.ci/run): there a missing URL is a broken setup, not a reason to skip.
    assert.ok(!process.env.CI, 'PAPERBOY_TEST_POSTGRES_URL is not set in CI');
    return t.skip(target.skip);
  }
  const dbase = await createBenchDatabase(target.url);
  let dropped = false;
  try {
    const r = await runChildJson<ImportResult>('child.ts', ['import', dbase.url, SAMPLE]);
    assert.equal(r.summary.inserted, 1000);
    assert.ok(r.cpuMs > 0 && r.peakRssMb > 0);
    // The server here is local, so its backends' CPU time is known (and an import costs it some).
    if (isLocalServer(target.url)) assert.ok(r.serverCpuMs !== undefined && r.serverCpuMs > 0);
    const c = new pg.Client({ connectionString: dbase.url });
    await c.connect();
    const n = await c.query<{ n: string }>('SELECT count(*) AS n FROM papers');
    await c.end();
    assert.equal(Number(n.rows[0]!.n), 1000);
    await dbase.drop();
    dropped = true;
    const admin = new pg.Client({ connectionString: target.url });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbase.name]);
    await admin.end();
    assert.equal(left.rowCount, 0);
  } finally {
    if (!dropped) await dbase.drop();
  }
});
