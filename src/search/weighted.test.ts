import assert from 'node:assert/strict';
import { test } from 'node:test';
import { weightedTop } from './weighted.ts';

test('rows holding more weight come first; ties go to the higher (newer) rowid', () => {
  // Rowid 5 is in all three lists, 9 and 2 in two, the others in one; lists come in any order.
  const lists = [[1, 5, 9, 2], [9, 5, 7], [5, 2, 3]];
  const { top, matched } = weightedTop(lists, [1, 2, 0.5], 10);
  assert.equal(matched, 6);
  assert.deepEqual(
    top.map((t) => [t.r, t.w, t.n]),
    [[5, 3.5, 3], [9, 3, 2], [7, 2, 1], [2, 1.5, 2], [1, 1, 1], [3, 0.5, 1]],
  );
});

test('only the best k rows are returned, but every row is counted', () => {
  const many = Array.from({ length: 5000 }, (_, i) => i + 1);
  const { top, matched } = weightedTop([many, [17, 4000]], [1, 5], 3);
  assert.equal(matched, 5000);
  assert.deepEqual(top.map((t) => t.r), [4000, 17, 5000]);
});

test('no lists or empty lists give nothing', () => {
  assert.deepEqual(weightedTop([], [], 5), { top: [], matched: 0 });
  assert.deepEqual(weightedTop([[], []], [1, 1], 5), { top: [], matched: 0 });
});
