/**
 * Search on the 118k corpus: the known-item query set of eval/queries/corpus-queries.json (a
 * description of a paper in other words than its title; the paper is the one relevant result, see
 * eval/README.md) answered by keyword search (searchPapers on a SQLite database with the corpus
 * imported), by vector search (the built-in model, exact index) and by hybrid search (H's
 * hybridSearch, reciprocal rank fusion), each scored by MRR@10 and recall@1/10/100.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSearchBenchDb } from '../bench/lib/search-db.ts';
import { type FusionWeights, loadConfig } from '../src/config.ts';
import type { BuiltinModel } from '../src/search/embed/builtin.ts';
import { paperText } from '../src/search/embed/embedder.ts';
import { hybridSearch } from '../src/search/hybrid.ts';
import { VectorIndex } from '../src/search/vector-index.ts';
import { CACHE_DIR, type CorpusPaper } from './model-cache.ts';
import { formatTable, num } from './report.ts';

/** A known-item query: the text and the paper it describes. */
export interface KnownItemQuery {
  id: string;
  q: string;
}

/** The query set shipped in eval/queries/. */
export function loadCorpusQueries(file = join(dirname(fileURLToPath(import.meta.url)), 'queries', 'corpus-queries.json')): KnownItemQuery[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { queries: KnownItemQuery[] }).queries;
}

/** Known-item figures of one system over the query set. */
export interface KnownItemMetrics {
  mrr10: number;
  recall1: number;
  recall10: number;
  recall100: number;
  /** 1-based rank of the paper per query (undefined beyond the depth). */
  ranks: (number | undefined)[];
}

/** MRR@10 and recall@k from the rank of the one relevant paper in each query's results. */
export function knownItemMetrics(ranks: (number | undefined)[]): KnownItemMetrics {
  const n = ranks.length || 1;
  const within = (k: number) => ranks.filter((r) => r !== undefined && r <= k).length / n;
  const mrr10 = ranks.reduce<number>((s, r) => s + (r !== undefined && r <= 10 ? 1 / r : 0), 0) / n;
  return { mrr10, recall1: within(1), recall10: within(10), recall100: within(100), ranks };
}

const DEPTH = 100;

/** Runs keyword, vector and hybrid search on every query; returns a printable table and the JSON report. */
export async function runCorpusQueries(o: { corpusPath: string; corpus: CorpusPaper[]; model: BuiltinModel; log: (m: string) => void }): Promise<{ table: string; report: object }> {
  // A smaller corpus (the 1000-paper sample) lacks most target papers: those queries are skipped, loudly.
  const ids = new Set(o.corpus.map((p) => p.id));
  const all = loadCorpusQueries();
  const queries = all.filter((q) => ids.has(q.id));
  if (queries.length < all.length) o.log(`  WARNING: ${all.length - queries.length} of ${all.length} query papers are not in this corpus; their queries are skipped`);
  if (queries.length === 0) return { table: 'Corpus known-item search: no query paper is in this corpus (use the 118k corpus)', report: { queries: 0 } };

  // One database per corpus file (name and size), so a run on the sample never poisons the 118k one.
  const dbFile = join(CACHE_DIR, `corpus-${basename(o.corpusPath).replace(/[^\w.-]/g, '_')}-${statSync(o.corpusPath).size}.db`);
  o.log(`  opening (importing once) ${dbFile}`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const conn = await openSearchBenchDb(o.corpusPath, dbFile);
  try {
    o.log(`  embedding ${o.corpus.length} papers`);
    const t0 = performance.now();
    const index = new VectorIndex(o.model.dim, { capacity: o.corpus.length });
    const BATCH = 2000;
    for (let i = 0; i < o.corpus.length; i += BATCH) {
      const chunk = o.corpus.slice(i, i + BATCH);
      o.model.embedSync(chunk.map(paperText)).forEach((v, j) => index.upsert(chunk[j]!.id, v));
    }
    const embedSeconds = (performance.now() - t0) / 1000;
    o.log(`  embedded in ${embedSeconds.toFixed(1)} s`);
    // Just enough of the Semantic interface for hybridSearch: the index and query vectors.
    const semantic = {
      available: () => true,
      embedderName: () => o.model.name,
      index: () => index,
      queryVector: async (text: string) => o.model.embedSync([text])[0]!,
      paperVector: (id: string) => index.get(id),
      embedDocuments: async (texts: string[]) => o.model.embedSync(texts),
      refresh: async () => {},
      close: () => {},
    };
    let fusion: FusionWeights;
    try {
      fusion = loadConfig({}).fusion;
    } catch {
      fusion = { keyword: 1, vector: 1, k: 60 };
    }
    const variants: { name: string; mode: 'keyword' | 'vector' | 'hybrid'; fusion: FusionWeights }[] = [
      { name: 'keyword (searchPapers)', mode: 'keyword', fusion },
      { name: 'vector (builtin)', mode: 'vector', fusion },
      { name: `hybrid rrf keyword=${fusion.keyword},vector=${fusion.vector},k=${fusion.k}`, mode: 'hybrid', fusion },
      { name: 'hybrid rrf keyword=1,vector=2,k=60', mode: 'hybrid', fusion: { keyword: 1, vector: 2, k: 60 } },
      { name: 'hybrid rrf keyword=2,vector=1,k=60', mode: 'hybrid', fusion: { keyword: 2, vector: 1, k: 60 } },
    ];
    const results: { name: string; metrics: KnownItemMetrics }[] = [];
    for (const v of variants) {
      const ranks: (number | undefined)[] = [];
      for (const q of queries) {
        const r = await hybridSearch(conn.db, semantic as never, { q: q.q, mode: v.mode, limit: DEPTH }, v.fusion);
        if (r.fallback) throw new Error(`hybrid search fell back to keyword search: ${r.fallback.message}`);
        const at = r.hits.findIndex((h) => h.paper.id === q.id);
        ranks.push(at < 0 ? undefined : at + 1);
      }
      results.push({ name: v.name, metrics: knownItemMetrics(ranks) });
    }
    const table = formatTable(
      [`Corpus known-item search (${queries.length} queries, ${o.corpus.length} papers)`, 'MRR@10', 'R@1', 'R@10', 'R@100'],
      results.map((r) => [r.name, num(r.metrics.mrr10, 3), num(r.metrics.recall1, 3), num(r.metrics.recall10, 3), num(r.metrics.recall100, 3)]),
    );
    return { table, report: { queries: queries.length, papers: o.corpus.length, embedSeconds, papersPerSecond: o.corpus.length / embedSeconds, results } };
  } finally {
    await conn.close();
  }
}
