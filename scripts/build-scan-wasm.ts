/**
 * Compiles src/search/scan.wat with wabt and rewrites the base64 constant in src/search/scan-wasm.ts.
 * Run after editing the .wat: `npx tsx scripts/build-scan-wasm.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { compileScanWat } from '../test/helpers/wat.ts';

const target = new URL('../src/search/scan-wasm.ts', import.meta.url);
const base64 = Buffer.from(await compileScanWat()).toString('base64');
const source = readFileSync(target, 'utf8').replace(/SCAN_WASM_BASE64 = '[^']*'/, `SCAN_WASM_BASE64 = '${base64}'`);
writeFileSync(target, source);
process.stdout.write(`src/search/scan-wasm.ts: ${base64.length} base64 characters\n`);
