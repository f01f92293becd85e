/**
 * Keyword search benchmark: p50/p95 of searchPapers over realistic queries next to the bare FTS5
 * query (AND of the quoted words, ORDER BY rank LIMIT 20), plus how often the expected paper is in
 * the top 1/5, in wall and CPU milliseconds. Usage: tsx bench/lib/search-bench.ts [corpus.jsonl.gz] [db]
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/connect.ts';
import { ftsExpression, parseQuery } from '../../src/search/query.ts';
import { searchPapers } from '../../src/search/lexical.ts';
import { type BenchQuery, buildQueries } from './search-queries.ts';
import { openSearchBenchDb } from './search-db.ts';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** Times every query (after one warm-up pass) and reports latency and hit rates per kind. */
export async function benchKeywordSearch(db: DB, queries: BenchQuery[]) {
  const bare = async (q: string) => {
    const expr = ftsExpression(parseQuery(q).positive, 'AND');
    if (expr) await sql`SELECT rowid FROM papers_fts WHERE papers_fts MATCH ${expr} ORDER BY rank LIMIT 20`.execute(db);
  };
  for (const x of queries) {
    await searchPapers(db, { q: x.q });
    await bare(x.q);
  }
  // CPU time next to wall time: on a shared, busy machine wall time mostly measures the neighbours
  // (the work is synchronous SQLite and JavaScript, so on a quiet machine the two agree).
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const rows: Array<{ kind: string; ms: number; cpu: number; bareMs: number; bareCpu: number; rank: number; capped: boolean }> = [];
  for (const x of queries) {
    let t0 = performance.now();
    let c0 = cpu();
    const r = await searchPapers(db, { q: x.q, limit: 20 });
    const ms = performance.now() - t0;
    const cpuMs = cpu() - c0;
    t0 = performance.now();
    c0 = cpu();
    await bare(x.q);
    const bareMs = performance.now() - t0;
    const bareCpu = cpu() - c0;
    const rank = x.expect ? r.hits.findIndex((h) => h.paper.id === x.expect) : -2;
    rows.push({ kind: x.kind, ms, cpu: cpuMs, bareMs, bareCpu, rank, capped: r.capped });
  }
  const summary = (kind: string) => {
    const rs = kind === 'all' ? rows : rows.filter((r) => r.kind === kind);
    const withExpect = rs.filter((r) => r.rank !== -2);
    return {
      kind,
      n: rs.length,
      p50: +pct(rs.map((r) => r.ms), 50).toFixed(2),
      p95: +pct(rs.map((r) => r.ms), 95).toFixed(2),
      bareP50: +pct(rs.map((r) => r.bareMs), 50).toFixed(2),
      bareP95: +pct(rs.map((r) => r.bareMs), 95).toFixed(2),
      cpuP50: +pct(rs.map((r) => r.cpu), 50).toFixed(2),
      cpuP95: +pct(rs.map((r) => r.cpu), 95).toFixed(2),
      bareCpuP50: +pct(rs.map((r) => r.bareCpu), 50).toFixed(2),
      bareCpuP95: +pct(rs.map((r) => r.bareCpu), 95).toFixed(2),
      top1: withExpect.length ? +(withExpect.filter((r) => r.rank === 0).length / withExpect.length).toFixed(2) : null,
      top5: withExpect.length ? +(withExpect.filter((r) => r.rank >= 0 && r.rank < 5).length / withExpect.length).toFixed(2) : null,
      capped: rs.filter((r) => r.capped).length,
    };
  };
  return ['title', 'topic', 'author', 'description', 'all'].map(summary);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const conn = await openSearchBenchDb(
    process.argv[2] ?? '../shared/data/corpus/arxiv-listings-2025-2026.jsonl.gz',
    process.argv[3] ?? '/tmp/search-bench.db',
  );
  const queries = await buildQueries(conn.db);
  console.table(await benchKeywordSearch(conn.db, queries));
  await conn.close();
}
