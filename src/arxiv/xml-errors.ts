/**
 * The error every arXiv XML parser throws for a body that is not the XML it should be, and the one
 * guarded parse they all share: a body is checked whole before anything is read from it, so a
 * truncated or malformed reply fails instead of giving half a page.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Thrown by every parser for a body that is not the XML it should be (malformed, truncated, HTML). */
export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

/** A parsed XML element: attributes as `@_name`, text as `#text` (or a plain string for a bare text element). */
export type XmlNode = Record<string, unknown>;

/**
 * Validates and parses an XML body. `arrays` names the elements that may repeat, so they always come
 * back as arrays. Namespace prefixes are removed (`arxiv:doi` is `doi`); values stay strings (ids
 * such as 0704.4001 and titles such as "0" must not become numbers). Throws FeedParseError when the
 * body is empty, not well-formed, or its root element is not one of `roots`.
 */
export function parseXmlBody(xml: string, roots: readonly string[], arrays: ReadonlySet<string>, what: string): { root: string; node: XmlNode } {
  if (typeof xml !== 'string' || xml.trim() === '') throw new FeedParseError(`${what}: empty body`);
  // arXiv never sends a DTD; one here is an HTML page or an entity-expansion attack. It sits in the prolog.
  if (/<!DOCTYPE/i.test(xml.slice(0, 4096))) throw new FeedParseError(`${what}: a DOCTYPE document (an HTML page?), not a feed`);
  // The parser alone accepts unclosed elements, which is exactly what a truncated body looks like.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const e = valid.err;
    throw new FeedParseError(`${what}: not well-formed XML (${e.code}: ${e.msg} at line ${e.line}, column ${e.col})`);
  }
  let doc: XmlNode;
  try {
    doc = parserFor(arrays).parse(xml) as XmlNode;
  } catch (err) {
    // Entity-expansion limits and the like: hostile input, not a crash.
    throw new FeedParseError(`${what}: ${(err as Error).message}`);
  }
  const found = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = found.find((k) => roots.includes(k));
  if (!root || found.length !== 1) {
    throw new FeedParseError(`${what}: expected a <${roots.join('> or <')}> document, got <${found.join('>, <') || 'nothing'}>`);
  }
  const node = doc[root];
  // An empty root element parses to '' rather than an object.
  return { root, node: node && typeof node === 'object' ? (node as XmlNode) : {} };
}

const parsers = new Map<ReadonlySet<string>, XMLParser>();

function parserFor(arrays: ReadonlySet<string>): XMLParser {
  let p = parsers.get(arrays);
  if (!p) {
    p = new XMLParser({
      ignoreAttributes: false,
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      isArray: (name) => arrays.has(name),
      // Callbacks get the tag name only; building the path string for each element costs a fifth of the parse.
      jPath: false,
    });
    parsers.set(arrays, p);
  }
  return p;
}

/** The text of an element (plain string or `#text`), or null when it is absent or not text. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const t = (v as XmlNode)['#text'];
    if (typeof t === 'string') return t;
    if (typeof t === 'number') return String(t);
    return '';
  }
  return null;
}

/** An attribute of an element, or null. */
export function attrOf(v: unknown, name: string): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const a = (v as XmlNode)[`@_${name}`];
  return typeof a === 'string' ? a : null;
}

/** The element as a list (absent → [], one → [it]); safe whether or not it was declared repeating. */
export function listOf(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A child element that must be an object (an empty element parses to ''), or null. */
export function childOf(v: unknown, name: string): XmlNode | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const c = (v as XmlNode)[name];
  if (Array.isArray(c)) return (c[0] && typeof c[0] === 'object' ? c[0] : {}) as XmlNode;
  if (c === undefined || c === null) return null;
  return typeof c === 'object' ? (c as XmlNode) : {};
}
