/** Small text helpers for pages: excerpts, abstract paragraphs, dates, safe external links. */

/** Collapses whitespace (arXiv hard-wraps abstracts) and cuts at a word boundary with an ellipsis. */
export function excerpt(text: string, max = 280): string {
  // Only the head matters; collapsing whitespace over a whole long abstract is wasted work per card.
  const flat = text.slice(0, max * 2).replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/**
 * Splits an abstract into paragraphs: arXiv wraps lines at ~80 columns, and marks a real paragraph
 * break with a blank line or an indented line, so only those start a new paragraph.
 */
export function abstractParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n|\n(?=[ \t]+\S)/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
}

/** First few authors and "et al." when there are more. */
export function shortAuthors(authors: string[], shown = 3): string {
  if (authors.length === 0) return '';
  if (authors.length <= shown + 1) return authors.join(', ');
  return `${authors.slice(0, shown).join(', ')} et al.`;
}

const DAY = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const MONTH = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'long' });
const WEEKDAY = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

// Intl formatting is slow next to everything else on a page and pages repeat the same few dates.
const dayCache = new Map<string, string>();

/** `Sep 10, 2025` for a YYYY-MM-DD date or an ISO date-time (its calendar date as written). */
export function formatDay(dateOrIso: string): string {
  const key = dateOrIso.slice(0, 10);
  let out = dayCache.get(key);
  if (out === undefined) {
    const d = new Date(`${key}T00:00:00Z`);
    out = Number.isNaN(d.getTime()) ? key : DAY.format(d);
    if (dayCache.size > 5000) dayCache.clear();
    dayCache.set(key, out);
  }
  return out;
}

/** `Wednesday, September 10, 2025` for a YYYY-MM-DD date. */
export function formatLongDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : WEEKDAY.format(d);
}

/** `September 2025` for a YYYY-MM month. */
export function formatMonth(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? month : MONTH.format(d);
}

/**
 * The URL when it is an absolute http(s) link, else undefined: code and project links are
 * community-edited, so a `javascript:` or `data:` URL must never reach an href.
 */
export function safeHttpUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** arXiv abstract and PDF URLs for a canonical id (old-style ids keep their slash). */
export function arxivUrls(id: string): { abs: string; pdf: string } {
  return { abs: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` };
}

/** A path segment for a paper id; old-style ids keep their slash so `/papers/hep-th/9901001` reads naturally. */
export function paperPath(id: string): string {
  return `/papers/${id.split('/').map(encodeURIComponent).join('/')}`;
}
