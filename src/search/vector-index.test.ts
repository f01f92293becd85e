/**
 * The exact vector index against a plain JavaScript reference: the same neighbours and scores for
 * dimensions that are and are not multiples of the SIMD width, across growth, replacement and removal;
 * and the compiled WebAssembly is the one scan.wat gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../test/helpers/prng.ts';
import { compileScanWat } from '../../test/helpers/wat.ts';
import { normalize } from './embed/embedder.ts';
import { createScanner, SCAN_WASM_BASE64 } from './scan-wasm.ts';
import { rescoreDepth, VectorIndex } from './vector-index.ts';

function randomUnit(rand: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rand() - 0.5;
  return normalize(v);
}

/** Brute force in float64: every live vector scored, best first. */
function reference(vectors: Map<string, Float32Array>, q: Float32Array, k: number, accept?: (id: string) => boolean) {
  const all = [...vectors].filter(([id]) => !accept || accept(id)).map(([id, v]) => ({ id, score: v.reduce((s, x, i) => s + x * q[i]!, 0) }));
  return all.sort((a, b) => b.score - a.score).slice(0, k);
}

/**
 * Fills `index` with n vectors from `make` (growing it many times from capacity 1), removes every
 * 7th, replaces every 11th, then adds 100 more into the freed slots; returns what it should hold.
 */
function churn(index: VectorIndex, n: number, make: () => Float32Array): Map<string, Float32Array> {
  const vectors = new Map<string, Float32Array>();
  const put = (id: string) => {
    const v = make();
    index.upsert(id, v);
    vectors.set(id, v);
  };
  for (let i = 0; i < n; i++) put(`p${i}`);
  for (let i = 0; i < n; i += 7) {
    index.remove(`p${i}`);
    vectors.delete(`p${i}`);
  }
  for (let i = 1; i < n; i += 11) if (vectors.has(`p${i}`)) put(`p${i}`);
  for (let i = n; i < n + 100; i++) put(`p${i}`);
  return vectors;
}

describe('VectorIndex', () => {
  for (const dim of [1, 3, 8, 13, 64, 256]) {
    it(`finds the same neighbours as brute force at dimension ${dim}, through growth, replacement and removal`, () => {
      const rand = mulberry32(dim);
      const index = new VectorIndex(dim, { capacity: 1 }); // grows many times
      const vectors = churn(index, 3000, () => randomUnit(rand, dim));
      assert.equal(index.size, vectors.size);
      for (let t = 0; t < 5; t++) {
        const q = randomUnit(rand, dim);
        const got = index.search(q, 20);
        const want = reference(vectors, q, 20);
        // Float32 sums differ from float64 in the last bits: compare scores, and ids where scores are apart.
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]!.score - want[i]!.score) < 1e-5, `rank ${i}: ${got[i]!.score} vs ${want[i]!.score}`);
        if (dim >= 8) assert.deepEqual(got.slice(0, 5).map((x) => x.id), want.slice(0, 5).map((x) => x.id));
        const odd = (id: string) => Number(id.slice(1)) % 2 === 1;
        const filtered = index.search(q, 10, odd);
        assert.ok(filtered.every((x) => odd(x.id)));
        const wantFiltered = reference(vectors, q, 10, odd);
        assert.equal(filtered.length, wantFiltered.length);
        for (let i = 0; i < wantFiltered.length; i++) assert.ok(Math.abs(filtered[i]!.score - wantFiltered[i]!.score) < 1e-5);
      }
      for (const id of ['p1', 'p12', 'p3050']) {
        if (vectors.has(id)) assert.deepEqual([...index.get(id)!], [...vectors.get(id)!]);
      }
      assert.equal(index.get('p0'), undefined);
      assert.equal(index.has('p0'), false);
    });
  }

  for (const dim of [1, 13, 64, 256]) {
    it(`int8 at dimension ${dim}: exact scores for what it returns, recall@20 against brute force, through growth, replacement and removal`, () => {
      const rand = mulberry32(1000 + dim);
      const index = new VectorIndex(dim, { capacity: 1, kind: 'int8' });
      // Clustered vectors, like embeddings (uniform random ones in high dimension all score about 0).
      const centres = Array.from({ length: 20 }, () => randomUnit(rand, dim));
      const near = () => {
        const c = centres[Math.floor(rand() * centres.length)]!;
        const v = randomUnit(rand, dim);
        return normalize(c.map((x, i) => x + 0.6 * v[i]!));
      };
      const vectors = churn(index, 4000, near);
      assert.equal(index.size, vectors.size);
      let found = 0;
      let wanted = 0;
      for (let t = 0; t < 20; t++) {
        const q = near();
        const got = index.search(q, 20);
        assert.equal(got.length, 20);
        for (const g of got) {
          const exact = vectors.get(g.id)!.reduce((s, x, i) => s + x * q[i]!, 0);
          assert.ok(Math.abs(g.score - exact) < 1e-5, `the score of ${g.id} is exact: ${g.score} vs ${exact}`);
        }
        const scores = got.map((g) => g.score);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
        const want = new Set(reference(vectors, q, 20).map((x) => x.id));
        found += got.filter((g) => want.has(g.id)).length;
        wanted += want.size;
        const odd = (id: string) => Number(id.slice(1)) % 2 === 1;
        assert.ok(index.search(q, 10, odd).every((x) => odd(x.id)));
      }
      const recall = found / wanted;
      assert.ok(recall >= 0.98, `recall@20 ${recall}`);
      assert.equal(index.get('p0'), undefined);
      assert.deepEqual([...index.get('p1')!], [...vectors.get('p1')!]);
    });
  }

  it('int8 re-scores a depth of candidates that grows with k', () => {
    assert.equal(rescoreDepth(20), 120);
    assert.equal(rescoreDepth(100), 400);
    assert.equal(rescoreDepth(20000), 21000);
    const index = new VectorIndex(4, { kind: 'int8' });
    index.upsert('a', new Float32Array([1, 0, 0, 0]));
    index.upsert('z', new Float32Array(4)); // a zero vector: scale 0, never an error
    assert.deepEqual(index.search(new Float32Array([1, 0, 0, 0]), 5).map((x) => x.id), ['a', 'z']);
    assert.ok(index.memoryBytes > new VectorIndex(4).memoryBytes, 'the 8-bit copy is counted');
  });

  it('hands out copies: a vector read before the index grows stays intact', () => {
    const index = new VectorIndex(16, { capacity: 1 });
    const v = randomUnit(mulberry32(7), 16);
    index.upsert('a', v);
    const before = index.get('a')!;
    for (let i = 0; i < 5000; i++) index.upsert(`x${i}`, randomUnit(mulberry32(i), 16));
    assert.deepEqual([...before], [...v]);
    assert.deepEqual([...index.get('a')!], [...v]);
  });

  it('asks for more than it holds, an empty index and k = 0', () => {
    const index = new VectorIndex(4);
    assert.deepEqual(index.search(new Float32Array(4), 5), []);
    index.upsert('a', new Float32Array([1, 0, 0, 0]));
    index.upsert('b', new Float32Array([0, 1, 0, 0]));
    assert.deepEqual(index.search(new Float32Array([1, 0, 0, 0]), 10).map((x) => x.id), ['a', 'b']);
    assert.deepEqual(index.search(new Float32Array([1, 0, 0, 0]), 0), []);
    assert.throws(() => index.search(new Float32Array(3), 1), /length 3/);
    assert.throws(() => index.upsert('c', new Float32Array(5)), /length 5/);
  });

  it('runs the module compiled from scan.wat; its 8-bit scan gives the exact integer products', async () => {
    const scanner = createScanner();
    const rand = mulberry32(99);
    const bytes = 48;
    const n = 37;
    scanner.memory.grow(1);
    const mem = new Int8Array(scanner.memory.buffer);
    const q = 0;
    const data = 1024;
    const out = 8192;
    const q16 = new Int16Array(scanner.memory.buffer, q, bytes);
    for (let i = 0; i < bytes; i++) q16[i] = Math.round((rand() * 2 - 1) * 127);
    for (let i = 0; i < n * bytes; i++) mem[data + i] = Math.round((rand() * 2 - 1) * 127);
    mem[data] = 127; // the extremes of the range
    q16[0] = -127;
    scanner.scanI8(data, q, n, bytes, out);
    const got = new Float32Array(scanner.memory.buffer, out, n);
    for (let s = 0; s < n; s++) {
      let want = 0;
      for (let i = 0; i < bytes; i++) want += mem[data + s * bytes + i]! * q16[i]!;
      assert.equal(got[s], want, `row ${s}`);
    }
    assert.equal(Buffer.from(await compileScanWat()).toString('base64'), SCAN_WASM_BASE64, 'run npx tsx scripts/build-scan-wasm.ts');
  });
});
