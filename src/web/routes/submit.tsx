/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Submitting a paper to the daily feed: `GET/POST /submit` (a form that works without JavaScript) and
 * `submitForUser`, shared with the Hugging Face–style `POST /api/papers/submit` (api/v1-votes.ts).
 * The rules live in store/submissions.ts; this file adds what needs the web: reading the arXiv id or
 * URL, fetching a paper we do not hold from arXiv, the rate limit and the answers.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { normalizeArxivId } from '../../arxiv/ids.ts';
import { fetchPapersByIds } from '../../ingest/lookup.ts';
import type { Entry } from '../../store/entries.ts';
import { getPaper } from '../../store/papers.ts';
import {
  cleanOrganization,
  cleanSubmissionComment,
  MAX_ORGANIZATION,
  MAX_SUBMISSION_COMMENT,
  quotaLeft,
  SubmissionError,
  submitPaper,
} from '../../store/submissions.ts';
import type { User } from '../../store/users.ts';
import { requireUser } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit } from '../rateLimit.ts';
import { renderPage } from '../views/page.tsx';
import { paperPath } from '../views/text.ts';
import { formText } from '../forms.ts';

/** A refused submission as the web answers it. */
export interface SubmitRefusal {
  status: ContentfulStatusCode;
  error: string;
  retryAfterSeconds?: number;
}

/** The raw fields of a submission (form or JSON). */
export interface SubmitFields {
  paper: string;
  comment?: string;
  organization?: string;
}

/** The clock of the app (tests inject one through deps.now). */
export function nowOf(deps: AppDeps): Date {
  return deps.now ? deps.now() : new Date();
}

/**
 * Submits for `user`: validates the fields, fetches an unknown paper from arXiv (when a client is
 * configured), applies the rules. The caller has checked the rate limit.
 */
export async function submitForUser(deps: AppDeps, user: User, fields: SubmitFields): Promise<{ entry: Entry } | SubmitRefusal> {
  const raw = fields.paper.trim();
  if (raw === '') return { status: 400, error: 'Give the paper’s arXiv id (like 2509.08826) or its arXiv URL.' };
  const id = normalizeArxivId(raw);
  if (!id) return { status: 400, error: `“${raw.slice(0, 80)}” is not an arXiv id or arXiv URL; ids look like 2509.08826 or hep-th/9901001.` };
  const comment = cleanSubmissionComment(fields.comment);
  if ('error' in comment) return { status: 400, error: comment.error };
  const organization = cleanOrganization(fields.organization);
  if ('error' in organization) return { status: 400, error: organization.error };

  if (!(await getPaper(deps.db, id))) {
    if (!deps.arxivClient) {
      return { status: 404, error: `arXiv:${id} is not in this instance, and this instance does not look papers up on arXiv.` };
    }
    try {
      const r = await fetchPapersByIds(deps.db, deps.arxivClient, deps.config, [id], deps.log);
      if (!r.stored.includes(id)) return { status: 404, error: `arXiv does not know a paper arXiv:${id}; check the id.` };
    } catch (err) {
      deps.log.warn({ paper_id: id, err: err instanceof Error ? err.message : String(err) }, 'arXiv look-up for a submission failed');
      return { status: 503, error: `arXiv could not be reached to look up arXiv:${id}; please try again in a minute.`, retryAfterSeconds: 60 };
    }
  }
  try {
    const entry = await submitPaper(deps.db, { user, paperId: id, comment: comment.value, organization: organization.value }, deps.config, nowOf(deps));
    deps.log.info({ paper_id: id, feed_date: entry.feedDate, user_id: user.id }, 'paper submitted');
    return { entry };
  } catch (err) {
    if (err instanceof SubmissionError) {
      return { status: err.status, error: err.message, ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}) };
    }
    throw err;
  }
}

function SubmitForm({ c, deps, fields, error, left }: { c: Context; deps: AppDeps; fields: SubmitFields; error?: string; left: number | null }) {
  const { submitWindowDays: days } = deps.config;
  return (
    <div class="submit">
      <h1>Submit a paper</h1>
      <p class="sub">
        Feature an arXiv paper in today’s Daily Papers. Papers whose first version is at most {days} day{days === 1 ? '' : 's'} old can be
        submitted, once each.{' '}
        {left === null ? 'As a moderator you have no daily limit.' : `You can submit ${left} more today.`}
      </p>
      <form class="account-form" method="post" action="/submit">
        {csrfField(c)}
        <label>
          arXiv id or URL
          <input type="text" name="paper" required maxlength={300} value={fields.paper} placeholder="2509.08826 or https://arxiv.org/abs/2509.08826" />
        </label>
        <label>
          Comment (optional)
          <textarea name="comment" maxlength={MAX_SUBMISSION_COMMENT} rows={3}>
            {fields.comment ?? ''}
          </textarea>
          <span class="hint">Plain text, at most {MAX_SUBMISSION_COMMENT} characters: why this paper is worth reading.</span>
        </label>
        <label>
          Organization (optional)
          <input type="text" name="organization" maxlength={MAX_ORGANIZATION} value={fields.organization ?? ''} />
          <span class="hint">The lab or company behind the paper, if you want it shown.</span>
        </label>
        {error ? <p class="form-error">{error}</p> : null}
        <button type="submit">Submit</button>
      </form>
    </div>
  );
}

async function formPage(c: Context, deps: AppDeps, user: User, fields: SubmitFields, status: ContentfulStatusCode = 200, error?: string) {
  c.header('Cache-Control', 'no-store');
  const left = await quotaLeft(deps.db, user, deps.config, nowOf(deps));
  const p = await renderPage(deps, {
    title: 'Submit a paper',
    description: 'Feature an arXiv paper in the Daily Papers.',
    noindex: true,
    status,
    children: <SubmitForm c={c} deps={deps} fields={fields} error={error} left={left} />,
  });
  return c.html(p.html, p.status);
}

/** Registers `GET /submit` (the form) and `POST /submit` (redirects to the paper page once featured). */
export function registerSubmitRoutes(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);
  app.get('/submit', signedIn, (c) => formPage(c, deps, c.var.user!, { paper: c.req.query('paper') ?? '' }));
  app.post('/submit', signedIn, async (c) => {
    const user = c.var.user!;
    let body: Record<string, unknown> = {};
    try {
      body = await c.req.parseBody();
    } catch {
      // An unreadable body is an empty form: answered below with "give the paper's id".
    }
    const fields: SubmitFields = { paper: formText(body.paper), comment: formText(body.comment), organization: formText(body.organization) };
    const limited = checkRateLimit(c, deps, 'submit', String(user.id));
    if (limited) return limited;
    const result = await submitForUser(deps, user, fields);
    if ('entry' in result) return c.redirect(paperPath(result.entry.paperId), 303);
    if (result.retryAfterSeconds) c.header('Retry-After', String(result.retryAfterSeconds));
    return formPage(c, deps, user, fields, result.status, result.error);
  });
}
