/**
 * The evaluation's metrics: hand-computed cases, and the self-checks on the official runs (copied
 * into testdata/relevance/) that must reproduce the published figures to the second/fourth decimal.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CsfPerQuery, csfCrossValidated, csfMetricsOfRankings, csfcubeSelfCheck, loadCsfcube } from '../eval/csfcube.ts';
import { knownItemMetrics } from '../eval/corpus-queries.ts';
import { averagePrecision, dcg, foldMean, ndcgAtPct, pairedBootstrap, poolPairs, rankByScore, reviewerPairs } from '../eval/metrics.ts';
import { evaluateReviewers, loadReviewers, referencePieces, reviewerPieces } from '../eval/reviewers.ts';
import { SparseCollection, sparseDot } from '../eval/baselines.ts';

const FIX = join(import.meta.dirname, '..', 'testdata', 'relevance');

test('average precision counts grade >= 2 as relevant and is 0 with nothing relevant', () => {
  // Relevant at ranks 1, 3, 5: (1/1 + 2/3 + 3/5) / 3.
  assert.ok(Math.abs(averagePrecision([3, 0, 2, 1, 2]) - (1 + 2 / 3 + 3 / 5) / 3) < 1e-12);
  assert.equal(averagePrecision([1, 1, 0]), 0);
  assert.equal(averagePrecision([0, 0, 2]), 1 / 3);
});

test('NDCG%20 uses k = floor(0.2 n), linear gain and undiscounted first two ranks', () => {
  // n = 10 → k = 2: DCG = g1 + g2 / log2(2) = g1 + g2; ideal = 3 + 2.
  assert.equal(ndcgAtPct([0, 2, 3, 0, 0, 0, 0, 0, 0, 0]), 2 / 5);
  assert.equal(ndcgAtPct([3, 2, 0, 0, 0, 0, 0, 0, 0, 0]), 1);
  // Third rank is discounted by log2(3).
  assert.ok(Math.abs(dcg([1, 1, 3], 3) - (1 + 1 + 3 / Math.log2(3))) < 1e-12);
  // n = 4 → k = 0: nothing to measure, 0 rather than NaN.
  assert.equal(ndcgAtPct([3, 2, 1, 0]), 0);
});

test('ranking is a stable sort: ties keep the candidates order', () => {
  const s = new Map([['a', 1], ['b', 2], ['c', 1], ['d', 2]]);
  assert.deepEqual(rankByScore(['a', 'b', 'c', 'd'], (id) => s.get(id)!), ['b', 'd', 'a', 'c']);
});

test('fold mean is the mean of the two fold means, not a flat mean', () => {
  const m = new Map([['a', 1], ['b', 0], ['c', 0]]);
  // Folds {a} and {b, c}: ½(1 + 0) = 0.5 (a flat mean would be 1/3).
  assert.equal(foldMean(m, ['a'], ['b', 'c']), 50);
  assert.throws(() => foldMean(m, ['zz'], ['a']), /no metric for query zz/);
});

test('CSFCube self-check: the official SPECTER runs give MAP 34.23 / NDCG%20 53.28', () => {
  const data = loadCsfcube(join(FIX, 'csfcube'));
  const { result, pass } = csfcubeSelfCheck(data);
  assert.equal(result.map.all.toFixed(2), '34.23');
  assert.equal(result.ndcg20.all.toFixed(2), '53.28');
  assert.ok(pass);
  // Per-facet values of the same run (background is the easiest facet, method the hardest).
  assert.ok(result.map.background > result.map.result && result.map.result > result.map.method);
});

test('CSFCube: a query listed as its own candidate is removed before ranking', () => {
  const data = loadCsfcube(join(FIX, 'csfcube'));
  const ranked = data.specterRanked!;
  const plain = csfMetricsOfRankings(data, (f, q) => ranked[f].get(q)!);
  // Putting the query paper first in every ranking must change nothing.
  const withSelf = csfMetricsOfRankings(data, (f, q) => [q, ...ranked[f].get(q)!]);
  assert.deepEqual(withSelf, plain);
  // 8781666 really is in its own pool (the trap the recipe warns about).
  const own = (['background', 'method', 'result'] as const).some((f) => data.queries[f].get('8781666')?.cands.includes('8781666'));
  assert.ok(own);
});

test('CSFCube cross-validation picks each fold\'s setting on its dev queries only and scores it on its test queries', () => {
  const data = loadCsfcube(join(FIX, 'csfcube'));
  const all = data.splits.all!;
  const keys = [...all.fold1_test!, ...all.fold2_test!];
  // "dev1" is perfect exactly on fold 1's dev queries (= fold 2's test queries) and useless elsewhere; "dev2" the reverse.
  const perfectOn = (good: Set<string>): CsfPerQuery => ({
    ap: new Map(keys.map((k) => [k, good.has(k) ? 1 : 0])),
    ndcg20: new Map(keys.map((k) => [k, good.has(k) ? 1 : 0])),
  });
  const variants = [
    { label: 'dev1', perQuery: perfectOn(new Set(all.fold1_dev!)) },
    { label: 'dev2', perQuery: perfectOn(new Set(all.fold2_dev!)) },
  ];
  const cv = csfCrossValidated(data, variants);
  assert.deepEqual(cv.picks, { fold1: 'dev1', fold2: 'dev2' });
  // Each pick is useless on the queries it is tested on: choosing on test queries would give 100.
  assert.equal(cv.result.map.all, 0);
  assert.equal(cv.result.ndcg20.background, 0);
  // A setting better everywhere is picked for both folds and keeps its figures.
  const everywhere = { label: 'all', perQuery: perfectOn(new Set(keys)) };
  const best = csfCrossValidated(data, [everywhere, ...variants]);
  assert.deepEqual(best.picks, { fold1: 'all', fold2: 'all' });
  assert.equal(best.result.map.all, 100);
});

test('reviewer pairs: weighted loss, ties cost half, easy and hard pairs', () => {
  const judged = new Map([['p1', 5], ['p2', 4], ['p3', 1], ['p4', 4]]);
  const s = new Map([['p1', 0.9], ['p2', 0.1], ['p3', 0.5], ['p4', 0.9]]);
  const r = reviewerPairs(judged, (p) => s.get(p));
  // Pairs with different expertise: (p1,p2) w1 ok; (p1,p3) w4 ok; (p1,p4) w1 tie → 0.5;
  // (p2,p3) w3 wrong; (p3,p4) w3 ok. (p2,p4) equal expertise: skipped.
  assert.equal(r.lossDen, 1 + 4 + 1 + 3 + 3);
  assert.equal(r.lossNum, 0.5 + 3);
  // Easy: (p1,p3), (p2,p3), (p3,p4) → 2 correct; hard: (p1,p2) ok, (p1,p4) tie counts wrong.
  assert.deepEqual([r.easyOk, r.easyN, r.hardOk, r.hardN], [2, 3, 1, 2]);
  const constant = poolPairs([reviewerPairs(judged, () => 1)]);
  assert.equal(constant.loss, 0.5);
  assert.equal(constant.easy, 0);
});

test('reviewer self-check: released SPECTER predictions give 0.2689 / 0.8525 / 0.5667 over 261 easy and 417 hard pairs', () => {
  const data = loadReviewers(join(FIX, 'reviewer-goldstandard'));
  assert.equal(data.judgements.size, 58);
  const m = evaluateReviewers(referencePieces(data, 'specter'));
  assert.equal(m.loss.toFixed(4), '0.2689');
  assert.equal(m.easy.toFixed(4), '0.8525');
  assert.equal(m.hard.toFixed(4), '0.5667');
  assert.equal(m.easyPairs, 261);
  assert.equal(m.hardPairs, 417);
  // The scorer path: a constant system scores 0.5 on every version.
  assert.equal(evaluateReviewers(reviewerPieces(data, (_p, judged) => judged.map(() => 0))).loss, 0.5);
});

test('paired bootstrap: a system against itself differs by 0; a better one has a negative interval', () => {
  const data = loadReviewers(join(FIX, 'reviewer-goldstandard'));
  const specter = referencePieces(data, 'specter');
  const same = pairedBootstrap(specter, specter, 200, 3);
  assert.equal(same.diff, 0);
  assert.equal(same.p, 1);
  const constant = reviewerPieces(data, (_p, judged) => judged.map(() => 0));
  const vs = pairedBootstrap(specter, constant, 200, 3);
  assert.ok(vs.diff < -0.2 && vs.hi < 0 && vs.p === 0, JSON.stringify(vs));
});

test('TF-IDF baseline: identical texts score 1, unrelated texts 0; BM25 prefers the matching document', () => {
  const col = new SparseCollection(
    new Map([
      ['a', 'graph neural networks for molecule property prediction'],
      ['b', 'reward models for reinforcement learning from human feedback'],
      ['c', 'molecular graphs and message passing'],
    ]),
  );
  const a = col.tfidf('graph neural networks for molecule property prediction');
  assert.ok(Math.abs(sparseDot(a, col.docTfidf('a', 'graph neural networks for molecule property prediction')) - 1) < 1e-9);
  assert.equal(sparseDot(a, col.tfidf('reward models for reinforcement learning from human feedback')), 0);
  const q = new Map([['graph', 1]]);
  assert.ok(col.bm25(q, 'a') > 0 && col.bm25(q, 'b') === 0);
});

test('known-item metrics: MRR@10 and recall at 1/10/100', () => {
  const m = knownItemMetrics([1, 4, undefined, 50]);
  assert.equal(m.mrr10, (1 + 1 / 4) / 4);
  assert.deepEqual([m.recall1, m.recall10, m.recall100], [0.25, 0.5, 0.75]);
});
