/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * `/trending`: the featured papers of the last TRENDING_DAYS feed days ordered by the stored trending
 * score; `/about/ranking`: how that score works, with a worked example computed from the code's own
 * constants (rank/trending.ts), so the explanation cannot drift from the ranking.
 */
import type { Context, Hono } from 'hono';
import { HALF_LIFE_HOURS, workedExample } from '../../rank/trending.ts';
import { latestFeedDate, listEntries } from '../../store/entries.ts';
import { feedDateAt } from '../../store/submissions.ts';
import { addDays } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { EntryCard, Pager } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { formatDay } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { parsePage, queryString } from './params.ts';
import { nowOf } from './submit.tsx';

/** Feed days shown on /trending, ending at the latest day with entries (today on a live instance). */
export const TRENDING_DAYS = 7;
const PAGE_SIZE = 50;

async function trendingPage(c: Context, deps: AppDeps): Promise<Page | Response> {
  const page = parsePage(c.req.query('page'));
  if (page === null) return errorAnswer(c, deps, 400, 'The page number must be a positive whole number, like ?page=2.');
  // Anchored at the latest featured day up to today, so a quiet instance (or the demo data) still shows its last week.
  const today = feedDateAt(nowOf(deps), deps.config.feedTimezone, deps.config.feedCutoffHour);
  const to = (await latestFeedDate(deps.db, today)) ?? today;
  const from = addDays(to, -(TRENDING_DAYS - 1));
  const viewer = c.var.user?.id;
  const list = await listEntries(deps.db, {
    from,
    to,
    sort: 'trending',
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
    ...(viewer !== undefined ? { viewerId: viewer } : {}),
  });
  const pages = Math.ceil(list.total / PAGE_SIZE);
  return renderPage(deps, {
    title: 'Trending papers',
    description: `The papers featured from ${formatDay(from)} to ${formatDay(to)}, ranked by upvotes with time decay.`,
    path: '/trending' + queryString({ page: page > 1 ? page : undefined }),
    nav: 'trending',
    children: (
      <>
        <div class="page-head">
          <div>
            <h1>Trending</h1>
            <p class="sub">
              Featured {formatDay(from)} – {formatDay(to)}, ranked by upvotes with time decay (a paper’s weight halves every {HALF_LIFE_HOURS}{' '}
              hours). <a href="/about/ranking">How ranking works</a>
            </p>
          </div>
        </div>
        {list.items.length === 0 ? (
          <p class="notice">{list.total > 0 ? `There is no page ${page}.` : 'Nothing was featured in these days yet.'}</p>
        ) : (
          <ol class="list">
            {list.items.map((e) => (
              <EntryCard entry={e} showFeedDate={true} />
            ))}
          </ol>
        )}
        <Pager page={page} pages={pages} href={(n) => '/trending' + queryString({ page: n > 1 ? n : undefined })} />
      </>
    ),
  });
}

const fixed = (x: number, digits = 4) => x.toFixed(digits);

function rankingPage(deps: AppDeps): Promise<Page> {
  const ex = workedExample();
  const [a, b, cc] = ex.entries as [(typeof ex.entries)[0], (typeof ex.entries)[0], (typeof ex.entries)[0]];
  const halfLifeMs = HALF_LIFE_HOURS * 3_600_000;
  return renderPage(deps, {
    title: 'How ranking works',
    description: 'How Paperboy orders papers: upvotes for the daily, weekly and monthly lists; upvotes with time decay for Trending.',
    path: '/about/ranking',
    children: (
      <article class="about">
        <h1>How ranking works</h1>
        <h2>Daily, weekly and monthly lists</h2>
        <p>
          Papers featured in a period are ordered by upvotes, most first. Upvotes are counted here, one per person per paper; papers imported from
          Hugging Face Daily Papers also carry the upvotes they had there.
        </p>
        <h2>Trending</h2>
        <p>
          Trending mixes votes and freshness. A paper’s weight is its upvotes plus one, and that weight halves every {HALF_LIFE_HOURS} hours after
          the paper was featured. So a paper featured a day later needs only half as many (upvotes + 1) to rank level with an older one. The “plus
          one” lets a paper without votes yet rank by how new it is.
        </p>
        <p class="formula">
          <code>
            weight = (upvotes + 1) × 2<sup>−age in hours / {HALF_LIFE_HOURS}</sup>
          </code>
        </p>
        <p>
          Ordering by this weight is the same as ordering by a score that does not change while time passes, because every paper ages at the
          same pace. That score is what we store with each paper and update whenever someone votes:
        </p>
        <p class="formula">
          <code>score = log₂(upvotes + 1) + (featured time in hours since 1970-01-01 UTC) / {HALF_LIFE_HOURS}</code>
        </p>
        <h2>A worked example</h2>
        <p>
          Paper A was featured on {a.submittedAt.replace('T', ' ').slice(0, 16)} UTC and has {a.upvotes} upvotes. Paper B was featured{' '}
          {HALF_LIFE_HOURS} hours later with {b.upvotes} upvotes; paper C is B with one more upvote. Seen at{' '}
          {ex.now.replace('T', ' ').slice(0, 16)} UTC:
        </p>
        <table class="example">
          <thead>
            <tr>
              <th>Paper</th>
              <th>Upvotes</th>
              <th>Age (hours)</th>
              <th>Weight</th>
              <th>Stored score</th>
            </tr>
          </thead>
          <tbody>
            {ex.entries.map((e) => (
              <tr>
                <td>{e.label}</td>
                <td>{e.upvotes}</td>
                <td>{fixed(e.ageHours, 0)}</td>
                <td>{fixed(e.weight)}</td>
                <td>{fixed(e.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          A: ({a.upvotes} + 1) × 2<sup>−{fixed(a.ageHours, 0)}/{HALF_LIFE_HOURS}</sup> = {fixed(a.weight)}. B: ({b.upvotes} + 1) × 2
          <sup>
            −{fixed(b.ageHours, 0)}/{HALF_LIFE_HOURS}
          </sup>{' '}
          = {fixed(b.weight)}. A and B tie; C’s extra upvote puts it ahead ({fixed(cc.weight)}). The stored scores order them the same way: A’s
          is log₂({a.upvotes + 1}) + {fixed(Date.parse(a.submittedAt) / halfLifeMs, 1)} = {fixed(a.score)}, B’s is log₂({b.upvotes + 1}) +{' '}
          {fixed(Date.parse(b.submittedAt) / halfLifeMs, 1)} = {fixed(b.score)}.
        </p>
        <p>
          The <a href="/trending">Trending</a> page lists the papers featured in the last {TRENDING_DAYS} days by this score, and the API’s{' '}
          <code>sort=trending</code> (<code>/api/daily_papers?sort=trending</code>) uses the same stored score.
        </p>
      </article>
    ),
  });
}

/** Registers `/trending` and `/about/ranking`. */
export function registerTrendingRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  app.get('/trending', (c) => cache.serve(c, () => trendingPage(c, deps)));
  app.get('/about/ranking', (c) => cache.serve(c, () => rankingPage(deps)));
}
