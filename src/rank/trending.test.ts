/** Unit tests of the trending score: monotone in votes, decays with age, order-preserving, the worked example's numbers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decayedWeight, HALF_LIFE_HOURS, trendingScore, workedExample } from './trending.ts';

const T = '2025-09-10T12:00:00.000Z';
const hoursAfter = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3_600_000).toISOString();

describe('trendingScore', () => {
  it('grows with every upvote', () => {
    let last = -Infinity;
    for (let v = 0; v <= 1000; v++) {
      const s = trendingScore(v, T);
      assert.ok(s > last, `${v} upvotes score above ${v - 1}`);
      last = s;
    }
  });

  it('is the formula: log2(upvotes + 1) + hours since 1970 / half-life', () => {
    assert.equal(trendingScore(15, T), 4 + Date.parse(T) / (HALF_LIFE_HOURS * 3_600_000));
    assert.equal(trendingScore(0, '1970-01-01T00:00:00Z'), 0);
    // Negative counts (never stored) and unreadable times do not produce NaN.
    assert.equal(trendingScore(-3, '1970-01-01T00:00:00Z'), 0);
    assert.equal(trendingScore(1, 'not a time'), 1);
  });

  it('gives a later submission the same votes a higher score; one half-life is worth doubling (upvotes + 1)', () => {
    assert.ok(trendingScore(10, hoursAfter(T, 1)) > trendingScore(10, T));
    assert.ok(Math.abs(trendingScore(7, hoursAfter(T, HALF_LIFE_HOURS)) - trendingScore(15, T)) < 1e-9);
  });
});

describe('decayedWeight', () => {
  it('halves every half-life and never grows with age', () => {
    const now = new Date(T);
    assert.equal(decayedWeight(15, T, now), 16);
    assert.ok(Math.abs(decayedWeight(15, T, new Date(hoursAfter(T, HALF_LIFE_HOURS))) - 8) < 1e-9);
    let last = Infinity;
    for (let h = 0; h <= 24 * 14; h += 6) {
      const w = decayedWeight(15, T, new Date(hoursAfter(T, h)));
      assert.ok(w < last, `older by ${h} h weighs less`);
      last = w;
    }
  });

  it('ranks exactly as the stored score at any moment (so the stored column never needs recomputing)', () => {
    const entries = [
      { v: 0, at: hoursAfter(T, 40) },
      { v: 3, at: hoursAfter(T, 30) },
      { v: 15, at: T },
      { v: 120, at: hoursAfter(T, -72) },
      { v: 40, at: hoursAfter(T, 5) },
      { v: 1, at: hoursAfter(T, 47) },
    ];
    const byScore = [...entries].sort((a, b) => trendingScore(b.v, b.at) - trendingScore(a.v, a.at));
    for (const h of [48, 72, 24 * 30, 24 * 365]) {
      const now = new Date(hoursAfter(T, h));
      const byWeight = [...entries].sort((a, b) => decayedWeight(b.v, b.at, now) - decayedWeight(a.v, a.at, now));
      assert.deepEqual(byWeight, byScore, `same order ${h} h later`);
    }
  });
});

describe('workedExample (shown on /about/ranking)', () => {
  it('A and B tie, C is ahead, with the numbers the page prints', () => {
    const ex = workedExample();
    const [a, b, c] = ex.entries;
    assert.deepEqual(
      ex.entries.map((e) => [e.label, e.upvotes]),
      [['A', 15], ['B', 7], ['C', 8]],
    );
    assert.equal(a!.ageHours, HALF_LIFE_HOURS * 1.5);
    assert.equal(b!.ageHours, HALF_LIFE_HOURS * 0.5);
    // 16 × 2^-1.5 = 8 × 2^-0.5 = 5.6569
    assert.equal(a!.weight.toFixed(4), '5.6569');
    assert.equal(b!.weight.toFixed(4), '5.6569');
    assert.equal(c!.weight.toFixed(4), (9 * Math.SQRT1_2).toFixed(4));
    assert.ok(Math.abs(a!.score - b!.score) < 1e-9);
    assert.ok(c!.score > a!.score);
    assert.equal(a!.score, trendingScore(15, a!.submittedAt));
  });
});
