/**
 * Stored embeddings and the embed-papers job on a database built by the real migrations (SQLite, or
 * PostgreSQL with PAPERBOY_TEST_DIALECT=postgres), with real arXiv papers from testdata/: vectors
 * round-trip exactly, "to embed" means no vector or an older version, the job trains the built-in
 * model and embeds in batches, running it again (or twice at once) changes nothing, a retrained
 * model replaces the old one's vectors, and the job runs through the real queue (training on a
 * worker thread).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { createHandlerRegistry, ingestHandlers } from '../src/jobs/handlers.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { runUntilIdle } from '../src/jobs/worker.ts';
import { createLogger } from '../src/log.ts';
import { BuiltinModel, trainBuiltin } from '../src/search/embed/builtin.ts';
import { dot, type Embedder, paperText } from '../src/search/embed/embedder.ts';
import { embedPapers } from '../src/search/embed/job.ts';
import {
  builtinModelNames,
  countEmbeddings,
  deleteModel,
  getModel,
  latestBuiltinModel,
  loadEmbeddings,
  papersToEmbed,
  saveModel,
  upsertEmbeddings,
} from '../src/store/embeddings.ts';
import { upsertPapers } from '../src/store/papers.ts';
import { loadPapers, readListings } from './helpers/corpus.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const sample = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
const log = createLogger('silent');
const SMALL = { dim: 24, vocabSize: 4000, minDf: 2 };

function configWithBatch(batch: number): Config {
  const base = testConfig();
  return testConfig({ embedder: { ...base.embedder, kind: 'builtin', batch } });
}

/** An embedder that records the size of every call (to see the batches). */
function recording(inner: Embedder): Embedder & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: inner.name,
    kind: inner.kind,
    dim: inner.dim,
    calls,
    embed: (texts, purpose) => {
      calls.push(texts.length);
      return inner.embed(texts, purpose);
    },
  };
}

describe('the embeddings store', () => {
  let conn: Connection;
  const model = trainBuiltin(sample.slice(0, 200).map(paperText), SMALL);
  before(async () => {
    conn = await freshDb();
    await loadPapers(conn.db, sample.slice(0, 50));
  });
  after(() => conn.close());

  it('saves a model once and returns the newest built-in one with its parameters', async () => {
    const params = model.serialize();
    await saveModel(conn.db, { name: model.name, kind: 'builtin', dim: model.dim, params, corpusSize: 200 }, new Date('2026-01-01T00:00:00Z'));
    await saveModel(conn.db, { name: model.name, kind: 'builtin', dim: model.dim, params: null, corpusSize: null }, new Date('2026-02-01T00:00:00Z'));
    await saveModel(conn.db, { name: 'http:other', kind: 'http', dim: 3, params: null, corpusSize: null }, new Date('2026-03-01T00:00:00Z'));
    const latest = await latestBuiltinModel(conn.db);
    assert.equal(latest?.name, model.name);
    assert.equal(BuiltinModel.deserialize(latest!.params).name, model.name, 'parameters stored byte for byte');
    assert.equal((await getModel(conn.db, model.name))?.corpusSize, 200);
  });

  it('stores vectors exactly, lists what needs embedding, and loads since a time', async () => {
    const papers = sample.slice(0, 50);
    assert.equal((await papersToEmbed(conn.db, model.name, 100)).length, 50);
    const vecs = model.embedSync(papers.map(paperText));
    await upsertEmbeddings(conn.db, model.name, papers.slice(0, 30).map((p, i) => ({ paperId: p.id, version: p.version, vector: vecs[i]! })), new Date('2026-04-01T00:00:00.000Z'));
    await upsertEmbeddings(conn.db, model.name, papers.slice(30).map((p, i) => ({ paperId: p.id, version: p.version, vector: vecs[30 + i]! })), new Date('2026-04-02T00:00:00.000Z'));
    assert.equal(await countEmbeddings(conn.db, model.name), 50);
    assert.deepEqual(await papersToEmbed(conn.db, model.name, 100), []);
    const all = await loadEmbeddings(conn.db, model.name);
    assert.equal(all.length, 50);
    const byId = new Map(all.map((r) => [r.paperId, r.vector]));
    papers.forEach((p, i) => assert.deepEqual(byId.get(p.id), vecs[i]));
    const recent = await loadEmbeddings(conn.db, model.name, '2026-04-02T00:00:00.000Z');
    assert.deepEqual(recent.map((r) => r.paperId).sort(), papers.slice(30).map((p) => p.id).sort());

    // A new version of a paper needs a new vector; the others do not.
    await upsertPapers(conn.db, [{ ...papers[3]!, version: papers[3]!.version + 1, abstract: `${papers[3]!.abstract} Revised.` }]);
    const todo = await papersToEmbed(conn.db, model.name, 100);
    assert.deepEqual(todo.map((p) => p.id), [papers[3]!.id]);
    assert.equal(todo[0]!.version, papers[3]!.version + 1);
  });

  it('deletes a model with its vectors', async () => {
    await deleteModel(conn.db, model.name);
    assert.equal(await countEmbeddings(conn.db, model.name), 0);
    assert.equal(await getModel(conn.db, model.name), undefined);
    assert.equal(await latestBuiltinModel(conn.db), undefined);
  });
});

describe('the embed-papers job', () => {
  let conn: Connection;
  before(async () => {
    conn = await freshDb();
  });
  after(() => conn.close());

  it('does nothing without papers, or with the embedder off', async () => {
    const r = await embedPapers(conn.db, configWithBatch(64), log, { inline: true, trainOptions: SMALL });
    assert.deepEqual(r, { model: undefined, trained: false, embedded: 0, deletedModels: [] });
    const off = testConfig({ embedder: { ...testConfig().embedder, kind: 'off' } });
    await loadPapers(conn.db, sample.slice(0, 600));
    assert.equal((await embedPapers(conn.db, off, log, { inline: true })).model, undefined);
    assert.equal(await latestBuiltinModel(conn.db), undefined);
  });

  let first: string;
  it('trains the built-in model on the papers and embeds every one', async () => {
    const r = await embedPapers(conn.db, configWithBatch(64), log, { inline: true, trainOptions: SMALL });
    assert.ok(r.trained);
    assert.equal(r.embedded, 600);
    first = r.model!;
    assert.equal((await latestBuiltinModel(conn.db))?.name, first);
    assert.equal(await countEmbeddings(conn.db, first), 600);
    // The stored vectors are the model's own embedding of each paper.
    const model = BuiltinModel.deserialize((await latestBuiltinModel(conn.db))!.params);
    const stored = new Map((await loadEmbeddings(conn.db, first)).map((r) => [r.paperId, r.vector]));
    const [v] = model.embedSync([paperText(sample[5]!)]);
    assert.ok(dot(v!, stored.get(sample[5]!.id)!) > 0.9999);
  });

  it('embeds new papers in batches of config.embedder.batch, and a second run changes nothing', async () => {
    await loadPapers(conn.db, sample.slice(600, 800));
    const model = BuiltinModel.deserialize((await latestBuiltinModel(conn.db))!.params);
    const rec = recording(model);
    const r = await embedPapers(conn.db, configWithBatch(64), log, { embedder: rec });
    assert.equal(r.embedded, 200);
    assert.deepEqual(rec.calls, [64, 64, 64, 8]);
    assert.equal(await countEmbeddings(conn.db, first), 800);

    const again = await embedPapers(conn.db, configWithBatch(64), log, { inline: true, trainOptions: SMALL });
    assert.deepEqual(again, { model: first, trained: false, embedded: 0, deletedModels: [] });
    assert.equal(await countEmbeddings(conn.db, first), 800);
  });

  it('two runs at once embed each paper once and leave one vector per paper', async () => {
    await loadPapers(conn.db, sample.slice(800, 900));
    const cfg = configWithBatch(16);
    const [a, b] = await Promise.all([
      embedPapers(conn.db, cfg, log, { inline: true, trainOptions: SMALL }),
      embedPapers(conn.db, cfg, log, { inline: true, trainOptions: SMALL }),
    ]);
    assert.ok(a.embedded + b.embedded >= 100);
    assert.equal(await countEmbeddings(conn.db, first), 900);
    assert.deepEqual(await papersToEmbed(conn.db, first, 10), []);
  });

  it('a retrain stores a new model, embeds every paper under it, then deletes the old vectors', async () => {
    await loadPapers(conn.db, sample.slice(900));
    const r = await embedPapers(conn.db, configWithBatch(128), log, { retrain: true, inline: true, trainOptions: SMALL });
    assert.ok(r.trained);
    assert.notEqual(r.model, first, 'trained on more papers: a different model');
    assert.equal(r.embedded, 1000);
    assert.deepEqual(r.deletedModels, [first]);
    assert.equal(await countEmbeddings(conn.db, first), 0);
    assert.equal(await getModel(conn.db, first), undefined);
    assert.deepEqual(await builtinModelNames(conn.db), [r.model]);
    assert.equal(await countEmbeddings(conn.db, r.model!), 1000);
  });

  it('a retrain that stopped half-way is finished (and the old model deleted) by the next ordinary run', async () => {
    const old = (await latestBuiltinModel(conn.db))!.name;
    const stop = new AbortController();
    const cfg = configWithBatch(50);
    // Abort after the model is trained and saved, before any batch.
    const run = embedPapers(conn.db, cfg, log, { retrain: true, inline: true, trainOptions: { ...SMALL, seed: 7 }, signal: stop.signal });
    stop.abort();
    const r = await run;
    assert.ok(r.trained);
    assert.equal(r.embedded, 0);
    assert.equal(await countEmbeddings(conn.db, old), 1000, 'the old model still serves');
    const next = await embedPapers(conn.db, cfg, log, { inline: true });
    assert.equal(next.model, r.model);
    assert.equal(next.embedded, 1000);
    assert.deepEqual(next.deletedModels, [old]);
  });

  it('runs through the job queue, training on a worker thread', async () => {
    const conn2 = await freshDb();
    try {
      await loadPapers(conn2.db, sample.slice(0, 300));
      const config = configWithBatch(100);
      await enqueue(conn2.db, 'embed-papers', {});
      const results = await runUntilIdle({ db: conn2.db, log, handlers: createHandlerRegistry(ingestHandlers(config)) });
      assert.deepEqual(results.map((x) => [x.job.name, x.outcome, x.error]), [['embed-papers', 'done', undefined]]);
      const latest = await latestBuiltinModel(conn2.db);
      assert.ok(latest, 'a model was trained');
      assert.equal(latest.dim, Math.floor(300 / 8), 'a small instance gets fewer dimensions');
      assert.equal(await countEmbeddings(conn2.db, latest.name), 300);
    } finally {
      await conn2.close();
    }
  });
});
