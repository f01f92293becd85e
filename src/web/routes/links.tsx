/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Community links of a paper and its BibTeX:
 * - `POST /papers/{id}/links` (form on the paper page) and `PUT /api/v1/papers/{id}/links` (JSON): set or
 *   clear the code repository and project page. Allowed to the submitter of the paper's daily entry, an
 *   approved claimed author, or a moderator/admin (src/store/links.ts); values must be plain https URLs.
 * - `GET /papers/{id}/bibtex`: the paper's BibTeX entry as text/plain.
 * - The paper page's "community tools" block (claimed-author state, claim form, links form) and the
 *   shared parsing of `/papers/{id}/{action}` paths (old-style ids keep their slash).
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { parseArxivId } from '../../arxiv/ids.ts';
import { approvedClaims, claimOf, type Claim } from '../../store/claims.ts';
import { LinkError, linkEditRight, type LinkEditRight, setPaperLinks } from '../../store/links.ts';
import { getPaper, type Paper } from '../../store/papers.ts';
import type { User } from '../../store/users.ts';
import { bibtexKey, paperToBibtex } from '../../text/bibtex.ts';
import { currentUser, requireUser } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { paperPath } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { formBody, formText } from '../forms.ts';

/**
 * The canonical paper id of `/papers/{id}/{action}` (`action` like `bibtex`), or null when the path is
 * not of that shape. A path of that shape whose id is malformed gives `{ invalid: true }`.
 */
export function paperActionId(path: string, action: string): { id: string } | { invalid: true } | null {
  const prefix = '/papers/';
  const suffix = `/${action}`;
  if (!path.startsWith(prefix) || !path.endsWith(suffix) || path.length <= prefix.length + suffix.length) return null;
  let raw: string;
  try {
    raw = decodeURIComponent(path.slice(prefix.length, -suffix.length));
  } catch {
    return { invalid: true };
  }
  const parsed = parseArxivId(raw);
  return parsed ? { id: parsed.id } : { invalid: true };
}

const RIGHT_LABEL: Record<Exclude<LinkEditRight, null>, string> = {
  moderator: 'as a moderator',
  submitter: 'as the submitter of this paper',
  'claimed-author': 'as a claimed author',
};

/** The refusal people see when they may not edit a paper's links. */
export const LINKS_REFUSAL =
  'Only the person who submitted this paper to the daily feed, one of its claimed authors, or a moderator can change its links. If you are an author, claim authorship on the paper page first.';

/** What the paper page shows of claims and links for the current reader. */
export interface PaperTools {
  viewer: User | null;
  claims: Array<{ authorName: string; handle: string }>;
  myClaim?: Claim;
  right: LinkEditRight;
}

/** Loads the paper page's claims and links state for the current reader (one query when signed out). */
export async function loadPaperTools(c: Context, deps: AppDeps, paper: Paper): Promise<PaperTools> {
  const viewer = currentUser(c);
  const [claims, myClaim, right] = await Promise.all([
    approvedClaims(deps.db, paper.id),
    viewer ? claimOf(deps.db, paper.id, viewer.id) : Promise.resolve(undefined),
    viewer ? linkEditRight(deps.db, viewer, paper.id) : Promise.resolve(null),
  ]);
  return { viewer, claims, myClaim, right };
}

/** The claimed-author badge after a listed name, when an account's claim on it was approved. */
export function ClaimedBadge({ tools, name }: { tools: PaperTools; name: string }) {
  const holder = tools.claims.find((x) => x.authorName === name);
  return holder ? (
    <span class="badge claimed" title={`Claimed by @${holder.handle}, approved by a moderator`}>
      {' '}
      ✓ @{holder.handle}
    </span>
  ) : null;
}

function ClaimBlock({ paper, tools }: { paper: Paper; tools: PaperTools }) {
  const mine = tools.myClaim;
  if (mine?.status === 'approved') return <p class="form-ok">You are a claimed author of this paper ({mine.authorName}).</p>;
  if (mine?.status === 'pending') return <p>Your claim to be {mine.authorName} on this paper is waiting for a moderator.</p>;
  if (mine?.status === 'rejected') return <p>Your claim to be {mine.authorName} on this paper was rejected by a moderator.</p>;
  const taken = new Set(tools.claims.map((x) => x.authorName));
  const names = [...new Set(paper.authors)].filter((n) => !taken.has(n));
  if (names.length === 0) return null;
  return (
    <form method="post" action={`${paperPath(paper.id)}/claim`} class="inline-form claim-form">
      {csrfField()}
      <label>
        I am{' '}
        <select name="author" required>
          {names.map((n) => (
            <option value={n}>{n}</option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Claim authorship</button>
    </form>
  );
}

function LinksForm({ paper, right }: { paper: Paper; right: Exclude<LinkEditRight, null> }) {
  return (
    <form method="post" action={`${paperPath(paper.id)}/links`} class="account-form links-form">
      {csrfField()}
      <label>
        Code repository
        <input type="url" name="code_url" value={paper.codeUrl ?? ''} placeholder="https://github.com/…" maxlength={2048} />
      </label>
      <label>
        Project page
        <input type="url" name="project_url" value={paper.projectUrl ?? ''} placeholder="https://…" maxlength={2048} />
      </label>
      <span class="hint">https:// links only; leave a field empty to remove its link. You can edit these {RIGHT_LABEL[right]}.</span>
      <button type="submit">Save links</button>
    </form>
  );
}

/** The paper page's block for authors and submitters: claim authorship, edit links (or a sign-in link). */
export function PaperToolsSection({ paper, tools }: { paper: Paper; tools: PaperTools }): Child {
  if (!tools.viewer) {
    return (
      <section class="paper-tools" id="links">
        <p class="hint">
          <a href={`/signin?next=${encodeURIComponent(paperPath(paper.id))}`}>Sign in</a> to claim authorship of this paper or to add its code and project links.
        </p>
      </section>
    );
  }
  return (
    <section class="paper-tools" id="links">
      <h2>Authors and links</h2>
      <ClaimBlock paper={paper} tools={tools} />
      {tools.right ? <LinksForm paper={paper} right={tools.right} /> : null}
    </section>
  );
}

async function bibtexAnswer(c: Context, deps: AppDeps, id: string) {
  const paper = await getPaper(deps.db, id);
  if (!paper) return c.text(`arXiv:${id} is not in this instance.\n`, 404);
  c.header('Content-Disposition', `inline; filename="${bibtexKey(paper)}.bib"`);
  return c.text(paperToBibtex(paper), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
}

/** Registers the BibTeX and links routes; call before registerPaperRoutes (they share `/papers/*`). */
export function registerLinkRoutes(app: Hono, deps: AppDeps): void {
  const { db, log } = deps;
  const signedIn = requireUser(deps);

  app.get('/papers/*', async (c, next) => {
    const target = paperActionId(c.req.path, 'bibtex');
    if (!target) return next();
    if ('invalid' in target) return c.text('That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.\n', 400);
    return bibtexAnswer(c, deps, target.id);
  });

  app.post('/papers/*', async (c, next) => {
    const target = paperActionId(c.req.path, 'links');
    if (!target) return next();
    const refused = await signedIn(c, async () => {});
    if (refused) return refused;
    if ('invalid' in target) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    const user = c.var.user!;
    const paper = await getPaper(db, target.id);
    if (!paper) return errorAnswer(c, deps, 404, `arXiv:${target.id} is not in this instance.`);
    const back = [{ href: `${paperPath(paper.id)}#links`, label: 'Back to the paper' }];
    if (!(await linkEditRight(db, user, paper.id))) return errorAnswer(c, deps, 403, LINKS_REFUSAL, back);
    const body = await formBody(c);
    try {
      await setPaperLinks(db, paper.id, { codeUrl: formText(body.code_url), projectUrl: formText(body.project_url) });
    } catch (err) {
      if (err instanceof LinkError) return errorAnswer(c, deps, 400, err.message, back);
      throw err;
    }
    log.info({ paper_id: paper.id, user_id: user.id }, 'paper links changed');
    return c.redirect(`${paperPath(paper.id)}#links`, 303);
  });

  app.put('/api/v1/papers/*', async (c, next) => {
    const path = c.req.path.replace(/^\/api\/v1/, '');
    const target = paperActionId(path, 'links');
    if (!target) return next();
    const refused = await signedIn(c, async () => {});
    if (refused) return refused;
    if ('invalid' in target) return c.json({ error: 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.' }, 400);
    const user = c.var.user!;
    const paper = await getPaper(db, target.id);
    if (!paper) return c.json({ error: `arXiv:${target.id} is not in this instance.` }, 404);
    if (!(await linkEditRight(db, user, paper.id))) return c.json({ error: LINKS_REFUSAL }, 403);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'Send a JSON object {"codeUrl": "https://…" | null, "projectUrl": "https://…" | null}.' }, 400);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return c.json({ error: 'The body must be a JSON object.' }, 400);
    const b = body as Record<string, unknown>;
    // An absent field keeps its link; null or "" removes it.
    const field = (k: string) => (b[k] === null ? '' : b[k]);
    const codeUrl = field('codeUrl');
    const projectUrl = field('projectUrl');
    const ok = (v: unknown) => v === undefined || typeof v === 'string';
    if (!ok(codeUrl) || !ok(projectUrl)) return c.json({ error: 'codeUrl and projectUrl must be strings or null.' }, 400);
    try {
      await setPaperLinks(db, paper.id, { codeUrl: codeUrl as string | undefined, projectUrl: projectUrl as string | undefined });
    } catch (err) {
      if (err instanceof LinkError) return c.json({ error: err.message }, 400);
      throw err;
    }
    log.info({ paper_id: paper.id, user_id: user.id }, 'paper links changed');
    const saved = (await getPaper(db, paper.id))!;
    return c.json({ id: saved.id, codeUrl: saved.codeUrl, projectUrl: saved.projectUrl });
  });
}
