/**
 * The one interface every embedder implements (built-in, local transformer, HTTP), so search,
 * similar papers and "For you" never know which one is configured.
 */

/** What a text is embedded for: some models (e5, nomic) prefix queries and documents differently. */
export type EmbedPurpose = 'query' | 'document';

/** Turns texts into unit-length vectors of a fixed dimension. */
export interface Embedder {
  /** Stable name stored with every vector, e.g. `builtin-lsa-1a2b3c4d`, `onnx:Xenova/all-MiniLM-L6-v2`, `http:nomic-embed-text`. */
  readonly name: string;
  readonly kind: 'builtin' | 'transformer' | 'http';
  /** Vector length (known once the embedder is created: remote ones are probed at creation). */
  readonly dim: number;
  /** One unit-length vector per text, in order. Throws EmbedderError when the model fails or is unreachable. */
  embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]>;
}

/** The embedder failed (unreachable, bad answer, model missing): callers fall back to keyword search. */
export class EmbedderError extends Error {}

/** The text a paper is embedded from: title and abstract, as CSFCube and SPECTER do. */
export function paperText(p: { title: string; abstract: string }): string {
  return `${p.title}\n\n${p.abstract}`;
}

/** Scales `v` to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

/** Dot product (the cosine of two unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** A vector as stored in the database: little-endian float32. */
export function vectorToBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return out;
}

/** A stored vector back; throws when the length does not match `dim`. */
export function bytesToVector(b: Uint8Array, dim: number): Float32Array {
  if (b.byteLength !== dim * 4) throw new Error(`stored vector has ${b.byteLength} bytes, expected ${dim * 4}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = view.getFloat32(i * 4, true);
  return v;
}
