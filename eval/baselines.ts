/**
 * The sparse baselines every system is compared with in the same run: TF-IDF cosine (sublinear tf,
 * smoothed idf, L2-normalised) and Okapi BM25 (k1 1.2, b 0.75), both over the evaluation
 * collection's own statistics and the same stemmed, stopword-free unigrams as the built-in model
 * (src/search/embed/text.ts), so differences come from the model, not the tokeniser.
 */
import { type Sparse, sparseDot, termCounts, unitSparse } from '../src/search/similarity.ts';

// The sparse vector helpers are the shipped similarity's (src/search/similarity.ts), so both tokenise alike.
export { type Sparse, sparseDot, termCounts };

/** Document frequencies and lengths of a collection, for TF-IDF and BM25. */
export class SparseCollection {
  readonly n: number;
  readonly df = new Map<string, number>();
  readonly avgLen: number;
  private readonly docs = new Map<string, { counts: Map<string, number>; len: number }>();

  /** Builds the statistics from `docs` (id → text). */
  constructor(docs: Map<string, string>) {
    let total = 0;
    for (const [id, text] of docs) {
      const counts = termCounts(text);
      let len = 0;
      for (const [t, c] of counts) {
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
        len += c;
      }
      this.docs.set(id, { counts, len });
      total += len;
    }
    this.n = docs.size;
    this.avgLen = this.n ? total / this.n : 0;
  }

  /** sklearn's smoothed idf: ln((1 + N) / (1 + df)) + 1 (unseen terms get the largest idf). */
  idf(term: string): number {
    return Math.log((1 + this.n) / (1 + (this.df.get(term) ?? 0))) + 1;
  }

  /** The unit-length TF-IDF vector of a text: (1 + ln tf) · idf. */
  tfidf(text: string): Sparse {
    const v: Sparse = new Map();
    for (const [t, c] of termCounts(text)) v.set(t, (1 + Math.log(c)) * this.idf(t));
    return unitSparse(v);
  }

  /** The TF-IDF vector of a collection document by id (cached). */
  docTfidf(id: string, text: string): Sparse {
    let v = this.tfidfCache.get(id);
    if (!v) {
      v = this.tfidf(text);
      this.tfidfCache.set(id, v);
    }
    return v;
  }
  private readonly tfidfCache = new Map<string, Sparse>();

  /** Okapi BM25 of collection document `id` for a (long) query text; each query occurrence counts. */
  bm25(queryCounts: Map<string, number>, id: string, k1 = 1.2, b = 0.75): number {
    const d = this.docs.get(id);
    if (!d) throw new Error(`BM25: document ${id} is not in the collection`);
    let s = 0;
    for (const [t, qc] of queryCounts) {
      const tf = d.counts.get(t);
      if (!tf) continue;
      const df = this.df.get(t) ?? 0;
      const idf = Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
      s += qc * idf * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.len) / this.avgLen)));
    }
    return s;
  }
}
