import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { freshDb } from '../../test/helpers/db.ts';
import { getPaper, upsertPapers } from '../store/papers.ts';
import { OaiError, type OaiPage, parseOaiPage } from './oai.ts';
import { FeedParseError } from './xml-errors.ts';

const oai = (path: string) => readFileSync(new URL(`../../testdata/arxiv/oai/${path}`, import.meta.url), 'utf8');
const PAGE1 = oai('arxivsync-2013-2014/ListRecords_arXiv_2013-05-24_token-436115-4001.xml');
const PAGE2 = oai('arxivsync-2013-2014/ListRecords_arXiv_2013-05-25_token-436115-405001.xml');
const RAW = oai('arxivsync-2013-2014/ListRecords_arXivRaw_2014-01-16_token-496549-46001.xml');

function record(page: OaiPage, id: string) {
  const r = page.records.find((x) => x.paper.id === id);
  assert.ok(r, id);
  return r;
}

test('arXiv format, full page: 1000 records, resumption token, list size and cursor', () => {
  const page = parseOaiPage(PAGE1, 'arXiv');
  assert.equal(page.records.length, 1000);
  assert.deepEqual([page.deleted, page.skipped], [[], []]);
  assert.equal(page.resumptionToken, '436115|5001');
  assert.equal(page.completeListSize, 846926);
  assert.equal(page.cursor, 4000);
  assert.equal(new Set(page.records.map((r) => r.paper.id)).size, 1000);
  assert.equal(page.records[0]!.paper.id, '0704.4001');
  assert.equal(page.records[999]!.paper.id, '0705.0997');

  // Has <updated>: at least version 2, and the version is only a lower bound.
  const a = record(page, '0704.4001');
  assert.equal(a.datestamp, '2008-01-28');
  assert.deepEqual(a.sets, ['physics:hep-th']);
  assert.equal(a.versionExact, false);
  assert.deepEqual(a.paper, {
    id: '0704.4001',
    version: 2,
    title: 'Warping and Supersymmetry Breaking',
    abstract:
      'We analyze supersymmetry breaking by anti-self-dual flux in the deformed conifold. This theory has been argued to be a dual realization of susy breaking by antibranes. As such, one might expect it to lead to a hierarchically small breaking scale, but only if the warp factor is taken into account. We verify this by explicitly computing the warp-modified moduli space metric. This leads to a new term, with a power-like divergence at the conifold point, which lowers the breaking scale. We finally point out various puzzles regarding the gauge theory interpretation of these results.',
    authors: ['Michael R. Douglas', 'Jessie Shelton', 'Gonzalo Torroba'],
    categories: ['hep-th'],
    publishedAt: '2007-04-30T00:00:00.000Z',
    updatedAt: '2008-01-28T00:00:00.000Z',
    comment: 'Latex, 29 pp, 1 figure. Reference added, some typos corrected and minor changes to the content',
    journalRef: null,
    doi: null,
    license: null,
  });

  const b = record(page, '0704.4002');
  assert.deepEqual(b.paper.categories, ['math.AT', 'math.GR']);
  assert.equal(b.paper.journalRef, 'J Topology 2008 1: 747-760');
  assert.equal(b.paper.doi, '10.1112/jtopol/jtn021');
  assert.equal(b.paper.license, 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/');
  assert.deepEqual(b.paper.authors, ['Kasper K. S. Andersen', 'Jesper Grodal']);

  // No <updated>: one version, exactly.
  const c = record(page, '0705.0997');
  assert.equal(c.paper.version, 1);
  assert.equal(c.versionExact, true);
  assert.equal(c.paper.updatedAt, c.paper.publishedAt);
  assert.equal(c.paper.title, 'Avalanches Injecting Flux into the Central Hole of a Superconducting MgB2 Ring');
  assert.equal(c.paper.authors.length, 7);

  for (const r of page.records) {
    assert.ok(r.paper.title && r.paper.categories.length > 0 && r.paper.authors.length > 0, r.paper.id);
    assert.ok(!/\n|\s{2}/.test(r.paper.title + r.paper.abstract), r.paper.id);
  }
});

test('arXiv format, second page of the same list', () => {
  const page = parseOaiPage(PAGE2, 'arXiv');
  assert.equal(page.records.length, 1000);
  assert.equal(page.resumptionToken, '436115|406001');
  assert.equal(page.completeListSize, 846926);
  assert.equal(page.cursor, 405000);
  const r = page.records[0]!;
  assert.equal(r.paper.id, '1302.0649');
  assert.equal(r.paper.version, 1);
  assert.equal(r.paper.license, 'http://creativecommons.org/licenses/by/3.0/');
  assert.deepEqual(r.paper.authors, ['Feng Lu', 'Wei-Hua Wang', 'Xinjian Xie', 'Fu-Chun Zhang']);
  assert.equal(r.datestamp, '2013-02-05');
  assert.equal(page.records[999]!.paper.id, '1302.1648');
});

test('arXivRaw format, full page: versions, RFC 822 dates, authors without affiliations', () => {
  const page = parseOaiPage(RAW, 'arXivRaw');
  assert.equal(page.records.length, 1000);
  assert.equal(page.resumptionToken, '496549|47001');
  assert.equal(page.completeListSize, 907096);
  assert.equal(page.cursor, 46000);
  assert.ok(page.records.every((r) => r.versionExact));

  const one = record(page, '0801.3673');
  assert.equal(one.paper.version, 1);
  assert.equal(one.paper.publishedAt, '2008-01-23T21:06:41.000Z');
  assert.equal(one.paper.updatedAt, '2008-01-23T21:06:41.000Z');
  assert.deepEqual(one.paper.authors, ['Naoum C. Bacalis']);

  const four = record(page, '0801.3674');
  assert.equal(four.paper.version, 4);
  assert.equal(four.paper.publishedAt, '2008-01-23T21:13:53.000Z'); // v1 "Wed, 23 Jan 2008 21:13:53 GMT"
  assert.equal(four.paper.updatedAt, '2008-09-11T22:03:53.000Z'); // v4
  // "Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and\n  Anne-Christine Davis (DAMTP, Cambridge)"
  assert.deepEqual(four.paper.authors, ['Robert H. Brandenberger', 'Keshav Dasgupta', 'Anne-Christine Davis']);
  assert.deepEqual(four.paper.categories, ['hep-th', 'astro-ph', 'gr-qc', 'hep-ph']);
  assert.deepEqual(four.sets, ['physics:astro-ph', 'physics:gr-qc', 'physics:hep-ph', 'physics:hep-th']);
  assert.equal(four.paper.title, 'A Study of Structure Formation and Reheating in the D3/D7 Brane Inflation Model');
  assert.equal(four.paper.doi, '10.1103/PhysRevD.78.083502');

  // The version is the number of <version> elements, for every record.
  const counts = new Map<string, number>();
  for (const m of RAW.matchAll(/<id>([^<]+)<\/id>(?:<submitter>[^<]*<\/submitter>)?((?:<version [^>]*>.*?<\/version>)+)/gs)) {
    counts.set(m[1]!, (m[2]!.match(/<version /g) ?? []).length);
  }
  assert.equal(counts.size, 1000);
  for (const r of page.records) assert.equal(r.paper.version, counts.get(r.paper.id), r.paper.id);
});

test('GetRecord replies in both formats', () => {
  const raw = parseOaiPage(oai('arXivOAIHarvester-2015/GetRecordResponse.xml'), 'arXivRaw');
  assert.equal(raw.records.length, 1);
  assert.equal(raw.resumptionToken, null);
  const p = raw.records[0]!.paper;
  assert.deepEqual([p.id, p.version], ['1302.2146', 2]);
  assert.deepEqual(p.authors, ['Joshua Berger', 'Maxim Perelstein', 'Michael Saelim', 'Philip Tanedo']);
  assert.equal(p.updatedAt, '2013-04-02T01:50:08.000Z');
  assert.deepEqual(raw.records[0]!.sets, ['physics:hep-ex', 'physics:hep-ph']);

  const hep = parseOaiPage(oai('hepcrawl-2017-2018/GetRecord_arXiv_1401.2122_2018-01-26.xml'), 'arXiv').records[0]!;
  assert.deepEqual([hep.paper.id, hep.paper.version, hep.versionExact], ['1401.2122', 2, false]);
  assert.deepEqual(hep.paper.categories, ['math.AP', 'hep-th', 'math-ph', 'math.DG', 'math.MP', 'nlin.SI']);
  assert.equal(hep.paper.journalRef, 'Lett. Math. Phys. 108 (2018), no. 2, 359-376');

  // An <affiliation> inside <author> is not part of the name.
  const ph = parseOaiPage(oai('paperhive-nock-2018-2020/getrecord_should-get-a-record.0.GetRecord.status200.xml'), 'arXiv').records[0]!;
  assert.deepEqual(ph.paper.authors, ['Sander Uijlen', 'Bas Westerbaan']);
  assert.equal(ph.paper.doi, '10.4204/EPTCS.172.11');
});

test('a short ListRecords page (arXivRaw, from=) with its token, and "A, B, and C" authors', () => {
  const page = parseOaiPage(oai('arXivOAIHarvester-2015/ListRecordsResponse.xml'), 'arXivRaw');
  assert.equal(page.records.length, 6);
  assert.equal(page.resumptionToken, '726959|1001');
  assert.equal(page.cursor, 0);
  assert.equal(page.completeListSize, 58011);
  assert.deepEqual(record(page, '0704.0471').paper.authors, ['D.V. Shetty', 'S.J. Yennello', 'G.A. Souliotis']);
});

test('set-filtered pages: the last page of a list has no token', () => {
  for (const [file, set, ids] of [
    ['hepcrawl-2017-2018/ListRecords_arXiv_set-physics-hep-th_2017-12-14.xml', 'physics:hep-th', ['1412.8323', '1507.07790', '1607.01710']],
    ['hepcrawl-2017-2018/ListRecords_arXiv_set-physics-hep-ex_2017-12-14.xml', 'physics:hep-ex', ['1706.05371', '1706.09418', '1707.00874']],
  ] as const) {
    const page = parseOaiPage(oai(file), 'arXiv');
    assert.deepEqual(page.records.map((r) => r.paper.id), ids);
    assert.ok(page.records.every((r) => r.sets.includes(set)));
    assert.deepEqual([page.resumptionToken, page.completeListSize, page.cursor], [null, null, null]);
  }
  const first = parseOaiPage(oai('hepcrawl-2017-2018/ListRecords_arXiv_set-physics-hep-th_2017-12-14.xml'), 'arXiv').records[0]!;
  assert.equal(first.paper.license, 'http://creativecommons.org/licenses/by/4.0/');
  assert.equal(first.paper.updatedAt, '2017-12-13T00:00:00.000Z');
  assert.equal(first.datestamp, '2017-12-14');
});

test('every OAI-PMH error reply: OaiError with its code; noRecordsMatch is an empty page', () => {
  for (const [file, code] of [
    ['ErrorResponseBadArgument.xml', 'badArgument'],
    ['ErrorResponseBadResumptionToken.xml', 'badResumptionToken'],
    ['ErrorResponseBadVerb.xml', 'badVerb'],
    ['ErrorResponseIdDoesNotExist.xml', 'idDoesNotExist'],
  ]) {
    assert.throws(
      () => parseOaiPage(oai(`arXivOAIHarvester-2015/${file}`), 'arXivRaw'),
      (e: unknown) => e instanceof OaiError && e.code === code && e.message.includes(code),
      file,
    );
  }
  const empty = parseOaiPage(oai('arXivOAIHarvester-2015/ErrorResponseNoRecordsMatch.xml'), 'arXivRaw');
  assert.deepEqual(empty, { records: [], deleted: [], resumptionToken: null, completeListSize: null, cursor: null, skipped: [] });
});

test('the malformed reply, an HTML 503 body, other verbs and a wrong metadata format throw FeedParseError', () => {
  const bad = [
    oai('paperhive-nock-2018-2020/errors_reject-malformed-xml-arxiv.0.GetRecord.status200.xml'),
    oai('paperhive-nock-2018-2020/listrecords_should-list-identifiers-from-arxiv.0.ListRecords.status503.html'),
    oai('paperhive-nock-2018-2020/identify_should-identify-arxiv.0.Identify.status200.xml'),
    '',
    'Retry after 10 seconds',
  ];
  for (const b of bad) assert.throws(() => parseOaiPage(b, 'arXiv'), FeedParseError, b.slice(0, 60));
  assert.throws(() => parseOaiPage(RAW, 'arXiv'), /expected arXiv metadata, got arXivRaw/);
  assert.throws(() => parseOaiPage(PAGE1, 'arXivRaw'), FeedParseError);
});

test('a page cut anywhere throws FeedParseError, never half a page', () => {
  const cuts = [1, 100, 600, 5_000, 123_457, PAGE1.length / 2, PAGE1.length - 2_000, PAGE1.indexOf('<resumptionToken'), PAGE1.indexOf('436115|5001'), PAGE1.length - 12, PAGE1.length - 2];
  for (const at of cuts) {
    assert.throws(() => parseOaiPage(PAGE1.slice(0, Math.floor(at)), 'arXiv'), FeedParseError, `cut at ${at}`);
  }
  // Garbage in the middle of an otherwise complete page.
  const mid = PAGE1.indexOf('<record>', PAGE1.length / 2);
  assert.throws(() => parseOaiPage(`${PAGE1.slice(0, mid)}<record><header>${PAGE1.slice(mid)}`, 'arXiv'), FeedParseError);
});

test('deleted records are listed by id; a record that cannot be a paper is skipped, the rest kept', () => {
  // arXiv's own shape of a deleted record: a header with status="deleted" and no metadata.
  const noTitle = PAGE1.replace('<title>Warping and Supersymmetry Breaking</title>', '<title>  </title>');
  const target = noTitle.indexOf('<record>\n<header>\n <identifier>oai:arXiv.org:0704.4002');
  const end = noTitle.indexOf('</record>', target) + '</record>'.length;
  assert.ok(target > 0);
  const deleted = '<record>\n<header status="deleted">\n <identifier>oai:arXiv.org:0704.4002</identifier>\n <datestamp>2013-05-20</datestamp>\n</header>\n</record>';
  const xml = noTitle.slice(0, target) + deleted + noTitle.slice(end).replace('<id>0705.0997</id>', '<id>junk</id>');
  const page = parseOaiPage(xml, 'arXiv');
  assert.deepEqual(page.deleted, ['0704.4002']);
  // The bad metadata id falls back to the header's identifier; only the empty title is unusable.
  assert.deepEqual(page.skipped, [{ id: '0704.4001', reason: 'missing title' }]);
  assert.equal(page.records.length, 998);
  assert.equal(record(page, '0705.0997').paper.version, 1);
  assert.equal(page.resumptionToken, '436115|5001');
});

test('an empty <resumptionToken/> with attributes means the last page', () => {
  const xml = PAGE2.replace(/<resumptionToken [^>]*>[^<]*<\/resumptionToken>/, "<resumptionToken completeListSize='846926' cursor='846000'/>");
  const page = parseOaiPage(xml, 'arXiv');
  assert.equal(page.resumptionToken, null);
  assert.equal(page.cursor, 846000);
  assert.equal(page.completeListSize, 846926);
});

test('version rule with upsertPapers: a lower-bound version never moves a stored paper back', async () => {
  const { db, close } = await freshDb();
  try {
    // 1401.2122 is at v5 (its comment says so); the arXiv-format record proves only "at least 2".
    const rec = parseOaiPage(oai('hepcrawl-2017-2018/GetRecord_arXiv_1401.2122_2018-01-26.xml'), 'arXiv').records[0]!;
    await upsertPapers(db, [{ ...rec.paper, version: 5, title: 'Stored at v5' }]);
    const r = await upsertPapers(db, [rec.paper]);
    assert.deepEqual(r, { inserted: 0, updated: 0, unchanged: 1 });
    const stored = await getPaper(db, '1401.2122');
    assert.equal(stored?.version, 5);
    assert.equal(stored?.title, 'Stored at v5');

    // A paper first seen as v1 (a "new" announcement) is raised to 2 by a record with <updated>.
    const p = parseOaiPage(PAGE1, 'arXiv');
    const a = record(p, '0704.4001').paper;
    await upsertPapers(db, [{ ...a, version: 1, updatedAt: a.publishedAt }]);
    await upsertPapers(db, [a]);
    assert.equal((await getPaper(db, '0704.4001'))?.version, 2);

    // Whole pages upsert, and again is a no-op.
    const raw = parseOaiPage(RAW, 'arXivRaw');
    const first = await upsertPapers(db, [...p.records, ...raw.records].map((x) => x.paper));
    assert.equal(first.inserted, 1999);
    const again = await upsertPapers(db, [...p.records, ...raw.records].map((x) => x.paper));
    assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 2000 });
    assert.equal((await getPaper(db, '0801.3674'))?.version, 4);
  } finally {
    await close();
  }
});

test('a 1000-record page parses well under a second', () => {
  parseOaiPage(PAGE2, 'arXiv'); // warm up
  // CPU time, best of three: wall time on a machine busy with other work says little about the parser.
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    assert.equal(parseOaiPage(PAGE1, 'arXiv').records.length, 1000);
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  assert.ok(best < 1000, `${best.toFixed(0)} ms of CPU`);
});
