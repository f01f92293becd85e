import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseApiFeed } from './atom.ts';
import { FeedParseError } from './xml-errors.ts';

const DIR = new URL('../../testdata/arxiv/api/', import.meta.url);
const api = (path: string) => readFileSync(new URL(path, DIR), 'utf8');
const r2016 = (name: string) => api(`arxivpy-2016-recorded/${name}.xml`);
const r2026 = (name: string) => api(`arxivpy-2026-recorded/${name}`);

test('2016 format: wrapped title and summary, doi, journal ref, comment, primary category first', () => {
  const feed = parseApiFeed(r2016('id_list=1111.2011v2'));
  assert.deepEqual([feed.totalResults, feed.startIndex, feed.itemsPerPage], [1, 0, 10]);
  assert.deepEqual(feed.errors, []);
  assert.equal(feed.papers.length, 1);
  const p = feed.papers[0]!;
  assert.equal(p.id, '1111.2011');
  assert.equal(p.version, 2);
  assert.equal(p.title, 'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit');
  assert.ok(p.abstract.startsWith('Theoretical description of anisotropic systems, such as layered superconductors and coupled spin chains,'));
  assert.ok(p.abstract.endsWith('similar to adding a single extra dimension to the theory describing a single node.'));
  assert.ok(!/\n|\s{2}/.test(p.abstract));
  assert.deepEqual(p.authors, ['James M. Murray', 'Adrian Del Maestro', 'Zlatko Tesanovic']);
  assert.deepEqual(p.categories, ['cond-mat.str-el', 'cond-mat.stat-mech']);
  assert.equal(p.publishedAt, '2011-11-08T18:48:36.000Z');
  assert.equal(p.updatedAt, '2012-04-02T12:38:54.000Z');
  assert.equal(p.doi, '10.1103/PhysRevB.85.115117');
  assert.equal(p.journalRef, 'Phys. Rev. B 85, 115117 (2012)');
  assert.equal(p.comment, '8 pages, 3 figures. Published version');
});

test('2016 format: a 10-entry page with old-style ids, in order', () => {
  const feed = parseApiFeed(r2016('search_query=au_del_maestro'));
  assert.deepEqual([feed.totalResults, feed.startIndex, feed.itemsPerPage], [31, 0, 10]);
  assert.equal(feed.papers.length, 10);
  assert.deepEqual(
    feed.papers.slice(0, 4).map((p) => [p.id, p.version]),
    [['1201.4869', 1], ['cond-mat/0412498', 1], ['cond-mat/0603029', 1], ['1005.5383', 1]],
  );
  assert.equal(feed.papers[1]!.journalRef, 'Physical Review B 71, 184511 (2005)');
  assert.equal(feed.papers[1]!.categories[0], 'cond-mat.str-el');
});

test('2026 format: old-style id, affiliations ignored, journal ref', () => {
  const feed = parseApiFeed(r2026('id_astro-ph_0601001_s0_m100_3150dca9dc76.status200.xml'));
  assert.deepEqual([feed.totalResults, feed.startIndex, feed.itemsPerPage], [1, 0, 100]);
  const p = feed.papers[0]!;
  assert.equal(p.id, 'astro-ph/0601001');
  assert.equal(p.version, 1);
  assert.equal(p.title, 'Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina');
  assert.deepEqual(p.authors, ['Andrew Gould', 'Susan Dorsher', 'B. Scott Gaudi', 'Andrzej Udalski']);
  assert.deepEqual(p.categories, ['astro-ph']);
  assert.equal(p.journalRef, 'ActaAstron.56:1-50,2006');
  assert.equal(p.doi, null);
  // Entities decoded: "Gould &amp; Morgan", "V_max&lt;17.5".
  assert.match(p.abstract, /following Gould & Morgan \(2003\)/);
  assert.match(p.abstract, /V_max<17\.5\. Hence/);
  assert.equal(p.publishedAt, '2006-01-02T14:57:58.000Z');
});

test('2026 format: versioned old-style id, cross-listed categories, and a title that looks like a number', () => {
  const q = parseApiFeed(r2026('id_quant-ph_0201082v1_s0_m100_86989fe779ef.status200.xml')).papers[0]!;
  assert.deepEqual([q.id, q.version], ['quant-ph/0201082', 1]);
  assert.deepEqual(q.categories, ['quant-ph', 'cs.PL']);
  assert.equal(q.comment, '32 pages');
  const z = parseApiFeed(r2026('id_2104.12255v1_s0_m100_6ae69987ffe1.status200.xml')).papers[0]!;
  assert.deepEqual([z.id, z.version, z.title], ['2104.12255', 1, '0']);
  assert.deepEqual(z.authors, ['Quan Thoi Minh Nguyen']);
});

test('many authors in document order', () => {
  const p = parseApiFeed(r2026('id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml')).papers[0]!;
  assert.equal(p.id, '1707.08567');
  assert.deepEqual(p.authors.slice(0, 4), ['Kees A. Schouhamer Immink', 'Stan Baggen', 'Ferdaous Chaabane', 'Yanling Chen']);
  const count = (r2026('id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml').match(/<author>/g) ?? []).length;
  assert.equal(p.authors.length, count);
});

test('the HTTP 400 reply is an error entry, not a paper', () => {
  const feed = parseApiFeed(r2026('id_abc_s0_m100_b79c8dcf6bc3.status400.xml'));
  assert.deepEqual(feed.errors, ['incorrect id format for abc']);
  assert.deepEqual(feed.papers, []);
  assert.deepEqual(feed.skipped, []);
});

test('empty results: an unknown id, and an unknown id next to a known one', () => {
  for (const f of ['id_0000.0000_s0_m100_8b51d9633a68.status200.xml', 'id_0808.05394_s0_m100_7b0c7d0a7cdd.status200.xml']) {
    const feed = parseApiFeed(r2026(f));
    assert.deepEqual([feed.totalResults, feed.papers.length, feed.errors.length], [0, 0, 0], f);
  }
  const both = parseApiFeed(r2026('id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.status200.xml'));
  assert.deepEqual(both.papers.map((p) => p.id), ['1707.08567']);
});

test('paged query: startIndex and counts of every recorded page; the 100-entry page whole', () => {
  const files = readdirSync(new URL('arxivpy-2026-recorded/', DIR)).filter((f) => f.startsWith('q_testing') && f.endsWith('.xml'));
  assert.equal(files.length, 11);
  for (const f of files) {
    const [, start, max] = /_s(\d+)_m(\d+)_/.exec(f)!;
    const feed = parseApiFeed(r2026(f));
    assert.equal(feed.totalResults, 214881, f);
    assert.equal(feed.startIndex, Number(start), f);
    assert.equal(feed.papers.length, Number(max), f);
    for (const p of feed.papers) {
      assert.ok(p.title && p.authors.length > 0 && p.categories.length > 0 && p.abstract.length > 0, `${f} ${p.id}`);
      assert.ok(!/\n/.test(p.title + p.abstract));
    }
  }
  // Overlapping windows agree: entry 5 of the page from 0 is entry 0 of the page from 5.
  const from0 = parseApiFeed(r2026('q_testing_s0_m10_bc5a6c384fe9.status200.xml')).papers;
  const from5 = parseApiFeed(r2026('q_testing_s5_m10_c0e94a259d4a.status200.xml')).papers;
  assert.equal(from0[5]!.id, from5[0]!.id);
  assert.equal(from0[0]!.id, '2202.12139');
  assert.equal(from0[0]!.title, 'Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques');
  assert.deepEqual(from0[0]!.categories, ['cs.SE', 'cs.LG']);
});

test('an entry that cannot become a paper is skipped with a reason, the rest kept', () => {
  const xml = r2026('q_testing_s0_m10_bc5a6c384fe9.status200.xml').replace('<id>http://arxiv.org/abs/2202.12139v1</id>', '<id>http://arxiv.org/abs/not-an-id</id>');
  const feed = parseApiFeed(xml);
  assert.equal(feed.papers.length, 9);
  assert.deepEqual(feed.skipped, [{ id: 'http://arxiv.org/abs/not-an-id', reason: 'unparseable id' }]);
});

test('bodies that are not an API feed throw FeedParseError', () => {
  const good = r2026('id_astro-ph_0601001_s0_m100_3150dca9dc76.status200.xml');
  const bad = [
    '',
    '   ',
    '<html><body><h1>Service Unavailable</h1></body></html>',
    good.slice(0, good.length / 2),
    good.slice(0, good.indexOf('</feed>')),
    '{"error":"rate limited"}',
  ];
  for (const b of bad) assert.throws(() => parseApiFeed(b), FeedParseError, b.slice(0, 40));
});
