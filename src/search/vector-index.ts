/**
 * The in-process vector index: exact inner-product search over unit vectors kept in one growing
 * Float32Array. Exact is the default (architecture.md: ~5–20 ms at 100k); an approximate index may
 * be added only once its recall@20 against this one is measured at ≥ 0.98 on real embeddings.
 */

/** One neighbour: the paper and its cosine similarity. */
export interface Neighbour {
  id: string;
  score: number;
}

/** Exact top-k search over unit vectors, keyed by paper id. */
export class VectorIndex {
  readonly dim: number;
  private data: Float32Array;
  private ids: string[] = [];
  private slot = new Map<string, number>();
  /** Slots of removed papers, reused by the next insert. */
  private free: number[] = [];

  constructor(dim: number, capacity = 1024) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`bad vector dimension ${dim}`);
    this.dim = dim;
    this.data = new Float32Array(dim * Math.max(1, capacity));
  }

  /** Papers held. */
  get size(): number {
    return this.slot.size;
  }

  /** Bytes held by the vectors (the ids and map come on top, about 100 bytes a paper). */
  get memoryBytes(): number {
    return this.data.byteLength;
  }

  /** Adds or replaces a paper's vector (expected unit length; copied). */
  upsert(id: string, v: Float32Array): void {
    if (v.length !== this.dim) throw new Error(`vector of length ${v.length} in an index of dimension ${this.dim}`);
    let s = this.slot.get(id);
    if (s === undefined) {
      s = this.free.pop() ?? this.ids.length;
      if ((s + 1) * this.dim > this.data.length) {
        const grown = new Float32Array(Math.max(this.data.length * 2, (s + 1) * this.dim));
        grown.set(this.data);
        this.data = grown;
      }
      this.ids[s] = id;
      this.slot.set(id, s);
    }
    this.data.set(v, s * this.dim);
  }

  /** Drops a paper; unknown ids are ignored. */
  remove(id: string): void {
    const s = this.slot.get(id);
    if (s === undefined) return;
    this.slot.delete(id);
    this.ids[s] = '';
    this.data.fill(0, s * this.dim, (s + 1) * this.dim);
    this.free.push(s);
  }

  /** The stored vector of a paper (a view: do not modify), or undefined. */
  get(id: string): Float32Array | undefined {
    const s = this.slot.get(id);
    return s === undefined ? undefined : this.data.subarray(s * this.dim, (s + 1) * this.dim);
  }

  has(id: string): boolean {
    return this.slot.has(id);
  }

  /**
   * The k papers with the highest inner product with `q`, best first (ties by insertion order).
   * `accept` filters papers (e.g. excludes the query paper or muted authors) before they count towards k.
   */
  search(q: Float32Array, k: number, accept?: (id: string) => boolean): Neighbour[] {
    if (q.length !== this.dim) throw new Error(`query of length ${q.length} in an index of dimension ${this.dim}`);
    if (k <= 0) return [];
    // A bounded min-heap of (score, slot): O(n·dim + n·log k).
    const heapScore = new Float64Array(k);
    const heapSlot = new Int32Array(k);
    let n = 0;
    const d = this.dim;
    const data = this.data;
    const slots = this.ids.length;
    for (let s = 0; s < slots; s++) {
      const id = this.ids[s]!;
      if (id === '') continue;
      let score = 0;
      const base = s * d;
      for (let i = 0; i < d; i++) score += data[base + i]! * q[i]!;
      if (n === k && score <= heapScore[0]!) continue;
      if (accept && !accept(id)) continue;
      if (n < k) {
        // sift up
        let i = n++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (heapScore[p]! <= score) break;
          heapScore[i] = heapScore[p]!;
          heapSlot[i] = heapSlot[p]!;
          i = p;
        }
        heapScore[i] = score;
        heapSlot[i] = s;
      } else {
        // replace the root and sift down
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= n) break;
          const r = l + 1;
          const c = r < n && heapScore[r]! < heapScore[l]! ? r : l;
          if (heapScore[c]! >= score) break;
          heapScore[i] = heapScore[c]!;
          heapSlot[i] = heapSlot[c]!;
          i = c;
        }
        heapScore[i] = score;
        heapSlot[i] = s;
      }
    }
    const out: Neighbour[] = [];
    for (let i = 0; i < n; i++) out.push({ id: this.ids[heapSlot[i]!]!, score: heapScore[i]! });
    // Best first; equal scores keep slot (insertion) order so results are deterministic.
    const order = new Map(out.map((x) => [x.id, this.slot.get(x.id)!]));
    out.sort((a, b) => b.score - a.score || order.get(a.id)! - order.get(b.id)!);
    return out;
  }
}
