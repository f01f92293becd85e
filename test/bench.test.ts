/**
 * The benchmark's own building blocks, so `npm run bench` does not rot between runs: query set,
 * bare baseline (insert + query), statistics and the report table. Runs on the 1,000-paper sample.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bareFtsExpression, bareInsert, openBareSearch } from '../bench/lib/baseline.ts';
import { resolveCorpusPath } from '../bench/lib/corpus.ts';
import { buildQueries } from '../bench/lib/queries.ts';
import { formatTable, row } from '../bench/lib/report.ts';
import { latencyStats, percentile } from '../bench/lib/stats.ts';

const SAMPLE = join(import.meta.dirname, '..', 'testdata', 'arxiv-listings-sample1000.jsonl');

test('the query set is 200 queries of every kind, identical run to run', async () => {
  const a = await buildQueries(SAMPLE);
  const b = await buildQueries(SAMPLE);
  assert.equal(a.length, 200);
  assert.deepEqual(a, b);
  const kinds = new Map<string, number>();
  for (const q of a) kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(kinds), { title: 40, topic: 40, author: 30, phrase: 25, description: 40, handwritten: 25 });
  for (const q of a.filter((x) => x.kind === 'description')) assert.ok(q.q.split(' ').length >= 10, `description too short: ${q.q}`);
  for (const q of a.filter((x) => x.kind === 'phrase')) assert.match(q.q, /^"[^"]+"$/);
});

test('the bare baseline stores every row and finds a paper by its exact title', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-benchtest-'));
  try {
    const file = join(dir, 'bare.db');
    const { rows } = await bareInsert(file, SAMPLE);
    assert.equal(rows, 1000);
    const search = openBareSearch(file);
    try {
      const [first] = await buildQueries(SAMPLE);
      assert.equal(first?.kind, 'title');
      assert.equal(search.search(first!.q)[0]?.id, first!.expectId);
      // User text never becomes FTS5 syntax, so hostile input cannot make the baseline throw.
      for (const q of ['"unbalanced', 'NEAR(a b)', 'a OR -b*', '(((', '🙂', '', 'x'.repeat(10_000)]) search.search(q);
    } finally {
      search.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bare FTS5 expressions quote every word and keep phrases', () => {
  assert.equal(bareFtsExpression('reward "human feedback" NEAR'), '"human feedback" "reward" "NEAR"');
  assert.equal(bareFtsExpression('*** ()'), '');
});

test('percentiles use the nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 95), 95);
  assert.equal(percentile([7], 95), 7);
  const s = latencyStats([3, 1, 2]);
  assert.deepEqual([s.p50, s.max, s.mean], [2, 3, 2]);
});

test('the report table shows ratios and pass/fail, and a missing corpus is detected', () => {
  const out = formatTable([row({ name: 'import: wall time', value: 14, unit: 's', baseline: 7, target: '< 60 s', pass: true })]);
  assert.match(out, /import: wall time\s+14\.0\s+s\s+7\.00\s+2\.00x\s+< 60 s\s+PASS/);
  assert.equal(resolveCorpusPath(['/nonexistent/corpus.jsonl.gz'], {}).exists, false);
  assert.equal(resolveCorpusPath([], { PAPERBOY_BENCH_CORPUS: SAMPLE }).exists, true);
});
