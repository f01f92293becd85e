/**
 * Keyword-search latency: every query through Paperboy's searchPapers (top 20, with its total count
 * and highlights) and through the bare FTS5 query on the baseline database, one warm-up pass then
 * one timed pass each. Also counts how often the paper a title or description came from is found.
 */
import type { DB } from '../../src/db/connect.ts';
import { searchPapers } from '../../src/search/lexical.ts';
import { openBareSearch } from './baseline.ts';
import { ownCpuMs } from './cpu.ts';
import type { BenchQuery } from './queries.ts';
import { type LatencyStats, latencyStats } from './stats.ts';

export interface SearchSide {
  latency: LatencyStats;
  /** Share of exact-title queries whose paper comes first. */
  titleTop1: number;
  /** Share of description queries whose paper is in the top 10. */
  descriptionTop10: number;
  /** Queries (other than quoted phrases) that found nothing. */
  zeroResults: number;
  /** p50/p95 per kind of query, to see which kind is slow. */
  byKind: Record<string, { p50: number; p95: number }>;
}

export interface SearchBenchResult {
  queries: number;
  paperboy: SearchSide;
  /** CPU milliseconds per Paperboy query: this process, plus the database server's on PostgreSQL. */
  cpuMsPerQuery: number;
  bare: SearchSide;
  bareCpuMsPerQuery: number;
  /** The slowest Paperboy queries, for whoever tunes search next. */
  slowest: Array<{ kind: string; q: string; ms: number }>;
}

type Run = { ms: number; cpuMs: number; ids: string[] };

/** Runs one query through searchPapers, timing wall and CPU (this process). */
async function runPaperboy(db: DB, q: string): Promise<Run> {
  const cpu0 = ownCpuMs();
  const start = performance.now();
  const res = await searchPapers(db, { q, limit: 20 });
  return { ms: performance.now() - start, cpuMs: ownCpuMs() - cpu0, ids: res.hits.map((h) => h.paper.id) };
}

function slowestOf(queries: BenchQuery[], runs: Run[]): SearchBenchResult['slowest'] {
  return queries
    .map((q, i) => ({ kind: q.kind, q: q.q.slice(0, 80), ms: Math.round(runs[i]!.ms * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function summarize(queries: BenchQuery[], runs: Run[]): SearchSide {
  const share = (kind: BenchQuery['kind'], within: number) => {
    const picked = queries.map((q, i) => ({ q, r: runs[i]! })).filter(({ q }) => q.kind === kind && q.expectId);
    const found = picked.filter(({ q, r }) => r.ids.slice(0, within).includes(q.expectId!)).length;
    return picked.length ? found / picked.length : Number.NaN;
  };
  const byKind: SearchSide['byKind'] = {};
  for (const kind of new Set(queries.map((q) => q.kind))) {
    const st = latencyStats(runs.filter((_, i) => queries[i]!.kind === kind).map((r) => r.ms));
    byKind[kind] = { p50: st.p50, p95: st.p95 };
  }
  return {
    byKind,
    latency: latencyStats(runs.map((r) => r.ms)),
    titleTop1: share('title', 1),
    descriptionTop10: share('description', 10),
    zeroResults: runs.filter((r, i) => r.ids.length === 0 && queries[i]!.kind !== 'phrase').length,
  };
}

/** Times every query on both databases. */
export async function benchSearch(db: DB, bareFile: string, queries: BenchQuery[]): Promise<SearchBenchResult> {
  const bare = openBareSearch(bareFile);
  try {
    const runBare = (q: string): Run => {
      const cpu0 = ownCpuMs();
      const start = performance.now();
      const rows = bare.search(q);
      return { ms: performance.now() - start, cpuMs: ownCpuMs() - cpu0, ids: rows.map((r) => r.id) };
    };
    // Warm-up: page cache and statement caches, as on a server that has been running a while.
    for (const { q } of queries) {
      await runPaperboy(db, q);
      runBare(q);
    }
    const paperboyRuns: Run[] = [];
    const bareRuns: Run[] = [];
    for (const { q } of queries) {
      paperboyRuns.push(await runPaperboy(db, q));
      bareRuns.push(runBare(q));
    }
    return {
      queries: queries.length,
      paperboy: summarize(queries, paperboyRuns),
      cpuMsPerQuery: sum(paperboyRuns.map((r) => r.cpuMs)) / queries.length,
      bare: summarize(queries, bareRuns),
      bareCpuMsPerQuery: sum(bareRuns.map((r) => r.cpuMs)) / queries.length,
      slowest: slowestOf(queries, paperboyRuns),
    };
  } finally {
    bare.close();
  }
}

/**
 * Times every query through searchPapers alone (e.g. on PostgreSQL, whose bare counterpart is the
 * SQLite figure of the same run). `serverCpu` measures the database server's CPU over the timed pass.
 */
export async function benchPaperboySearch(
  db: DB,
  queries: BenchQuery[],
  serverCpu?: () => Promise<() => Promise<number | undefined>>,
): Promise<Omit<SearchBenchResult, 'bare' | 'bareCpuMsPerQuery'> & { serverCpuMsPerQuery?: number }> {
  for (const { q } of queries) await runPaperboy(db, q);
  const stopServerCpu = await serverCpu?.();
  const runs: Run[] = [];
  for (const { q } of queries) runs.push(await runPaperboy(db, q));
  const server = await stopServerCpu?.();
  const serverPerQuery = server === undefined ? undefined : server / queries.length;
  return {
    queries: queries.length,
    paperboy: summarize(queries, runs),
    cpuMsPerQuery: sum(runs.map((r) => r.cpuMs)) / queries.length + (serverPerQuery ?? 0),
    serverCpuMsPerQuery: serverPerQuery,
    slowest: slowestOf(queries, runs),
  };
}
