import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rrf } from './fusion.ts';

describe('rrf', () => {
  it('sums weight / (k + rank) over the lists, rank counted from 1', () => {
    const out = rrf(
      [
        { ids: ['a', 'b', 'c'], weight: 1 },
        { ids: ['c', 'd'], weight: 2 },
      ],
      60,
    );
    const byId = Object.fromEntries(out.map((x) => [x.id, x.score]));
    assert.equal(byId.a, 1 / 61);
    assert.equal(byId.b, 1 / 62);
    assert.equal(byId.c, 1 / 63 + 2 / 61);
    assert.equal(byId.d, 2 / 62);
    assert.deepEqual(
      out.map((x) => x.id),
      ['c', 'd', 'a', 'b'],
    );
  });

  it('puts a paper found by both lists above papers found by one', () => {
    const out = rrf(
      [
        { ids: ['k1', 'both', 'k3'], weight: 1 },
        { ids: ['v1', 'v2', 'both'], weight: 1 },
      ],
      60,
    );
    assert.equal(out[0]!.id, 'both');
  });

  it('breaks ties deterministically: better best rank first, then the earlier list', () => {
    // x and y both sit at rank 1 of one list each: equal sums, x's list comes first.
    const lists = [
      { ids: ['x', 'p'], weight: 1 },
      { ids: ['y', 'q'], weight: 1 },
    ];
    assert.deepEqual(
      rrf(lists, 60).map((r) => r.id),
      ['x', 'y', 'p', 'q'],
    );
    // The same lists the other way round: the list order decides, not map insertion order.
    assert.deepEqual(
      rrf([...lists].reverse(), 60).map((r) => r.id),
      ['y', 'x', 'q', 'p'],
    );
    // Equal sums from different ranks (k = 1): m = 1/2 + 2/4 and n = 1/3 + 2/3, both 1; z = 2/2 = 1 too.
    const out = rrf(
      [
        { ids: ['m', 'n'], weight: 1 },
        { ids: ['z', 'n', 'm'], weight: 2 },
      ],
      1,
    );
    const score = Object.fromEntries(out.map((r) => [r.id, r.score]));
    assert.ok(Math.abs(score.m! - score.n!) < 1e-12 && Math.abs(score.m! - score.z!) < 1e-12, 'm, n and z tie');
    assert.deepEqual(
      out.map((r) => r.id),
      ['m', 'z', 'n'],
      'm and z reached rank 1 (m in the earlier list), n only rank 2',
    );
    // And the result is the same on every call.
    assert.deepEqual(rrf(lists, 60), rrf(lists, 60));
  });

  it('weights shift the order, and a zero weight switches a list off', () => {
    const lists = (kw: number, vec: number) => [
      { ids: ['kw', 'shared'], weight: kw },
      { ids: ['vec', 'shared2'], weight: vec },
    ];
    assert.equal(rrf(lists(3, 1), 60)[0]!.id, 'kw');
    assert.equal(rrf(lists(1, 3), 60)[0]!.id, 'vec');
    assert.deepEqual(
      rrf(lists(1, 0), 60).map((r) => r.id),
      ['kw', 'shared'],
    );
  });

  it('counts an id repeated within a list once, at its best rank', () => {
    const out = rrf([{ ids: ['a', 'b', 'a'], weight: 1 }], 60);
    assert.deepEqual(out, [
      { id: 'a', score: 1 / 61 },
      { id: 'b', score: 1 / 62 },
    ]);
  });

  it('handles empty input and rejects a negative k', () => {
    assert.deepEqual(rrf([], 60), []);
    assert.deepEqual(rrf([{ ids: [], weight: 1 }], 60), []);
    assert.throws(() => rrf([{ ids: ['a'], weight: 1 }], -1), /k must be/);
  });
});
