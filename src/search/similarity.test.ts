import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusedScores, rerankSimilar, SIMILARITY_DEFAULTS, type SimilarityParams } from './similarity.ts';

const paper = {
  title: 'Reward hacking in reinforcement learning from human feedback',
  abstract: 'Policies optimised against a learned reward model exploit its errors. We measure reward hacking with gold reward models.',
};

/** A unit vector in 3 dimensions at `cos` to the x axis (the paper's own direction), bent towards y or z. */
const at = (cos: number, axis: 1 | 2 = 1): Float32Array => {
  const v = new Float32Array(3);
  v[0] = cos;
  v[axis] = Math.sqrt(1 - cos * cos);
  return v;
};
const X = at(1);
const noFeedback: SimilarityParams = { ...SIMILARITY_DEFAULTS, feedbackDocs: 0 };

test('shared rare words lift a neighbour above one with a slightly higher cosine', () => {
  const cands = [
    { id: 'topic-only', title: 'Policy optimisation for robots', abstract: 'We train locomotion policies with proximal policy optimisation.', vector: at(0.62) },
    { id: 'same-thing', title: 'Overoptimisation of reward models', abstract: 'Gold reward models reveal reward hacking when policies exploit a proxy reward model.', vector: at(0.6) },
  ];
  const out = rerankSimilar({ ...paper, vector: X }, cands);
  assert.deepEqual(out.map((c) => c.id), ['same-thing', 'topic-only']);
  assert.ok(Math.abs(out[0]!.cosine - 0.6) < 1e-6, `the plain cosine is reported: ${out[0]!.cosine}`);
  // With the sparse weight at 0 and no feedback the order is the cosine order.
  assert.deepEqual(rerankSimilar({ ...paper, vector: X }, cands, { ...noFeedback, sparseWeight: 0 }).map((c) => c.id), ['topic-only', 'same-thing']);
});

test('without feedback the fused score is the weighted sum: identical text gives w + (1 - w) * cosine, disjoint words give (1 - w) * cosine', () => {
  const text = `${paper.title}\n\n${paper.abstract}`;
  const w = noFeedback.sparseWeight;
  const [same, disjoint] = fusedScores({ text, vector: X }, [
    { text, vector: at(0.8) },
    { text: 'Superconducting qubits on silicon chips', vector: at(0.1) },
  ], noFeedback);
  assert.ok(Math.abs(same! - (w + (1 - w) * 0.8)) < 1e-6, `same: ${same}`);
  assert.ok(Math.abs(disjoint! - (1 - w) * 0.1) < 1e-6, `disjoint: ${disjoint}`);
});

test('the feedback round lifts a candidate that resembles the best matches but shares few words with the paper', () => {
  // "bridge" shares no words with the paper but many with the two clear matches, and points the same
  // way in the embedding as they do (towards z); "stray" has a slightly higher first-round score.
  const cands = [
    { id: 'match-1', title: 'Reward hacking under a proxy reward model', abstract: 'Proxy reward models are exploited; overoptimisation measured with gold scorers and KL penalties.', vector: at(0.9, 2) },
    { id: 'match-2', title: 'Reward model overoptimisation scaling laws', abstract: 'Gold scorers reveal overoptimisation; KL penalties slow it; proxy models are exploited.', vector: at(0.9, 2) },
    { id: 'stray', title: 'Learning from demonstrations', abstract: 'Imitation from human demonstrations for manipulation.', vector: at(0.5, 1) },
    { id: 'bridge', title: 'Scaling laws of overoptimisation', abstract: 'Gold scorers, KL penalties and proxy models exploited at scale.', vector: at(0.45, 2) },
  ];
  const q = { ...paper, vector: X };
  const plain = rerankSimilar(q, cands, noFeedback).map((c) => c.id);
  assert.ok(plain.indexOf('stray') < plain.indexOf('bridge'), `without feedback stray ranks above bridge: ${plain}`);
  const withFeedback = rerankSimilar(q, cands, { ...SIMILARITY_DEFAULTS, feedbackDocs: 2 }).map((c) => c.id);
  assert.deepEqual(withFeedback.slice(0, 2).sort(), ['match-1', 'match-2']);
  assert.ok(withFeedback.indexOf('bridge') < withFeedback.indexOf('stray'), `with feedback bridge ranks above stray: ${withFeedback}`);
});

test('deterministic: the same input gives the same scores, and a feedback weight of 0 is the first round', () => {
  const cands = [
    { text: 'reward models exploited', vector: at(0.7) },
    { text: 'gold reward hacking', vector: at(0.4, 2) },
    { text: 'qubits', vector: at(0.1) },
  ];
  const query = { text: `${paper.title}\n\n${paper.abstract}`, vector: X };
  assert.deepEqual(fusedScores(query, cands), fusedScores(query, cands));
  assert.deepEqual(fusedScores(query, cands, { ...SIMILARITY_DEFAULTS, feedbackWeight: 0 }), fusedScores(query, cands, noFeedback));
  assert.notDeepEqual(fusedScores(query, cands), fusedScores(query, cands, noFeedback));
});

test('empty pools, texts without words and zero vectors are handled', () => {
  assert.deepEqual(rerankSimilar({ ...paper, vector: X }, []), []);
  const out = rerankSimilar({ title: '', abstract: '', vector: X }, [{ id: 'a', title: '???', abstract: '', vector: at(0.3) }], noFeedback);
  assert.equal(out.length, 1);
  assert.ok(Math.abs(out[0]!.score - (1 - noFeedback.sparseWeight) * 0.3) < 1e-6, `score ${out[0]!.score}`);
  const zero = rerankSimilar({ title: '', abstract: '', vector: new Float32Array(3) }, [{ id: 'a', title: '', abstract: '', vector: new Float32Array(3) }]);
  assert.deepEqual(zero, [{ id: 'a', score: 0, cosine: 0 }]);
});
