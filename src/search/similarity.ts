/**
 * Paper-to-paper similarity for "Similar papers": the embedding cosine fused with a TF-IDF cosine of
 * the two papers' words, then one round of pseudo-relevance feedback. Dense vectors find papers on
 * the same topic; shared rare words (a dataset, a method's name) tell which of them are about the
 * same thing; and the few best candidates, added to the query, bring in the words and directions the
 * paper's own abstract left out. Measured on CSFCube (eval/README.md): above TF-IDF, BM25 and the
 * cosine alone on every facet, with the parameters chosen on the dev folds.
 *
 * The idf comes from the pool being re-ranked (the paper plus its nearest neighbours), so this needs
 * nothing but the papers' text and vectors and works with any embedder. Use: take the vector index's
 * nearest POOL_SIZE papers, call `rerankSimilar`, show the first few.
 */
import { dot, normalize, paperText } from './embed/embedder.ts';
import { textTerms } from './embed/text.ts';

/** The re-ranking's parameters. */
export interface SimilarityParams {
  /** Weight of the TF-IDF cosine; the embedding cosine gets the rest. */
  sparseWeight: number;
  /** How many of the best first-round candidates are added to the query (0: no feedback round). */
  feedbackDocs: number;
  /** Weight of those candidates, together, against the paper itself (1). */
  feedbackWeight: number;
}

/**
 * Chosen on CSFCube (eval/README.md): the best of a small grid on one dev fold and close to the best
 * on the other; the cross-validated figures (each fold's pick scored on the other fold) are reported too.
 */
export const SIMILARITY_DEFAULTS: SimilarityParams = { sparseWeight: 0.8, feedbackDocs: 3, feedbackWeight: 0.5 };
/** How many nearest neighbours to re-rank: enough for the words to reorder them, cheap to tokenise. */
export const POOL_SIZE = 50;

/** A text with its embedding (unit length, the same model and dimension for every document). */
export interface SimilarityDoc {
  text: string;
  vector: Float32Array;
}

/** A neighbour to re-rank: its text and its embedding. */
export interface SimilarityCandidate {
  id: string;
  title: string;
  abstract: string;
  vector: Float32Array;
}

/** A re-ranked neighbour: the fused score and its plain embedding cosine to the paper. */
export interface RerankedCandidate {
  id: string;
  score: number;
  cosine: number;
}

/** A sparse vector: term → weight. */
export type Sparse = Map<string, number>;

/** Term counts of a text: the built-in model's stemmed, stopword-free unigrams (eval's baselines use them too). */
export function termCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of textTerms(text, false)) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Inner product of two sparse vectors (iterates the smaller). */
export function sparseDot(a: Sparse, b: Sparse): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, w] of small) {
    const o = big.get(t);
    if (o !== undefined) s += w * o;
  }
  return s;
}

/** Scales a sparse vector to unit length in place (an empty one stays empty) and returns it. */
export function unitSparse(v: Sparse): Sparse {
  let s = 0;
  for (const w of v.values()) s += w * w;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (const [t, w] of v) v.set(t, w * inv);
  return v;
}

/**
 * Fused scores, in the order of `cands`. First round: w·tfidf(query, cand) + (1 − w)·cos(query, cand),
 * with sublinear tf and a smoothed idf over the query and the candidates. Feedback round: the query's
 * TF-IDF vector and embedding each get the mean of the first round's best `feedbackDocs` candidates
 * added with weight `feedbackWeight`, are renormalised, and every candidate is scored again.
 */
export function fusedScores(query: SimilarityDoc, cands: SimilarityDoc[], p: SimilarityParams = SIMILARITY_DEFAULTS): number[] {
  const counts = [termCounts(query.text), ...cands.map((c) => termCounts(c.text))];
  const df = new Map<string, number>();
  for (const d of counts) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = counts.length;
  const sparse = counts.map((d) => {
    const v: Sparse = new Map();
    for (const [t, c] of d) v.set(t, (1 + Math.log(c)) * (Math.log((1 + n) / (1 + df.get(t)!)) + 1));
    return unitSparse(v);
  });
  const w = p.sparseWeight;
  const score = (qs: Sparse, qd: Float32Array) => cands.map((c, i) => w * sparseDot(qs, sparse[i + 1]!) + (1 - w) * dot(qd, c.vector));
  const first = score(sparse[0]!, query.vector);
  const m = Math.min(p.feedbackDocs, cands.length);
  if (m <= 0 || p.feedbackWeight === 0) return first;

  const best = first
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, m)
    .map((x) => x.i);
  const share = p.feedbackWeight / m;
  const qs: Sparse = new Map(sparse[0]!);
  const qd = new Float32Array(query.vector);
  for (const i of best) {
    for (const [t, x] of sparse[i + 1]!) qs.set(t, (qs.get(t) ?? 0) + share * x);
    const v = cands[i]!.vector;
    for (let k = 0; k < qd.length; k++) qd[k]! += share * v[k]!;
  }
  return score(unitSparse(qs), normalize(qd));
}

/** The candidates re-ranked by the fused score, best first (ties keep the given order). */
export function rerankSimilar(
  paper: { title: string; abstract: string; vector: Float32Array },
  cands: SimilarityCandidate[],
  p: SimilarityParams = SIMILARITY_DEFAULTS,
): RerankedCandidate[] {
  const scores = fusedScores(
    { text: paperText(paper), vector: paper.vector },
    cands.map((c) => ({ text: paperText(c), vector: c.vector })),
    p,
  );
  return cands
    .map((c, i) => ({ id: c.id, score: scores[i]!, cosine: dot(paper.vector, c.vector), i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map(({ id, score, cosine }) => ({ id, score, cosine }));
}
