/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Reusable page pieces: paper cards, tabs, previous/next navigation, pagination, highlighted text. */
import { tryGetContext } from 'hono/context-storage';
import type { Child } from 'hono/jsx';
import type { EntryWithPaper } from '../../store/entries.ts';
import type { Paper } from '../../store/papers.ts';
import { arxivUrls, excerpt, formatDay, paperPath, safeHttpUrl, shortAuthors } from './text.ts';

/** A run of text, highlighted or not (the search contract's segment shape). */
export interface Segment {
  type: 'text' | 'highlight';
  text: string;
}

/** Segments as text with `<mark>` around the highlighted runs; every run is escaped by hono/jsx. */
export function Highlighted({ segments }: { segments: Segment[] }) {
  return <>{segments.map((s) => (s.type === 'highlight' ? <mark>{s.text}</mark> : s.text))}</>;
}

/** The upvote count box; a number only, because voting arrives with accounts (no dead buttons). */
export function Votes({ n }: { n: number }) {
  return (
    <div class="votes" title={`${n} upvote${n === 1 ? '' : 's'}`}>
      <b>{n}</b>
      <small>upvote{n === 1 ? '' : 's'}</small>
    </div>
  );
}

/**
 * The upvote button: a form that works without JavaScript (POST /papers/{id}/upvote with the CSRF
 * field and `next` = this page; assets/app.js upgrades it to a request without reload). `state` is the
 * state the click asks for, so a repeated click cannot undo itself. Signed-out readers get a GET form
 * to the sign-in page that comes back here: the same for everyone, so anonymous pages stay cacheable.
 * `upvoted` undefined for a signed-in reader means unknown: the click then toggles.
 */
export function UpvoteButton({ paperId, n, upvoted }: { paperId: string; n: number; upvoted?: boolean }) {
  const c = tryGetContext();
  const url = c ? new URL(c.req.url) : undefined;
  const here = url ? url.pathname + url.search : paperPath(paperId);
  const label = `${n} upvote${n === 1 ? '' : 's'}`;
  const body = (
    <>
      <span class="arrow" aria-hidden="true">
        ▲
      </span>
      <b>{n}</b>
      <small>upvote{n === 1 ? '' : 's'}</small>
    </>
  );
  const token = c?.var.user ? c.var.csrfToken : undefined;
  if (!token) {
    return (
      <form class="votes upvote-form" method="get" action="/signin">
        <input type="hidden" name="next" value={here} />
        <button type="submit" class="upvote" title={`${label}; sign in to upvote`}>
          {body}
        </button>
      </form>
    );
  }
  return (
    <form class="votes upvote-form" method="post" action={`${paperPath(paperId)}/upvote`} data-paper-id={paperId}>
      <input type="hidden" name="_csrf" value={token} />
      <input type="hidden" name="next" value={here} />
      {upvoted === undefined ? null : <input type="hidden" name="state" value={upvoted ? 'off' : 'on'} />}
      <button
        type="submit"
        class="upvote"
        aria-pressed={upvoted === undefined ? undefined : upvoted ? 'true' : 'false'}
        title={upvoted ? `${label}; click to remove your upvote` : `${label}; click to upvote`}
      >
        {body}
      </button>
    </form>
  );
}

/** Someone listed under "Upvoted by". */
export interface UpvoterItem {
  handle: string;
  displayName: string | null;
}

/** The "Upvoted by" list of a paper page: handles (no user pages yet), then how many more. */
export function Upvoters({ total, upvoters }: { total: number; upvoters: UpvoterItem[] }) {
  if (total === 0) return null;
  const more = total - upvoters.length;
  return (
    <section class="upvoters">
      <h2>Upvoted by</h2>
      <p>
        {upvoters.map((u, i) => (
          <>
            {i > 0 ? ', ' : ''}
            <span class="handle" title={u.displayName ?? undefined}>
              @{u.handle}
            </span>
          </>
        ))}
        {more > 0 ? ` and ${more} more` : null}
      </p>
    </section>
  );
}

/** Category chips, the primary first; each leads to today's announcements in that category. */
export function Categories({ categories, max = 4 }: { categories: string[]; max?: number }) {
  return (
    <>
      {categories.slice(0, max).map((cat) => (
        <a class="chip" href={`/new?category=${encodeURIComponent(cat)}`}>
          {cat}
        </a>
      ))}
    </>
  );
}

/** arXiv, PDF and (when known) code links of a paper. */
export function PaperLinks({ paper }: { paper: Paper }) {
  const urls = arxivUrls(paper.id);
  const code = safeHttpUrl(paper.codeUrl);
  return (
    <span class="links">
      <a href={urls.abs} rel="noopener">
        arXiv
      </a>
      <a href={urls.pdf} rel="noopener">
        PDF
      </a>
      {code ? (
        <a href={code} rel="noopener nofollow">
          Code
        </a>
      ) : null}
    </span>
  );
}

export interface PaperCardProps {
  paper: Paper;
  upvotes?: number;
  /** Overrides the plain title (search highlights). */
  title?: Child;
  /** Overrides the abstract excerpt (search snippets). */
  text?: Child;
  /** Extra items for the meta line (submitter, organization, feed date). */
  meta?: Child[];
  /** Replaces the static vote count (the upvote button of featured entries). */
  votes?: Child;
  /** A line under the excerpt (the submitter's comment). */
  note?: Child;
}

/** One paper in a list: votes, title, authors, meta line, excerpt, categories and links. */
export function PaperCard(p: PaperCardProps) {
  const authors = shortAuthors(p.paper.authors);
  return (
    <li class="card">
      {p.votes ?? (p.upvotes !== undefined ? <Votes n={p.upvotes} /> : null)}
      <article class="card-body">
        <h2>
          <a href={paperPath(p.paper.id)}>{p.title ?? p.paper.title}</a>
        </h2>
        <p class="meta">
          {authors ? <span>{authors}</span> : null}
          {(p.meta ?? []).filter((m) => m !== null && m !== undefined && m !== false)}
          <span>
            <time datetime={p.paper.publishedAt.slice(0, 10)}>{formatDay(p.paper.publishedAt)}</time>
          </span>
        </p>
        <p class="excerpt">{p.text ?? excerpt(p.paper.abstract)}</p>
        {p.note ?? null}
        <div class="chips">
          <Categories categories={p.paper.categories} />
          <PaperLinks paper={p.paper} />
        </div>
      </article>
    </li>
  );
}

/** "Submitted by" / organization line for a featured entry, and its feed date when the view spans days. */
export function entryMeta(e: EntryWithPaper, showFeedDate: boolean): Child[] {
  const items: Child[] = [];
  if (e.organization) items.push(<span>{e.organization}</span>);
  else if (e.submitterName) items.push(<span>Submitted by {e.submitterName}</span>);
  if (showFeedDate) {
    items.push(
      <span>
        featured <a href={`/papers/date/${e.feedDate}`}>{formatDay(e.feedDate)}</a>
      </span>,
    );
  }
  return items;
}

/** The submitter's comment on an entry, as plain text (hono/jsx escapes it). */
export function SubmissionNote({ entry }: { entry: Pick<EntryWithPaper, 'comment' | 'submitterHandle' | 'submitterName'> }) {
  if (!entry.comment) return null;
  const who = entry.submitterHandle ? `@${entry.submitterHandle}` : entry.submitterName;
  return (
    <p class="submission-note">
      <q>{entry.comment}</q>
      {who ? <> — {who}</> : null}
    </p>
  );
}

/** A featured entry in a Daily/Weekly/Monthly list. */
export function EntryCard({ entry, showFeedDate }: { entry: EntryWithPaper; showFeedDate: boolean }) {
  return (
    <PaperCard
      paper={entry.paper}
      upvotes={entry.upvotes}
      votes={<UpvoteButton paperId={entry.paperId} n={entry.upvotes} upvoted={entry.upvoted} />}
      meta={entryMeta(entry, showFeedDate)}
      note={entry.comment ? <SubmissionNote entry={entry} /> : undefined}
    />
  );
}

export type Period = 'daily' | 'weekly' | 'monthly';

/** Daily / Weekly / Monthly tabs pointing at the periods that contain `date`. */
export function PeriodTabs({ active, day, week, month }: { active: Period; day: string; week: string; month: string }) {
  const cur = (p: Period) => (p === active ? 'page' : undefined);
  return (
    <nav class="tabs" aria-label="Period">
      <a href={`/papers/date/${day}`} aria-current={cur('daily')}>
        Daily
      </a>
      <a href={`/papers/week/${week}`} aria-current={cur('weekly')}>
        Weekly
      </a>
      <a href={`/papers/month/${month}`} aria-current={cur('monthly')}>
        Monthly
      </a>
    </nav>
  );
}

export interface NavLink {
  href: string;
  label: string;
}

/** Previous / current / next navigation; a missing side is shown disabled, never as a dead link. */
export function PrevNext({ prev, next, current }: { prev?: NavLink; next?: NavLink; current: string }) {
  return (
    <nav class="period-nav" aria-label="Previous and next">
      {prev ? (
        <a href={prev.href} rel="prev">
          ← {prev.label}
        </a>
      ) : (
        <span class="disabled">← Earlier</span>
      )}
      <span class="current">{current}</span>
      {next ? (
        <a href={next.href} rel="next">
          {next.label} →
        </a>
      ) : (
        <span class="disabled">Later →</span>
      )}
    </nav>
  );
}

/** Page links: previous, a window of numbers around the current page, next. `href(n)` builds each URL. */
export function Pager({ page, pages, href }: { page: number; pages: number; href: (n: number) => string }) {
  if (pages <= 1) return null;
  const nums: number[] = [];
  for (let n = Math.max(1, page - 2); n <= Math.min(pages, page + 2); n++) nums.push(n);
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          ← Previous
        </a>
      ) : null}
      {nums[0] !== undefined && nums[0] > 1 ? <a href={href(1)}>1</a> : null}
      {nums.map((n) =>
        n === page ? (
          <span aria-current="page">{n}</span>
        ) : (
          <a href={href(n)}>{n}</a>
        ),
      )}
      {page < pages ? (
        <a href={href(page + 1)} rel="next">
          Next →
        </a>
      ) : null}
    </nav>
  );
}
