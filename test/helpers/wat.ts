/** Compiles src/search/scan.wat with wabt (a dev dependency), for the build script and the test that checks it. */
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';

/** The binary module of src/search/scan.wat. */
export async function compileScanWat(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const path = new URL('../../src/search/scan.wat', import.meta.url);
  const module = wabt.parseWat('scan.wat', readFileSync(path, 'utf8'), { simd: true });
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
