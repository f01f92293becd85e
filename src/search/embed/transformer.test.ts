/**
 * The transformer embedder through its real path: @huggingface/transformers loads a tiny ONNX model
 * written to a temp folder by the set-up and runs it on onnxruntime-node. Remote models are disabled
 * for the whole file, so nothing here can touch the network.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { env } from '@huggingface/transformers';
import type { Config } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { writeTinyModel } from '../../../test/helpers/tiny-onnx.ts';
import { EmbedderError, dot, type Embedder } from './embedder.ts';
import { purposePrefix } from './prefixes.ts';
import { createTransformerEmbedder } from './transformer.ts';

const log = createLogger('silent');
let root: string;
let modelPath: string;
let embedder: Embedder;

function cfg(model: string, batch = 2): Config['embedder'] {
  return { kind: 'transformer', model, url: undefined, apiKey: undefined, timeoutMs: 30000, batch, modelDir: join(root, 'models'), dtype: 'auto' };
}

before(async () => {
  env.allowRemoteModels = false;
  root = mkdtempSync(join(tmpdir(), 'paperboy-onnx-'));
  modelPath = writeTinyModel(join(root, 'tiny'), { dim: 16 });
  embedder = await createTransformerEmbedder(cfg(modelPath), log);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('transformer embedder on a local ONNX model', () => {
  test('is named after the model and probes its dimension', () => {
    assert.equal(embedder.kind, 'transformer');
    assert.equal(embedder.name, `onnx:${modelPath}`);
    assert.equal(embedder.dim, 16);
  });

  test('gives one unit-length vector per text, in order, the same every time', async () => {
    const texts = ['graph neural network', 'protein folding', 'diffusion models for images', 'quantum physics', 'retrieval and search'];
    const a = await embedder.embed(texts, 'document');
    assert.equal(a.length, texts.length);
    for (const v of a) {
      assert.ok(v instanceof Float32Array);
      assert.equal(v.length, 16);
      assert.ok(Math.abs(dot(v, v) - 1) < 1e-5, `norm² ${dot(v, v)}`);
    }
    // Batches of 2 (cfg.batch) must keep the order: each text alone gives the same vector.
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await embedder.embed([texts[i]!], 'document');
      assert.ok(dot(alone!, a[i]!) > 0.99999, `text ${i} differs when embedded alone`);
    }
    const again = await embedder.embed(texts, 'document');
    assert.deepEqual(again, a);
  });

  test('different texts differ, and texts sharing words are closer than unrelated ones', async () => {
    const [g1, g2, p] = await embedder.embed(['graph neural network', 'graph neural networks for search', 'protein folding physics'], 'document');
    assert.ok(dot(g1!, p!) < 0.99, 'unrelated texts got the same vector');
    assert.ok(dot(g1!, g2!) > dot(g1!, p!), `shared words ${dot(g1!, g2!)} vs unrelated ${dot(g1!, p!)}`);
  });

  test('padding does not leak into the mean: a short text is the same alone and next to a long one', async () => {
    const [short] = await embedder.embed(['deep learning'], 'document');
    const [shortPadded] = await embedder.embed(['deep learning', 'the attention of a transformer model for image retrieval with graph networks'], 'document');
    assert.ok(dot(short!, shortPadded!) > 0.99999);
  });

  test('concurrent calls are serialised and each gets its own answer', async () => {
    const [x, y] = await Promise.all([embedder.embed(['quantum physics'], 'query'), embedder.embed(['image diffusion'], 'query')]);
    const [x1] = await embedder.embed(['quantum physics'], 'query');
    assert.deepEqual(x, [x1]);
    assert.ok(dot(x![0]!, y![0]!) < 0.99);
  });

  test('an empty list gives an empty list', async () => {
    assert.deepEqual(await embedder.embed([], 'document'), []);
  });

  test('models trained with query/document prefixes get them; others embed both alike', async () => {
    const q = await embedder.embed(['graph search'], 'query');
    const d = await embedder.embed(['graph search'], 'document');
    assert.deepEqual(q, d);
    const e5Path = join(root, 'multilingual-e5-tiny');
    cpSync(modelPath, e5Path, { recursive: true });
    const e5 = await createTransformerEmbedder(cfg(e5Path), log);
    const [eq] = await e5.embed(['graph search'], 'query');
    const [ed] = await e5.embed(['graph search'], 'document');
    assert.ok(dot(eq!, ed!) < 0.9999, 'the e5 prefixes were not applied');
  });

  test('a hub name already present in the model directory loads without the network', async () => {
    cpSync(modelPath, join(root, 'models', 'paperboy-test', 'tiny-embedder'), { recursive: true });
    const hub = await createTransformerEmbedder(cfg('paperboy-test/tiny-embedder'), log);
    assert.equal(hub.name, 'onnx:paperboy-test/tiny-embedder');
    const [h] = await hub.embed(['graph neural network'], 'document');
    const [l] = await embedder.embed(['graph neural network'], 'document');
    assert.ok(dot(h!, l!) > 0.99999);
  });
});

describe('PAPERBOY_EMBEDDER_DTYPE picks the weights', () => {
  test('auto takes model.onnx; q8 takes model_quantized.onnx; a dtype whose file is missing is a clear error', async () => {
    // Two different tiny models in one folder: full precision (seed 7) and "quantized" (seed 8).
    const dir = writeTinyModel(join(root, 'two-weights'), { dim: 16, quantizedSeed: 8 });
    const reference8 = await createTransformerEmbedder(cfg(writeTinyModel(join(root, 'seed8'), { dim: 16, seed: 8 })), log);
    const text = ['graph neural network for protein folding'];
    const [full] = await (await createTransformerEmbedder(cfg(dir), log)).embed(text, 'document');
    const [q8] = await (await createTransformerEmbedder({ ...cfg(dir), dtype: 'q8' }, log)).embed(text, 'document');
    const [want7] = await embedder.embed(text, 'document');
    const [want8] = await reference8.embed(text, 'document');
    assert.ok(dot(full!, want7!) > 0.99999, 'auto runs onnx/model.onnx');
    assert.ok(dot(q8!, want8!) > 0.99999, 'q8 runs onnx/model_quantized.onnx');
    assert.ok(dot(full!, q8!) < 0.99, 'the two really differ');
    await assert.rejects(createTransformerEmbedder({ ...cfg(dir), dtype: 'fp16' }, log), (err: unknown) => {
      assert.ok(err instanceof EmbedderError, String(err));
      assert.match(err.message, /lacks onnx\/model_fp16\.onnx \(PAPERBOY_EMBEDDER_DTYPE=fp16\)/);
      return true;
    });
  });
});

describe('transformer embedder failures are clear EmbedderErrors', () => {
  async function rejects(model: string, pattern: RegExp): Promise<void> {
    await assert.rejects(createTransformerEmbedder(cfg(model), log), (err: unknown) => {
      assert.ok(err instanceof EmbedderError, `not an EmbedderError: ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    });
  }

  test('a missing folder', async () => {
    await rejects(join(root, 'nowhere'), /model folder .*nowhere does not exist/);
  });

  test('a folder without its tokenizer or weights', async () => {
    const dir = join(root, 'incomplete');
    cpSync(modelPath, dir, { recursive: true });
    rmSync(join(dir, 'tokenizer.json'));
    rmSync(join(dir, 'onnx', 'model.onnx'));
    await rejects(dir, /lacks tokenizer\.json, onnx\/model\.onnx or onnx\/model_quantized\.onnx/);
  });

  test('corrupt ONNX weights', async () => {
    const dir = join(root, 'corrupt');
    cpSync(modelPath, dir, { recursive: true });
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'this is not a protobuf model');
    await rejects(dir, /cannot load the transformer model from .*corrupt/);
  });

  test('corrupt config.json', async () => {
    const dir = join(root, 'bad-config');
    cpSync(modelPath, dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{"model_type": ');
    await rejects(dir, /cannot load the transformer model from .*bad-config/);
  });

  test('a hub name that is not downloaded, with remote models disallowed', async () => {
    await rejects('paperboy-test/not-downloaded', /cannot load the transformer model paperboy-test\/not-downloaded \(looked in .*models/);
  });

  test('no model configured', async () => {
    await assert.rejects(createTransformerEmbedder({ ...cfg('x'), model: undefined }, log), EmbedderError);
  });
});

describe('purposePrefix', () => {
  test('knows the e5, nomic and bge conventions and leaves other models alone', () => {
    assert.equal(purposePrefix('intfloat/e5-small-v2', 'query'), 'query: ');
    assert.equal(purposePrefix('Xenova/multilingual-e5-small', 'document'), 'passage: ');
    assert.equal(purposePrefix('nomic-embed-text', 'document'), 'search_document: ');
    assert.equal(purposePrefix('nomic-ai/nomic-embed-text-v1.5', 'query'), 'search_query: ');
    assert.match(purposePrefix('BAAI/bge-small-en-v1.5', 'query'), /^Represent this sentence/);
    assert.equal(purposePrefix('BAAI/bge-small-en-v1.5', 'document'), '');
    assert.equal(purposePrefix('Xenova/all-MiniLM-L6-v2', 'query'), '');
    assert.equal(purposePrefix('text-embedding-3-small', 'query'), '');
  });
});
