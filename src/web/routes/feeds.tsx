/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Daily / Weekly / Monthly feeds of featured papers: `/`, `/papers/date/…`, `/papers/week/…`, `/papers/month/…`. */
import type { Context, Hono } from 'hono';
import { latestFeedDate, listEntries, neighbourFeedDates } from '../../store/entries.ts';
import { addDays, type DateRange, isValidDate, isoWeekOf, monthRange, weekRange } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { EntryCard, Pager, type NavLink, type Period, PeriodTabs, PrevNext } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { formatDay, formatLongDay, formatMonth } from '../views/text.ts';
import { errorAnswer, type ErrorLink } from './errors.tsx';
import { parsePage, queryString } from './params.ts';

const PAGE_SIZE = 50;
/** Below this many entries on the latest day, the front page adds the most recently featured papers before it. */
const HOME_MIN_ENTRIES = 10;

/** What differs between the daily, weekly and monthly views. */
interface PeriodView {
  period: Period;
  range: DateRange;
  /** Heading line under the title, e.g. "Wednesday, September 10, 2025". */
  label: string;
  /** Short name for the <title>. */
  short: string;
  /** Link to the period that contains a feed date (for previous/next). */
  linkFor(feedDate: string): NavLink;
}

function dayView(date: string): PeriodView {
  return {
    period: 'daily',
    range: { from: date, to: date },
    label: formatLongDay(date),
    short: formatDay(date),
    linkFor: (d) => ({ href: `/papers/date/${d}`, label: formatDay(d) }),
  };
}

function weekLabel(week: string): string {
  const [year, w] = week.split('-W');
  return `Week ${Number(w)}, ${year}`;
}

function weekView(week: string, range: DateRange): PeriodView {
  return {
    period: 'weekly',
    range,
    label: `${weekLabel(week)} (${formatDay(range.from)} – ${formatDay(range.to)})`,
    short: weekLabel(week),
    linkFor: (d) => {
      const w = isoWeekOf(d);
      return { href: `/papers/week/${w}`, label: weekLabel(w) };
    },
  };
}

function monthView(month: string, range: DateRange): PeriodView {
  return {
    period: 'monthly',
    range,
    label: formatMonth(month),
    short: formatMonth(month),
    linkFor: (d) => ({ href: `/papers/month/${d.slice(0, 7)}`, label: formatMonth(d.slice(0, 7)) }),
  };
}

const HEADINGS: Record<Period, string> = { daily: 'Daily Papers', weekly: 'Weekly Papers', monthly: 'Monthly Papers' };

/** Renders a period's entries (ordered by upvotes), or a 404 linking to the nearest periods that have some. */
async function periodPage(c: Context, deps: AppDeps, view: PeriodView, path: string): Promise<Page | Response> {
  const page = parsePage(c.req.query('page'));
  if (page === null) return errorAnswer(c, deps, 400, 'The page number must be a positive whole number, like ?page=2.');
  const { from, to } = view.range;
  const [list, near] = await Promise.all([
    // A signed-in reader's upvote buttons show what they upvoted (their pages are never cached).
    listEntries(deps.db, { from, to, sort: 'upvotes', offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, viewerId: c.var.user?.id }),
    neighbourFeedDates(deps.db, from, to),
  ]);
  // A quiet latest day would leave the front page nearly empty; show what was featured just before it.
  const earlier =
    path === '/' && page === 1 && list.total < HOME_MIN_ENTRIES
      ? (await listEntries(deps.db, { to: addDays(from, -1), sort: 'recent', limit: HOME_MIN_ENTRIES * 2 - list.total, viewerId: c.var.user?.id })).items
      : [];
  const prev = near.prev ? view.linkFor(near.prev) : undefined;
  const next = near.next ? view.linkFor(near.next) : undefined;
  if (list.items.length === 0) {
    const links: ErrorLink[] = [];
    if (prev) links.push({ href: prev.href, label: `Earlier: ${prev.label}` });
    if (next) links.push({ href: next.href, label: `Later: ${next.label}` });
    const what = list.total > 0 ? `There is no page ${page} for ${view.label}.` : `No papers were featured for ${view.label}.`;
    return errorAnswer(c, deps, 404, what, links);
  }
  // Tabs point at the periods holding the latest featured day of this range.
  const anchor = list.items.reduce((max, e) => (e.feedDate > max ? e.feedDate : max), list.items[0]!.feedDate);
  const pages = Math.ceil(list.total / PAGE_SIZE);
  const count = `${list.total} paper${list.total === 1 ? '' : 's'}`;
  return renderPage(deps, {
    title: `${HEADINGS[view.period]} — ${view.short}`,
    description: `${count} featured by the community for ${view.label}, ordered by upvotes.`,
    path: path + queryString({ page: page > 1 ? page : undefined }),
    nav: 'daily',
    children: (
      <>
        <div class="page-head">
          <div>
            <h1>{HEADINGS[view.period]}</h1>
            <p class="sub">
              {view.label} · {count}
            </p>
          </div>
          <PeriodTabs active={view.period} day={anchor} week={isoWeekOf(anchor)} month={anchor.slice(0, 7)} />
        </div>
        <PrevNext prev={prev} next={next} current={view.short} />
        <ol class="list">
          {list.items.map((e) => (
            <EntryCard entry={e} showFeedDate={view.period !== 'daily'} />
          ))}
        </ol>
        <Pager page={page} pages={pages} href={(n) => path + queryString({ page: n > 1 ? n : undefined })} />
        {earlier.length > 0 && (
          <section class="earlier">
            <h2>Recently featured</h2>
            <ol class="list">
              {earlier.map((e) => (
                <EntryCard entry={e} showFeedDate={true} />
              ))}
            </ol>
          </section>
        )}
        <PrevNext prev={prev} next={next} current={view.short} />
      </>
    ),
  });
}

/** The front page when nothing has been featured yet: say so and point to what exists. */
function emptyHome(deps: AppDeps): Promise<Page> {
  return renderPage(deps, {
    title: 'Daily Papers',
    description: 'The papers featured by the community, day by day.',
    path: '/',
    nav: 'daily',
    children: (
      <section class="notice">
        <h1>Daily Papers</h1>
        <p>No papers have been featured yet. Meanwhile, browse what arXiv announced or search the papers stored here.</p>
        <p>
          <a class="button" href="/new">
            New on arXiv
          </a>{' '}
          <a href="/search">Search papers</a>
        </p>
      </section>
    ),
  });
}

/** Registers the front page and the date / week / month feeds. */
export function registerFeedRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);

  app.get('/', (c) =>
    cache.serve(c, async () => {
      const latest = await latestFeedDate(deps.db);
      return latest ? periodPage(c, deps, dayView(latest), '/') : emptyHome(deps);
    }),
  );

  app.get('/papers/date/:date', (c) =>
    cache.serve(c, async () => {
      const date = c.req.param('date');
      if (!isValidDate(date)) return errorAnswer(c, deps, 400, `“${date}” is not a date; use YYYY-MM-DD, like /papers/date/2025-09-10.`);
      return periodPage(c, deps, dayView(date), `/papers/date/${date}`);
    }),
  );

  app.get('/papers/week/:week', (c) =>
    cache.serve(c, async () => {
      const week = c.req.param('week');
      const range = weekRange(week);
      if (!range) return errorAnswer(c, deps, 400, `“${week}” is not an ISO week; use YYYY-Www, like /papers/week/2025-W37.`);
      return periodPage(c, deps, weekView(week, range), `/papers/week/${week}`);
    }),
  );

  app.get('/papers/month/:month', (c) =>
    cache.serve(c, async () => {
      const month = c.req.param('month');
      const range = monthRange(month);
      if (!range) return errorAnswer(c, deps, 400, `“${month}” is not a month; use YYYY-MM, like /papers/month/2025-09.`);
      return periodPage(c, deps, monthView(month, range), `/papers/month/${month}`);
    }),
  );
}
