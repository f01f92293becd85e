import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize } from '../search/embed/embedder.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';
import { trainUserModel } from './model.ts';

const DIM = 64;

/** Papers on a few topics: a topic direction plus noise, unit length (what an embedder gives, roughly). */
function topics(seed: number, count: number) {
  const rnd = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const centres = Array.from({ length: count }, () => normalize(Float32Array.from({ length: DIM }, gauss)));
  const paper = (t: number, noise = 0.8) => normalize(Float32Array.from(centres[t]!, (c) => c + (noise * gauss()) / Math.sqrt(DIM)));
  return { paper, random: () => normalize(Float32Array.from({ length: DIM }, gauss)) };
}

test('a user who likes topic A and dislikes topic B gets A papers first', () => {
  const { paper, random } = topics(1, 6);
  const A = 0;
  const B = 1;
  const pos = Array.from({ length: 5 }, () => paper(A));
  const neg = Array.from({ length: 5 }, () => paper(B));
  const implicit = Array.from({ length: 100 }, random);
  const model = trainUserModel(pos, neg, { implicit });
  // Unseen candidates: 10 per topic, topics A..F.
  const candidates = [];
  for (let t = 0; t < 6; t++) for (let i = 0; i < 10; i++) candidates.push({ t, v: paper(t) });
  const ranked = candidates.map((c) => ({ t: c.t, s: model.score(c.v) })).sort((a, b) => b.s - a.s);
  assert.deepEqual(ranked.slice(0, 10).map((r) => r.t), Array(10).fill(A), 'the ten A papers come first');
  // B (disliked) ranks below the unrelated topics on average.
  const mean = (t: number) => ranked.filter((r) => r.t === t).reduce((s, r) => s + r.s, 0) / 10;
  for (const other of [2, 3, 4, 5]) assert.ok(mean(B) < mean(other), `disliked topic below topic ${other}`);
});

test('two separate interests both rank above unrelated papers (the nearest-neighbour part)', () => {
  const { paper, random } = topics(2, 8);
  // Likes A and C, uneven: 6 on A and only 2 on C, so a single direction would favour A.
  const pos = [...Array.from({ length: 6 }, () => paper(0)), paper(2), paper(2)];
  const model = trainUserModel(pos, [], { implicit: Array.from({ length: 100 }, random) });
  const cs = Array.from({ length: 5 }, () => model.score(paper(2)));
  const others = [];
  for (const t of [1, 3, 4, 5, 6, 7]) for (let i = 0; i < 5; i++) others.push(model.score(paper(t)));
  assert.ok(Math.min(...cs) > Math.max(...others), 'every C paper beats every unrelated paper');
});

test('nearestLiked names the liked paper a candidate is closest to', () => {
  const { paper } = topics(3, 4);
  const pos = [paper(0), paper(1), paper(2)];
  const model = trainUserModel(pos, []);
  const near = model.nearestLiked(paper(1), 2);
  assert.equal(near[0]!.index, 1);
  assert.equal(near.length, 2);
  assert.ok(near[0]!.cosine > near[1]!.cosine);
});

test('deterministic, and copes with no positives, no negatives and bad input', () => {
  const { paper, random } = topics(4, 3);
  const pos = [paper(0), paper(0)];
  const implicit = Array.from({ length: 20 }, random);
  const disliked = paper(1);
  const a = trainUserModel(pos, [disliked], { implicit });
  const b = trainUserModel(pos, [disliked], { implicit });
  const probe = paper(2);
  assert.equal(a.score(probe), b.score(probe));
  // Only likes: the direction is their mean, A still beats B.
  const likesOnly = trainUserModel(pos, []);
  assert.ok(likesOnly.score(paper(0)) > likesOnly.score(paper(1)));
  // Only dislikes: no positives, B scores lowest.
  const dislikesOnly = trainUserModel([], [paper(1)], { implicit });
  assert.equal(dislikesOnly.hasPositives, false);
  assert.ok(dislikesOnly.score(paper(1)) < dislikesOnly.score(paper(0)));
  // Nothing at all: every score is 0.
  assert.equal(trainUserModel([], []).direction.length, 0);
  assert.throws(() => trainUserModel([new Float32Array(3)], [new Float32Array(4)]), /length/);
  assert.throws(() => a.score(new Float32Array(3)), /length/);
});

test('retraining is cheap enough to run on every feedback change', () => {
  // Not a timed assertion: counts the work instead. 300 examples × 150 steps × 256 dims ≈ 11.5M
  // multiply-adds — a few milliseconds; this checks the model trains on that size without trouble.
  const rnd = mulberry32(5);
  const v = () => normalize(Float32Array.from({ length: 256 }, () => rnd() - 0.5));
  const m = trainUserModel(Array.from({ length: 50 }, v), Array.from({ length: 50 }, v), { implicit: Array.from({ length: 200 }, v) });
  assert.equal(m.direction.length, 256);
  assert.ok(Number.isFinite(m.score(v())));
});
