import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isArxivCategory, parseListingsRecord } from './listings.ts';
import { isParseFailure } from './snapshot.ts';

const lines = readFileSync(new URL('../../testdata/arxiv-listings-sample1000.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

test('every line of the real listings sample parses', () => {
  assert.equal(lines.length, 1000);
  for (const l of lines) assert.ok(!isParseFailure(parseListingsRecord(JSON.parse(l))), l.slice(0, 60));
});

test('a listing becomes a version-1 paper announced on its listing date', () => {
  const r = parseListingsRecord(JSON.parse(lines[1]!));
  assert.ok(!isParseFailure(r));
  assert.equal(r.paper.id, '2503.12447');
  assert.equal(r.paper.version, 1);
  assert.equal(r.paper.title, 'Causality Model for Semantic Understanding on Videos');
  assert.deepEqual(r.paper.authors, ['Li Yicong']);
  assert.deepEqual(r.paper.categories, ['cs.CV', 'cs.AI']);
  assert.equal(r.paper.comment, 'PhD Thesis');
  assert.equal(r.listingDate, '2025-03-18');
  assert.equal(r.listingCategory, 'cs.CV');
  assert.equal(r.paper.publishedAt, '2025-03-18T00:00:00.000Z');
  assert.ok(r.paper.abstract.startsWith('After a decade of prosperity, the development of video understanding has reached'));
  assert.ok(!r.paper.abstract.includes('\n'));
});

test('MSC and ACM classes are dropped, the primary category stays first', () => {
  // Line 36 of the sample: ["eess.IV", "cs.CV", "68T07, 68T10, 68T45, 62H35", "I.2; I.2.10; ..."]
  const r = parseListingsRecord(JSON.parse(lines[35]!));
  assert.ok(!isParseFailure(r));
  assert.equal(r.paper.id, '2504.07606');
  assert.deepEqual(r.paper.categories, ['eess.IV', 'cs.CV']);
  // Line 124 has categories: null.
  const n = parseListingsRecord(JSON.parse(lines[123]!));
  assert.ok(!isParseFailure(n));
  assert.deepEqual(n.paper.categories, []);
  assert.equal(n.listingCategory, null);
  assert.equal(n.listingDate !== null, true);
});

test('category recognition', () => {
  for (const c of ['cs.CL', 'hep-th', 'cond-mat.mes-hall', 'astro-ph.GA', 'q-bio.NC', 'math-ph', 'physics.optics', 'stat.ML']) {
    assert.ok(isArxivCategory(c), c);
  }
  for (const c of ['68T50', 'I.2.7', 'I.2.7; I.2.6', 'na', '', 'cs.CL; cs.AI', 'CS.CL']) assert.ok(!isArxivCategory(c), c);
});

test('old-style and versioned ids are normalised', () => {
  const base = JSON.parse(lines[0]!) as Record<string, unknown>;
  const a = parseListingsRecord({ ...base, id: 'hep-th/9901001v2' });
  assert.ok(!isParseFailure(a));
  assert.equal(a.paper.id, 'hep-th/9901001');
  assert.equal(a.paper.version, 2);
});

test('bad records give a reason instead of throwing', () => {
  const base = JSON.parse(lines[0]!) as Record<string, unknown>;
  const reason = (o: unknown) => (parseListingsRecord(o) as { error?: string }).error;
  assert.equal(reason({ ...base, id: null }), 'missing id');
  assert.equal(reason({ ...base, id: 42 }), 'missing id');
  assert.equal(reason({ ...base, id: '2513.00001' }), 'unparseable id');
  assert.equal(reason({ ...base, title: undefined }), 'missing title');
  assert.equal(reason({ ...base, listing_date: '2025-02-30' }), 'missing or invalid listing_date');
  assert.equal(reason('a string'), 'not a JSON object');
  // Non-string authors are ignored rather than crashing.
  const odd = parseListingsRecord({ ...base, authors: ['A. Author', 7, null, '  '] });
  assert.ok(!isParseFailure(odd));
  assert.deepEqual(odd.paper.authors, ['A. Author']);
});
