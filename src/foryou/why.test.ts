import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain, whyText } from './why.ts';

const RLHF = {
  cosine: 0.8,
  text: 'Reward hacking in RLHF: language models exploit reward models. We study reward hacking and over-optimization.',
  paper: { id: '2501.00001', title: 'Reward hacking in RLHF' },
};
const VISION = {
  cosine: 0.1,
  text: 'Image segmentation with convolutional networks and segmentation masks.',
  paper: { id: '2501.00002', title: 'Segmentation masks' },
};
const CANDIDATE = 'Mitigating reward hacking with ensembles of reward models. Over-optimization of the proxy reward is reduced; segmentation is not discussed.';

test('names the close liked paper and the terms it shares with the candidate, not the far one', () => {
  const w = explain(CANDIDATE, [RLHF, VISION]);
  assert.deepEqual(w.papers, [RLHF.paper]);
  assert.ok(w.terms.includes('reward hacking'), `terms: ${w.terms.join(', ')}`);
  // "segmentation" is in the candidate and in the far paper only: never a reason.
  assert.ok(!w.terms.some((t) => t.includes('segment')));
  // A word covered by a chosen phrase is not repeated.
  assert.ok(!w.terms.includes('reward'), `terms: ${w.terms.join(', ')}`);
  assert.equal(w.interest, undefined);
  assert.match(whyText(w), /close to “Reward hacking in RLHF” · shared terms: reward hacking/);
});

test('uses the model’s own term weights when given, keeping only shared ones', () => {
  const termsOf = (_t: string, _n: number) => ['ensembles', 'over-optimization', 'reward models'];
  const w = explain(CANDIDATE, [RLHF], { termsOf });
  assert.deepEqual(w.terms, ['reward models', 'over-optimization']);
});

test('a standing interest closest to the candidate is named as the reason', () => {
  const interest = { cosine: 0.9, text: 'ensembles of reward models against over-optimization', interest: 'Reward model ensembles' };
  const w = explain(CANDIDATE, [interest, RLHF]);
  assert.equal(w.interest, 'Reward model ensembles');
  assert.deepEqual(w.papers, [RLHF.paper]);
  assert.ok(w.terms.some((t) => t.startsWith('ensemble')), `terms: ${w.terms.join(', ')}`);
  assert.match(whyText(w), /^your interest “Reward model ensembles”/);
});

test('nothing close enough: no paper is claimed, and the text stays honest', () => {
  const w = explain(CANDIDATE, [VISION]);
  assert.deepEqual(w, { papers: [], terms: [] });
  assert.equal(whyText(w), 'close to what you liked');
});
