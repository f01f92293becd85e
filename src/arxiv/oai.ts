/**
 * OAI-PMH replies from arXiv (ListRecords and GetRecord) in the `arXiv` and `arXivRaw` metadata
 * formats, turned into papers. A page is all or nothing: a body that is not a whole OAI-PMH document
 * throws FeedParseError, so a harvester never checkpoints past half a page. A single record that
 * cannot become a paper is reported in `skipped` and the rest of the page is kept.
 *
 * Version rule for the `arXiv` format, which has <created> and, once there is more than one version,
 * <updated> (the date of the latest), but no version number: the paper's version is the smallest the
 * record proves, 1 without <updated> (exact: the paper had one version when the record was written)
 * and 2 with it (a lower bound; `versionExact` is false). upsertPapers never lets a lower version
 * overwrite a higher stored one, so a paper already stored at v5 is not moved back to v2; the price
 * is that such a record's metadata is not applied until upsertPapers learns to treat an inexact
 * version as "at least" (see `versionExact`). Harvest `arXivRaw` where exact versions matter.
 */
import type { PaperInput } from '../store/papers.ts';
import { parseArxivId } from './ids.ts';
import { optionalText, splitAuthorList } from './snapshot.ts';
import { attrOf, childOf, FeedParseError, listOf, parseXmlBody, textOf, type XmlNode } from './xml-errors.ts';

export type OaiMetadataPrefix = 'arXiv' | 'arXivRaw';

export interface OaiRecord {
  paper: PaperInput;
  datestamp: string;
  sets: string[];
  /** False when `paper.version` is only a lower bound (the `arXiv` format with <updated>). */
  versionExact: boolean;
}

export interface OaiPage {
  records: OaiRecord[];
  /** Ids of records with header status="deleted". */
  deleted: string[];
  /** Next page's token; null when this was the last page (an empty <resumptionToken/> also means last). */
  resumptionToken: string | null;
  completeListSize: number | null;
  cursor: number | null;
  /** Records that could not be turned into a paper: id (if known) and reason; the rest of the page is kept. */
  skipped: Array<{ id: string | null; reason: string }>;
}

/** OAI-PMH <error code="..."> reply. noRecordsMatch is NOT thrown: parseOaiPage returns an empty page for it. */
export class OaiError extends Error {
  override name = 'OaiError';
  /** The OAI-PMH error code: badArgument, badResumptionToken, badVerb, idDoesNotExist, ... */
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const ARRAYS: ReadonlySet<string> = new Set(['record', 'setSpec', 'author', 'version', 'error']);
const PREFIXES: readonly OaiMetadataPrefix[] = ['arXiv', 'arXivRaw'];
const OAI_ID = /^oai:arXiv\.org:/i;

type Skip = { id: string | null; reason: string };

/** Parses a ListRecords or GetRecord reply; throws OaiError for an OAI-PMH error, FeedParseError for a bad body. */
export function parseOaiPage(xml: string, prefix: OaiMetadataPrefix): OaiPage {
  const { node: root } = parseXmlBody(xml, ['OAI-PMH'], ARRAYS, 'OAI-PMH reply');
  const page: OaiPage = { records: [], deleted: [], resumptionToken: null, completeListSize: null, cursor: null, skipped: [] };

  const errors = listOf(root.error).map((e) => ({ code: attrOf(e, 'code') ?? '', message: (textOf(e) ?? '').trim() }));
  if (errors.length > 0) {
    // "No records in this window" is an answer, not a failure: the harvester moves on.
    const real = errors.find((e) => e.code !== 'noRecordsMatch');
    if (!real) return page;
    throw new OaiError(real.code || 'unknown', `OAI-PMH ${real.code || 'error'}: ${real.message}`);
  }

  const body = 'ListRecords' in root ? childOf(root, 'ListRecords') : childOf(root, 'GetRecord');
  if (!body) throw new FeedParseError('OAI-PMH reply: neither ListRecords nor GetRecord nor an error');

  for (const rec of listOf(body.record)) {
    const r = parseRecord(rec, prefix);
    if ('deleted' in r) page.deleted.push(r.deleted);
    else if ('reason' in r) page.skipped.push(r);
    else page.records.push(r);
  }

  const token = body.resumptionToken;
  if (token !== undefined) {
    page.resumptionToken = (textOf(token) ?? '').trim() || null;
    page.completeListSize = intAttr(token, 'completeListSize');
    page.cursor = intAttr(token, 'cursor');
  }
  return page;
}

function intAttr(node: unknown, name: string): number | null {
  const v = attrOf(node, name);
  if (v === null || !/^\s*\d+\s*$/.test(v)) return null;
  return Number(v);
}

/** "oai:arXiv.org:hep-th/9504118" or "0704.0001" → canonical id, or null. */
function idFrom(v: string | null): string | null {
  if (!v) return null;
  return parseArxivId(v.trim().replace(OAI_ID, ''))?.id ?? null;
}

function parseRecord(rec: unknown, prefix: OaiMetadataPrefix): OaiRecord | Skip | { deleted: string } {
  const header = childOf(rec, 'header');
  if (!header) return { id: null, reason: 'record without header' };
  const identifier = (textOf(header.identifier) ?? '').trim();
  const headerId = idFrom(identifier);
  if (attrOf(header, 'status') === 'deleted') {
    return headerId ? { deleted: headerId } : { id: identifier || null, reason: 'deleted record with unparseable identifier' };
  }
  const metadata = childOf(rec, 'metadata');
  if (!metadata) return { id: headerId ?? (identifier || null), reason: 'record without metadata' };
  const md = childOf(metadata, prefix);
  if (!md) {
    const other = PREFIXES.find((p) => p !== prefix && p in metadata);
    // The whole page is in the other format: a harvester bug, not a bad record; skipping would lose the page.
    if (other) throw new FeedParseError(`OAI-PMH reply: expected ${prefix} metadata, got ${other}`);
    return { id: headerId ?? (identifier || null), reason: `no ${prefix} metadata` };
  }
  const parsed = prefix === 'arXiv' ? arxivPaper(md, headerId) : rawPaper(md, headerId);
  if ('reason' in parsed) return parsed;
  return {
    paper: parsed.paper,
    versionExact: parsed.versionExact,
    datestamp: (textOf(header.datestamp) ?? '').trim(),
    sets: listOf(header.setSpec).map((s) => (textOf(s) ?? '').trim()).filter((s) => s !== ''),
  };
}

/** The fields both formats share, or why the record is unusable. */
type Common = Omit<PaperInput, 'version' | 'authors' | 'publishedAt' | 'updatedAt'>;

function common(md: XmlNode, headerId: string | null): Common | Skip {
  const rawId = (textOf(md.id) ?? '').trim();
  const id = idFrom(rawId) ?? headerId;
  if (!id) return { id: rawId || null, reason: rawId ? 'unparseable id' : 'missing id' };
  const title = optionalText(textOf(md.title));
  if (!title) return { id, reason: 'missing title' };
  const categories = [...new Set((textOf(md.categories) ?? '').split(/\s+/).filter((c) => c !== ''))];
  return {
    id,
    title,
    abstract: optionalText(textOf(md.abstract)) ?? '',
    categories,
    comment: optionalText(textOf(md.comments)),
    journalRef: optionalText(textOf(md['journal-ref'])),
    doi: optionalText(textOf(md.doi)),
    license: optionalText(textOf(md.license)),
  };
}

/** "2007-04-30" (arXiv format) or an RFC 822 date (arXivRaw) as an ISO instant, or null. */
function isoDate(v: string | null): string | null {
  const s = v?.trim();
  if (!s) return null;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function arxivPaper(md: XmlNode, headerId: string | null): { paper: PaperInput; versionExact: boolean } | Skip {
  const c = common(md, headerId);
  if ('reason' in c) return c;
  const publishedAt = isoDate(textOf(md.created));
  if (!publishedAt) return { id: c.id, reason: 'missing created date' };
  const updated = isoDate(textOf(md.updated));
  const authors = listOf(childOf(md, 'authors')?.author)
    .map((a) => {
      const n = a as XmlNode | null;
      return optionalText([textOf(n?.forenames), textOf(n?.keyname), textOf(n?.suffix)].filter((p) => p).join(' '));
    })
    .filter((a): a is string => a !== null);
  return {
    // See the version rule at the top of this file.
    paper: { ...c, version: updated ? 2 : 1, authors, publishedAt, updatedAt: updated ?? publishedAt },
    versionExact: !updated,
  };
}

function rawPaper(md: XmlNode, headerId: string | null): { paper: PaperInput; versionExact: boolean } | Skip {
  const c = common(md, headerId);
  if ('reason' in c) return c;
  const versions = listOf(md.version)
    .map((v, i) => {
      const m = /^v?(\d+)$/.exec((attrOf(v, 'version') ?? '').trim());
      return { n: m ? Number(m[1]) : i + 1, date: isoDate(textOf((v as XmlNode | null)?.date)) };
    })
    .sort((a, b) => a.n - b.n);
  const first = versions[0];
  const last = versions[versions.length - 1];
  if (!first || !last) return { id: c.id, reason: 'no versions' };
  if (!first.date || !last.date) return { id: c.id, reason: 'unparseable version date' };
  return {
    paper: {
      ...c,
      version: last.n,
      authors: splitAuthorList(textOf(md.authors) ?? ''),
      publishedAt: first.date,
      updatedAt: last.date,
    },
    versionExact: true,
  };
}
