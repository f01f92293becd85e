/**
 * The Semantic service on a database built by the real migrations (SQLite, or PostgreSQL with
 * PAPERBOY_TEST_DIALECT=postgres) with real arXiv papers: unavailable (never throwing) without a
 * model, with a corrupt model or with the embedder off; loads every stored vector; answers queries
 * by meaning (cached); picks up other processes' vectors and a newly trained model on refresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { BuiltinModel, trainBuiltin } from '../src/search/embed/builtin.ts';
import { dot, EmbedderError, paperText } from '../src/search/embed/embedder.ts';
import { embedPapers } from '../src/search/embed/job.ts';
import { openSemantic } from '../src/search/semantic.ts';
import { deleteModel, latestBuiltinModel, loadEmbeddings, saveModel } from '../src/store/embeddings.ts';
import { loadPapers, readListings } from './helpers/corpus.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const sample = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
const log = createLogger('silent');
const config = testConfig();
const SMALL = { dim: 32, vocabSize: 5000, minDf: 2 };
const PHYSICS = /^(quant-ph|cond-mat|physics)/;
const category = new Map(sample.map((p) => [p.id, p.categories[0] ?? '']));

describe('Semantic', () => {
  let conn: Connection;
  before(async () => {
    conn = await freshDb();
    await loadPapers(conn.db, sample.slice(0, 700));
  });
  after(() => conn.close());

  it('is unavailable, without throwing, before a model exists and when the embedder is off', async () => {
    const s = await openSemantic(conn.db, config, log, { refreshMs: 0 });
    assert.equal(s.available(), false);
    assert.equal(s.embedderName(), undefined);
    assert.equal(s.index(), undefined);
    assert.equal(s.paperVector(sample[0]!.id), undefined);
    await assert.rejects(s.queryVector('transformers'), EmbedderError);
    await assert.rejects(s.embedDocuments(['x']), EmbedderError);
    s.close();
    const off = await openSemantic(conn.db, testConfig({ embedder: { ...config.embedder, kind: 'off' } }), log, { refreshMs: 0 });
    assert.equal(off.available(), false);
    off.close();
  });

  it('loads every stored vector and answers queries by meaning', async () => {
    const r = await embedPapers(conn.db, config, log, { inline: true, trainOptions: SMALL });
    const s = await openSemantic(conn.db, config, log, { refreshMs: 0 });
    try {
      assert.ok(s.available());
      assert.equal(s.embedderName(), r.model);
      assert.equal(s.index()!.size, 700);
      const stored = (await loadEmbeddings(conn.db, r.model!)).find((x) => x.paperId === sample[9]!.id)!;
      assert.deepEqual(Array.from(s.paperVector(sample[9]!.id)!), Array.from(stored.vector));

      const q = await s.queryVector('quantum spin systems, superconductivity and phase transitions in condensed matter');
      assert.ok(Math.abs(dot(q, q) - 1) < 1e-5);
      assert.equal(await s.queryVector('quantum spin systems, superconductivity and phase transitions in condensed matter  '), q, 'cached');
      const hits = s.index()!.search(q, 10);
      const physics = hits.filter((h) => PHYSICS.test(category.get(h.id)!)).length;
      assert.ok(physics >= 7, `${physics} of 10 hits are physics papers`);

      const [d] = await s.embedDocuments(['vision transformers for image segmentation']);
      assert.equal(d!.length, s.index()!.dim);
    } finally {
      s.close();
    }
  });

  it('PAPERBOY_VECTOR_INDEX=int8 loads an 8-bit index that finds what the exact one finds, with exact scores', async () => {
    const exact = await openSemantic(conn.db, config, log, { refreshMs: 0 });
    const int8 = await openSemantic(conn.db, testConfig({ vectorIndex: 'int8' }), log, { refreshMs: 0 });
    try {
      assert.equal(exact.index()!.kind, 'exact');
      assert.equal(int8.index()!.kind, 'int8');
      assert.equal(int8.index()!.size, exact.index()!.size);
      let same = 0;
      for (const p of sample.slice(0, 40)) {
        const v = exact.paperVector(p.id)!;
        const a = exact.index()!.search(v, 20);
        const b = int8.index()!.search(v, 20);
        const want = new Set(a.map((x) => x.id));
        same += b.filter((x) => want.has(x.id)).length;
        const score = new Map(a.map((x) => [x.id, x.score]));
        for (const x of b) if (score.has(x.id)) assert.ok(Math.abs(x.score - score.get(x.id)!) < 1e-5, 'exact scores');
      }
      assert.ok(same / (40 * 20) >= 0.98, `recall@20 on real embeddings: ${same / 800}`);
    } finally {
      exact.close();
      int8.close();
    }
  });

  it('refresh picks up vectors written since (another process) and a newly trained model once it has caught up', async () => {
    const s = await openSemantic(conn.db, config, log, { refreshMs: 0 });
    try {
      const before = s.embedderName();
      await loadPapers(conn.db, sample.slice(700, 800));
      await embedPapers(conn.db, config, log, { inline: true, trainOptions: SMALL });
      assert.equal(s.index()!.size, 700, 'not until refresh');
      await s.refresh();
      assert.equal(s.index()!.size, 800);
      assert.ok(s.paperVector(sample[750]!.id));

      // A newer model without vectors yet (a retrain in progress) does not take over.
      const pending = trainBuiltin(sample.slice(0, 800).map(paperText), { ...SMALL, seed: 5 });
      await saveModel(conn.db, { name: pending.name, kind: 'builtin', dim: pending.dim, params: pending.serialize(), corpusSize: 800 }, new Date(Date.now() + 1000));
      await s.refresh();
      assert.equal(s.embedderName(), before);
      await deleteModel(conn.db, pending.name);

      // A retrain: the new model's name differs; once its vectors are in, refresh switches to it.
      const r = await embedPapers(conn.db, config, log, { retrain: true, inline: true, trainOptions: { ...SMALL, seed: 3 } });
      assert.notEqual(r.model, before);
      await s.refresh();
      assert.equal(s.embedderName(), r.model);
      assert.equal(s.index()!.size, 800);
      const model = BuiltinModel.deserialize((await latestBuiltinModel(conn.db))!.params);
      const [expected] = model.embedSync(['graph neural networks']);
      assert.deepEqual(Array.from(await s.queryVector('graph neural networks')), Array.from(expected!), 'queries use the new model');
    } finally {
      s.close();
    }
  });

  it('a corrupt stored model leaves semantic search unavailable instead of failing', async () => {
    const c2 = await freshDb();
    try {
      await saveModel(c2.db, { name: 'builtin-lsa-deadbeef', kind: 'builtin', dim: 8, params: new Uint8Array([1, 2, 3, 4]), corpusSize: 1 });
      const s = await openSemantic(c2.db, config, log, { refreshMs: 0 });
      assert.equal(s.available(), false);
      await s.refresh();
      assert.equal(s.available(), false);
      s.close();
    } finally {
      await c2.close();
    }
  });
});
