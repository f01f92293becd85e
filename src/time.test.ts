import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addMonths, addWeeks, feedDateOf, isValidDate, isoWeekOf, monthRange, weekRange } from './time.ts';

test('dates are validated as real calendar days', () => {
  assert.ok(isValidDate('2024-02-29'));
  assert.ok(!isValidDate('2025-02-29'));
  assert.ok(!isValidDate('2025-13-01'));
  assert.ok(!isValidDate('2025-1-01'));
  assert.ok(!isValidDate('yesterday'));
});

test('ISO weeks across year boundaries', () => {
  assert.equal(isoWeekOf('2025-12-29'), '2026-W01');
  assert.equal(isoWeekOf('2021-01-03'), '2020-W53');
  assert.deepEqual(weekRange('2026-W01'), { from: '2025-12-29', to: '2026-01-04' });
  assert.deepEqual(weekRange('2020-W53'), { from: '2020-12-28', to: '2021-01-03' });
  assert.equal(weekRange('2025-W53'), null);
  assert.equal(weekRange('2025-W00'), null);
  assert.equal(addWeeks('2025-W52', 1), '2026-W01');
});

test('months and feed dates in a time zone', () => {
  assert.deepEqual(monthRange('2024-02'), { from: '2024-02-01', to: '2024-02-29' });
  assert.equal(monthRange('2024-13'), null);
  assert.equal(addMonths('2025-12', 1), '2026-01');
  assert.equal(addMonths('2026-01', -1), '2025-12');
  // 03:00 UTC is still the previous evening in New York.
  assert.equal(feedDateOf('2025-09-11T03:00:00Z', 'America/New_York'), '2025-09-10');
  assert.equal(feedDateOf('2025-09-11T03:00:00Z', 'UTC'), '2025-09-11');
});
