/**
 * Builds a SQLite database of the full listings corpus for search benchmarks (once; reused if present).
 * Usage: tsx bench/lib/search-db.ts [corpus.jsonl.gz] [out.db]
 */
import { existsSync } from 'node:fs';
import { connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { countPapers } from '../../src/store/papers.ts';
import { loadPapers, readListings } from '../../test/helpers/corpus.ts';

/** Opens `out`, importing the corpus into it first when it holds no papers. */
export async function openSearchBenchDb(corpus: string, out: string) {
  const conn = connect(out);
  await migrateToLatest(conn.db);
  if ((await countPapers(conn.db)) === 0) {
    if (!existsSync(corpus)) throw new Error(`corpus not found: ${corpus} (pass its path as the first argument)`);
    const t0 = performance.now();
    const papers = readListings(corpus);
    await loadPapers(conn.db, papers);
    console.log(`imported ${papers.length} papers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return conn;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = process.argv[2] ?? '../shared/data/corpus/arxiv-listings-2025-2026.jsonl.gz';
  const out = process.argv[3] ?? '/tmp/search-bench.db';
  const conn = await openSearchBenchDb(corpus, out);
  console.log(`${await countPapers(conn.db)} papers in ${out}`);
  await conn.close();
}
