/**
 * The in-process vector index: inner-product search over unit vectors kept in one growing block of
 * WebAssembly memory and scanned with SIMD (src/search/scan.wat).
 *
 * Two kinds (PAPERBOY_VECTOR_INDEX). `exact`, the default, scores every vector in float32. `int8`
 * also keeps each vector quantized to signed bytes (one scale per vector) in a second memory, scans
 * those (a quarter of the bytes to read, integer SIMD), and re-scores the best
 * rescoreDepth(k) of them exactly; the scores it returns are exact, only a neighbour that the 8-bit
 * pass ranked below that depth can be missed. Its recall@20 against `exact` is measured by
 * `npm run bench -- --only vector` on the real 118k embeddings and at 1M (README, Performance);
 * architecture.md allows an approximate index only at ≥ 0.98.
 */
import { dot } from './embed/embedder.ts';
import { createScanner, type Scanner } from './scan-wasm.ts';

/** Which scan answers searches (see the file comment). */
export type VectorIndexKind = 'exact' | 'int8';

/**
 * How many 8-bit candidates are re-scored exactly for a top-k query: 4k for page-sized k (at least
 * k + 100), and k + 1000 at most for the deep over-fetches of filtered searches, where the 8-bit
 * order only matters near the cut and re-scoring 4k would cost more than the scan saves.
 */
export function rescoreDepth(k: number): number {
  return Math.max(k + 100, Math.min(4 * k, k + 1000));
}

/** One neighbour: the paper and its cosine similarity. */
export interface Neighbour {
  id: string;
  score: number;
}

const PAGE = 65536;
/** Rows are padded to a multiple of 8 floats: the scan reads two 4-lane registers at a time. */
const LANES = 8;
/** 8-bit rows are padded to a multiple of 16 bytes: one register. */
const BYTE_LANES = 16;

/**
 * The int8 kind's second copy of the vectors: row s is round(v / scale[s]) with
 * scale[s] = max |v_i| / 127, in its own WebAssembly memory laid out like the float rows
 * (the query, widened to 16 bits, at 0; rows from `offset`; scores after the rows).
 */
class Int8Rows {
  readonly rowBytes: number;
  private readonly scanner: Scanner;
  private readonly offset: number;
  private capacity = 0;
  private rows!: Int8Array;
  scales = new Float32Array(0);

  constructor(dim: number) {
    this.rowBytes = Math.ceil(dim / BYTE_LANES) * BYTE_LANES;
    this.scanner = createScanner();
    this.offset = Math.ceil((2 * this.rowBytes) / PAGE) * PAGE;
  }

  get memoryBytes(): number {
    return this.capacity * (this.rowBytes + 4);
  }

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const bytes = this.offset + capacity * this.rowBytes + capacity * 4;
    const have = this.scanner.memory.buffer.byteLength;
    if (bytes > have) this.scanner.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.rows = new Int8Array(this.scanner.memory.buffer, this.offset, capacity * this.rowBytes);
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    this.scales = scales;
    this.capacity = capacity;
  }

  /** Quantizes `v` into `out` and returns its scale (0 for a zero vector). */
  private static quantize(v: Float32Array, out: Int8Array): number {
    let max = 0;
    for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
    out.fill(0);
    if (max === 0) return 0;
    const inv = 127 / max;
    for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i]! * inv);
    return max / 127;
  }

  set(s: number, v: Float32Array): void {
    this.scales[s] = Int8Rows.quantize(v, this.rows.subarray(s * this.rowBytes, (s + 1) * this.rowBytes));
  }

  clear(s: number): void {
    this.rows.fill(0, s * this.rowBytes, (s + 1) * this.rowBytes);
    this.scales[s] = 0;
  }

  /** Integer inner products of the quantized query with rows [0, slots): a view valid until the next call or growth. */
  scan(q: Float32Array, slots: number): Float32Array {
    const buffer = this.scanner.memory.buffer;
    const q8 = new Int8Array(this.rowBytes);
    Int8Rows.quantize(q, q8);
    // The kernel reads the query widened to 16 bits (it multiplies 16-bit pairs).
    new Int16Array(buffer, 0, this.rowBytes).set(q8);
    const out = this.offset + this.capacity * this.rowBytes;
    this.scanner.scanI8(this.offset, 0, slots, this.rowBytes, out);
    return new Float32Array(buffer, out, slots);
  }
}

/** Top-k search over unit vectors, keyed by paper id. */
export class VectorIndex {
  readonly dim: number;
  readonly kind: VectorIndexKind;
  /** The 8-bit copy (kind int8 only). */
  private readonly int8: Int8Rows | undefined;
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

  constructor(dim: number, o: { capacity?: number; kind?: VectorIndexKind } = {}) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`bad vector dimension ${dim}`);
    this.dim = dim;
    this.kind = o.kind ?? 'exact';
    this.int8 = this.kind === 'int8' ? new Int8Rows(dim) : undefined;
    this.stride = Math.ceil(dim / LANES) * LANES;
    this.scanner = createScanner();
    this.dataOffset = Math.ceil((this.stride * 4) / PAGE) * PAGE;
    this.reserve(Math.max(1, o.capacity ?? 1024));
  }

  /** Papers held. */
  get size(): number {
    return this.slot.size;
  }

  /** Bytes held by the vectors, and by their 8-bit copy for kind int8 (the ids and map come on top, about 100 bytes a paper). */
  get memoryBytes(): number {
    return this.capacity * this.stride * 4 + (this.int8?.memoryBytes ?? 0);
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
    this.int8?.reserve(capacity);
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
    this.int8?.set(s, v);
  }

  /** Drops a paper; unknown ids are ignored. */
  remove(id: string): void {
    const s = this.slot.get(id);
    if (s === undefined) return;
    this.slot.delete(id);
    this.ids[s] = '';
    this.data.fill(0, s * this.stride, (s + 1) * this.stride);
    this.int8?.clear(s);
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
    let best: { score: number; slot: number }[];
    if (this.int8) {
      // First pass on the 8-bit rows (integer product × the row's scale ranks like the cosine), then
      // the exact float32 product of the survivors.
      const found = this.top(this.int8.scan(q, slots), this.int8.scales, slots, rescoreDepth(k), accept);
      best = found.map(({ slot }) => ({ slot, score: this.exactDot(q, slot) }));
    } else {
      const buffer = this.scanner.memory.buffer;
      const query = new Float32Array(buffer, 0, this.stride);
      query.fill(0);
      query.set(q);
      const outOffset = this.dataOffset + this.capacity * this.stride * 4;
      this.scanner.scan(this.dataOffset, 0, slots, this.stride * 4, outOffset);
      best = this.top(new Float32Array(buffer, outOffset, slots), undefined, slots, k, accept);
    }
    // Best first; equal scores keep slot order so results are deterministic.
    best.sort((a, b) => b.score - a.score || a.slot - b.slot);
    return best.slice(0, k).map(({ slot, score }) => ({ id: this.ids[slot]!, score }));
  }

  /** Row `slot` · q in float32, as the SIMD scan computes it up to rounding. */
  private exactDot(q: Float32Array, slot: number): number {
    return Math.fround(dot(q, this.data.subarray(slot * this.stride, slot * this.stride + this.dim)));
  }

  /**
   * The k accepted slots with the highest score (scores[s], times scale[s] when given), unordered:
   * a bounded min-heap, O(n·log k) over the scores.
   */
  private top(scores: Float32Array, scale: Float32Array | undefined, slots: number, k: number, accept?: (id: string) => boolean): { score: number; slot: number }[] {
    const heapScore = new Float64Array(k);
    const heapSlot = new Int32Array(k);
    let n = 0;
    for (let s = 0; s < slots; s++) {
      const score = scale ? scores[s]! * scale[s]! : scores[s]!;
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
    const out: { score: number; slot: number }[] = [];
    for (let i = 0; i < n; i++) out.push({ score: heapScore[i]!, slot: heapSlot[i]! });
    return out;
  }
}
