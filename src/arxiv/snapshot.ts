/**
 * One line of the public arXiv metadata snapshot (the Kaggle "arxiv-metadata-oai-snapshot" JSON
 * lines) turned into a PaperInput. Bad records give a reason instead of throwing, so a bulk
 * import can skip them and carry on.
 */
import type { PaperInput } from '../store/papers.ts';
import { type ArxivId, parseArxivId } from './ids.ts';

/** A parsed record: the paper and, for listing formats, the day it was announced. */
export interface ParsedRecord {
  paper: PaperInput;
  /** YYYY-MM-DD of a 'new' announcement, or null when the source does not say. */
  listingDate: string | null;
  /** The category of that announcement (the primary one), or null. */
  listingCategory?: string | null;
}

/** Why a record was skipped: `error` is a short stable reason (counted), `detail` says more (logged). */
export interface ParseFailure {
  error: string;
  detail?: string;
}

/** True when a parse function returned a failure. */
export function isParseFailure(r: ParsedRecord | ParseFailure): r is ParseFailure {
  return 'error' in r;
}

/** Collapses hard wraps and runs of white space into single spaces. */
export function normalizeSpace(s: string): string {
  // Two passes are about twice as fast as one /\s+/g on hard-wrapped abstracts: the first takes
  // the line breaks (nearly all of the work), the second whatever white space is left.
  // Control characters go too: PostgreSQL rejects NUL in text, which would fail a whole import batch.
  return s
    .replace(/[ \t\r]*\n[ \t\n\r]*/g, ' ')
    .replace(/\s{2,}|[^\S ]/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
}

/** A non-empty trimmed string, or null for anything else (null, numbers, blanks). */
export function optionalText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = normalizeSpace(v);
  return t === '' ? null : t;
}

/** An RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT") or ISO date as ISO 8601, or null when unparseable. */
function isoDate(v: unknown): string | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** "First Last Suffix" from a snapshot `authors_parsed` triple [last, first, suffix]. */
function authorName(parts: unknown): string | null {
  if (!Array.isArray(parts)) return null;
  const [last, first, suffix] = parts.map((p) => (typeof p === 'string' ? p.trim() : ''));
  // The snapshot's parser splits hyphenated initials ("C.-P." becomes "C. -P."); join them back.
  const given = (first ?? '').replace(/\.\s+-/g, '.-');
  const name = normalizeSpace([given, last ?? '', suffix ?? ''].join(' '));
  return name === '' ? null : name;
}

/**
 * Names from an authors display string as arXiv writes it ("A (Inst), B, and C" in arXivRaw and
 * the RSS dc:creator): affiliations in parentheses dropped, split on commas, semicolons and "and",
 * and a lone suffix ("Jr.", "III") kept with the name before it.
 */
export function splitAuthorList(s: string): string[] {
  let t = normalizeSpace(s);
  // Innermost parentheses first, so "(DAMTP, Cambridge (UK))" goes whole and its comma splits nothing.
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/\s*\([^()]*\)/g, '');
  }
  const names: string[] = [];
  for (const part of t.split(/\s*[,;]\s*(?:and\s+)?|\s+and\s+/)) {
    const name = part.trim();
    if (name === '') continue;
    if (/^(?:jr|sr|ii|iii|iv)\.?$/i.test(name) && names.length > 0) names[names.length - 1] += ` ${name}`;
    else names.push(name);
  }
  return names;
}

/** Fallback when `authors_parsed` is absent: split the display string on commas and "and". */
function splitAuthorString(s: string): string[] {
  return normalizeSpace(s)
    .split(/\s*,\s*|\s+and\s+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function versionNumber(v: unknown): number | null {
  if (!v || typeof v !== 'object') return null;
  const m = /^v?(\d+)$/.exec(String((v as { version?: unknown }).version ?? ''));
  return m ? Number(m[1]) : null;
}

/**
 * What every record format must have: a JSON object with a parseable arXiv id and a title. Shared by
 * the snapshot and listings parsers so both report bad records with the same reasons.
 */
export function recordHead(obj: unknown): { r: Record<string, unknown>; parsedId: ArxivId; title: string } | ParseFailure {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { error: 'not a JSON object' };
  const r = obj as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id.trim() === '') return { error: 'missing id' };
  const parsedId = parseArxivId(r.id);
  if (!parsedId) return { error: 'unparseable id', detail: r.id.slice(0, 100) };
  const title = optionalText(r.title);
  if (!title) return { error: 'missing title', detail: parsedId.id };
  return { r, parsedId, title };
}

/** Parses one decoded snapshot object. */
export function parseSnapshotRecord(obj: unknown): ParsedRecord | ParseFailure {
  const head = recordHead(obj);
  if ('error' in head) return head;
  const { r, parsedId, title } = head;

  const versions = Array.isArray(r.versions) ? r.versions : [];
  // Versions are listed oldest first, but sort by number in case a producer reordered them.
  const numbered = versions
    .map((v) => ({ n: versionNumber(v), created: isoDate((v as { created?: unknown } | null)?.created) }))
    .filter((v): v is { n: number; created: string | null } => v.n !== null)
    .sort((a, b) => a.n - b.n);
  const first = numbered[0];
  const last = numbered[numbered.length - 1];
  const updateDate = isoDate(r.update_date);
  const publishedAt = first?.created ?? updateDate;
  const updatedAt = last?.created ?? updateDate ?? publishedAt;
  if (!publishedAt || !updatedAt) return { error: 'missing date', detail: parsedId.id };

  let authors: string[] = [];
  if (Array.isArray(r.authors_parsed)) authors = r.authors_parsed.map(authorName).filter((a): a is string => a !== null);
  if (authors.length === 0 && typeof r.authors === 'string') authors = splitAuthorString(r.authors);

  const categories = typeof r.categories === 'string' ? [...new Set(r.categories.split(/\s+/).filter((c) => c !== ''))] : [];

  return {
    paper: {
      id: parsedId.id,
      version: last?.n ?? parsedId.version ?? 1,
      title,
      abstract: optionalText(r.abstract) ?? '',
      authors,
      categories,
      publishedAt,
      updatedAt,
      comment: optionalText(r.comments),
      journalRef: optionalText(r['journal-ref']),
      doi: optionalText(r.doi),
      license: optionalText(r.license),
    },
    listingDate: null,
  };
}
