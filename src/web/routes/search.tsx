/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** `/search?q=&category=&from=&to=&sort=&page=`: keyword search with highlighted titles and snippets. */
import type { Context, Hono } from 'hono';
import { SearchOptionError, type SearchResult, searchPapers } from '../../search/lexical.ts';
import { isValidDate } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { Highlighted, Pager, PaperCard } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { errorAnswer } from './errors.tsx';
import { parseCategory, parsePage, queryString } from './params.ts';

const PAGE_SIZE = 20;
const MAX_QUERY = 500;
/** Deep pages are rarely wanted and costly; 50 pages of 20 is plenty for a person. */
const MAX_PAGE = 50;
const SORTS = ['relevance', 'date', 'upvotes'] as const;
type Sort = (typeof SORTS)[number];

interface SearchParams {
  q: string;
  category?: string;
  from?: string;
  to?: string;
  sort: Sort;
  page: number;
}

/** Reads and validates the query string; a string is the 400 message for the first bad value. */
function parseSearchParams(c: Context): SearchParams | string {
  const q = (c.req.query('q') ?? '').trim();
  if (q.length > MAX_QUERY) return `The search text is too long (${q.length} characters); keep it under ${MAX_QUERY}.`;
  const category = parseCategory(c.req.query('category'));
  if (category === null) return 'The category must look like an arXiv category, such as cs.CL or hep-th.';
  const dates: Record<'from' | 'to', string | undefined> = { from: undefined, to: undefined };
  for (const key of ['from', 'to'] as const) {
    const v = (c.req.query(key) ?? '').trim();
    if (v === '') continue;
    if (!isValidDate(v)) return `The “${key}” date must be a date written YYYY-MM-DD, like 2025-09-10.`;
    dates[key] = v;
  }
  if (dates.from && dates.to && dates.from > dates.to) return 'The “from” date must not be after the “to” date.';
  const rawSort = c.req.query('sort') ?? '';
  const sort = rawSort === '' ? 'relevance' : (SORTS as readonly string[]).includes(rawSort) ? (rawSort as Sort) : null;
  if (!sort) return 'Sort by relevance, date or upvotes.';
  const page = parsePage(c.req.query('page'), MAX_PAGE);
  if (page === null) return `The page number must be a whole number from 1 to ${MAX_PAGE}.`;
  return { q, category, ...dates, sort, page };
}

/** The URL of a search with some parameters changed; default values are left out. */
function searchHref(p: SearchParams, change: Partial<SearchParams> = {}): string {
  const n = { ...p, ...change };
  return `/search${queryString({
    q: n.q,
    category: n.category,
    from: n.from,
    to: n.to,
    sort: n.sort === 'relevance' ? undefined : n.sort,
    page: n.page > 1 ? n.page : undefined,
  })}`;
}

function SearchForm({ p }: { p: SearchParams }) {
  return (
    <form class="search-form" action="/search" method="get" role="search">
      <div class="q">
        <input type="search" name="q" value={p.q} maxlength={MAX_QUERY} placeholder={'reward models, "exact phrase", Author Name…'} aria-label="Search text" />
        <button type="submit">Search</button>
      </div>
      <div class="filters">
        <label>
          Category
          <input name="category" value={p.category ?? ''} placeholder="cs.CL" size={10} />
        </label>
        <label>
          From
          <input type="date" name="from" value={p.from ?? ''} />
        </label>
        <label>
          To
          <input type="date" name="to" value={p.to ?? ''} />
        </label>
        <label>
          Sort by
          <select name="sort">
            {SORTS.map((s) => (
              <option value={s} selected={s === p.sort}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
    </form>
  );
}

async function searchPage(c: Context, deps: AppDeps): Promise<Page | Response> {
  const p = parseSearchParams(c);
  if (typeof p === 'string') return errorAnswer(c, deps, 400, p);
  if (p.q === '') {
    return renderPage(deps, {
      title: 'Search',
      description: 'Search arXiv papers by keyword, phrase or author, with filters by category and date.',
      path: '/search',
      nav: 'search',
      children: (
        <>
          <div class="page-head">
            <h1>Search papers</h1>
          </div>
          <SearchForm p={p} />
          <p class="sub">Words match titles, abstracts and authors; put a phrase or an author's full name in quotes.</p>
        </>
      ),
    });
  }
  let result: SearchResult;
  try {
    result = await searchPapers(deps.db, {
      q: p.q,
      category: p.category,
      from: p.from,
      to: p.to,
      sort: p.sort,
      offset: (p.page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
  } catch (err) {
    // The page validates first; this catches any rule the search knows and the page does not.
    if (err instanceof SearchOptionError) return errorAnswer(c, deps, 400, err.message);
    throw err;
  }
  const pages = Math.min(MAX_PAGE, Math.ceil(result.total / PAGE_SIZE));
  const count = `${result.total} result${result.total === 1 ? '' : 's'}`;
  return renderPage(deps, {
    title: `${p.q} — Search`,
    description: `${count} for “${p.q}”.`,
    path: searchHref(p),
    nav: 'search',
    noindex: true,
    children: (
      <>
        <div class="page-head">
          <h1>Search papers</h1>
        </div>
        <SearchForm p={p} />
        <p class="sorts">
          <span>
            {count} for “{p.q}”
          </span>
          {SORTS.map((s) => (
            <a href={searchHref(p, { sort: s, page: 1 })} aria-current={s === p.sort ? 'true' : undefined}>
              {s}
            </a>
          ))}
        </p>
        {result.capped ? (
          <p class="sub">This common query matches very many papers; only the most recently added ones were ranked. Add a word or a filter to narrow it.</p>
        ) : null}
        {result.hits.length === 0 ? (
          <p class="notice">
            {result.total > 0 ? (
              <>
                No more results. <a href={searchHref(p, { page: 1 })}>Back to the first page</a>.
              </>
            ) : (
              'No papers match; try fewer words or remove a filter.'
            )}
          </p>
        ) : (
          <ol class="list">
            {result.hits.map((h) => (
              <PaperCard
                paper={h.paper}
                upvotes={h.upvotes}
                title={<Highlighted segments={h.titleSegments} />}
                text={<Highlighted segments={h.snippetSegments} />}
              />
            ))}
          </ol>
        )}
        <Pager page={p.page} pages={pages} href={(n) => searchHref(p, { page: n })} />
      </>
    ),
  });
}

/** Registers `/search`. */
export function registerSearchRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  app.get('/search', (c) => cache.serve(c, () => searchPage(c, deps)));
}
