/**
 * The local transformer embedder: an ONNX sentence-embedding model (e.g. Xenova/all-MiniLM-L6-v2)
 * run in-process by @huggingface/transformers on onnxruntime-node, mean-pooled and normalised as
 * sentence-transformers does. The package is imported lazily, so instances that use the built-in or
 * HTTP embedder never load it.
 *
 * PAPERBOY_EMBEDDER_MODEL is either a local model folder (config.json, tokenizer.json,
 * tokenizer_config.json and ONNX weights), never fetched from anywhere, or a hub name, looked up in
 * PAPERBOY_MODEL_DIR first and downloaded there on first use where the network allows.
 * PAPERBOY_EMBEDDER_DTYPE picks the weights: onnx/model.onnx (fp32), onnx/model_fp16.onnx (fp16) or
 * onnx/model_quantized.onnx (q8); `auto` takes a folder's fp32 weights, else its quantized ones, and
 * fp32 for a hub name.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import type { Logger } from '../../log.ts';
import { EmbedderError, type EmbedPurpose, type Embedder } from './embedder.ts';
import { withPurpose } from './prefixes.ts';

type Transformers = typeof import('@huggingface/transformers');
type Extractor = Awaited<ReturnType<Transformers['pipeline']>> & {
  (texts: string[], o: { pooling: 'mean'; normalize: boolean }): Promise<{ dims: number[]; data: ArrayLike<number> }>;
};

/** The files a local model folder needs besides the ONNX weights. */
const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
type Dtype = Exclude<Config['embedder']['dtype'], 'auto'>;
/** ONNX weight files we can use, in `auto`'s order of preference, with the dtype that makes the library pick them. */
const WEIGHTS: Array<{ file: string; dtype: Dtype }> = [
  { file: 'onnx/model.onnx', dtype: 'fp32' },
  { file: 'onnx/model_quantized.onnx', dtype: 'q8' },
  { file: 'onnx/model_fp16.onnx', dtype: 'fp16' },
];

/** Loads the configured model and probes its dimension; throws EmbedderError when it cannot. */
export async function createTransformerEmbedder(cfg: Config['embedder'], log: Logger): Promise<Embedder> {
  const model = cfg.model;
  if (!model) throw new EmbedderError('PAPERBOY_EMBEDDER_MODEL is not set: give a hub name or a local model folder');
  const folder = localFolder(model);
  const dtype = folder ? checkFolder(folder, cfg.dtype) : cfg.dtype === 'auto' ? 'fp32' : cfg.dtype;

  let t: Transformers;
  try {
    t = await import('@huggingface/transformers');
  } catch (err) {
    throw new EmbedderError(`cannot load @huggingface/transformers (${(err as Error).message}); run npm ci`);
  }
  const modelDir = resolve(cfg.modelDir);
  // Hub models are cached under the model directory, and a model copied there by hand (same
  // org/name layout) is found without any network.
  t.env.cacheDir = modelDir;
  t.env.localModelPath = modelDir + '/';
  t.env.allowLocalModels = true;
  // The library logs a warning for every file it does not find locally before downloading it.
  t.env.logLevel = t.LogLevel.ERROR;

  const started = Date.now();
  let extractor: Extractor;
  try {
    extractor = (await t.pipeline('feature-extraction', folder ?? model, {
      dtype,
      local_files_only: folder !== undefined,
      cache_dir: modelDir,
      session_options: { logSeverityLevel: 3 },
    })) as Extractor;
  } catch (err) {
    const where = folder ? `from ${folder}` : `${model} (looked in ${modelDir}, then the Hugging Face hub)`;
    throw new EmbedderError(`cannot load the transformer model ${where}: ${(err as Error).message}`);
  }

  const embedder = new TransformerEmbedder(`onnx:${model}`, model, extractor, Math.max(1, cfg.batch));
  const [probe] = await embedder.embed(['dimension probe'], 'document');
  embedder.dim = probe!.length;
  log.info({ embedder: embedder.name, dim: embedder.dim, dtype, ms: Date.now() - started }, 'transformer embedder loaded');
  return embedder;
}

/** The model as a local folder when it names one (an existing directory, or an explicit path). */
function localFolder(model: string): string | undefined {
  const explicit = /^(\/|\.{1,2}\/|~\/)/.test(model) || model.includes('\\');
  if (explicit || (existsSync(model) && statSync(model).isDirectory())) {
    return resolve(model.startsWith('~/') ? join(process.env.HOME ?? '', model.slice(2)) : model);
  }
  return undefined;
}

/** Checks a local folder up front, so a wrong path gets a clear message instead of a library stack; returns the dtype to load. */
function checkFolder(folder: string, want: Config['embedder']['dtype']): Dtype {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new EmbedderError(`model folder ${folder} does not exist`);
  }
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(folder, f)));
  const usable = want === 'auto' ? WEIGHTS : WEIGHTS.filter((w) => w.dtype === want);
  const weights = usable.find((w) => existsSync(join(folder, w.file)));
  if (!weights) missing.push(usable.map((w) => w.file).join(' or ') + (want === 'auto' ? '' : ` (PAPERBOY_EMBEDDER_DTYPE=${want})`));
  if (missing.length > 0) {
    throw new EmbedderError(`model folder ${folder} lacks ${missing.join(', ')} (export one with optimum or download an ONNX model from the hub)`);
  }
  return weights!.dtype;
}

/** A loaded feature-extraction pipeline; calls are serialised so one batch runs at a time. */
class TransformerEmbedder implements Embedder {
  readonly kind = 'transformer' as const;
  dim = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly model: string,
    private readonly extractor: Extractor,
    private readonly batch: number,
  ) {}

  embed(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.embedNow(withPurpose(this.model, texts, purpose)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async embedNow(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batch) {
      const chunk = texts.slice(i, i + this.batch);
      let result: { dims: number[]; data: ArrayLike<number> };
      try {
        result = await this.extractor(chunk, { pooling: 'mean', normalize: true });
      } catch (err) {
        throw new EmbedderError(`${this.name} failed: ${(err as Error).message}`);
      }
      const dim = result.dims[1] ?? 0;
      if (result.dims.length !== 2 || result.dims[0] !== chunk.length || dim < 1) {
        throw new EmbedderError(`${this.name} returned a tensor of shape [${result.dims.join(', ')}] for ${chunk.length} texts`);
      }
      if (this.dim !== 0 && dim !== this.dim) throw new EmbedderError(`${this.name} returned ${dim} dimensions, expected ${this.dim}`);
      const data = result.data instanceof Float32Array ? result.data : Float32Array.from(result.data);
      for (let r = 0; r < chunk.length; r++) {
        const v = data.slice(r * dim, (r + 1) * dim);
        if (!v.every(Number.isFinite)) throw new EmbedderError(`${this.name} returned a vector with non-finite numbers`);
        out.push(v);
      }
    }
    return out;
  }
}
