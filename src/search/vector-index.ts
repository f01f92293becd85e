/**
 * The in-process vector index: exact inner-product search over unit vectors kept in one growing
 * block of WebAssembly memory and scanned with SIMD (src/search/scan.wat). Exact is the default
 * (architecture.md); an approximate index may be added only once its recall@20 against this one is
 * measured at ≥ 0.98 on real embeddings.
 */
import { createScanner, type Scanner } from './scan-wasm.ts';

/** One neighbour: the paper and its cosine similarity. */
export interface Neighbour {
  id: string;
  score: number;
}

const PAGE = 65536;
/** Rows are padded to a multiple of 8 floats: the scan reads two 4-lane registers at a time. */
const LANES = 8;

/** Exact top-k search over unit vectors, keyed by paper id. */
export class VectorIndex {
  readonly dim: number;
  /** Floats per stored row (dim padded with zeros to a multiple of LANES). */
  private readonly stride: number;
  private readonly scanner: Scanner;
  /** Byte offset of the rows; the query sits at offset 0, the scores after the rows. */
  private readonly dataOffset: number;
  private capacity = 0;
  private data!: Float32Array;
  private ids: string[] = [];
  private slot = new Map<string, number>();
  /** Slots of removed papers, reused by the next insert. */
  private free: number[] = [];

  constructor(dim: number, capacity = 1024) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`bad vector dimension ${dim}`);
    this.dim = dim;
    this.stride = Math.ceil(dim / LANES) * LANES;
    this.scanner = createScanner();
    this.dataOffset = Math.ceil((this.stride * 4) / PAGE) * PAGE;
    this.reserve(Math.max(1, capacity));
  }

  /** Papers held. */
  get size(): number {
    return this.slot.size;
  }

  /** Bytes held by the vectors (the ids and map come on top, about 100 bytes a paper). */
  get memoryBytes(): number {
    return this.capacity * this.stride * 4;
  }

  /** Makes room for `slots` rows (and their scores); growing the memory detaches old views, so they are remade. */
  private reserve(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = Math.max(slots, this.capacity * 2);
    const bytes = this.dataOffset + capacity * this.stride * 4 + capacity * 4;
    const have = this.scanner.memory.buffer.byteLength;
    if (bytes > have) this.scanner.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.capacity = capacity;
    this.data = new Float32Array(this.scanner.memory.buffer, this.dataOffset, capacity * this.stride);
  }

  /** Adds or replaces a paper's vector (expected unit length; copied). */
  upsert(id: string, v: Float32Array): void {
    if (v.length !== this.dim) throw new Error(`vector of length ${v.length} in an index of dimension ${this.dim}`);
    let s = this.slot.get(id);
    if (s === undefined) {
      s = this.free.pop() ?? this.ids.length;
      this.reserve(s + 1);
      this.ids[s] = id;
      this.slot.set(id, s);
    }
    this.data.set(v, s * this.stride);
  }

  /** Drops a paper; unknown ids are ignored. */
  remove(id: string): void {
    const s = this.slot.get(id);
    if (s === undefined) return;
    this.slot.delete(id);
    this.ids[s] = '';
    this.data.fill(0, s * this.stride, (s + 1) * this.stride);
    this.free.push(s);
  }

  /** A copy of a paper's stored vector, or undefined (a copy: the memory under the index moves when it grows). */
  get(id: string): Float32Array | undefined {
    const s = this.slot.get(id);
    return s === undefined ? undefined : this.data.slice(s * this.stride, s * this.stride + this.dim);
  }

  has(id: string): boolean {
    return this.slot.has(id);
  }

  /**
   * The k papers with the highest inner product with `q`, best first (ties by slot order).
   * `accept` filters papers (e.g. excludes the query paper or muted authors) before they count towards k.
   */
  search(q: Float32Array, k: number, accept?: (id: string) => boolean): Neighbour[] {
    if (q.length !== this.dim) throw new Error(`query of length ${q.length} in an index of dimension ${this.dim}`);
    const slots = this.ids.length;
    if (k <= 0 || slots === 0) return [];
    const buffer = this.scanner.memory.buffer;
    const query = new Float32Array(buffer, 0, this.stride);
    query.fill(0);
    query.set(q);
    const outOffset = this.dataOffset + this.capacity * this.stride * 4;
    this.scanner.scan(this.dataOffset, 0, slots, this.stride * 4, outOffset);
    const scores = new Float32Array(buffer, outOffset, slots);
    // A bounded min-heap of (score, slot): O(n·log k) over the scores.
    const heapScore = new Float64Array(k);
    const heapSlot = new Int32Array(k);
    let n = 0;
    for (let s = 0; s < slots; s++) {
      const score = scores[s]!;
      if (n === k && score <= heapScore[0]!) continue;
      const id = this.ids[s]!;
      if (id === '') continue;
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
    const out: Array<Neighbour & { slot: number }> = [];
    for (let i = 0; i < n; i++) out.push({ id: this.ids[heapSlot[i]!]!, score: heapScore[i]!, slot: heapSlot[i]! });
    // Best first; equal scores keep slot order so results are deterministic.
    out.sort((a, b) => b.score - a.score || a.slot - b.slot);
    return out.map(({ id, score }) => ({ id, score }));
  }
}
