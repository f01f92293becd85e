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
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getPapers, type Paper } from '../store/papers.ts';
import { paperText } from './embed/embedder.ts';
import { POOL_SIZE, rerankSimilar } from './similarity.ts';
import type { Semantic } from './semantic.ts';

/** Papers shown on a paper page. */
export const SIMILAR_ON_PAGE = 5;
/** Largest `limit` the API accepts. */
export const MAX_SIMILAR = 50;
/** How long embedding a paper that has no stored vector may take. */
export const SIMILAR_TIMEOUT_MS = 2000;

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

/** The `limit` papers most similar to `paper` (never the paper itself), best first. */
export async function similarPapers(
  db: Kysely<Database>,
  semantic: Semantic | undefined,
  paper: Pick<Paper, 'id' | 'title' | 'abstract'>,
  limit = SIMILAR_ON_PAGE,
  timeoutMs = SIMILAR_TIMEOUT_MS,
): Promise<SimilarResult> {
  const index = semantic?.available() ? semantic.index() : undefined;
  if (!semantic || !index || index.size === 0) return { papers: [], reason: 'Similar papers need an embedder and its vectors; none are loaded on this instance.' };
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
      if (!v) return { papers: [], reason: `Embedding this paper took longer than ${timeoutMs} ms.` };
    } catch (err) {
      return { papers: [], reason: `The embedder failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}` };
    } finally {
      clearTimeout(timer);
    }
  }
  // The pool also over-fetches: a neighbour may have been deleted since the index was loaded.
  const near = index.search(v, Math.max(POOL_SIZE, limit + 5), (id) => id !== paper.id);
  // The vectors are read now, in the same tick as the search, so a refresh cannot swap them between.
  const vectors = new Map(near.map((n) => [n.id, index.get(n.id)!]));
  const papers = await getPapers(db, near.map((n) => n.id));
  const reranked = rerankSimilar(
    { title: paper.title, abstract: paper.abstract, vector: v },
    papers.map((p) => ({ id: p.id, title: p.title, abstract: p.abstract, vector: vectors.get(p.id)! })),
  );
  const byId = new Map(papers.map((p) => [p.id, p]));
  return { papers: reranked.slice(0, limit).map((r) => ({ paper: byId.get(r.id)!, score: r.score, cosine: r.cosine })) };
}
