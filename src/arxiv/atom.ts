/**
 * The arXiv API (export.arxiv.org/api/query) Atom feed: one PaperInput per <entry>. Reads both the
 * 2016 format (namespaces declared on each element, hard-wrapped summaries) and the current one.
 */
import type { PaperInput } from '../store/papers.ts';
import { parseArxivId } from './ids.ts';
import { normalizeSpace, optionalText } from './snapshot.ts';
import { attrOf, listOf, parseXmlBody, textOf, type XmlNode } from './xml-errors.ts';

export interface ApiFeed {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  /** One per <entry>, version from the id's vN (1 if absent). */
  papers: PaperInput[];
  /** The API reports errors as an entry whose id is http://arxiv.org/api/errors#...: their summaries. */
  errors: string[];
  /** Entries that could not become a paper (no usable id, title or date), with the reason. */
  skipped: Array<{ id: string | null; reason: string }>;
}

const ARRAYS: ReadonlySet<string> = new Set(['entry', 'author', 'category', 'link']);
const ERROR_ID = /^https?:\/\/(?:export\.)?arxiv\.org\/api\/errors/i;

/** Parses one API reply body; throws FeedParseError when it is not an Atom feed. */
export function parseApiFeed(xml: string): ApiFeed {
  const { node: feed } = parseXmlBody(xml, ['feed'], ARRAYS, 'arXiv API feed');
  const out: ApiFeed = {
    totalResults: count(feed.totalResults),
    startIndex: count(feed.startIndex),
    itemsPerPage: count(feed.itemsPerPage),
    papers: [],
    errors: [],
    skipped: [],
  };
  for (const e of listOf(feed.entry)) {
    if (!e || typeof e !== 'object') {
      out.skipped.push({ id: null, reason: 'empty entry' });
      continue;
    }
    const entry = e as XmlNode;
    const rawId = (textOf(entry.id) ?? '').trim();
    if (ERROR_ID.test(rawId)) {
      out.errors.push(normalizeSpace(textOf(entry.summary) ?? '') || rawId);
      continue;
    }
    const r = entryPaper(entry, rawId);
    if ('reason' in r) out.skipped.push(r);
    else out.papers.push(r);
  }
  return out;
}

function count(v: unknown): number {
  const n = Number((textOf(v) ?? '').trim());
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** An ISO 8601 instant, normalised the way every source stores it, or null. */
function isoInstant(v: string | null): string | null {
  if (!v || v.trim() === '') return null;
  const t = Date.parse(v.trim());
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function entryPaper(entry: XmlNode, rawId: string): PaperInput | { id: string | null; reason: string } {
  const parsed = parseArxivId(rawId);
  if (!parsed) return { id: rawId || null, reason: rawId ? 'unparseable id' : 'missing id' };
  const title = optionalText(textOf(entry.title));
  if (!title) return { id: parsed.id, reason: 'missing title' };
  const publishedAt = isoInstant(textOf(entry.published));
  const updatedAt = isoInstant(textOf(entry.updated)) ?? publishedAt;
  if (!publishedAt || !updatedAt) return { id: parsed.id, reason: 'missing date' };

  const authors = listOf(entry.author)
    .map((a) => optionalText(textOf((a as XmlNode | null)?.name)))
    .filter((a): a is string => a !== null);
  // Primary first: the <category> list is not guaranteed to start with it.
  const categories = [attrOf(entry.primary_category, 'term'), ...listOf(entry.category).map((c) => attrOf(c, 'term'))]
    .map((c) => c?.trim() ?? '')
    .filter((c) => c !== '');

  return {
    id: parsed.id,
    version: parsed.version ?? 1,
    title,
    abstract: optionalText(textOf(entry.summary)) ?? '',
    authors,
    categories: [...new Set(categories)],
    publishedAt,
    updatedAt,
    comment: optionalText(textOf(entry.comment)),
    journalRef: optionalText(textOf(entry.journal_ref)),
    doi: optionalText(textOf(entry.doi)),
  };
}
