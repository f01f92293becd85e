/**
 * The compiled form of src/search/scan.wat (WebAssembly with 128-bit SIMD): the vector index's
 * inner-product scans (float32, about 8× faster than the same loop in JavaScript, and signed 8-bit). Rebuild with
 * `npx tsx scripts/build-scan-wasm.ts` after editing the .wat; test/scan-wasm.test.ts fails while the two differ.
 */

/** scan.wat compiled by wabt (base64). */
export const SCAN_WASM_BASE64 = 'AGFzbQEAAAABCQFgBX9/f39/AAMDAgAABQMBAAEHGwMGbWVtb3J5AgAEc2NhbgAAB3NjYW5faTgAAQqmAwLMAQIDfwJ7IAAhBwJAA0AgBSACTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQj9DAAAAAAAAAAAAAAAAAAAAAAhCUEAIQYCQANAIAYgA08NASAIIAcgBmr9AAQAIAEgBmr9AAQA/eYB/eQBIQggCSAHIAZq/QAEECABIAZq/QAEEP3mAf3kASEJIAZBIGohBgwACwsgCCAJ/eQBIQggBCAFQQJ0aiAI/R8AIAj9HwGSIAj9HwIgCP0fA5KSOAIAIAcgA2ohByAFQQFqIQUMAAsLC9UBAgR/A3sgACEIAkADQCAFIAJPDQH9DAAAAAAAAAAAAAAAAAAAAAAhCf0MAAAAAAAAAAAAAAAAAAAAACEKQQAhBiABIQcCQANAIAYgA08NASAIIAZq/QAEACELIAkgC/2HASAH/QAEAP26Af2uASEJIAogC/2IASAH/QAEEP26Af2uASEKIAZBEGohBiAHQSBqIQcMAAsLIAkgCv2uASEJIAQgBUECdGogCf0bACAJ/RsBaiAJ/RsCIAn9GwNqarI4AgAgCCADaiEIIAVBAWohBQwACwsL';

// The project's type library (ES2023 + Node, no DOM) does not declare WebAssembly; this is the part used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

let compiled: object | undefined;

/** The scan function and the memory it reads, one instance per index (each has its own memory). */
export interface Scanner {
  memory: WasmMemory;
  /** out[s] = row s of data · q, for s in [0, n); offsets and the row length in bytes. */
  scan(data: number, q: number, n: number, rowBytes: number, out: number): void;
  /** The same over signed 8-bit rows, the query widened to 16 bits: out[s] = the integer inner product, as f32 (rowBytes a multiple of 16). */
  scanI8(data: number, q: number, n: number, rowBytes: number, out: number): void;
}

/** A new instance of the scan module (compiled once per process). */
export function createScanner(): Scanner {
  compiled ??= new WebAssembly.Module(Buffer.from(SCAN_WASM_BASE64, 'base64'));
  const instance = new WebAssembly.Instance(compiled, {});
  const e = instance.exports as { memory: WasmMemory; scan: Scanner['scan']; scan_i8: Scanner['scanI8'] };
  return { memory: e.memory, scan: e.scan, scanI8: e.scan_i8 };
}
