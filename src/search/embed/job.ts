/**
 * The `embed-papers` job: trains the built-in model when there is none (or when asked to retrain),
 * then embeds every paper that has no vector under the active model (or an older version's), in
 * batches, so search by meaning fills in behind imports without touching the request path.
 * Safe to run twice or concurrently: training is deterministic (same corpus → same model name),
 * vectors are upserts keyed by (model, paper), and old built-in models are deleted only once the
 * newest one covers every paper.
 */
import type { Config } from '../../config.ts';
import type { DB } from '../../db/connect.ts';
import type { JobHandler } from '../../jobs/handlers.ts';
import type { Logger } from '../../log.ts';
import {
  builtinModelNames,
  deleteModel,
  latestBuiltinModel,
  type PaperToEmbed,
  papersAfter,
  papersToEmbed,
  paperTexts,
  saveModel,
  upsertEmbeddings,
} from '../../store/embeddings.ts';
import { BUILTIN_DEFAULTS, BuiltinModel, type BuiltinOptions, trainBuiltin } from './builtin.ts';
import { EmbedderError, type Embedder, paperText } from './embedder.ts';
import { createEmbedder } from './from-config.ts';
import { trainInThread } from './train-thread.ts';

/** Fewer papers than this give no useful topics: the job waits for more before training. */
export const MIN_TRAINING_PAPERS = 20;

/** What one run did. */
export interface EmbedRunResult {
  /** The embedder's name, or undefined when there is none (off, or too few papers to train). */
  model: string | undefined;
  trained: boolean;
  embedded: number;
  /** Older built-in models deleted because the new one covers every paper. */
  deletedModels: string[];
}

/** Options of one run (the job passes its signal; the CLI asks for a retrain). */
export interface EmbedRunOptions {
  /** Train a new built-in model even if one exists, and (any embedder) re-embed every paper. */
  retrain?: boolean;
  /** Stop between batches (the job lost its lease, or the process is shutting down). */
  signal?: AbortSignal;
  now?: () => Date;
  /** Use this embedder instead of the configured one (tests). */
  embedder?: Embedder;
  /** Built-in training options (tests use small ones); the defaults otherwise. */
  trainOptions?: BuiltinOptions;
  /** Train on this thread instead of a worker thread (tests, benchmarks). */
  inline?: boolean;
}

/** Runs the embedding work once (the job handler and `paperboy reindex --embeddings` call this). */
export async function embedPapers(db: DB, config: Config, log: Logger, o: EmbedRunOptions = {}): Promise<EmbedRunResult> {
  const now = o.now ?? (() => new Date());
  const result: EmbedRunResult = { model: undefined, trained: false, embedded: 0, deletedModels: [] };
  const builtin = !o.embedder && config.embedder.kind === 'builtin';
  let embedder = o.embedder;
  if (!embedder && config.embedder.kind === 'off') {
    log.debug({ job: 'embed-papers' }, 'embedder is off; nothing to do');
    return result;
  }
  if (builtin) {
    const stored = o.retrain ? undefined : await latestBuiltinModel(db);
    if (stored) embedder = BuiltinModel.deserialize(stored.params);
    else {
      const model = await train(db, log, o, now);
      if (!model) return result;
      embedder = model;
      result.trained = true;
    }
  } else if (!embedder) {
    embedder = await createEmbedder(config, log, db);
    if (!embedder) return result;
  }
  result.model = embedder.name;
  await saveModel(db, { name: embedder.name, kind: embedder.kind, dim: embedder.dim, params: null, corpusSize: null }, now());

  const batch = config.embedder.batch;
  const started = Date.now();
  let lastLog = started;
  // A retrain of a non-built-in embedder re-embeds everything (same name, so page through all papers);
  // otherwise only the papers without a current vector.
  const everything = o.retrain && !result.trained;
  let afterNum = -1;
  for (;;) {
    if (o.signal?.aborted) {
      log.warn({ job: 'embed-papers', model: embedder.name, embedded: result.embedded }, 'embedding stopped early; the next run continues');
      return result;
    }
    let papers: PaperToEmbed[];
    if (everything) {
      const page = await papersAfter(db, afterNum, batch);
      afterNum = page.length ? page[page.length - 1]!.num : afterNum;
      papers = page;
    } else papers = await papersToEmbed(db, embedder.name, batch);
    if (papers.length === 0) break;
    const vectors = await embedder.embed(papers.map(paperText), 'document');
    if (vectors.length !== papers.length) throw new EmbedderError(`the embedder returned ${vectors.length} vectors for ${papers.length} papers`);
    await upsertEmbeddings(
      db,
      embedder.name,
      papers.map((p, i) => ({ paperId: p.id, version: p.version, vector: vectors[i]! })),
      now(),
    );
    result.embedded += papers.length;
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      log.info({ job: 'embed-papers', model: embedder.name, embedded: result.embedded }, 'embedding papers');
    }
    // Yield between batches so a web server in the same process keeps answering.
    await new Promise((r) => setImmediate(r));
  }

  // The newest built-in model covers every paper: older ones (and their vectors) go.
  if (builtin && (await latestBuiltinModel(db))?.name === embedder.name && (await papersToEmbed(db, embedder.name, 1)).length === 0) {
    for (const name of await builtinModelNames(db)) {
      if (name === embedder.name) continue;
      await deleteModel(db, name);
      result.deletedModels.push(name);
    }
  }
  if (result.embedded > 0 || result.trained || result.deletedModels.length > 0) {
    log.info({ job: 'embed-papers', model: embedder.name, embedded: result.embedded, trained: result.trained, deleted: result.deletedModels, ms: Date.now() - started }, 'papers embedded');
  }
  return result;
}

/** Trains and stores a built-in model on every paper; undefined when there are too few papers. */
async function train(db: DB, log: Logger, o: EmbedRunOptions, now: () => Date): Promise<BuiltinModel | undefined> {
  const papers = await paperTexts(db);
  if (papers.length < MIN_TRAINING_PAPERS) {
    log.info({ job: 'embed-papers', papers: papers.length }, `too few papers to train the built-in embedding model (need ${MIN_TRAINING_PAPERS})`);
    return undefined;
  }
  const docs = papers.map(paperText);
  // A small instance cannot support 256 topics or a df floor of 3: scale both down (LSA's rank is at
  // most the number of papers; a few hundred papers give a few dozen usable topics).
  const opts: BuiltinOptions = {
    dim: Math.min(BUILTIN_DEFAULTS.dim, Math.max(16, Math.floor(docs.length / 8))),
    minDf: docs.length < 2000 ? 2 : BUILTIN_DEFAULTS.minDf,
    ...o.trainOptions,
  };
  const t0 = Date.now();
  log.info({ job: 'embed-papers', papers: docs.length }, 'training the built-in embedding model');
  const model = o.inline ? trainBuiltin(docs, opts) : await trainInThread(docs, opts);
  await saveModel(db, { name: model.name, kind: 'builtin', dim: model.dim, params: model.serialize(), corpusSize: model.corpusSize }, now());
  log.info({ job: 'embed-papers', model: model.name, papers: docs.length, vocabulary: model.vocabularySize, dim: model.dim, ms: Date.now() - t0 }, 'trained the built-in embedding model');
  return model;
}

/** The job handler: payload `{}` or `{"retrain": true}`. */
export function embedPapersHandler(config: Config): JobHandler {
  return async (payload, ctx) => {
    const retrain = typeof payload === 'object' && payload !== null && (payload as { retrain?: unknown }).retrain === true;
    await embedPapers(ctx.db, config, ctx.log, { retrain, signal: ctx.signal, now: ctx.now });
  };
}
