/**
 * One line of the listings format of `../shared/data/corpus/` ({id, title, authors[],
 * categories[], comment, abstract, listing_date}) turned into a PaperInput plus the day it was
 * announced. Bad records give a reason instead of throwing.
 */
import { isValidDate } from '../time.ts';
import { type ParseFailure, type ParsedRecord, normalizeSpace, optionalText, recordHead } from './snapshot.ts';

export type { ParseFailure, ParsedRecord };

// Every arXiv archive, current and retired; a category is an archive with an optional subject class.
const ARCHIVES = new Set([
  'astro-ph', 'cond-mat', 'cs', 'econ', 'eess', 'gr-qc', 'hep-ex', 'hep-lat', 'hep-ph', 'hep-th',
  'math', 'math-ph', 'nlin', 'nucl-ex', 'nucl-th', 'physics', 'q-bio', 'q-fin', 'quant-ph', 'stat',
  'acc-phys', 'adap-org', 'alg-geom', 'ao-sci', 'atom-ph', 'bayes-an', 'chao-dyn', 'chem-ph', 'cmp-lg',
  'comp-gas', 'dg-ga', 'funct-an', 'mtrl-th', 'patt-sol', 'plasm-ph', 'q-alg', 'solv-int', 'supr-con',
]);
const CATEGORY = /^([a-z][a-z-]*)(?:\.[A-Za-z][A-Za-z-]*)?$/;

/**
 * True for an arXiv category (`cs.CL`, `hep-th`, `cond-mat.mes-hall`); false for the MSC and ACM
 * classes (`68T50`, `I.2.7`) and stray values (`na`) that some listings mix into categories.
 */
export function isArxivCategory(c: string): boolean {
  const m = CATEGORY.exec(c);
  return m !== null && ARCHIVES.has(m[1]!);
}

/**
 * Parses one decoded listings object. arXiv listings do not give the submission time, so
 * `publishedAt` (and `updatedAt`) is the listing date at 00:00 UTC: an approximation, a day or
 * so after the real first-version time. The version is 1 unless the id names one.
 */
export function parseListingsRecord(obj: unknown): ParsedRecord | ParseFailure {
  const head = recordHead(obj);
  if ('error' in head) return head;
  const { r, parsedId, title } = head;
  if (typeof r.listing_date !== 'string' || !isValidDate(r.listing_date)) {
    return { error: 'missing or invalid listing_date', detail: `${parsedId.id}: ${String(r.listing_date).slice(0, 40)}` };
  }
  const listingDate = r.listing_date;

  const authors = Array.isArray(r.authors)
    ? r.authors.filter((a): a is string => typeof a === 'string').map(normalizeSpace).filter((a) => a !== '')
    : [];
  const categories = Array.isArray(r.categories)
    ? [...new Set(r.categories.filter((c): c is string => typeof c === 'string').map((c) => c.trim()).filter(isArxivCategory))]
    : [];
  const at = `${listingDate}T00:00:00.000Z`;

  return {
    paper: {
      id: parsedId.id,
      version: parsedId.version ?? 1,
      title,
      abstract: optionalText(r.abstract) ?? '',
      authors,
      categories,
      publishedAt: at,
      updatedAt: at,
      comment: optionalText(r.comment),
    },
    listingDate,
    listingCategory: categories[0] ?? null,
  };
}
