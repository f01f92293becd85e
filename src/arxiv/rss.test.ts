import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAnnouncementFeed } from './rss.ts';
import { FeedParseError } from './xml-errors.ts';

const rss = (path: string) => readFileSync(new URL(`../../testdata/arxiv/rss/${path}`, import.meta.url), 'utf8');
const LAYA = rss('laya-reader-2026/arxiv_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml');
const ATOM = rss('paper-forge-2026/arxiv_atom_cs.LG.abstracts-trimmed.xml');
const LG = rss('distill-2026/arxiv_rss_cs_lg.xml');

test('RSS 2.0: new, cross and replace items with id, version, authors, categories and the feed date', () => {
  const feed = parseAnnouncementFeed(LAYA);
  // Channel pubDate "Thu, 24 Sep 2026 00:00:00 -0400".
  assert.equal(feed.feedDate, '2026-09-24');
  assert.deepEqual(feed.skipped, []);
  assert.deepEqual(
    feed.items.map((i) => [i.id, i.version, i.kind]),
    [['2609.26811', 1, 'new'], ['2609.26820', 1, 'new'], ['2205.06398', 2, 'cross'], ['2009.13987', 3, 'replace']],
  );
  const cross = feed.items[2]!;
  assert.equal(cross.title, 'Outlier Detection for Multi-Network Data');
  assert.deepEqual(cross.authors, ['Pritam Dey', 'Zhengwu Zhang', 'David B. Dunson']);
  assert.deepEqual(cross.categories, ['stat.ME', 'stat.AP', 'stat.ML']);
  assert.ok(cross.abstract.startsWith('It has become routine in neuroscience studies to measure brain networks'));
  assert.ok(!cross.abstract.includes('Announce Type') && !cross.abstract.includes('Abstract:'));
  assert.deepEqual(feed.items[0]!.authors, ['Fabien Polly']);
});

test('RSS 2.0 (distill): entities decoded, odd spacing in dc:creator, three feeds of one day', () => {
  const lg = parseAnnouncementFeed(LG);
  assert.equal(lg.feedDate, '2026-04-27');
  const first = lg.items[0]!;
  assert.deepEqual([first.id, first.version, first.kind], ['2604.21952', 1, 'new']);
  assert.deepEqual(first.categories, ['cs.LG', 'cs.AI', 'cs.AR', 'cs.NE', 'cs.RO']);
  assert.deepEqual(first.authors, ['Muhammad Shafique', 'Abdul Basit', 'Muhammad Abdullah Hanif', 'Alberto Marchisio', 'Rachmad Vidya Wicaksana Putra', 'Minghao Shao']);
  assert.match(first.abstract, /visual resolution & stride, and graph-level/);
  assert.ok(first.abstract.startsWith('This work presents a multi-layered methodology'));

  // "Anamta Khan, Ratna Kandala,  Deepti, Sheza Munir, Joyojeet Pal"
  const cl = parseAnnouncementFeed(rss('distill-2026/arxiv_rss_cs_cl.xml'));
  assert.deepEqual(cl.items[0]!.authors, ['Anamta Khan', 'Ratna Kandala', 'Deepti', 'Sheza Munir', 'Joyojeet Pal']);
  const ai = parseAnnouncementFeed(rss('distill-2026/arxiv_rss_cs_ai.xml'));
  assert.deepEqual(ai.items.map((i) => i.id), ['2604.21935', '2604.21936', '2604.21937']);
  for (const f of [lg, cl, ai]) {
    assert.equal(f.feedDate, '2026-04-27');
    assert.equal(f.items.length, 3);
    assert.ok(f.items.every((i) => i.kind === 'new' && i.title !== '' && i.abstract !== '' && i.authors.length > 0));
  }
});

test('Atom: feed <updated> in UTC becomes the New York date, ids and kinds from the entries', () => {
  const feed = parseAnnouncementFeed(ATOM);
  // "2026-09-25T04:00:11.600500+00:00" is 00:00 on the 25th in New York.
  assert.equal(feed.feedDate, '2026-09-25');
  assert.deepEqual(
    feed.items.map((i) => [i.id, i.version, i.kind]),
    [['2609.28553', 1, 'new'], ['2402.10149', 3, 'cross'], ['2401.08875', 3, 'replace']],
  );
  const r = feed.items[2]!;
  assert.equal(r.title, 'DCRMTA: Deep Causal Representation Learning for Multi-Touch Attribution');
  assert.equal(r.abstract, 'Multi-touch attribution (MTA) is essential for estimating the contribution of individual advertising touchpoints to user conversions.');
  assert.deepEqual(r.authors, ['Jiaming Tang', 'Jingxuan Wen', 'Liping Jing']);
  assert.deepEqual(r.categories, ['cs.LG', 'cs.AI', 'stat.ME']);
  assert.deepEqual(feed.items[1]!.categories, ['hep-ph', 'cs.LG', 'hep-ex']);
});

test('the feed date follows New York, not UTC: a late-evening UTC-4 time stays on its day', () => {
  const xml = LAYA.replace(/<pubDate>Thu, 24 Sep 2026 00:00:00 -0400<\/pubDate>\n    <skipDays>/, '<pubDate>Fri, 25 Sep 2026 03:30:00 +0000</pubDate>\n    <skipDays>');
  assert.equal(parseAnnouncementFeed(xml).feedDate, '2026-09-24');
  const noDate = LAYA.replace(/<pubDate>Thu, 24 Sep 2026 00:00:00 -0400<\/pubDate>\n    <skipDays>/, '<skipDays>');
  assert.equal(parseAnnouncementFeed(noDate).feedDate, null);
});

test('replace-cross counts as replace; the kind falls back to the description line', () => {
  const xml = LAYA.replace('<arxiv:announce_type>replace</arxiv:announce_type>', '<arxiv:announce_type>replace-cross</arxiv:announce_type>');
  assert.equal(parseAnnouncementFeed(xml).items[3]!.kind, 'replace');
  const noTag = ATOM.replaceAll(/\s*<arxiv:announce_type>[^<]*<\/arxiv:announce_type>/g, '');
  assert.deepEqual(parseAnnouncementFeed(noTag).items.map((i) => i.kind), ['new', 'cross', 'replace']);
});

test('an empty feed (weekend: a channel with no items) gives no items', () => {
  const empty = LAYA.replace(/\s*<item>[\s\S]*<\/item>/, '');
  assert.ok(!empty.includes('<item>'));
  const feed = parseAnnouncementFeed(empty);
  assert.deepEqual(feed.items, []);
  assert.deepEqual(feed.skipped, []);
  assert.equal(feed.feedDate, '2026-09-24');
  const emptyAtom = ATOM.replace(/\s*<entry>[\s\S]*<\/entry>/, '');
  assert.deepEqual(parseAnnouncementFeed(emptyAtom).items, []);
});

test('an item without a usable id or with an unknown kind is skipped, the rest kept', () => {
  const xml = LAYA.replace('<guid isPermaLink="false">oai:arXiv.org:2609.26811v1</guid>', '<guid isPermaLink="false">oai:arXiv.org:nonsense</guid>').replace(
    '<arxiv:announce_type>cross</arxiv:announce_type>',
    '<arxiv:announce_type>withdrawn</arxiv:announce_type>',
  );
  const feed = parseAnnouncementFeed(xml);
  assert.deepEqual(feed.items.map((i) => i.id), ['2609.26820', '2009.13987']);
  assert.deepEqual(feed.skipped, [
    { id: 'oai:arXiv.org:nonsense', reason: 'unparseable id' },
    { id: '2205.06398', reason: 'unknown announce type "withdrawn"' },
  ]);
});

test('hostile or odd bodies throw FeedParseError', () => {
  const bad = [
    '',
    '\n',
    '<!DOCTYPE html><html><head><title>arXiv</title></head><body><p>Service Unavailable<br></p></body></html>',
    '<html><body><h1>Retry after 10 seconds</h1></body></html>',
    LAYA.slice(0, LAYA.length / 2),
    LAYA.slice(0, LAYA.indexOf('</channel>')),
    ATOM.slice(0, ATOM.length - 10),
    '<rss version="2.0"></rss>',
    'not xml at all',
    // Entity expansion ("billion laughs"): arXiv never sends a DTD, so any DOCTYPE is refused.
    `<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${LAYA.replace('<title>Outlier', '<title>&b;&b;&b; Outlier')}`,
  ];
  for (const b of bad) assert.throws(() => parseAnnouncementFeed(b), FeedParseError, b.slice(0, 50));
});

test('a stylesheet instruction and comments before the root are fine', () => {
  const xml = `<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="feed.xsl"?>\n<!-- cached -->\n${LG}`;
  assert.equal(parseAnnouncementFeed(xml).items.length, 3);
});
