/**
 * The systems compared on the two benchmarks, as scorers: sparse baselines (TF-IDF, BM25), a dense
 * model's cosine (the built-in LSA model or anything with `embedSync`), the fused sparse+dense
 * paper-to-paper score, and for reviewers max-cosine and helper Y's `trainUserModel`.
 */
import { dot } from '../src/search/embed/embedder.ts';
import { trainUserModel, type UserModelOptions } from '../src/foryou/model.ts';
import { SparseCollection, sparseDot, termCounts } from './baselines.ts';
import { type CsfData, type CsfScorer, type Facet, csfDocText, csfFacetText } from './csfcube.ts';
import { mulberry32 } from '../test/helpers/prng.ts';
import { type RevData, type RevScorer } from './reviewers.ts';

/** Anything that embeds texts synchronously into unit vectors. */
export interface DenseModel {
  embedSync(texts: string[]): Float32Array[];
}

/** How a CSFCube query is represented: the whole title + abstract, or the facet's sentences. */
export type QueryMode = 'abstract' | 'facet';

/** The query text: facet sentences fall back to title + abstract when the paper has none for that facet. */
function csfQueryText(data: CsfData, qid: string, facet: Facet, mode: QueryMode): string {
  const p = data.papers.get(qid);
  if (!p) throw new Error(`CSFCube query paper ${qid} has no text`);
  return mode === 'facet' ? csfFacetText(p, facet) || csfDocText(p) : csfDocText(p);
}

/** TF-IDF and BM25 over the CSFCube collection (idf from its 4,205 papers). */
export function csfSparseScorers(data: CsfData): Record<`${'tfidf' | 'bm25'}-${QueryMode}`, CsfScorer> {
  const docs = new Map([...data.papers].map(([id, p]) => [id, csfDocText(p)]));
  const col = new SparseCollection(docs);
  const text = (id: string) => {
    const t = docs.get(id);
    if (t === undefined) throw new Error(`CSFCube candidate ${id} has no text`);
    return t;
  };
  const tfidf =
    (mode: QueryMode): CsfScorer =>
    (f, qid, cands) => {
      const q = col.tfidf(csfQueryText(data, qid, f, mode));
      return cands.map((c) => sparseDot(q, col.docTfidf(c, text(c))));
    };
  const bm25 =
    (mode: QueryMode): CsfScorer =>
    (f, qid, cands) => {
      const q = termCounts(csfQueryText(data, qid, f, mode));
      return cands.map((c) => col.bm25(q, c));
    };
  return { 'tfidf-abstract': tfidf('abstract'), 'tfidf-facet': tfidf('facet'), 'bm25-abstract': bm25('abstract'), 'bm25-facet': bm25('facet') };
}

/** Every CSFCube paper and query text embedded once: the dense scorers read from here. */
export class CsfVectors {
  private readonly doc = new Map<string, Float32Array>();
  private readonly facet = new Map<string, Float32Array>();

  constructor(
    private readonly data: CsfData,
    model: DenseModel,
  ) {
    const ids = [...data.papers.keys()];
    const vs = model.embedSync(ids.map((id) => csfDocText(data.papers.get(id)!)));
    ids.forEach((id, i) => this.doc.set(id, vs[i]!));
    const keys: string[] = [];
    const texts: string[] = [];
    for (const f of ['background', 'method', 'result'] as const) {
      for (const qid of data.queries[f].keys()) {
        keys.push(`${qid}_${f}`);
        texts.push(csfQueryText(data, qid, f, 'facet'));
      }
    }
    const fv = model.embedSync(texts);
    keys.forEach((k, i) => this.facet.set(k, fv[i]!));
  }

  /** A paper's title + abstract vector. */
  docVec(id: string): Float32Array {
    const v = this.doc.get(id);
    if (!v) throw new Error(`CSFCube paper ${id} has no vector`);
    return v;
  }

  /** The query vector for a facet and mode. */
  queryVec(qid: string, f: Facet, mode: QueryMode): Float32Array {
    return mode === 'facet' ? this.facet.get(`${qid}_${f}`)! : this.docVec(qid);
  }

  /** Plain cosine ranking. */
  cosine(mode: QueryMode): CsfScorer {
    return (f, qid, cands) => {
      const q = this.queryVec(qid, f, mode);
      return cands.map((c) => dot(q, this.docVec(c)));
    };
  }

  /** Facet sentences blended with the whole abstract: beta·cos(facet) + (1 − beta)·cos(abstract). */
  facetBlend(beta: number): CsfScorer {
    return (f, qid, cands) => {
      const qf = this.queryVec(qid, f, 'facet');
      const qa = this.docVec(qid);
      return cands.map((c) => {
        const v = this.docVec(c);
        return beta * dot(qf, v) + (1 - beta) * dot(qa, v);
      });
    };
  }

  /** The CSFCube data the vectors belong to. */
  get csf(): CsfData {
    return this.data;
  }
}

/** Sums two scorers' outputs with weights (used for sparse + dense fusion experiments). */
export function weightedSum(parts: { scorer: CsfScorer; weight: number }[]): CsfScorer {
  return (f, qid, cands) => {
    const out = new Array<number>(cands.length).fill(0);
    for (const { scorer, weight } of parts) {
      const s = scorer(f, qid, cands);
      for (let i = 0; i < s.length; i++) out[i]! += weight * s[i]!;
    }
    return out;
  };
}

/** The text of a reviewer-benchmark paper (title + abstract). */
function revText(data: RevData, id: string): string {
  const p = data.papers.get(id);
  return p ? `${p.title}\n\n${p.abstract}` : '';
}

/** TF-IDF baselines: the merged profile as one document (TPMS tradition) and the max over profile papers; BM25 of the merged profile. */
export function revSparseScorers(data: RevData): Record<'tfidf-merged' | 'tfidf-max' | 'bm25-merged', RevScorer> {
  const docs = new Map([...data.papers.keys()].map((id) => [id, revText(data, id)]));
  const col = new SparseCollection(docs);
  const vec = (id: string) => col.docTfidf(id, docs.get(id) ?? '');
  return {
    'tfidf-merged': (profile, judged) => {
      const q = col.tfidf(profile.map((id) => docs.get(id) ?? '').join('\n\n'));
      return judged.map((j) => sparseDot(q, vec(j)));
    },
    'tfidf-max': (profile, judged) => judged.map((j) => Math.max(0, ...profile.map((p) => sparseDot(vec(p), vec(j))))),
    'bm25-merged': (profile, judged) => {
      const q = termCounts(profile.map((id) => docs.get(id) ?? '').join('\n\n'));
      return judged.map((j) => col.bm25(q, j));
    },
  };
}

/** Every reviewer-benchmark paper embedded once. */
export function revVectors(data: RevData, model: DenseModel): Map<string, Float32Array> {
  const ids = [...data.papers.keys()];
  const vs = model.embedSync(ids.map((id) => revText(data, id)));
  return new Map(ids.map((id, i) => [id, vs[i]!]));
}

/** Max cosine between a judged paper and the profile papers (the SPECTER recipe). */
export function revMaxCosine(vecs: Map<string, Float32Array>): RevScorer {
  return (profile, judged) => {
    const pv = profile.map((p) => vecs.get(p)).filter((v): v is Float32Array => v !== undefined);
    return judged.map((j) => {
      const v = vecs.get(j);
      if (!v || pv.length === 0) return 0;
      let best = -Infinity;
      for (const u of pv) best = Math.max(best, dot(u, v));
      return best;
    });
  };
}

/**
 * Y's `trainUserModel`: profile papers are the likes; `implicit` random papers of the benchmark
 * (not in this reviewer's profile or judged set, seeded by reviewer) are the implicit negatives.
 */
export function revUserModel(data: RevData, vecs: Map<string, Float32Array>, o: UserModelOptions & { implicitCount?: number }): RevScorer {
  const pool = [...vecs.keys()];
  return (profile, judged, reviewer) => {
    const pv = profile.map((p) => vecs.get(p)).filter((v): v is Float32Array => v !== undefined);
    const skip = new Set([...profile, ...judged]);
    const rnd = mulberry32(hashString(reviewer));
    const implicit: Float32Array[] = [];
    const want = o.implicitCount ?? 200;
    for (let tries = 0; implicit.length < want && tries < want * 10; tries++) {
      const id = pool[Math.floor(rnd() * pool.length)]!;
      if (!skip.has(id)) implicit.push(vecs.get(id)!);
    }
    const m = trainUserModel(pv, [], { ...o, implicit });
    return judged.map((j) => {
      const v = vecs.get(j);
      return v ? m.score(v) : 0;
    });
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
