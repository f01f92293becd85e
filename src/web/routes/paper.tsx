/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Paper pages: `/papers/{id}` for new-style and old-style (slashed) arXiv ids. */
import type { Context, Hono } from 'hono';
import { parseArxivId } from '../../arxiv/ids.ts';
import { type Entry, getEntryForPaper } from '../../store/entries.ts';
import { getPaper, type Paper } from '../../store/papers.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { createPaperFetcher, type PaperFetcher } from '../paperFetch.ts';
import { listUpvoters, voteState } from '../../store/votes.ts';
import { type SimilarPaper, similarPapers } from '../../search/similar.ts';
import { Categories, SubmissionNote, UpvoteButton, Upvoters } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { abstractParagraphs, arxivUrls, excerpt, formatDay, paperPath, safeHttpUrl, shortAuthors } from '../views/text.ts';
import { authorPath } from './authors.tsx';
import { collectionsSectionFor } from './collections.tsx';
import { commentsSectionFor } from './comments.tsx';
import { followBoxFor } from './digest-settings.tsx';
import { FeedbackButtons } from './for-you.tsx';
import { paperFeedbackOf } from '../../store/feedback.ts';
import { errorAnswer } from './errors.tsx';
import { ClaimedBadge, loadPaperTools, type PaperTools, PaperToolsSection } from './links.tsx';
import { organizationPath } from './orgs.tsx';

/** Feed paths share the `/papers/` prefix and are served by feeds.tsx, registered after this file. */
const FEED_PREFIX = /^(date|week|month)(\/|$)/;

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function Authors({ authors, tools }: { authors: string[]; tools?: PaperTools }) {
  return (
    <p class="authors">
      {authors.map((name, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={authorPath(name)}>{name}</a>
          {tools ? <ClaimedBadge tools={tools} name={name} /> : null}
        </>
      ))}
    </p>
  );
}

/** An organization name, linked to its page when it has one. */
function OrganizationName({ name }: { name: string }) {
  const href = organizationPath(name);
  return href ? <a href={href}>{name}</a> : <>{name}</>;
}

/** The upvote button's count and the reader's state (votes: store/votes.ts). */
interface UpvoteBox {
  n: number;
  upvoted?: boolean;
  /** Shown even when not featured (a signed-in reader, or a paper with votes). */
  show: boolean;
}

function Featured({ entry, upvote }: { entry: Entry; upvote: UpvoteBox }) {
  return (
    <div class="actions">
      <UpvoteButton paperId={entry.paperId} n={upvote.n} upvoted={upvote.upvoted} />
      <p class="featured">
        Featured in <a href={`/papers/date/${entry.feedDate}`}>Daily Papers of {formatDay(entry.feedDate)}</a>
        {entry.submitterName ? <> · submitted by {entry.submitterName}</> : null}
        {entry.organization ? <> · <OrganizationName name={entry.organization} /></> : null}
      </p>
      <SubmissionNote entry={entry} />
    </div>
  );
}

function PaperView({ paper, entry, tools, upvote }: { paper: Paper; entry?: Entry; tools?: PaperTools; upvote: UpvoteBox }) {
  const urls = arxivUrls(paper.id);
  const code = safeHttpUrl(paper.codeUrl);
  const project = safeHttpUrl(paper.projectUrl);
  const license = safeHttpUrl(paper.license);
  const firstVersion = paper.publishedAt.slice(0, 10);
  const lastUpdate = paper.updatedAt.slice(0, 10);
  return (
    <article class="paper">
      <div class="chips">
        <Categories categories={paper.categories} max={12} />
      </div>
      <h1>{paper.title}</h1>
      <Authors authors={paper.authors} tools={tools} />
      {entry ? (
        <Featured entry={entry} upvote={upvote} />
      ) : upvote.show ? (
        <div class="actions">
          <UpvoteButton paperId={paper.id} n={upvote.n} upvoted={upvote.upvoted} />
        </div>
      ) : null}
      <p class="actions">
        <a class="button" href={urls.abs} rel="noopener">
          arXiv page
        </a>
        <a class="button" href={urls.pdf} rel="noopener">
          PDF
        </a>
        {code ? (
          <a class="button" href={code} rel="noopener nofollow">
            Code
          </a>
        ) : null}
        {project ? (
          <a class="button" href={project} rel="noopener nofollow">
            Project page
          </a>
        ) : null}
      </p>
      <section class="abstract">
        <h2>Abstract</h2>
        {abstractParagraphs(paper.abstract).map((p) => (
          <p>{p}</p>
        ))}
      </section>
      <dl class="facts">
        <dt>arXiv id</dt>
        <dd>
          {paper.id} (v{paper.version})
        </dd>
        <dt>First version</dt>
        <dd>
          <time datetime={firstVersion}>{formatDay(firstVersion)}</time>
        </dd>
        {lastUpdate !== firstVersion ? (
          <>
            <dt>Last updated</dt>
            <dd>
              <time datetime={lastUpdate}>{formatDay(lastUpdate)}</time>
            </dd>
          </>
        ) : null}
        {paper.comment ? (
          <>
            <dt>Comment</dt>
            <dd>{paper.comment}</dd>
          </>
        ) : null}
        {paper.journalRef ? (
          <>
            <dt>Journal ref</dt>
            <dd>{paper.journalRef}</dd>
          </>
        ) : null}
        {paper.doi ? (
          <>
            <dt>DOI</dt>
            <dd>
              <a href={`https://doi.org/${encodeURI(paper.doi)}`} rel="noopener">
                {paper.doi}
              </a>
            </dd>
          </>
        ) : null}
        {paper.license ? (
          <>
            <dt>Licence</dt>
            <dd>{license ? <a href={license}>{paper.license}</a> : paper.license}</dd>
          </>
        ) : null}
        <dt>Formats</dt>
        <dd>
          <a href={`${paperPath(paper.id)}.md`}>Markdown</a> · <a href={`${paperPath(paper.id)}/bibtex`}>BibTeX</a>
        </dd>
      </dl>
      {tools ? <PaperToolsSection paper={paper} tools={tools} /> : null}
    </article>
  );
}

/** "Similar papers": the nearest papers by embedding, like a librarian's suggestions (src/search/similar.ts). */
function SimilarPapers({ papers }: { papers: SimilarPaper[] }) {
  if (papers.length === 0) return null;
  return (
    <section class="similar" aria-labelledby="similar-heading">
      <h2 id="similar-heading">Similar papers</h2>
      <ol class="similar-list">
        {papers.map(({ paper }) => (
          <li>
            <a href={paperPath(paper.id)}>{paper.title}</a>
            <span class="sub">
              {shortAuthors(paper.authors)} · <time datetime={paper.publishedAt.slice(0, 10)}>{formatDay(paper.publishedAt.slice(0, 10))}</time>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** How long a reader is asked to wait before retrying when arXiv could not be reached (Retry-After). */
const ARXIV_RETRY_AFTER_SECONDS = 60;

async function paperPage(c: Context, deps: AppDeps, raw: string, fetcher: PaperFetcher | undefined): Promise<Page | Response> {
  const parsed = parseArxivId(raw.replace(/\/+$/, ''));
  if (!parsed) {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    return errorAnswer(c, deps, 400, `“${shown}” is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.`);
  }
  const canonical = paperPath(parsed.id);
  // One URL per paper: a version (2509.08826v2), an `arXiv:` prefix or a trailing slash redirect to it.
  if (raw !== parsed.id) return c.redirect(canonical, 301);
  let [paper, entry] = await Promise.all([getPaper(deps.db, parsed.id), getEntryForPaper(deps.db, parsed.id)]);
  if (!paper && fetcher) {
    // A valid id we do not hold: ask arXiv for it while the reader waits (see paperFetch.ts).
    const outcome = await fetcher.fetch(parsed.id);
    if (outcome === 'unreachable' || outcome === 'busy') {
      c.header('Retry-After', String(ARXIV_RETRY_AFTER_SECONDS));
      return errorAnswer(c, deps, 503, `arXiv could not be reached to look up arXiv:${parsed.id}; try again in a minute.`, [
        { href: arxivUrls(parsed.id).abs, label: `Read arXiv:${parsed.id} on arxiv.org` },
      ]);
    }
    if (outcome === 'stored') [paper, entry] = await Promise.all([getPaper(deps.db, parsed.id), getEntryForPaper(deps.db, parsed.id)]);
  }
  if (!paper) {
    return errorAnswer(c, deps, 404, `arXiv:${parsed.id} is not in this instance (yet).`, [
      { href: arxivUrls(parsed.id).abs, label: `Read arXiv:${parsed.id} on arxiv.org` },
    ]);
  }
  const tools = await loadPaperTools(c, deps, paper);
  const comments = await commentsSectionFor(c, deps, paper.id);
  const collections = await collectionsSectionFor(c, deps, paper.id);
  // Follow buttons for the paper's authors and categories (signed-in readers only; digest-settings.tsx).
  const follows = await followBoxFor(c, deps, paper, canonical);
  // "More like this" / "Not interested" teach the reader's For-you model (src/foryou/), signed-in readers only.
  const feedback = c.var.user ? (
    <section class="foryou-box" aria-label="For you">
      <FeedbackButtons paperId={paper.id} next={canonical} current={await paperFeedbackOf(deps.db, c.var.user.id, paper.id)} />
    </section>
  ) : null;
  // Similar papers need vectors; without them (or if the embedder fails) the section is left out.
  const similar = await similarPapers(deps.db, deps.semantic, paper);
  if (similar.reason && deps.semantic?.available()) deps.log.warn({ paper_id: paper.id, reason: similar.reason }, 'similar papers unavailable');
  // Upvotes: a paper outside the feed can be upvoted too; anonymous readers see its button only once it has votes.
  const viewer = c.var.user?.id ?? null;
  const [vote, upvoters] = await Promise.all([voteState(deps.db, viewer, paper.id), listUpvoters(deps.db, paper.id)]);
  const upvote: UpvoteBox = {
    n: vote?.upvotes ?? entry?.upvotes ?? 0,
    ...(viewer !== null ? { upvoted: vote?.upvoted ?? false } : {}),
    show: viewer !== null || (vote?.upvotes ?? 0) > 0,
  };
  return renderPage(deps, {
    title: paper.title,
    description: excerpt(paper.abstract, 200),
    path: canonical,
    children: (
      <>
        <PaperView paper={paper} entry={entry} tools={tools} upvote={upvote} />
        {follows}
        {feedback}
        <Upvoters total={upvoters.total} upvoters={upvoters.upvoters} />
        <SimilarPapers papers={similar.papers} />
        {collections}
        {comments}
      </>
    ),
  });
}

/** Registers `/papers/{id}` (a wildcard, so old-style ids with a slash work). */
export function registerPaperRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  const fetcher = deps.arxivClient ? createPaperFetcher(deps, deps.arxivClient) : undefined;
  app.get('/papers/*', async (c, next) => {
    const decoded = safeDecode(c.req.path.slice('/papers/'.length));
    if (decoded !== null && FEED_PREFIX.test(decoded)) return next();
    if (decoded === '') return c.redirect('/', 302); // `/papers/` names no paper: the feed is the nearest page
    if (decoded === null) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    return cache.serve(c, () => paperPage(c, deps, decoded, fetcher));
  });
}
