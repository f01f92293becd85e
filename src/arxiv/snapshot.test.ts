import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isParseFailure, type ParsedRecord, parseSnapshotRecord } from './snapshot.ts';

const lines = readFileSync(new URL('../../testdata/import/arxiv-snapshot-head200.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

function parsed(id: string): ParsedRecord {
  const line = lines.find((l) => (JSON.parse(l) as { id: string }).id === id);
  assert.ok(line, id);
  const r = parseSnapshotRecord(JSON.parse(line));
  assert.ok(!isParseFailure(r), JSON.stringify(r));
  return r;
}

test('every line of the real snapshot head parses', () => {
  assert.equal(lines.length, 200);
  for (const l of lines) assert.ok(!isParseFailure(parseSnapshotRecord(JSON.parse(l))), l.slice(0, 60));
});

test('versions, dates, authors and wrapped text of a two-version paper', () => {
  const { paper, listingDate } = parsed('0704.0001');
  assert.equal(listingDate, null);
  assert.equal(paper.version, 2);
  assert.equal(paper.publishedAt, '2007-04-02T19:18:42.000Z'); // v1 "Mon, 2 Apr 2007 19:18:42 GMT"
  assert.equal(paper.updatedAt, '2007-07-24T20:10:27.000Z'); // v2
  assert.equal(paper.title, 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
  assert.ok(paper.abstract.startsWith('A fully differential calculation in perturbative quantum chromodynamics is presented'));
  assert.ok(!/\s{2}|\n/.test(paper.abstract));
  // authors_parsed gives the accents as Unicode ("Bal\'azs" in the display string) and the order.
  assert.deepEqual(paper.authors, ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan']);
  assert.deepEqual(paper.categories, ['hep-ph']);
  assert.equal(paper.journalRef, 'Phys.Rev.D76:013009,2007');
  assert.equal(paper.doi, '10.1103/PhysRevD.76.013009');
  assert.equal(paper.comment, '37 pages, 15 figures; published version');
  assert.equal(paper.license, null);
});

test('primary category first, suffixes kept, four versions', () => {
  const a = parsed('0704.0002').paper;
  assert.deepEqual(a.categories, ['math.CO', 'cs.CG']);
  assert.equal(a.license, 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/');
  assert.deepEqual(a.authors, ['Ileana Streinu', 'Louis Theran']);
  assert.ok(parsed('0704.0009').paper.authors.includes('Neal J. Evans II'));
  const c = parsed('0704.0027').paper;
  assert.equal(c.version, 4);
  assert.equal(c.updatedAt, '2009-09-24T12:40:18.000Z');
});

test('an old-style id keeps its archive', () => {
  const line = readFileSync(new URL('../../testdata/import/snapshot-oldstyle.jsonl', import.meta.url), 'utf8').trim();
  const r = parseSnapshotRecord(JSON.parse(line));
  assert.ok(!isParseFailure(r));
  assert.equal(r.paper.id, 'astro-ph/0601001');
  assert.equal(r.paper.version, 1);
  assert.deepEqual(r.paper.authors, ['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski']);
});

test('bad records give a reason instead of throwing', () => {
  const good = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(parseSnapshotRecord({ ...good, id: undefined }), { error: 'missing id' });
  assert.equal((parseSnapshotRecord({ ...good, id: 'not an id' }) as { error: string }).error, 'unparseable id');
  assert.equal((parseSnapshotRecord({ ...good, title: '  \n ' }) as { error: string }).error, 'missing title');
  assert.equal((parseSnapshotRecord({ ...good, versions: [], update_date: null }) as { error: string }).error, 'missing date');
  assert.deepEqual(parseSnapshotRecord([1, 2]), { error: 'not a JSON object' });
  assert.deepEqual(parseSnapshotRecord(null), { error: 'not a JSON object' });
  // A versioned id in the id field still yields the canonical id.
  const v = parseSnapshotRecord({ ...good, id: 'arXiv:0704.0001v2' });
  assert.ok(!isParseFailure(v) && v.paper.id === '0704.0001');
});
