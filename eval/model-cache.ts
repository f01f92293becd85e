/**
 * The built-in model trained on the 118k corpus, cached under eval/.cache/ (gitignored) so a
 * second `npm run eval` and each tuning variant train once. The cache key covers the options, the
 * corpus file's size and mtime, and the source of the model's code (a change to it retrains).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusRecords } from '../bench/lib/corpus.ts';
import { paperText } from '../src/search/embed/embedder.ts';
import { BUILTIN_DEFAULTS, BuiltinModel, type BuiltinOptions, trainBuiltin } from '../src/search/embed/builtin.ts';

/** eval/.cache/ */
export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '.cache');

/** The files whose code decides the trained model's bytes. */
const MODEL_SOURCES = ['builtin.ts', 'text.ts'].map((f) => fileURLToPath(new URL(`../src/search/embed/${f}`, import.meta.url)));

/** A corpus paper as the evaluation uses it. */
export interface CorpusPaper {
  id: string;
  title: string;
  abstract: string;
  categories: string[];
  date: string;
}

/** Reads the corpus (JSON lines, gzip or plain), abstracts with their hard wraps squashed. */
export async function readCorpus(path: string): Promise<CorpusPaper[]> {
  const out: CorpusPaper[] = [];
  for await (const r of corpusRecords(path)) {
    out.push({ id: r.id, title: squash(r.title), abstract: squash(r.abstract), categories: r.categories, date: r.listing_date });
  }
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The model for `opts` trained on `corpus`: read from the cache, else trained (timed) and cached. */
export function cachedBuiltin(corpusPath: string, corpus: CorpusPaper[], opts: BuiltinOptions, log: (m: string) => void): { model: BuiltinModel; trainSeconds?: number; file: string } {
  const st = statSync(corpusPath);
  const key = createHash('sha256')
    // The resolved options, so a change of E1's defaults retrains rather than reusing a stale model.
    .update(JSON.stringify({ opts: { ...BUILTIN_DEFAULTS, ...opts }, size: st.size, mtime: st.mtimeMs, n: corpus.length }))
    .update(MODEL_SOURCES.map((f) => readFileSync(f)).join('\0'))
    .digest('hex')
    .slice(0, 12);
  const file = join(CACHE_DIR, `builtin-${key}.bin`);
  if (existsSync(file)) return { model: BuiltinModel.deserialize(new Uint8Array(readFileSync(file))), file };
  log(`training the built-in model on ${corpus.length} papers (${JSON.stringify(opts)})`);
  const t0 = performance.now();
  const model = trainBuiltin(corpus.map(paperText), opts);
  const trainSeconds = (performance.now() - t0) / 1000;
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, model.serialize());
  log(`  trained in ${trainSeconds.toFixed(1)} s → ${file}`);
  return { model, trainSeconds, file };
}
