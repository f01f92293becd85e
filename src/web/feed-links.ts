/**
 * Where the Atom feeds live (served by routes/atom-feeds.tsx), and which feed each page offers for
 * autodiscovery. Kept apart from the routes so the page shell can import it without pulling them in.
 */
import { queryString } from './routes/params.ts';

/** A feed a page offers for autodiscovery (`<link rel="alternate" type="application/atom+xml">`). */
export interface FeedLink {
  title: string;
  href: string;
}

/** The feed path of a search (the /search parameters; `sort` kept only when given). */
export function searchFeedPath(p: { q: string; category?: string; from?: string; to?: string; sort?: string }): string {
  return `/feeds/search.atom${queryString({ q: p.q, category: p.category, from: p.from, to: p.to, sort: p.sort })}`;
}

/** Lone surrogates as U+FFFD: encodeURIComponent throws on them (stored names never hold one; be safe anyway). */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The feed path of an author's papers. */
export function authorFeedPath(name: string): string {
  return `/feeds/authors/${encodeURIComponent(wellFormed(name))}.atom`;
}

/** The feed path of a category's papers. */
export function categoryFeedPath(category: string): string {
  return `/feeds/categories/${encodeURIComponent(wellFormed(category))}.atom`;
}

/**
 * The feeds a page at `path` (path and query, as given to renderPage) offers, derived from the path so
 * every view gets its link without each route repeating it. `noindex` pages of collections are private
 * ones (their feed would be a 404), so they offer none.
 */
export function feedLinksFor(path: string | undefined, noindex = false): FeedLink[] {
  if (path === undefined) return [];
  const url = new URL(path, 'http://x');
  const p = url.pathname;
  const daily: FeedLink = { title: 'Daily Papers (Atom)', href: '/feeds/daily.atom' };
  if (p === '/' || /^\/papers\/(date|week|month)\//.test(p)) return [daily];
  if (p === '/trending') return [{ title: 'Trending papers (Atom)', href: '/feeds/trending.atom' }, daily];
  if (p === '/search') {
    const q = url.searchParams.get('q')?.trim();
    if (!q) return [daily];
    const get = (k: string) => url.searchParams.get(k) ?? undefined;
    return [{ title: `Search “${q}” (Atom)`, href: searchFeedPath({ q, category: get('category'), from: get('from'), to: get('to'), sort: get('sort') }) }];
  }
  if (p.startsWith('/authors/')) {
    try {
      const name = decodeURIComponent(p.slice('/authors/'.length));
      return [{ title: `Papers by ${name} (Atom)`, href: authorFeedPath(name) }];
    } catch {
      return [];
    }
  }
  const col = /^\/u\/([^/]+)\/collections\/([^/.]+)$/.exec(p);
  if (col && !noindex) return [{ title: 'This collection (Atom)', href: `/feeds/collections/${col[1]}/${col[2]}.atom` }];
  return [daily];
}
