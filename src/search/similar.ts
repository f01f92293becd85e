/**
 * Similar papers, like a librarian's suggestions: the papers whose embeddings are nearest the
 * paper's own. Used by the paper page (top 5) and `GET /api/v1/papers/{id}/similar`.
 *
 * Ranking: the index's POOL_SIZE nearest papers by cosine, re-ranked by the fused score of
 * similarity.ts (the cosine blended with a TF-IDF cosine of the two texts, plus one feedback round;
 * measured on CSFCube, see eval/README.md), so shared rare words (a dataset, a method) count.
 *
 * The paper's stored vector is used when the index holds it; a paper not embedded yet (just
 * imported, the background job has not reached it) is embedded on the spot through the query
 * path, which caches it, under a deadline so a slow embedder cannot hold the page up.
 *
 * The re-ranked list is kept per paper for SIMILAR_CACHE_MS (an LRU per Semantic service): a scan
 * costs about 12 ms at 118k papers and 100 ms at 1M, and a popular paper's page is rendered again and
 * again, while its neighbours change only as new papers arrive. The papers themselves are read fresh.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getPapers, type Paper } from '../store/papers.ts';
import { paperText } from './embed/embedder.ts';
import { POOL_SIZE, type RerankedCandidate, rerankSimilar } from './similarity.ts';
import type { Semantic } from './semantic.ts';
import type { VectorIndex } from './vector-index.ts';

/** Papers shown on a paper page. */
export const SIMILAR_ON_PAGE = 5;
/** Largest `limit` the API accepts. */
export const MAX_SIMILAR = 50;
/** How long embedding a paper that has no stored vector may take. */
export const SIMILAR_TIMEOUT_MS = 2000;
/** How long a paper's re-ranked neighbours are reused: new papers join its list within this. */
export const SIMILAR_CACHE_MS = 10 * 60_000;
/** Papers whose lists are kept (each about 55 ids and scores). */
const SIMILAR_CACHE_SIZE = 5000;

interface CachedList {
  at: number;
  model: string;
  ranked: RerankedCandidate[];
}
/** Per Semantic service (tests open several), paper id and pool size → its re-ranked neighbours. */
const caches = new WeakMap<Semantic, Map<string, CachedList>>();

/** One suggestion: its fused similarity score (the order) and its embedding cosine to the paper. */
export interface SimilarPaper {
  paper: Paper;
  score: number;
  cosine: number;
}

/** The suggestions, or why there are none: `reason` is set when vectors could not be used. */
export interface SimilarResult {
  papers: SimilarPaper[];
  /** Present when similarity is unavailable (no embedder, vectors not loaded, embedder failed). */
  reason?: string;
}

/** Options of similarPapers; the clock is for tests. */
export interface SimilarOptions {
  limit?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** The `limit` papers most similar to `paper` (never the paper itself), best first. */
export async function similarPapers(
  db: Kysely<Database>,
  semantic: Semantic | undefined,
  paper: Pick<Paper, 'id' | 'title' | 'abstract'>,
  o: SimilarOptions = {},
): Promise<SimilarResult> {
  const limit = o.limit ?? SIMILAR_ON_PAGE;
  const now = o.now ?? Date.now;
  const index = semantic?.available() ? semantic.index() : undefined;
  const model = semantic?.embedderName();
  if (!semantic || !index || index.size === 0 || !model) return { papers: [], reason: 'Similar papers need an embedder and its vectors; none are loaded on this instance.' };
  const pool = Math.max(POOL_SIZE, limit + 5);
  let cache = caches.get(semantic);
  if (!cache) caches.set(semantic, (cache = new Map()));
  const key = `${paper.id}\u0000${pool}`;
  const hit = cache.get(key);
  if (hit && hit.model === model && now() - hit.at < SIMILAR_CACHE_MS) {
    cache.delete(key);
    cache.set(key, hit);
    return { papers: await withPapers(db, hit.ranked, limit) };
  }
  const ranked = await rankNeighbours(db, semantic, index, paper, pool, o.timeoutMs ?? SIMILAR_TIMEOUT_MS);
  if ('reason' in ranked) return { papers: [], reason: ranked.reason };
  cache.set(key, { at: now(), model, ranked: ranked.list });
  if (cache.size > SIMILAR_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return { papers: await withPapers(db, ranked.list, limit) };
}

/** The first `limit` of a re-ranked list with their papers read now (a paper deleted since is skipped). */
async function withPapers(db: Kysely<Database>, ranked: RerankedCandidate[], limit: number): Promise<SimilarPaper[]> {
  const top = ranked.slice(0, limit + 5);
  const byId = new Map((await getPapers(db, top.map((r) => r.id))).map((p) => [p.id, p]));
  return top.flatMap((r) => (byId.has(r.id) ? [{ paper: byId.get(r.id)!, score: r.score, cosine: r.cosine }] : [])).slice(0, limit);
}

/** The paper's `pool` nearest neighbours re-ranked by similarity.ts, or why there are none. */
async function rankNeighbours(
  db: Kysely<Database>,
  semantic: Semantic,
  index: VectorIndex,
  paper: Pick<Paper, 'id' | 'title' | 'abstract'>,
  pool: number,
  timeoutMs: number,
): Promise<{ list: RerankedCandidate[] } | { reason: string }> {
  let v = semantic.paperVector(paper.id);
  if (!v) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const embedding = semantic.queryVector(paperText(paper));
      embedding.catch(() => {}); // a failure after the deadline must not surface as unhandled
      const deadline = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      v = await Promise.race([embedding, deadline]);
      if (!v) return { reason: `Embedding this paper took longer than ${timeoutMs} ms.` };
    } catch (err) {
      return { reason: `The embedder failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}` };
    } finally {
      clearTimeout(timer);
    }
  }
  // The pool over-fetches (limit + 5 at least): a neighbour may have been deleted since the index was loaded.
  const near = index.search(v, pool, (id) => id !== paper.id);
  // The vectors are read now, in the same tick as the search, so a refresh cannot swap them between.
  const vectors = new Map(near.map((n) => [n.id, index.get(n.id)!]));
  const papers = await getPapers(db, near.map((n) => n.id));
  const reranked = rerankSimilar(
    { title: paper.title, abstract: paper.abstract, vector: v },
    papers.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, vector: vectors.get(p.id)! })),
  );
  return { list: reranked };
}
