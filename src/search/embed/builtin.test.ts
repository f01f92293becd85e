/**
 * The built-in LSA embedder on 1,000 real arXiv papers (testdata/): deterministic training, a
 * lossless serialize/deserialize round trip, unit vectors, topics that separate (physics papers'
 * neighbours are physics papers, a title finds its own abstract), readable "why" terms, and clear
 * errors for bad bytes and bad options.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readListings } from '../../../test/helpers/corpus.ts';
import { BuiltinModel, symmetricEigen, trainBuiltin } from './builtin.ts';
import { dot, EmbedderError, paperText } from './embedder.ts';
import { textTerms } from './text.ts';

const papers = readListings(new URL('../../../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
const docs = papers.map(paperText);
const OPTS = { dim: 48, vocabSize: 6000, minDf: 2 };
const model = trainBuiltin(docs, OPTS);
const vectors = model.embedSync(docs);

const PHYSICS = /^(quant-ph|cond-mat|physics|astro-ph|hep-|gr-qc|nlin)/;
const primary = (i: number): string => papers[i]!.categories[0] ?? '';

describe('trainBuiltin', () => {
  it('gives unit vectors of the requested dimension and a name derived from the parameters', () => {
    assert.equal(model.dim, 48);
    assert.equal(model.kind, 'builtin');
    assert.match(model.name, /^builtin-lsa-[0-9a-f]{8}$/);
    assert.ok(model.vocabularySize > 1000 && model.vocabularySize <= 6000, `vocabulary ${model.vocabularySize}`);
    for (const v of vectors.slice(0, 50)) {
      assert.equal(v.length, 48);
      assert.ok(Math.abs(dot(v, v) - 1) < 1e-5);
    }
  });

  it('is deterministic: the same corpus and options give the same bytes and name', () => {
    const again = trainBuiltin(docs, OPTS);
    assert.equal(again.name, model.name);
    assert.deepEqual(again.serialize(), model.serialize());
  });

  it('a different seed or corpus gives a different model name', () => {
    assert.notEqual(trainBuiltin(docs.slice(0, 600), OPTS).name, model.name);
    assert.notEqual(trainBuiltin(docs, { ...OPTS, seed: 2 }).name, model.name);
  });

  it('round-trips through serialize/deserialize with identical vectors', () => {
    const back = BuiltinModel.deserialize(model.serialize());
    assert.equal(back.name, model.name);
    assert.equal(back.dim, model.dim);
    const a = model.embedSync([docs[7]!, 'graph neural networks for molecules'])!;
    const b = back.embedSync([docs[7]!, 'graph neural networks for molecules'])!;
    assert.deepEqual(b, a);
  });

  it('separates clearly different topics: physics papers have physics neighbours', () => {
    const physics = papers.map((_, i) => i).filter((i) => PHYSICS.test(primary(i)));
    assert.ok(physics.length >= 80, `${physics.length} physics papers in the sample`);
    const share = physics.length / papers.length;
    let hits = 0;
    let total = 0;
    for (const i of physics) {
      const nn = vectors
        .map((v, j) => [j, j === i ? -2 : dot(v, vectors[i]!)] as const)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5);
      for (const [j] of nn) {
        total++;
        if (PHYSICS.test(primary(j))) hits++;
      }
    }
    // Random neighbours would be physics ~16% of the time; LSA neighbours mostly are.
    assert.ok(hits / total > 0.6, `physics neighbours ${(hits / total).toFixed(2)} vs base rate ${share.toFixed(2)}`);
  });

  it('a paper title finds its own abstract among 1,000', () => {
    const abstracts = model.embedSync(papers.map((p) => p.abstract));
    const titles = model.embedSync(papers.slice(0, 200).map((p) => p.title));
    let top10 = 0;
    titles.forEach((t, i) => {
      const own = dot(t, abstracts[i]!);
      const better = abstracts.filter((a, j) => j !== i && dot(t, a) > own).length;
      if (better < 10) top10++;
    });
    assert.ok(top10 / 200 > 0.6, `own abstract in the top 10 for ${top10} of 200 titles`);
  });

  it('texts about the same thing are closer than texts about different things', () => {
    const [a, b, c] = model.embedSync([
      'Large language models improve reasoning with chain-of-thought prompting on math benchmarks.',
      'Prompting language models to reason step by step for mathematical problem solving.',
      'Superconducting qubits and quantum error correction in condensed matter devices.',
    ]) as [Float32Array, Float32Array, Float32Array];
    assert.ok(dot(a, b) > dot(a, c) + 0.2, `similar ${dot(a, b).toFixed(2)} vs different ${dot(a, c).toFixed(2)}`);
  });

  it('gives the zero vector for a text with no vocabulary term', () => {
    const [v] = model.embedSync(['zzzqqq xxyyzz']);
    assert.ok(v!.every((x) => x === 0));
  });

  it('terms() lists the heaviest terms as written in the text', () => {
    const text = 'Reward hacking in reinforcement learning from human feedback: reward models are exploited.';
    const terms = model.terms(text, 4);
    assert.equal(terms.length, 4);
    for (const t of terms) assert.ok(text.toLowerCase().includes(t), `${t} is written in the text`);
    assert.ok(terms.some((t) => t.startsWith('reward')), terms.join(', '));
  });

  it('refuses bytes that are not a model, and bad options, with clear errors', () => {
    assert.throws(() => BuiltinModel.deserialize(new Uint8Array([1, 2, 3])), (e: Error) => e instanceof EmbedderError && /cannot be read/.test(e.message));
    const bytes = model.serialize();
    assert.throws(() => BuiltinModel.deserialize(bytes.slice(0, bytes.length - 10)), EmbedderError);
    assert.throws(() => trainBuiltin(docs, { dim: 0 }), /dim/);
    assert.throws(() => trainBuiltin([], {}), /empty corpus/);
    assert.throws(() => trainBuiltin(['one two', 'three four'], { minDf: 5 }), /no term/);
  });

  it('handles a corpus smaller than the requested dimension', () => {
    const small = trainBuiltin(docs.slice(0, 12), { dim: 64, minDf: 1 });
    assert.ok(small.dim >= 1 && small.dim <= 12, `dim ${small.dim}`);
    const [v] = small.embedSync([docs[0]!]);
    assert.ok(Math.abs(dot(v!, v!) - 1) < 1e-5);
  });
});

describe('text and linear algebra helpers', () => {
  it('textTerms stems, drops stopwords and numbers, and makes bigrams only across soft gaps', () => {
    assert.deepEqual(textTerms('Self-supervised learning of 3 representations.', true), ['self', 'supervis', 'self supervis', 'learn', 'supervis learn', 'represent']);
    assert.deepEqual(textTerms('graphs, networks', true), ['graph', 'network']);
  });

  it('symmetricEigen recovers A·v = λ·v with eigenvalues in descending order', () => {
    const n = 6;
    const S = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) S[i * n + j] = S[j * n + i] = Math.sin(i * 7 + j * 3);
    const { values, vectors } = symmetricEigen(S, n);
    for (let c = 0; c < n; c++) {
      if (c > 0) assert.ok(values[c - 1]! >= values[c]!);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += S[i * n + k]! * vectors[k * n + c]!;
        assert.ok(Math.abs(s - values[c]! * vectors[i * n + c]!) < 1e-9);
      }
    }
  });
});
