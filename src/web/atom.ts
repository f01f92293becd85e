/**
 * Atom 1.0 (RFC 4287) documents for every feed of the site: one small renderer so every feed escapes
 * the same way. Built as a string rather than through a DOM because the shape is fixed and tiny; what
 * matters is that every text and attribute is escaped and that characters XML 1.0 forbids (control
 * characters, lone surrogates, U+FFFE/U+FFFF) are removed: one such character in a paper title would
 * otherwise make the whole feed unreadable to every feed reader.
 */

/** One entry of a feed (usually a paper). */
export interface AtomEntry {
  /** A permanent IRI, e.g. the paper's absolute URL. */
  id: string;
  title: string;
  /** The alternate (HTML) link. */
  url: string;
  /** ISO 8601 time of the entry's last change; an unreadable value falls back to the feed's `updated`. */
  updated: string;
  /** First publication, optional. */
  published?: string;
  authors: string[];
  /** Plain text (escaped as text, never interpreted as HTML). */
  summary: string;
  /** Category terms such as cs.CL. */
  categories?: string[];
}

/** A whole feed. */
export interface AtomFeed {
  /** A permanent IRI; the feed's self URL without volatile parameters is a good choice. */
  id: string;
  title: string;
  subtitle?: string;
  /** The feed's own absolute URL (link rel="self"). */
  selfUrl: string;
  /** The HTML page the feed mirrors (link rel="alternate"). */
  alternateUrl: string;
  /** ISO 8601; an unreadable value becomes the Unix epoch rather than an invalid document. */
  updated: string;
  entries: AtomEntry[];
}

/** The MIME type to serve Atom with. */
export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

/** Characters outside XML 1.0's `Char` production (with the `u` flag a lone surrogate is one code point). */
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text safe inside an XML element or a double-quoted attribute: forbidden characters dropped, markup escaped. */
export function xmlText(s: string): string {
  return s.replace(XML_INVALID, '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** An RFC 3339 time (what Atom requires) from any ISO-ish value, or `fallback` when it cannot be read. */
function rfc3339(value: string | undefined, fallback: string): string {
  const t = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/** Renders a feed as an Atom 1.0 document. */
export function renderAtom(feed: AtomFeed): string {
  const updated = rfc3339(feed.updated, new Date(0).toISOString());
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${xmlText(feed.id)}</id>`,
    `<title type="text">${xmlText(feed.title)}</title>`,
  ];
  if (feed.subtitle) out.push(`<subtitle type="text">${xmlText(feed.subtitle)}</subtitle>`);
  out.push(
    `<updated>${updated}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${xmlText(feed.alternateUrl)}"/>`,
    // RFC 4287 wants an author on the feed unless every entry has one; papers without authors exist.
    '<author><name>Paperboy</name></author>',
    '<generator>Paperboy</generator>',
  );
  for (const e of feed.entries) {
    out.push('<entry>', `<id>${xmlText(e.id)}</id>`, `<title type="text">${xmlText(e.title)}</title>`);
    out.push(`<updated>${rfc3339(e.updated, updated)}</updated>`);
    if (e.published) out.push(`<published>${rfc3339(e.published, updated)}</published>`);
    out.push(`<link rel="alternate" type="text/html" href="${xmlText(e.url)}"/>`);
    for (const a of e.authors) out.push(`<author><name>${xmlText(a)}</name></author>`);
    for (const c of e.categories ?? []) out.push(`<category term="${xmlText(c)}"/>`);
    if (e.summary) out.push(`<summary type="text">${xmlText(e.summary)}</summary>`);
    out.push('</entry>');
  }
  out.push('</feed>');
  return `${out.join('\n')}\n`;
}
