/**
 * Test helper for search by meaning: a fresh database (SQLite or PostgreSQL, see db.ts) holding the
 * 1000 real sample papers, a real built-in model trained on them (once per process), their vectors
 * stored through the real store, and the real Semantic service opened over them — plus an app
 * whose deps carry it. `embedder` swaps in a wrapper (a failing or hanging one for fallback tests).
 */
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { type BuiltinModel, trainBuiltin } from '../../src/search/embed/builtin.ts';
import { type Embedder, paperText } from '../../src/search/embed/embedder.ts';
import { openSemantic, type Semantic } from '../../src/search/semantic.ts';
import { saveModel, upsertEmbeddings } from '../../src/store/embeddings.ts';
import type { PaperInput } from '../../src/store/papers.ts';
import { createApp } from '../../src/web/app.ts';
import { loadPapers, readListings } from './corpus.ts';
import { freshDb, testConfig } from './db.ts';

/** The real sample papers (testdata/arxiv-listings-sample1000.jsonl). */
export const SAMPLE: PaperInput[] = readListings(new URL('../../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);

let trained: { model: BuiltinModel; vectors: Float32Array[] } | undefined;

/** The built-in model trained on the sample (small dimension: seconds, not minutes) and the sample's vectors. */
export function sampleModel(): { model: BuiltinModel; vectors: Float32Array[] } {
  if (!trained) {
    const texts = SAMPLE.map(paperText);
    const model = trainBuiltin(texts, { dim: 48, vocabSize: 6000, minDf: 2 });
    trained = { model, vectors: model.embedSync(texts) };
  }
  return trained;
}

/** An embedder with the model's name and dimension whose every call fails (an embedder that is down). */
export function failingEmbedder(model: BuiltinModel, message = 'connection refused'): Embedder {
  return { name: model.name, kind: 'builtin', dim: model.dim, embed: async () => Promise.reject(new Error(message)) };
}

/** An embedder whose calls never answer (a hung embedding server). */
export function hangingEmbedder(model: BuiltinModel): Embedder {
  return { name: model.name, kind: 'builtin', dim: model.dim, embed: () => new Promise<Float32Array[]>(() => {}) };
}

/** A database with the sample papers and their stored vectors, the Semantic service over it, and an app using it. */
export async function semanticEnv(o: { embedder?: Embedder; withSemantic?: boolean; papers?: PaperInput[] } = {}) {
  const conn = await freshDb();
  const papers = o.papers ?? SAMPLE;
  await loadPapers(conn.db, papers);
  const { model, vectors } = sampleModel();
  const byId = new Map(SAMPLE.map((p, i) => [p.id, vectors[i]!]));
  await saveModel(conn.db, { name: model.name, kind: 'builtin', dim: model.dim, params: model.serialize(), corpusSize: SAMPLE.length });
  await upsertEmbeddings(
    conn.db,
    model.name,
    papers.filter((p) => byId.has(p.id)).map((p) => ({ paperId: p.id, version: p.version, vector: byId.get(p.id)! })),
  );
  const base = testConfig();
  const config: Config = testConfig({ embedder: { ...base.embedder, kind: 'builtin' } });
  const log = createLogger('silent');
  const semantic: Semantic | undefined = o.withSemantic === false ? undefined : await openSemantic(conn.db, config, log, { embedder: o.embedder ?? model, refreshMs: 0 });
  const app = createApp({ db: conn.db, config, log, ...(semantic ? { semantic } : {}) });
  return {
    conn,
    db: conn.db,
    app,
    config,
    model,
    semantic,
    close: async () => {
      semantic?.close();
      await conn.close();
    },
  };
}
