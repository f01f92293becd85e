/**
 * Write API for votes and submissions (Bearer token or session + X-CSRF-Token):
 * - `PUT /api/v1/papers/{id}/upvote` upvotes, `DELETE` removes the upvote (both idempotent), `GET`
 *   reads; all answer `{upvotes, upvoted}`.
 * - `POST /api/papers/submit {"paperId", "comment"?, "organization"?}`: the Hugging Face–style
 *   submission, answering 201 with the daily-papers item of the new entry.
 * Errors are JSON `{"error"}`: 400 bad id, 401 signed out, 404 unknown paper, 409 already submitted,
 * 429 rate limit or daily quota (with Retry-After), 503 arXiv unreachable.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { getEntriesForPapers } from '../../store/entries.ts';
import { getPaper } from '../../store/papers.ts';
import { setVote, voteState } from '../../store/votes.ts';
import { currentUser, requireUser } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit } from '../rateLimit.ts';
import { upvotePaperId } from '../routes/votes.ts';
import { submitForUser } from '../routes/submit.tsx';
import { hfDailyItem } from './hf-shapes.ts';

const PREFIX = '/api/v1';

function jsonError(c: Context, status: ContentfulStatusCode, error: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

/** Registers the vote and submission API routes. */
export function registerVoteApi(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);

  app.on(['GET', 'PUT', 'DELETE'], `${PREFIX}/papers/*`, async (c, next) => {
    if (!c.req.path.endsWith('/upvote')) return next();
    const id = upvotePaperId(c.req.path, PREFIX);
    if (!id) return jsonError(c, 400, 'Not an arXiv id: use e.g. /api/v1/papers/2509.08826/upvote (no version).');
    c.header('Cache-Control', 'no-store');
    if (c.req.method === 'GET') {
      const state = await voteState(deps.db, currentUser(c)?.id ?? null, id);
      return state ? c.json(state) : jsonError(c, 404, `Paper ${id} is not in this Paperboy instance.`);
    }
    const refused = await signedIn(c, async () => {});
    if (refused) return refused;
    const user = c.var.user!;
    const limited = checkRateLimit(c, deps, 'vote', String(user.id));
    if (limited) return limited;
    const state = await setVote(deps.db, user.id, id, c.req.method === 'PUT');
    if (!state) return jsonError(c, 404, `Paper ${id} is not in this Paperboy instance.`);
    return c.json(state);
  });

  app.post('/api/papers/submit', signedIn, async (c) => {
    const user = c.var.user!;
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return jsonError(c, 400, 'Send a JSON body such as {"paperId": "2509.08826"}.');
    }
    const o = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (typeof o.paperId !== 'string') return jsonError(c, 400, 'paperId is required: an arXiv id such as "2509.08826" or an arXiv URL.');
    for (const k of ['comment', 'organization'] as const) {
      if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') return jsonError(c, 400, `${k} must be a string.`);
    }
    const limited = checkRateLimit(c, deps, 'submit', String(user.id));
    if (limited) return limited;
    const result = await submitForUser(deps, user, {
      paper: o.paperId,
      comment: typeof o.comment === 'string' ? o.comment : undefined,
      organization: typeof o.organization === 'string' ? o.organization : undefined,
    });
    if (!('entry' in result)) {
      if (result.retryAfterSeconds) c.header('Retry-After', String(result.retryAfterSeconds));
      return jsonError(c, result.status, result.error);
    }
    const paper = (await getPaper(deps.db, result.entry.paperId))!;
    const entry = (await getEntriesForPapers(deps.db, [paper.id])).get(paper.id)!;
    c.header('Cache-Control', 'no-store');
    return c.json(hfDailyItem({ ...entry, paper }), 201);
  });
}
