/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Author claims: `POST /papers/{id}/claim` (the "Claim authorship" form on the paper page, a signed-in
 * user picks which listed name is theirs) and `/moderation/claims`, where moderators approve or reject
 * pending claims. Forms and redirects only, so it works without JavaScript.
 */
import type { Context, Hono } from 'hono';
import { ClaimError, countPendingClaims, decideClaim, listClaims, type ClaimListing, claimAuthorship } from '../../store/claims.ts';
import { requireRole, requireUser } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { renderPage } from '../views/page.tsx';
import { paperPath } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { paperActionId } from './links.tsx';
import { formBody } from '../forms.ts';

const DECIDED: Record<string, string> = { approved: 'Claim approved.', rejected: 'Claim rejected.' };

function ClaimRow({ claim }: { claim: ClaimListing }) {
  return (
    <li class="card">
      <article class="card-body">
        <h2>
          <a href={paperPath(claim.paperId)}>{claim.paperTitle}</a>
        </h2>
        <p class="meta">
          <span>
            @{claim.handle}
            {claim.displayName ? ` (${claim.displayName})` : ''} · {claim.email}
          </span>
          <span>
            claims to be <strong>{claim.authorName}</strong>
          </span>
          <span>
            <time datetime={claim.createdAt}>{claim.createdAt.slice(0, 16).replace('T', ' ')} UTC</time>
          </span>
        </p>
        <form method="post" action={`/moderation/claims/${claim.id}/approve`} class="inline-form">
          {csrfField()}
          <button type="submit">Approve</button>
        </form>{' '}
        <form method="post" action={`/moderation/claims/${claim.id}/reject`} class="inline-form">
          {csrfField()}
          <button type="submit" class="link-button">
            Reject
          </button>
        </form>
      </article>
    </li>
  );
}

/** Registers the claim form handler and the moderators' claims queue; call before registerPaperRoutes. */
export function registerClaimRoutes(app: Hono, deps: AppDeps): void {
  const { db, log } = deps;
  const signedIn = requireUser(deps);
  const moderator = requireRole(deps, 'moderator');

  app.post('/papers/*', async (c, next) => {
    const target = paperActionId(c.req.path, 'claim');
    if (!target) return next();
    const refused = await signedIn(c, async () => {});
    if (refused) return refused;
    if ('invalid' in target) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    const body = await formBody(c);
    // No length cut: the name must equal one listed on the paper, which bounds it.
    const author = typeof body.author === 'string' ? body.author : '';
    const back = [{ href: `${paperPath(target.id)}#links`, label: 'Back to the paper' }];
    try {
      const claim = await claimAuthorship(db, { paperId: target.id, userId: c.var.user!.id, authorName: author });
      log.info({ paper_id: claim.paperId, user_id: claim.userId, claim_id: claim.id }, 'authorship claimed');
    } catch (err) {
      if (err instanceof ClaimError) return errorAnswer(c, deps, err.status, err.message, back);
      throw err;
    }
    return c.redirect(`${paperPath(target.id)}#links`, 303);
  });

  app.get('/moderation/claims', moderator, async (c) => {
    c.header('Cache-Control', 'no-store');
    const [claims, pending] = await Promise.all([listClaims(db, { status: 'pending', limit: 100 }), countPendingClaims(db)]);
    const done = DECIDED[c.req.query('done') ?? ''];
    const page = await renderPage(deps, {
      title: 'Authorship claims',
      description: 'Pending authorship claims',
      noindex: true,
      children: (
        <section>
          <h1>Authorship claims</h1>
          {done ? <p class="form-ok">{done}</p> : null}
          <p>
            {pending === 0 ? 'No claims are waiting.' : `${pending} claim${pending === 1 ? '' : 's'} waiting, oldest first.`} Approve a claim only when the
            account plainly belongs to that author (an institutional address, a linked homepage).
          </p>
          <ul class="cards">
            {claims.map((claim) => (
              <ClaimRow claim={claim} />
            ))}
          </ul>
        </section>
      ),
    });
    return c.html(page.html, page.status);
  });

  app.post('/moderation/claims/:id/:decision{approve|reject}', moderator, async (c) => {
    const raw = c.req.param('id');
    const id = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
    if (id === null) return errorAnswer(c, deps, 404, 'There is no such claim.');
    const decision = c.req.param('decision') === 'approve' ? 'approved' : 'rejected';
    try {
      const claim = await decideClaim(db, id, c.var.user!.id, decision);
      log.info({ claim_id: claim.id, paper_id: claim.paperId, user_id: claim.userId, moderator_id: c.var.user!.id, decision }, 'authorship claim decided');
    } catch (err) {
      if (err instanceof ClaimError) return errorAnswer(c, deps, err.status, err.message, [{ href: '/moderation/claims', label: 'Back to the claims' }]);
      throw err;
    }
    return c.redirect(`/moderation/claims?done=${decision}`, 303);
  });
}
