import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusedScores, rerankSimilar, SPARSE_WEIGHT } from './similarity.ts';

const paper = {
  title: 'Reward hacking in reinforcement learning from human feedback',
  abstract: 'Policies optimised against a learned reward model exploit its errors. We measure reward hacking with gold reward models.',
};

test('shared rare words lift a neighbour above one with a slightly higher cosine', () => {
  const cands = [
    { id: 'topic-only', title: 'Policy optimisation for robots', abstract: 'We train locomotion policies with proximal policy optimisation.', cosine: 0.62 },
    { id: 'same-thing', title: 'Overoptimisation of reward models', abstract: 'Gold reward models reveal reward hacking when policies exploit a proxy reward model.', cosine: 0.6 },
  ];
  const out = rerankSimilar(paper, cands);
  assert.deepEqual(out.map((c) => c.id), ['same-thing', 'topic-only']);
  assert.equal(out[0]!.cosine, 0.6);
  // With the sparse weight at 0 the order is the cosine order.
  assert.deepEqual(rerankSimilar(paper, cands, 0).map((c) => c.id), ['topic-only', 'same-thing']);
});

test('fused score is the weighted sum: identical text gives w + (1 - w) * cosine, disjoint words give (1 - w) * cosine', () => {
  const text = `${paper.title}\n\n${paper.abstract}`;
  const [same, disjoint] = fusedScores(text, [
    { text, dense: 0.8 },
    { text: 'Superconducting qubits on silicon chips', dense: 0.1 },
  ]);
  assert.ok(Math.abs(same! - (SPARSE_WEIGHT + (1 - SPARSE_WEIGHT) * 0.8)) < 1e-9);
  assert.ok(Math.abs(disjoint! - (1 - SPARSE_WEIGHT) * 0.1) < 1e-9);
});

test('empty pools and texts without words are handled', () => {
  assert.deepEqual(rerankSimilar(paper, []), []);
  const out = rerankSimilar({ title: '', abstract: '' }, [{ id: 'a', title: '???', abstract: '', cosine: 0.3 }]);
  assert.deepEqual(out, [{ id: 'a', score: (1 - SPARSE_WEIGHT) * 0.3, cosine: 0.3 }]);
});
