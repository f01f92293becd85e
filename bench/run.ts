/**
 * `npm run bench -- [CORPUS_PATH] [--keep]`: Paperboy against the bare database in one run.
 * Import of the corpus next to a bare SQLite + FTS5 insert, keyword search latency next to the bare
 * FTS5 query, and page throughput with autocannon (one process, then two web processes). With
 * PAPERBOY_BENCH_POSTGRES_URL (else PAPERBOY_TEST_POSTGRES_URL) the same import, queries and pages on
 * a fresh PostgreSQL database, next to the SQLite figures. arXiv ingestion: OAI page parsing and an
 * end-to-end harvest against a local replay server. Prints a table and writes bench/results/*.json.
 * `npm run bench -- --only ingest` runs the ingestion figures alone (no corpus needed).
 */
import { execFileSync } from 'node:child_process';
import SQLite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/db/connect.ts';
import { REPO_ROOT, resolveCorpusPath } from './lib/corpus.ts';
import { seedBenchEntries } from './lib/entries.ts';
import type { PageResult } from './lib/pages.ts';
import { postgresBenchTarget, redactUrl } from './lib/pg.ts';
import { benchPostgres, type ImportResult, type PostgresBench } from './lib/pg-run.ts';
import { buildQueries } from './lib/queries.ts';
import { formatTable, type ResultRow, row, writeResults } from './lib/report.ts';
import { postgresRows, sqliteScaleRows } from './lib/scale-rows.ts';
import { benchCommunity } from './lib/community.ts';
import { benchDigests } from './lib/digests.ts';
import { benchIngest } from './lib/ingest.ts';
import { benchSearch } from './lib/search.ts';
import { runChildJson } from './lib/spawn.ts';
import { benchServers } from './lib/web-pair.ts';

/** Targets from issue 2. */
const TARGET = { importSeconds: 60, importRatio: 2, searchP95Ms: 20, dailyRps: 1000 };

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** `--only ingest|digests`: one group of figures alone (no corpus needed), printed and written like the full run. */
async function runOnly(group: string): Promise<number> {
  // Search latency by mode (keyword, vector, hybrid) at 118k and 1M papers: its own table and results file.
  if (group === 'vector') return (await import('./vector.ts')).benchVector();
  // The built-in embedder: training time, peak memory, embedding and job throughput: its own table and results file.
  if (group === 'embed') return (await import('./embed.ts')).benchEmbed();
  let rows: ResultRow[];
  let details: object;
  if (group === 'ingest') {
    log('arXiv ingestion: OAI parse and end-to-end harvest');
    const ingest = await benchIngest();
    rows = ingest.rows;
    details = { ingest: ingest.details };
  } else if (group === 'digests') {
    log('digests: compose and send 10,000 personalised digests');
    const digests = await benchDigests();
    rows = digests.rows;
    details = { digests };
  } else {
    process.stderr.write(`bench: --only accepts ingest, digests, vector or embed, got ${group}\n(the community write-load figures alone: npx tsx bench/community.ts)\n`);
    return 1;
  }
  const file = writeResults({ date: new Date().toISOString(), commit: gitCommit(), rows, details });
  process.stdout.write(`\nPaperboy ${group} benchmark (${cpus().length} CPUs, Node ${process.version})\n\n${formatTable(rows)}\n`);
  process.stdout.write(`Results: ${file} (and bench/results/latest.json)\n`);
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const only = argv.indexOf('--only');
  if (only >= 0) return runOnly(argv[only + 1] ?? '(nothing)');
  const corpus = resolveCorpusPath(argv, process.env);
  if (!corpus.exists) {
    process.stderr.write(
      `bench: corpus not found at ${corpus.path}\n` +
        'Pass the path of a JSON-lines corpus (e.g. arxiv-listings-2025-2026.jsonl.gz) as `npm run bench -- PATH`\n' +
        'or set PAPERBOY_BENCH_CORPUS.\n',
    );
    return 1;
  }
  const keep = argv.includes('--keep');
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-'));
  const bareFile = join(dir, 'bare.db');
  const paperboyFile = join(dir, 'paperboy.db');
  log(`corpus ${corpus.path}; scratch ${dir}`);

  try {
    // Reading the corpus here also warms the OS file cache, so neither import below reads it cold.
    log('building queries');
    const queries = await buildQueries(corpus.path);

    log('bare SQLite + FTS5 insert');
    const bare = await runChildJson<{ rows: number; seconds: number; peakRssMb: number; cpuMs: number }>('child.ts', ['baseline', bareFile, corpus.path]);
    log(`  ${bare.rows} rows in ${bare.seconds.toFixed(1)} s`);

    log('Paperboy import');
    const imp = await runChildJson<ImportResult>('child.ts', ['import', paperboyFile, corpus.path]);
    const papers = imp.summary.inserted + imp.summary.updated + imp.summary.unchanged;
    log(`  ${papers} papers in ${imp.seconds.toFixed(1)} s (skipped ${imp.summary.skipped})`);

    log(`keyword search: ${queries.length} queries`);
    const conn = connect(paperboyFile);
    let searchRes: Awaited<ReturnType<typeof benchSearch>>;
    let featured: Awaited<ReturnType<typeof seedBenchEntries>>;
    try {
      searchRes = await benchSearch(conn.db, bareFile, queries);
      featured = await seedBenchEntries(conn.db);
    } finally {
      await conn.close();
    }

    log('page throughput (paperboy serve + autocannon, 10 connections, 5 s each)');
    const paths = { daily: '/', paper: `/papers/${featured.paperIds[0]}`, search: '/search?q=reward%20models', healthz: '/healthz' };
    const pages: Record<string, PageResult> = await benchServers(paperboyFile, paths, { processes: 1 });
    for (const p of Object.values(pages)) log(`  ${p.path}: ${Math.round(p.requestsPerSec)} req/s`);
    // Two web processes: one autocannon per process (10 connections each, concurrently), summed.
    const pairPaths = { daily: paths.daily, paper: paths.paper };
    log('page throughput, 2 x paperboy serve --role web on the SQLite file');
    const pairPages = await benchServers(paperboyFile, pairPaths, { processes: 2 });
    for (const p of Object.values(pairPages)) log(`  ${p.path}: ${Math.round(p.requestsPerSec)} req/s`);

    log('arXiv ingestion: OAI parse and end-to-end harvest');
    const ingest = await benchIngest();

    // The community write load runs on a copy: it adds users, votes and comments.
    log('community: the daily page while 50 API clients upvote and comment');
    const communityFile = join(dir, 'community.db');
    const backupFrom = new SQLite(paperboyFile, { readonly: true });
    await backupFrom.backup(communityFile);
    backupFrom.close();
    const community = await benchCommunity({ dbFile: communityFile });

    log('digests: compose and send 10,000 personalised digests');
    const digests = await benchDigests();

    // PostgreSQL: skipped with a printed reason when no server is named; a failure there is
    // reported (exit status 1) without losing the SQLite figures.
    const pgTarget = postgresBenchTarget(process.env);
    let pg: PostgresBench | undefined;
    let pgNote: string | undefined;
    if ('skip' in pgTarget) {
      pgNote = pgTarget.skip;
      log(pgNote);
    } else {
      try {
        pg = await benchPostgres({ adminUrl: pgTarget.url, corpus: corpus.path, queries, paths: pairPaths, featuredIds: featured.paperIds, keep, log });
      } catch (err) {
        pgNote = `PostgreSQL rows FAILED on ${redactUrl(pgTarget.url)}: ${(err as Error).message}`;
        log(`${pgNote}\n${(err as Error).stack ?? ''}`);
      }
    }

    const pb = searchRes.paperboy;
    const bs = searchRes.bare;
    const pageOk = (p: PageResult) => p.status === 200 && p.non2xx === 0 && p.errors === 0;
    const health = pages.healthz!.requestsPerSec;
    const sqliteRows: ResultRow[] = [
      row({ name: 'bare insert: wall time', value: bare.seconds, unit: 's' }),
      row({ name: 'bare insert: rows/s', value: bare.rows / bare.seconds, unit: 'rows/s' }),
      row({
        name: 'import: wall time',
        value: imp.seconds,
        unit: 's',
        baseline: bare.seconds,
        target: `< ${TARGET.importSeconds} s, <= ${TARGET.importRatio}x`,
        pass: imp.seconds < TARGET.importSeconds && imp.seconds <= TARGET.importRatio * bare.seconds,
      }),
      row({ name: 'import: papers/s', value: papers / imp.seconds, unit: 'papers/s', baseline: bare.rows / bare.seconds }),
      row({ name: 'import: peak RSS', value: imp.peakRssMb, unit: 'MB', baseline: bare.peakRssMb }),
      row({ name: 'search: p50', value: pb.latency.p50, unit: 'ms', baseline: bs.latency.p50 }),
      row({
        name: 'search: p95',
        value: pb.latency.p95,
        unit: 'ms',
        baseline: bs.latency.p95,
        target: `< ${TARGET.searchP95Ms} ms`,
        pass: pb.latency.p95 < TARGET.searchP95Ms,
      }),
      row({ name: 'search: mean', value: pb.latency.mean, unit: 'ms', baseline: bs.latency.mean }),
      row({ name: 'search: exact title ranked 1st', value: 100 * pb.titleTop1, unit: '%', baseline: 100 * bs.titleTop1 }),
      row({ name: 'search: description in top 10', value: 100 * pb.descriptionTop10, unit: '%', baseline: 100 * bs.descriptionTop10 }),
      row({ name: 'search: zero-result queries', value: pb.zeroResults, unit: 'queries', baseline: bs.zeroResults }),
      row({
        name: 'page: daily /',
        value: pages.daily!.requestsPerSec,
        unit: 'req/s',
        baseline: health,
        target: `> ${TARGET.dailyRps.toLocaleString('en-US')}`,
        pass: pageOk(pages.daily!) && pages.daily!.requestsPerSec > TARGET.dailyRps,
      }),
      row({ name: 'page: paper /papers/{id}', value: pages.paper!.requestsPerSec, unit: 'req/s', baseline: health, pass: pageOk(pages.paper!) }),
      row({ name: 'page: search /search?q=', value: pages.search!.requestsPerSec, unit: 'req/s', baseline: health, pass: pageOk(pages.search!) }),
      row({ name: 'page: /healthz (floor)', value: health, unit: 'req/s', pass: pageOk(pages.healthz!) }),
    ];
    const rows: ResultRow[] = [
      ...sqliteRows.map((r) => ({ database: 'sqlite' as const, ...r })),
      ...sqliteScaleRows({ bareCpuMs: bare.cpuMs, imp, search: searchRes, single: pages, pair: pairPages }),
      ...(pg ? postgresRows({ pg, imp, search: searchRes, pair: pairPages, dailyTarget: TARGET.dailyRps }) : []),
      ...ingest.rows.map((r) => ({ database: 'sqlite' as const, ...r })),
      ...community.rows,
      ...digests.rows.map((r) => ({ database: 'sqlite' as const, ...r })),
    ];

    const report = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
      corpus: { path: corpus.path, rows: bare.rows },
      rows,
      details: {
        bare,
        import: imp,
        search: searchRes,
        featured: { feedDate: featured.feedDate, entries: featured.paperIds.length },
        pages,
        pagesTwoWebProcesses: pairPages,
        postgres: pg ?? { skipped: pgNote },
        ingest: ingest.details,
        community: community.details,
        digests,
        queries,
      },
    };
    const file = writeResults(report);
    process.stdout.write(`\nPaperboy benchmark (${bare.rows.toLocaleString('en-US')} papers, ${cpus().length} CPUs, Node ${process.version})\n\n`);
    process.stdout.write(`${formatTable(rows)}\n\n`);
    const judged = rows.filter((r) => r.pass !== undefined);
    process.stdout.write(`${judged.filter((r) => r.pass).length} of ${judged.length} checks passed. Slowest queries: ${searchRes.slowest.map((s) => `${s.ms} ms "${s.q}"`).join('; ')}\n`);
    const kinds = Object.entries(pb.byKind).map(([k, v]) => `${k} ${v.p95.toFixed(1)} (bare ${bs.byKind[k]?.p95.toFixed(1)})`);
    process.stdout.write(`Search p95 by kind, ms: ${kinds.join(', ')}\n`);
    if (pg) {
      const kindsPg = Object.entries(pg.search.paperboy.byKind).map(([k, v]) => `${k} ${v.p95.toFixed(1)} (SQLite ${pb.byKind[k]?.p95.toFixed(1)})`);
      process.stdout.write(`PostgreSQL search p95 by kind, ms: ${kindsPg.join(', ')}\n`);
      process.stdout.write(`PostgreSQL VACUUM ANALYZE after the import (not in its time): ${pg.vacuumSeconds.toFixed(1)} s\n`);
    }
    process.stdout.write(
      'Baselines: bare SQLite for SQLite rows; the single process for "2 web processes" rows; the SQLite figure of this run for postgres rows.\n' +
        '2 web processes: two `paperboy serve --role web`, one autocannon each (10 connections) run concurrently, req/s summed.\n' +
        'CPU per request: server processes (and PostgreSQL backends) over the requests served; CPU figures are less noisy than wall time on a shared machine.\n',
    );
    if (pgNote) process.stdout.write(`${pgNote}\n`);
    process.stdout.write(`Results: ${file} (and bench/results/latest.json)\n`);
    return pgNote && !('skip' in pgTarget) ? 1 : 0;
  } finally {
    if (keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
