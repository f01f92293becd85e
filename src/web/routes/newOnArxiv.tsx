/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** "New on arXiv": `/new` and `/new/YYYY-MM-DD?category=cs.CL`, the announcements of a date grouped by kind. */
import type { Context, Hono } from 'hono';
import {
  type AnnouncedPaper,
  type AnnouncementKind,
  announcementCounts,
  announcementDates,
  listAnnouncements,
  topAnnouncedCategories,
} from '../../store/announcements.ts';
import { isValidDate } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { Pager, PaperCard, PrevNext } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { formatDay, formatLongDay } from '../views/text.ts';
import { errorAnswer, type ErrorLink } from './errors.tsx';
import { parseCategory, parsePage, queryString } from './params.ts';

const PAGE_SIZE = 100;

const GROUPS: Array<{ kind: AnnouncementKind; title: string }> = [
  { kind: 'new', title: 'New submissions' },
  { kind: 'cross', title: 'Cross-lists' },
  { kind: 'replace', title: 'Replacements' },
];

function kindNote(a: AnnouncedPaper) {
  if (a.kind === 'cross') return <span>cross-list from {a.paper.primaryCategory ?? 'another category'}</span>;
  if (a.kind === 'replace') return <span>replaced with v{a.paper.version}</span>;
  return null;
}

/** The announcements of one date (optionally one category), or a 404 pointing at the nearest dates. */
async function newPage(c: Context, deps: AppDeps, date: string, path: string): Promise<Page | Response> {
  const category = parseCategory(c.req.query('category'));
  if (category === null) return errorAnswer(c, deps, 400, 'The category must look like an arXiv category, such as cs.CL or hep-th.');
  const page = parsePage(c.req.query('page'));
  if (page === null) return errorAnswer(c, deps, 400, 'The page number must be a positive whole number, like ?page=2.');

  const [dates, top, counts, list] = await Promise.all([
    announcementDates(deps.db, date),
    topAnnouncedCategories(deps.db, date),
    announcementCounts(deps.db, { date, category }),
    listAnnouncements(deps.db, { date, category, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
  ]);
  const withCat = (d: string) => `/new/${d}${queryString({ category })}`;
  const prev = dates.prev ? { href: withCat(dates.prev), label: formatDay(dates.prev) } : undefined;
  const next = dates.next ? { href: withCat(dates.next), label: formatDay(dates.next) } : undefined;

  if (top.length === 0) {
    const links: ErrorLink[] = [];
    if (prev) links.push({ href: prev.href, label: `Earlier: ${prev.label}` });
    if (next) links.push({ href: next.href, label: `Later: ${next.label}` });
    return errorAnswer(c, deps, 404, `Nothing was announced on arXiv on ${formatLongDay(date)} (or it has not been harvested here).`, links);
  }
  if (list.items.length === 0 && page > 1) return errorAnswer(c, deps, 404, `There is no page ${page} for this date.`);

  const cats = top.map((t) => t.category);
  if (category && !cats.includes(category)) cats.push(category);
  const pages = Math.ceil(list.total / PAGE_SIZE);
  const scope = category ? ` in ${category}` : '';
  return renderPage(deps, {
    title: `New on arXiv${scope} — ${formatDay(date)}`,
    description: `${list.total} papers announced on arXiv${scope} on ${formatLongDay(date)}: ${counts.new} new, ${counts.cross} cross-lists, ${counts.replace} replacements.`,
    path: path + queryString({ category, page: page > 1 ? page : undefined }),
    nav: 'new',
    children: (
      <>
        <div class="page-head">
          <div>
            <h1>New on arXiv{scope}</h1>
            <p class="sub">
              {formatLongDay(date)} · {counts.new} new · {counts.cross} cross-lists · {counts.replace} replacements
            </p>
          </div>
        </div>
        <nav class="chips" aria-label="Categories">
          <a class={category ? 'chip' : 'chip on'} href={`/new/${date}`}>
            All
          </a>
          {cats.map((cat) => (
            <a class={cat === category ? 'chip on' : 'chip'} href={`/new/${date}?category=${encodeURIComponent(cat)}`}>
              {cat}
            </a>
          ))}
          <form method="get" action={`/new/${date}`}>
            <input name="category" value={category ?? ''} placeholder="other category" aria-label="Category" size={12} />
          </form>
        </nav>
        <PrevNext prev={prev} next={next} current={formatDay(date)} />
        {list.items.length === 0 ? <p class="notice">No papers{scope} were announced on this date.</p> : null}
        {GROUPS.map((g) => {
          const items = list.items.filter((a) => a.kind === g.kind);
          if (items.length === 0) return null;
          return (
            <section>
              <h2 class="group-title">
                {g.title} ({counts[g.kind]})
              </h2>
              <ol class="list">
                {items.map((a) => (
                  <PaperCard paper={a.paper} meta={[kindNote(a)]} />
                ))}
              </ol>
            </section>
          );
        })}
        <Pager page={page} pages={pages} href={(n) => path + queryString({ category, page: n > 1 ? n : undefined })} />
      </>
    ),
  });
}

function emptyNew(deps: AppDeps): Promise<Page> {
  return renderPage(deps, {
    title: 'New on arXiv',
    description: 'Papers announced on arXiv, by date and category.',
    path: '/new',
    nav: 'new',
    children: (
      <section class="notice">
        <h1>New on arXiv</h1>
        <p>No arXiv announcements have been imported yet. Run an import or an ingest to fill this page.</p>
      </section>
    ),
  });
}

/** Registers `/new` (the latest announcement date) and `/new/:date`. */
export function registerNewOnArxivRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);

  app.get('/new', (c) =>
    cache.serve(c, async () => {
      const { latest } = await announcementDates(deps.db);
      return latest ? newPage(c, deps, latest, '/new') : emptyNew(deps);
    }),
  );

  app.get('/new/:date', (c) =>
    cache.serve(c, async () => {
      const date = c.req.param('date');
      if (!isValidDate(date)) return errorAnswer(c, deps, 400, `“${date}” is not a date; use YYYY-MM-DD, like /new/2025-09-10.`);
      return newPage(c, deps, date, `/new/${date}`);
    }),
  );
}
