/**
 * The upvote button without JavaScript: `POST /papers/{id}/upvote` (a form with the CSRF field) sets or
 * flips the reader's upvote and redirects back to the page it came from (a local `next` only).
 * Fields: `state=on|off` sets that state (the button sends the state it offers, so a double click does
 * not undo itself); without it the vote is toggled. Signed-out readers are sent to sign in.
 * With JavaScript, assets/app.js calls the JSON API (api/v1-votes.ts) instead and updates the button.
 */
import type { Context, Hono } from 'hono';
import { parseArxivId } from '../../arxiv/ids.ts';
import { setVote, toggleVote } from '../../store/votes.ts';
import { currentUser, safeNextPath } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit } from '../rateLimit.ts';
import { paperPath } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { formBody } from '../forms.ts';

const UPVOTE_PATH = /^\/papers\/(.+)\/upvote$/;

/** The paper id of an `/…/papers/{id}/upvote` path (old-style ids keep their slash), or null. */
export function upvotePaperId(path: string, prefix = ''): string | null {
  if (!path.startsWith(prefix)) return null;
  const m = UPVOTE_PATH.exec(path.slice(prefix.length));
  if (!m) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  const parsed = parseArxivId(decoded);
  // A version suffix is ignored: votes are per paper, not per version.
  return parsed ? parsed.id : null;
}

/** Registers `POST /papers/{id}/upvote`. */
export function registerVoteRoutes(app: Hono, deps: AppDeps): void {
  app.post('/papers/*', async (c, next) => {
    if (!c.req.path.endsWith('/upvote')) return next();
    const id = upvotePaperId(c.req.path);
    if (!id) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    const body = await formBody(c);
    const back = typeof body.next === 'string' && body.next !== '' ? safeNextPath(body.next) : paperPath(id);
    const user = currentUser(c);
    if (!user) return c.redirect(`/signin?next=${encodeURIComponent(back)}`, 303);
    const limited = checkRateLimit(c, deps, 'vote', String(user.id));
    if (limited) return limited;
    const state = body.state === 'on' ? true : body.state === 'off' ? false : undefined;
    const result = state === undefined ? await toggleVote(deps.db, user.id, id) : await setVote(deps.db, user.id, id, state);
    if (!result) return errorAnswer(c, deps, 404, `arXiv:${id} is not in this instance, so it cannot be upvoted here.`);
    deps.log.info({ paper_id: id, user_id: user.id, upvoted: result.upvoted }, 'vote');
    return c.redirect(back, 303);
  });
}
