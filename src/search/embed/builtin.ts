/**
 * The built-in embedder: latent semantic analysis trained on this instance's own papers, so search
 * by meaning, similar papers and "For you" work offline with no model download.
 *
 * Training: TF-IDF (sublinear tf, smoothed idf, vocabulary of stemmed words and bigrams chosen by
 * document frequency) over the corpus, then a truncated SVD by randomized subspace iteration on
 * AᵀA (Halko, Martinsson & Tropp 2011) with a seeded Gaussian start, so the same corpus and options
 * always give the same model. AᵀA is applied by streaming over the sparse rows of A, so memory is
 * O(vocabulary × dim) besides the sparse matrix, never O(papers × dim).
 * Embedding (fold-in): a text's TF-IDF vector times the top right singular vectors, normalised.
 */
import { createHash } from 'node:crypto';
import { EmbedderError, normalize, type EmbedPurpose, type Embedder } from './embedder.ts';
import { surfaceForms, textTerms } from './text.ts';

/** Training options (helper V tunes them on CSFCube; the defaults are the chosen ones). */
export interface BuiltinOptions {
  /** Vector length (the number of singular vectors kept). */
  dim?: number;
  /** Vocabulary size: the most frequent terms (by document frequency) within the df bounds. */
  vocabSize?: number;
  /** Share of the vocabulary reserved for bigrams (0 = words only). */
  bigramShare?: number;
  /** A term must occur in at least this many training documents. */
  minDf?: number;
  /** A term in more than this fraction of documents is dropped (too common to tell topics apart). */
  maxDfRatio?: number;
  /** Seed of the random start: the model is a deterministic function of (corpus, options). */
  seed?: number;
  /** Extra random directions beyond `dim` (accuracy of the randomized SVD). */
  oversample?: number;
  /** Power (subspace) iterations (accuracy of the randomized SVD; each costs one pass over the corpus). */
  powerIters?: number;
  /** Train on at most this many documents, evenly spaced (0 = all); the rest are folded in like new papers. */
  maxDocs?: number;
  /** Coordinate i is scaled by sigma_i^sigmaPower after projection (0 = plain fold-in ≈ UΣ, -1 = whitened U). */
  sigmaPower?: number;
}

/** The defaults, chosen on CSFCube and the 118k corpus (see README and eval/README.md). */
export const BUILTIN_DEFAULTS: Required<BuiltinOptions> = Object.freeze({
  dim: 256,
  vocabSize: 40000,
  bigramShare: 0.25,
  minDf: 3,
  maxDfRatio: 0.5,
  seed: 1,
  oversample: 16,
  powerIters: 1,
  maxDocs: 0,
  sigmaPower: 0,
});

const MAGIC = 0x534c4250; // "PBLS" little-endian
const FORMAT_VERSION = 1;

/** A trained built-in model: vocabulary, idf weights and the projection onto `dim` latent topics. */
export class BuiltinModel implements Embedder {
  readonly kind = 'builtin' as const;
  readonly name: string;
  readonly dim: number;
  readonly options: Required<BuiltinOptions>;
  /** How many documents the model was trained on. */
  readonly corpusSize: number;
  private readonly vocab: string[];
  private readonly index: Map<string, number>;
  private readonly idf: Float32Array;
  private readonly sigma: Float32Array;
  /** Vocabulary × dim, row-major: row j is term j's coordinates in topic space. */
  private readonly comps: Float32Array;
  private readonly scale: Float32Array;

  private constructor(o: Required<BuiltinOptions>, corpusSize: number, vocab: string[], idf: Float32Array, sigma: Float32Array, comps: Float32Array) {
    this.options = o;
    this.corpusSize = corpusSize;
    this.vocab = vocab;
    this.index = new Map(vocab.map((t, i) => [t, i]));
    this.idf = idf;
    this.sigma = sigma;
    this.comps = comps;
    this.dim = sigma.length;
    this.scale = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) this.scale[i] = o.sigmaPower === 0 || sigma[i]! <= 0 ? 1 : Math.pow(sigma[i]!, o.sigmaPower);
    const h = createHash('sha256');
    for (const part of this.parts()) h.update(part);
    this.name = `builtin-lsa-${h.digest('hex').slice(0, 8)}`;
  }

  /** Builds a model from trained parts (used by trainBuiltin and deserialize). */
  static fromParts(o: Required<BuiltinOptions>, corpusSize: number, vocab: string[], idf: Float32Array, sigma: Float32Array, comps: Float32Array): BuiltinModel {
    return new BuiltinModel(o, corpusSize, vocab, idf, sigma, comps);
  }

  /** The number of vocabulary terms. */
  get vocabularySize(): number {
    return this.vocab.length;
  }

  /** One unit-length vector per text (a text with no known term gives the zero vector). */
  embedSync(texts: string[]): Float32Array[] {
    const d = this.dim;
    return texts.map((text) => {
      const out = new Float32Array(d);
      for (const [j, w] of this.weights(text)) {
        const base = j * d;
        for (let c = 0; c < d; c++) out[c]! += w * this.comps[base + c]!;
      }
      for (let c = 0; c < d; c++) out[c]! *= this.scale[c]!;
      return normalize(out);
    });
  }

  /** Embedder interface: the built-in model embeds queries and documents the same way. */
  async embed(texts: string[], _purpose: EmbedPurpose): Promise<Float32Array[]> {
    return this.embedSync(texts);
  }

  /** The n heaviest vocabulary terms of a text by TF-IDF, as written in the text (for "why" explanations). */
  terms(text: string, n: number): string[] {
    const w = [...this.weights(text)].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const surface = surfaceForms(text, this.options.bigramShare > 0);
    const out: string[] = [];
    for (const [j] of w) {
      if (out.length >= n) break;
      const term = this.vocab[j]!;
      out.push(surface.get(term) ?? term);
    }
    return out;
  }

  /** The model as bytes (stored in embedding_models.params); `deserialize` reads it back. */
  serialize(): Uint8Array {
    const parts = this.parts();
    const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }

  /** A model back from `serialize()`'s bytes; throws EmbedderError when they are not a valid model. */
  static deserialize(bytes: Uint8Array): BuiltinModel {
    try {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.byteLength < 12 || view.getUint32(0, true) !== MAGIC) throw new Error('not a built-in model');
      const version = view.getUint32(4, true);
      if (version !== FORMAT_VERSION) throw new Error(`unknown format version ${version}`);
      const hlen = view.getUint32(8, true);
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as Header;
      const V = header.vocab.length;
      const k = header.dim;
      let at = pad4(12 + hlen);
      const floats = (n: number): Float32Array => {
        if (at + n * 4 > bytes.byteLength) throw new Error('truncated');
        const copy = bytes.slice(at, at + n * 4); // aligned copy
        at += n * 4;
        return littleEndianFloats(copy);
      };
      const idf = floats(V);
      const sigma = floats(k);
      const comps = floats(V * k);
      return new BuiltinModel({ ...BUILTIN_DEFAULTS, ...header.options }, header.corpusSize, header.vocab, idf, sigma, comps);
    } catch (e) {
      throw new EmbedderError(`stored built-in model cannot be read: ${(e as Error).message}`);
    }
  }

  /** The serialized form in pieces (also hashed for the name). */
  private parts(): Uint8Array[] {
    const header: Header = { options: this.options, dim: this.dim, corpusSize: this.corpusSize, vocab: this.vocab };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const head = new Uint8Array(pad4(12 + json.byteLength));
    const view = new DataView(head.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT_VERSION, true);
    view.setUint32(8, json.byteLength, true);
    head.set(json, 12);
    const bytesOf = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    return [head, bytesOf(this.idf), bytesOf(this.sigma), bytesOf(this.comps)];
  }

  /** A text's TF-IDF weights over the vocabulary: term index → (1 + ln tf) · idf. */
  private weights(text: string): Map<number, number> {
    const tf = new Map<number, number>();
    for (const t of textTerms(text, this.options.bigramShare > 0)) {
      const j = this.index.get(t);
      if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
    }
    for (const [j, n] of tf) tf.set(j, (1 + Math.log(n)) * this.idf[j]!);
    return tf;
  }
}

interface Header {
  options: Required<BuiltinOptions>;
  dim: number;
  corpusSize: number;
  vocab: string[];
}

const pad4 = (n: number): number => (n + 3) & ~3;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianFloats(copy: Uint8Array): Float32Array {
  // Every platform Node runs on in practice is little-endian; refuse rather than misread.
  if (!LITTLE_ENDIAN) throw new Error('built-in models need a little-endian machine');
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

/** Trains a built-in model on documents (paperText of each paper); deterministic for given docs and options. */
export function trainBuiltin(docs: string[], opts: BuiltinOptions = {}): BuiltinModel {
  const o: Required<BuiltinOptions> = { ...BUILTIN_DEFAULTS, ...opts };
  validate(o);
  const sample = o.maxDocs > 0 && docs.length > o.maxDocs ? evenlySpaced(docs, o.maxDocs) : docs;
  const N = sample.length;
  if (N === 0) throw new EmbedderError('cannot train the built-in model on an empty corpus');
  const bigrams = o.bigramShare > 0;

  const vocab = chooseVocabulary(sample, o, bigrams);
  if (vocab.length === 0) throw new EmbedderError('cannot train the built-in model: no term occurs often enough (too few papers?)');
  const index = new Map(vocab.map((t, i) => [t, i]));
  const { rowPtr, cols, vals, df } = sparseCounts(sample, index, bigrams);
  const V = vocab.length;
  const idf = new Float32Array(V);
  for (let j = 0; j < V; j++) idf[j] = Math.log((1 + N) / (1 + df[j]!)) + 1;
  // TF-IDF rows, unit length.
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      const w = (1 + Math.log(vals[p]!)) * idf[cols[p]!]!;
      vals[p] = w;
      s += w * w;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) vals[p]! *= inv;
  }

  const { comps, sigma } = randomizedSvd({ rowPtr, cols, vals, N, V }, o);
  return BuiltinModel.fromParts(o, N, vocab, idf, sigma, comps);
}

function validate(o: Required<BuiltinOptions>): void {
  const bad = (what: string) => {
    throw new EmbedderError(`built-in model option ${what}`);
  };
  if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 4096) bad(`dim must be an integer 1..4096, got ${o.dim}`);
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 1) bad(`vocabSize must be a positive integer, got ${o.vocabSize}`);
  if (!(o.bigramShare >= 0 && o.bigramShare < 1)) bad(`bigramShare must be in [0, 1), got ${o.bigramShare}`);
  if (!Number.isInteger(o.minDf) || o.minDf < 1) bad(`minDf must be a positive integer, got ${o.minDf}`);
  if (!(o.maxDfRatio > 0 && o.maxDfRatio <= 1)) bad(`maxDfRatio must be in (0, 1], got ${o.maxDfRatio}`);
  if (!Number.isInteger(o.oversample) || o.oversample < 0) bad(`oversample must be a non-negative integer`);
  if (!Number.isInteger(o.powerIters) || o.powerIters < 0 || o.powerIters > 10) bad(`powerIters must be an integer 0..10`);
  if (!Number.isInteger(o.maxDocs) || o.maxDocs < 0) bad(`maxDocs must be a non-negative integer`);
  if (!Number.isFinite(o.sigmaPower)) bad(`sigmaPower must be a number`);
}

function evenlySpaced<T>(xs: T[], n: number): T[] {
  const out: T[] = [];
  const step = xs.length / n;
  for (let i = 0; i < n; i++) out.push(xs[Math.floor(i * step)]!);
  return out;
}

/** Document frequency is counted in a map that would grow to millions of bigrams: past this size, rare entries are dropped. */
const DF_MAP_LIMIT = 1_500_000;

/**
 * The vocabulary: words and bigrams with minDf ≤ df ≤ maxDfRatio·N, the most frequent first,
 * bigrams limited to their share. Bigram counts are "lossy" (Manku & Motwani): when the map
 * exceeds DF_MAP_LIMIT, entries at or below a rising threshold are dropped, which can only
 * undercount rare bigrams — never the frequent ones that make the vocabulary.
 */
function chooseVocabulary(docs: string[], o: Required<BuiltinOptions>, bigrams: boolean): string[] {
  const df = new Map<string, number>();
  let pruneBelow = 1;
  for (const doc of docs) {
    for (const t of new Set(textTerms(doc, bigrams))) df.set(t, (df.get(t) ?? 0) + 1);
    if (df.size > DF_MAP_LIMIT) {
      for (const [t, n] of df) if (n <= pruneBelow && t.includes(' ')) df.delete(t);
      pruneBelow++;
    }
  }
  const maxDf = Math.max(o.minDf, Math.floor(o.maxDfRatio * docs.length));
  const words: [string, number][] = [];
  const pairs: [string, number][] = [];
  for (const [t, n] of df) {
    if (n < o.minDf || n > maxDf) continue;
    (t.includes(' ') ? pairs : words).push([t, n]);
  }
  const byDf = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  words.sort(byDf);
  pairs.sort(byDf);
  const nPairs = Math.min(pairs.length, Math.floor(o.vocabSize * o.bigramShare));
  const nWords = Math.min(words.length, o.vocabSize - nPairs);
  return [...words.slice(0, nWords), ...pairs.slice(0, nPairs)].map(([t]) => t).sort();
}

interface Csr {
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  N: number;
  V: number;
}

/** Raw term counts as a sparse row-per-document matrix, plus the exact document frequency of each term. */
function sparseCounts(docs: string[], index: Map<string, number>, bigrams: boolean): { rowPtr: Int32Array; cols: Int32Array; vals: Float64Array; df: Int32Array } {
  const rowPtr = new Int32Array(docs.length + 1);
  let cols = new Int32Array(1 << 20);
  let vals = new Float64Array(1 << 20);
  const df = new Int32Array(index.size);
  let nnz = 0;
  const tf = new Map<number, number>();
  for (let i = 0; i < docs.length; i++) {
    tf.clear();
    for (const t of textTerms(docs[i]!, bigrams)) {
      const j = index.get(t);
      if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
    }
    if (nnz + tf.size > cols.length) {
      const cap = Math.max(cols.length * 2, nnz + tf.size);
      const c2 = new Int32Array(cap);
      c2.set(cols);
      cols = c2;
      const v2 = new Float64Array(cap);
      v2.set(vals);
      vals = v2;
    }
    for (const j of [...tf.keys()].sort((a, b) => a - b)) {
      cols[nnz] = j;
      vals[nnz] = tf.get(j)!;
      df[j]!++;
      nnz++;
    }
    rowPtr[i + 1] = nnz;
  }
  return { rowPtr, cols: cols.slice(0, nnz), vals: vals.slice(0, nnz), df };
}

/** Y = AᵀA·Q for Q of V×l (row-major), streaming over the rows of A: z = aᵢQ, then Y += aᵢᵀz. */
function applyGram(a: Csr, Q: Float64Array, l: number): Float64Array {
  const Y = new Float64Array(a.V * l);
  const z = new Float64Array(l);
  const { rowPtr, cols, vals } = a;
  for (let i = 0; i < a.N; i++) {
    z.fill(0);
    const start = rowPtr[i]!;
    const end = rowPtr[i + 1]!;
    for (let p = start; p < end; p++) {
      const w = vals[p]!;
      const base = cols[p]! * l;
      for (let c = 0; c < l; c++) z[c]! += w * Q[base + c]!;
    }
    for (let p = start; p < end; p++) {
      const w = vals[p]!;
      const base = cols[p]! * l;
      for (let c = 0; c < l; c++) Y[base + c]! += w * z[c]!;
    }
  }
  return Y;
}

/** XᵀY for V×l row-major X and Y whose product is symmetric (only the upper triangle is summed). */
function symmetricProduct(X: Float64Array, Y: Float64Array, V: number, l: number): Float64Array {
  const G = new Float64Array(l * l);
  for (let r = 0; r < V; r++) {
    const base = r * l;
    for (let a = 0; a < l; a++) {
      const xa = X[base + a]!;
      if (xa === 0) continue;
      const ga = a * l;
      for (let b = a; b < l; b++) G[ga + b]! += xa * Y[base + b]!;
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) G[a * l + b] = G[b * l + a]!;
  return G;
}

/** Scales each column of Y (V×l row-major) to unit length (a zero column stays zero). */
function scaleColumns(Y: Float64Array, V: number, l: number): void {
  const norm = new Float64Array(l);
  for (let r = 0; r < V; r++) for (let c = 0; c < l; c++) norm[c]! += Y[r * l + c]! * Y[r * l + c]!;
  for (let c = 0; c < l; c++) norm[c] = norm[c]! > 0 ? 1 / Math.sqrt(norm[c]!) : 0;
  for (let r = 0; r < V; r++) for (let c = 0; c < l; c++) Y[r * l + c]! *= norm[c]!;
}

/** An orthonormal basis of Y's columns (V×l' row-major, l' ≤ l: dependent directions dropped), as Y·WΛ^(-1/2). */
function orthonormalBasis(Y: Float64Array, V: number, l: number): Float64Array {
  const g = symmetricEigen(symmetricProduct(Y, Y, V, l), l);
  const Q = new Float64Array(V * l);
  const T = new Float64Array(l * l);
  for (let c = 0; c < l; c++) {
    // Dropped directions become zero columns: harmless, and l stays fixed for the next pass.
    if (!(g.values[c]! > 0 && g.values[c]! > g.values[0]! * 1e-12)) continue;
    const inv = 1 / Math.sqrt(g.values[c]!);
    for (let r = 0; r < l; r++) T[r * l + c] = g.vectors[r * l + c]! * inv;
  }
  for (let r = 0; r < V; r++) {
    const base = r * l;
    for (let x = 0; x < l; x++) {
      const y = Y[base + x]!;
      if (y === 0) continue;
      for (let c = 0; c < l; c++) Q[base + c]! += y * T[x * l + c]!;
    }
  }
  return Q;
}

/** (m×n)·(n×p), row-major, small matrices. */
function matmul(A: Float64Array, B: Float64Array, m: number, n: number, p: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < n; k++) {
      const aik = A[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < p; j++) out[i * p + j]! += aik * B[k * p + j]!;
    }
  return out;
}

/**
 * The top `dim` right singular vectors (V×dim, float32) and singular values of A, by randomized
 * subspace iteration on M = AᵀA (Halko, Martinsson & Tropp 2011, algorithms 4.3 and 5.1).
 *
 * The basis Y (V×l) is never orthonormalised explicitly: with G = YᵀY = WΛWᵀ, Q = Y·T where
 * T = WΛ^(-1/2) (directions with λ ≈ 0 dropped: tiny corpora are rank-deficient), so the
 * Rayleigh–Ritz matrix QᵀMQ = Tᵀ(YᵀMY)T and the singular vectors Q·U = Y·(T·U) need only l×l
 * work besides two V×l² products. Power iterations only rescale columns: in float64, for the few
 * iterations used, every direction above ~1e-5·σ₁ survives (Halko et al. §4.5), far below the
 * spectrum kept.
 */
function randomizedSvd(a: Csr, o: Required<BuiltinOptions>): { comps: Float32Array; sigma: Float32Array } {
  const l = Math.min(o.dim + o.oversample, a.V, a.N);
  const rand = gaussian(o.seed);
  const omega = new Float64Array(a.V * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rand();
  let Y = applyGram(a, omega, l);
  for (let it = 0; it < o.powerIters; it++) {
    // One iteration only needs its columns rescaled; more would let them collapse onto the top
    // singular vectors, so from the second on the basis is orthonormalised first.
    if (it === 0) scaleColumns(Y, a.V, l);
    else Y = orthonormalBasis(Y, a.V, l);
    Y = applyGram(a, Y, l);
  }
  scaleColumns(Y, a.V, l);
  const Z = applyGram(a, Y, l);
  const G = symmetricProduct(Y, Y, a.V, l);
  const H = symmetricProduct(Y, Z, a.V, l);

  const g = symmetricEigen(G, l);
  const keep: number[] = [];
  for (let c = 0; c < l; c++) if (g.values[c]! > 0 && g.values[c]! > g.values[0]! * 1e-12) keep.push(c);
  const l2 = keep.length;
  const T = new Float64Array(l * l2);
  keep.forEach((src, c) => {
    const inv = 1 / Math.sqrt(g.values[src]!);
    for (let r = 0; r < l; r++) T[r * l2 + c] = g.vectors[r * l + src]! * inv;
  });
  const Tt = new Float64Array(l2 * l);
  for (let r = 0; r < l; r++) for (let c = 0; c < l2; c++) Tt[c * l + r] = T[r * l2 + c]!;
  const C = matmul(Tt, matmul(H, T, l, l, l2), l2, l, l2);
  for (let x = 0; x < l2; x++) for (let y = 0; y < x; y++) C[x * l2 + y] = C[y * l2 + x] = (C[x * l2 + y]! + C[y * l2 + x]!) / 2;
  const { values, vectors } = symmetricEigen(C, l2);

  let k = 0;
  while (k < Math.min(o.dim, l2) && values[k]! > values[0]! * 1e-10) k++;
  // P = T·U_k (l×k); the singular vectors are Y·P.
  const Uk = new Float64Array(l2 * k);
  for (let r = 0; r < l2; r++) for (let c = 0; c < k; c++) Uk[r * k + c] = vectors[r * l2 + c]!;
  const P = matmul(T, Uk, l, l2, k);
  const comps = new Float32Array(a.V * k);
  const row = new Float64Array(k);
  for (let r = 0; r < a.V; r++) {
    row.fill(0);
    const base = r * l;
    for (let x = 0; x < l; x++) {
      const y = Y[base + x]!;
      if (y === 0) continue;
      const pb = x * k;
      for (let c = 0; c < k; c++) row[c]! += y * P[pb + c]!;
    }
    comps.set(row, r * k);
  }
  // Fix each vector's sign (largest-magnitude term positive) so the model does not depend on
  // arbitrary eigenvector signs.
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let r = 0; r < a.V; r++) if (Math.abs(comps[r * k + c]!) > Math.abs(best)) best = comps[r * k + c]!;
    if (best < 0) for (let r = 0; r < a.V; r++) comps[r * k + c] = -comps[r * k + c]!;
  }
  const sigma = new Float32Array(k);
  for (let c = 0; c < k; c++) sigma[c] = Math.sqrt(Math.max(0, values[c]!));
  return { comps, sigma };
}

/**
 * Eigenvalues (descending) and eigenvectors (column c of the row-major n×n `vectors`) of a
 * symmetric matrix, by cyclic Jacobi rotations: simple, accurate, and fast enough for n ≈ 300.
 */
export function symmetricEigen(S: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(S);
  const Vm = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Vm[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += A[i]! * A[i]!;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! * A[p * n + q]!;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * n + p]!;
        const aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = Vm[k * n + p]!;
          const vkq = Vm[k * n + q]!;
          Vm[k * n + p] = c * vkp - s * vkq;
          Vm[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => A[y * n + y]! - A[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = Vm[k * n + src]!;
  });
  return { values, vectors };
}

/** A seeded standard-normal generator (mulberry32 + Box–Muller): the random start of the SVD. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
