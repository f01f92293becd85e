/**
 * Paper-to-paper similarity for "Similar papers": the embedding cosine fused with a TF-IDF cosine of
 * the two papers' words. Dense vectors find papers on the same topic; shared rare words (a dataset,
 * a method's name) tell which of them are about the same thing. Measured on CSFCube (eval/README.md):
 * the fused score ranks clearly better than the cosine alone and than TF-IDF alone.
 *
 * The idf comes from the pool being re-ranked (the paper plus its nearest neighbours), so this needs
 * nothing but the papers' text and works with any embedder. Use: take the vector index's nearest
 * POOL_SIZE papers, call `rerankSimilar`, show the first few.
 */
import { paperText } from './embed/embedder.ts';
import { textTerms } from './embed/text.ts';

/** Weight of the TF-IDF part (the cosine gets the rest); chosen on CSFCube, see eval/README.md. */
export const SPARSE_WEIGHT = 0.7;
/** How many nearest neighbours to re-rank: enough for the words to reorder them, cheap to tokenise. */
export const POOL_SIZE = 50;

/** A neighbour to re-rank: its text and its embedding cosine to the paper. */
export interface SimilarityCandidate {
  id: string;
  title: string;
  abstract: string;
  cosine: number;
}

/** A re-ranked neighbour: the fused score and the cosine it came with. */
export interface RerankedCandidate {
  id: string;
  score: number;
  cosine: number;
}

function termCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of textTerms(text, false)) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/**
 * Fused scores, in the order of `cands`: w·tfidf(query, cand) + (1 − w)·dense, where the TF-IDF
 * vectors use sublinear tf and a smoothed idf over the query and the candidates.
 */
export function fusedScores(queryText: string, cands: { text: string; dense: number }[], sparseWeight = SPARSE_WEIGHT): number[] {
  const docs = [termCounts(queryText), ...cands.map((c) => termCounts(c.text))];
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const unit = (d: Map<string, number>) => {
    const v = new Map<string, number>();
    let s = 0;
    for (const [t, c] of d) {
      const w = (1 + Math.log(c)) * (Math.log((1 + n) / (1 + df.get(t)!)) + 1);
      v.set(t, w);
      s += w * w;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (const [t, w] of v) v.set(t, w * inv);
    return v;
  };
  const q = unit(docs[0]!);
  return cands.map((c, i) => {
    let sparse = 0;
    for (const [t, w] of unit(docs[i + 1]!)) sparse += w * (q.get(t) ?? 0);
    return sparseWeight * sparse + (1 - sparseWeight) * c.dense;
  });
}

/** The candidates re-ranked by the fused score, best first (ties keep the given, cosine, order). */
export function rerankSimilar(paper: { title: string; abstract: string }, cands: SimilarityCandidate[], sparseWeight = SPARSE_WEIGHT): RerankedCandidate[] {
  const scores = fusedScores(
    paperText(paper),
    cands.map((c) => ({ text: paperText(c), dense: c.cosine })),
    sparseWeight,
  );
  return cands
    .map((c, i) => ({ id: c.id, score: scores[i]!, cosine: c.cosine, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map(({ id, score, cosine }) => ({ id, score, cosine }));
}
