/**
 * Test helper: checks that a document is a valid Atom 1.0 feed and returns what a feed reader would
 * see. Well-formedness by fast-xml-parser's validator, plus what that validator lets through: any
 * character XML 1.0 forbids (it accepts raw control characters) and undeclared entities. Required
 * elements (RFC 4287): feed id, title, updated, link rel="self", an author; entry id, title, updated,
 * link rel="alternate"; times in RFC 3339.
 */
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An entry as read back from the document. */
export interface ParsedEntry {
  id: string;
  title: string;
  updated: string;
  link: string;
  authors: string[];
  summary: string;
  categories: string[];
}

/** A feed as read back from the document. */
export interface ParsedFeed {
  id: string;
  title: string;
  updated: string;
  self: string;
  alternate?: string;
  entries: ParsedEntry[];
}

const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  textNodeName: '#text',
  isArray: (name) => ['entry', 'link', 'author', 'category'].includes(name),
});

type Node = Record<string, unknown>;

function text(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Node)['#text']);
  if (v && typeof v === 'object') return ''; // an element with attributes only: empty text
  assert.fail(`${what} is missing`);
}

function links(node: Node): { rel: string; href: string }[] {
  return ((node.link as Node[] | undefined) ?? []).map((l) => ({ rel: String(l['@rel'] ?? 'alternate'), href: String(l['@href'] ?? '') }));
}

/** Parses and checks an Atom document; fails the test with a precise message when it is not valid. */
export function parseAtom(xml: string, label = 'feed'): ParsedFeed {
  const bad = XML_INVALID.exec(xml);
  assert.equal(bad, null, `${label}: character U+${bad?.[0].codePointAt(0)?.toString(16)} is not allowed in XML`);
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `${label}: not well-formed XML: ${JSON.stringify(valid)}`);
  // Only the five predefined entities exist in Atom (no DTD): anything else would break strict readers.
  for (const m of xml.matchAll(/&([^;\s]{0,12});/g)) assert.match(m[1]!, /^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+)$/, `${label}: undeclared entity &${m[1]};`);
  const doc = parser.parse(xml) as Node;
  const feed = doc.feed as Node | undefined;
  assert.ok(feed, `${label}: no <feed> root`);
  assert.equal(feed['@xmlns'], 'http://www.w3.org/2005/Atom', `${label}: wrong namespace`);
  const id = text(feed.id, `${label}: feed <id>`);
  assert.ok(id.length > 0, `${label}: empty feed id`);
  const updated = text(feed.updated, `${label}: feed <updated>`);
  assert.match(updated, RFC3339, `${label}: feed <updated> is not RFC 3339`);
  const fl = links(feed);
  const self = fl.find((l) => l.rel === 'self');
  assert.ok(self && self.href.startsWith('http'), `${label}: no absolute link rel="self"`);
  const entriesRaw = (feed.entry as Node[] | undefined) ?? [];
  const feedHasAuthor = ((feed.author as Node[] | undefined) ?? []).length > 0;
  const entries = entriesRaw.map((e, i): ParsedEntry => {
    const what = `${label}: entry ${i}`;
    const eid = text(e.id, `${what} <id>`);
    assert.ok(eid.length > 0, `${what}: empty id`);
    const eupdated = text(e.updated, `${what} <updated>`);
    assert.match(eupdated, RFC3339, `${what}: <updated> is not RFC 3339`);
    const alt = links(e).find((l) => l.rel === 'alternate');
    assert.ok(alt && alt.href.startsWith('http'), `${what}: no absolute link rel="alternate"`);
    const authors = ((e.author as Node[] | undefined) ?? []).map((a) => text(a.name, `${what} author <name>`));
    assert.ok(feedHasAuthor || authors.length > 0, `${what}: no author on the entry or the feed`);
    return {
      id: eid,
      title: text(e.title, `${what} <title>`),
      updated: eupdated,
      link: alt.href,
      authors,
      summary: e.summary === undefined ? '' : text(e.summary, `${what} <summary>`),
      categories: ((e.category as Node[] | undefined) ?? []).map((c) => String(c['@term'])),
    };
  });
  return { id, title: text(feed.title, `${label}: feed <title>`), updated, self: self.href, alternate: fl.find((l) => l.rel === 'alternate')?.href, entries };
}

/** What a text becomes in a feed: XML-forbidden characters dropped, line ends normalised as XML parsers do. */
export function asFeedText(s: string): string {
  return s.replace(new RegExp(XML_INVALID.source, 'gu'), '').replace(/\r\n?/g, '\n');
}
