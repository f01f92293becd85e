/**
 * Store rows → the JSON shapes of the Hugging Face Papers API (recordings in testdata/hf/).
 *
 * We return only values we actually hold. Keys of the Hugging Face answers we leave out, because
 * Paperboy has no such data: `paper.discussionId`, author `_id` / `user` / `status` /
 * `statusLastChangedAt` (no author claims), `thumbnail` (no social thumbnails), `ai_summary`,
 * `ai_keywords`, `ai_summary_model`, `githubStars`, `githubRepoAddedBy`, `organization` (we keep a
 * display name only, not an organization account), `linkedModels` / `linkedDatasets` /
 * `linkedSpaces` and their `numTotal*`, `isAuthorParticipating`, and on `submittedBy` the account
 * fields `avatarUrl`, `isPro`, `isHf`, `isMod`, `followerCount`.
 * `submittedBy` is `null` when an entry has no recorded submitter. `mediaUrls` is always `[]`.
 * `upvotes` is this instance's count (0 for a paper never featured here), never Hugging Face's.
 */
import type { Entry } from '../../store/entries.ts';
import type { Paper } from '../../store/papers.ts';
import { safeHttpUrl } from '../views/text.ts';

/** A highlighted span, as in `highlightedTitle` / `highlightedSummary`. */
export interface HfSegment {
  type: 'text' | 'highlight';
  text: string;
}

/** An author as Hugging Face lists unclaimed authors. */
export interface HfAuthor {
  name: string;
  hidden: false;
}

/** A submitter account, reduced to what we know. */
export interface HfUser {
  name: string;
  fullname: string;
  type: 'user';
}

/** The `paper` object nested in list items. */
export interface HfPaper {
  id: string;
  authors: HfAuthor[];
  publishedAt: string;
  title: string;
  summary: string;
  upvotes: number;
  githubRepo?: string;
  projectPage?: string;
}

/** An item of `GET /api/daily_papers`. */
export interface HfDailyItem {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  mediaUrls: string[];
  numComments: number;
  submittedBy: HfUser | null;
}

/** An item of `GET /api/papers/search`. */
export interface HfSearchItem {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  numComments: number;
  upvoted: false;
  highlightedTitle: HfSegment[];
  highlightedSummary: HfSegment[];
}

/** ISO 8601 with milliseconds (`2024-10-22T17:59:30.000Z`), the format HF clients parse; other text passes through. */
export function hfDate(s: string): string {
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
}

/** arXiv titles arrive hard-wrapped; HF's top-level `title` is the one-line form. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Authors in order, as unclaimed Hugging Face authors. */
export function hfAuthors(names: string[]): HfAuthor[] {
  return names.map((name) => ({ name, hidden: false }));
}

/** The submitter of an entry, or null when none was recorded. */
export function hfSubmitter(e: Pick<Entry, 'submitterName' | 'submitterHandle'>): HfUser | null {
  const name = e.submitterHandle ?? e.submitterName;
  const fullname = e.submitterName ?? e.submitterHandle;
  if (!name || !fullname) return null;
  return { name, fullname, type: 'user' };
}

/** The nested `paper` object; `upvotes` come from the entry that features it here. */
export function hfPaper(p: Paper, upvotes: number): HfPaper {
  const out: HfPaper = {
    id: p.id,
    authors: hfAuthors(p.authors),
    publishedAt: hfDate(p.publishedAt),
    title: p.title,
    summary: p.abstract,
    upvotes,
  };
  // HF omits these keys when a paper has no link, so we do too (never null). Clients put them in an
  // href, and imported links are not validated, so only http(s) links are passed on.
  // The value is passed on as stored (not normalized), as before.
  if (p.codeUrl && safeHttpUrl(p.codeUrl)) out.githubRepo = p.codeUrl;
  if (p.projectUrl && safeHttpUrl(p.projectUrl)) out.projectPage = p.projectUrl;
  return out;
}

/** A daily-papers list item: the paper wrapped with the entry's submission data. */
export function hfDailyItem(e: Entry & { paper: Paper }): HfDailyItem {
  return {
    paper: hfPaper(e.paper, e.upvotes),
    // On HF the top-level date is when the paper was submitted to Daily Papers.
    publishedAt: hfDate(e.submittedAt),
    title: oneLine(e.paper.title),
    summary: e.paper.abstract,
    mediaUrls: [],
    numComments: e.numComments,
    submittedBy: hfSubmitter(e),
  };
}

/**
 * `GET /api/papers/{id}`: the flat paper, plus Paperboy's extras (arXiv metadata HF does not
 * serve): `categories`, `primaryCategory`, `version`, `updatedAt`, `comment`, `journalRef`, `doi`,
 * `license` (null when arXiv has none), and `feedDate` when featured.
 */
export function hfPaperDetail(p: Paper, entry: Entry | undefined) {
  const base = hfPaper(p, entry?.upvotes ?? 0);
  return {
    ...base,
    ...(entry
      ? {
          submittedOnDailyAt: hfDate(entry.submittedAt),
          submittedOnDailyBy: hfSubmitter(entry),
          numComments: entry.numComments,
          feedDate: entry.feedDate,
        }
      : {}),
    categories: p.categories,
    primaryCategory: p.primaryCategory,
    version: p.version,
    updatedAt: hfDate(p.updatedAt),
    comment: p.comment,
    journalRef: p.journalRef,
    doi: p.doi,
    license: p.license,
  };
}

/** A search hit as HF returns it, with highlighted spans for title and abstract. */
export function hfSearchItem(
  hit: { paper: Paper; upvotes: number; titleSegments: HfSegment[]; summarySegments: HfSegment[] },
  entry: Entry | undefined,
): HfSearchItem {
  return {
    paper: hfPaper(hit.paper, entry?.upvotes ?? hit.upvotes),
    publishedAt: hfDate(entry?.submittedAt ?? hit.paper.publishedAt),
    title: hit.paper.title,
    summary: hit.paper.abstract,
    numComments: entry?.numComments ?? 0,
    // The API is anonymous, so nothing is "upvoted by you".
    upvoted: false,
    highlightedTitle: hit.titleSegments.map(({ type, text }) => ({ type, text })),
    highlightedSummary: hit.summarySegments.map(({ type, text }) => ({ type, text })),
  };
}
