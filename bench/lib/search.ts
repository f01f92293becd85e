/**
 * Keyword-search latency: every query through Paperboy's searchPapers (top 20, with its total count
 * and highlights) and through the bare FTS5 query on the baseline database, one warm-up pass then
 * one timed pass each. Also counts how often the paper a title or description came from is found.
 */
import type { DB } from '../../src/db/connect.ts';
import { searchPapers } from '../../src/search/lexical.ts';
import { openBareSearch } from './baseline.ts';
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
  bare: SearchSide;
  /** The slowest Paperboy queries, for whoever tunes search next. */
  slowest: Array<{ kind: string; q: string; ms: number }>;
}

type Run = { ms: number; ids: string[] };

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
    const runPaperboy = async (q: string): Promise<Run> => {
      const start = performance.now();
      const res = await searchPapers(db, { q, limit: 20 });
      return { ms: performance.now() - start, ids: res.hits.map((h) => h.paper.id) };
    };
    const runBare = (q: string): Run => {
      const start = performance.now();
      const rows = bare.search(q);
      return { ms: performance.now() - start, ids: rows.map((r) => r.id) };
    };
    // Warm-up: page cache and statement caches, as on a server that has been running a while.
    for (const { q } of queries) {
      await runPaperboy(q);
      runBare(q);
    }
    const paperboyRuns: Run[] = [];
    const bareRuns: Run[] = [];
    for (const { q } of queries) {
      paperboyRuns.push(await runPaperboy(q));
      bareRuns.push(runBare(q));
    }
    const slowest = queries
      .map((q, i) => ({ kind: q.kind, q: q.q.slice(0, 80), ms: Math.round(paperboyRuns[i]!.ms * 10) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5);
    return { queries: queries.length, paperboy: summarize(queries, paperboyRuns), bare: summarize(queries, bareRuns), slowest };
  } finally {
    bare.close();
  }
}
