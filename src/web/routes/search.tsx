/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** `/search?q=&category=&from=&to=&sort=&page=&mode=`: hybrid (keyword + meaning) search with highlighted titles and snippets. */
import type { Context, Hono } from 'hono';
import { type HybridResult, hybridSearch, SEARCH_MODES, type SearchMode } from '../../search/hybrid.ts';
import { SearchOptionError } from '../../search/lexical.ts';
import { isValidDate } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { Highlighted, Pager, PaperCard } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { errorAnswer } from './errors.tsx';
import { saveSearchBoxFor } from './digest-settings.tsx';
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
  /** Keyword, meaning or both (hybrid, the default); see src/search/hybrid.ts. */
  mode: SearchMode;
}

/** How each search mode is offered to readers. */
const MODE_LABELS: Record<SearchMode, string> = { hybrid: 'words and meaning', keyword: 'words only', vector: 'meaning only' };

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
  const rawMode = c.req.query('mode') ?? '';
  const mode = rawMode === '' ? 'hybrid' : (SEARCH_MODES as readonly string[]).includes(rawMode) ? (rawMode as SearchMode) : null;
  if (!mode) return 'Match by “hybrid” (words and meaning), “keyword” (words only) or “vector” (meaning only).';
  return { q, category, ...dates, sort, page, mode };
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
    mode: n.mode === 'hybrid' ? undefined : n.mode,
    page: n.page > 1 ? n.page : undefined,
  })}`;
}

/** Whether this instance searches by meaning at all (an embedder is configured): only then is the mode offered. */
function offersModes(deps: AppDeps): boolean {
  return deps.config.embedder.kind !== 'off' && deps.semantic !== undefined;
}

function SearchForm({ p, modes }: { p: SearchParams; modes: boolean }) {
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
        {modes ? (
          <label>
            Match
            <select name="mode">
              {SEARCH_MODES.map((m) => (
                <option value={m} selected={m === p.mode}>
                  {MODE_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
        ) : null}
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
          <SearchForm p={p} modes={offersModes(deps)} />
          <p class="sub">Words match titles, abstracts and authors; put a phrase or an author's full name in quotes.</p>
        </>
      ),
    });
  }
  let result: HybridResult;
  try {
    result = await hybridSearch(
      deps.db,
      deps.semantic,
      {
        q: p.q,
        category: p.category,
        from: p.from,
        to: p.to,
        sort: p.sort,
        offset: (p.page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
        mode: p.mode,
      },
      deps.config.fusion,
    );
  } catch (err) {
    // The page validates first; this catches any rule the search knows and the page does not.
    if (err instanceof SearchOptionError) return errorAnswer(c, deps, 400, err.message);
    throw err;
  }
  // Without an embedder hybrid search is keyword search, silently; a failing one is worth a notice.
  const fallbackNotice = result.fallback && (offersModes(deps) || p.mode !== 'hybrid') ? result.fallback.message : undefined;
  if (result.fallback && result.fallback.reason !== 'no-embedder') deps.log.warn({ reason: result.fallback.reason, err: result.fallback.message }, 'search fell back to keywords');
  const pages = Math.min(MAX_PAGE, Math.ceil(result.total / PAGE_SIZE));
  // Vector rankings have no natural end (every paper is somewhat similar), so they show the best ones.
  const count =
    result.mode === 'keyword' ? `${result.total} result${result.total === 1 ? '' : 's'}` : `The ${result.total} best match${result.total === 1 ? '' : 'es'}`;
  // "Save this search" (signed in) or a sign-in link, and the search's Atom feed (digest-settings.tsx).
  const saveBox = await saveSearchBoxFor(c, deps, p.q, p.category, searchHref(p));
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
        <SearchForm p={p} modes={offersModes(deps)} />
        {fallbackNotice ? <p class="notice">{fallbackNotice}</p> : null}
        {saveBox}
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
        {offersModes(deps) ? (
          <p class="sorts">
            <span>Match</span>
            {SEARCH_MODES.map((m) => (
              <a href={searchHref(p, { mode: m, page: 1 })} aria-current={m === p.mode ? 'true' : undefined}>
                {MODE_LABELS[m]}
              </a>
            ))}
          </p>
        ) : null}
        {result.capped && result.mode === 'keyword' ? (
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
