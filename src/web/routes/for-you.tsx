/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * "For you", server-rendered (every action is a plain form: works without JavaScript):
 *   GET  /for-you[?interest=ID]            recommendations with why, the reader's interests and mutes
 *   POST /for-you/feedback                 `paper_id`, `kind=more|not_interested|clear`, `next`
 *   POST /for-you/interests                a pasted-text interest: `name`, `body`
 *   POST /for-you/interests/collection     a collection as a seed: `collection_id`, `name`?
 *   POST /for-you/interests/{id}/delete
 *   POST /for-you/mutes                    `kind=author|category|keyword`, `value`
 *   POST /for-you/mutes/{id}/delete
 *   GET  /feeds/for-you.atom?token=        the recommendations as Atom, by the private feed token
 * Pages are private (no-store); bad input answers 400/404 with a message, never a 500.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parseArxivId } from '../../arxiv/ids.ts';
import { type ForYouResult, forYou, type RecommendSemantic } from '../../foryou/recommend.ts';
import { whyText } from '../../foryou/why.ts';
import { EmbedderError } from '../../search/embed/embedder.ts';
import { listUserCollections } from '../../store/collections.ts';
import { clearPaperFeedback, type FeedbackKind, setPaperFeedback } from '../../store/feedback.ts';
import { userFromFeedToken } from '../../store/feed-tokens.ts';
import {
  createCollectionInterest,
  createTextInterest,
  deleteInterest,
  type Interest,
  InterestError,
  listInterests,
  MAX_INTEREST_NAME,
  MAX_INTEREST_TEXT,
} from '../../store/interests.ts';
import { addMute, listMutes, type Mute, MuteError, removeMute } from '../../store/mutes.ts';
import { getPaper, getPapers, type Paper } from '../../store/papers.ts';
import { renderAtom, ATOM_CONTENT_TYPE } from '../atom.ts';
import { requireUser, safeNextPath } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { formBody, formText } from '../forms.ts';
import { PaperCard } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { excerpt, paperPath } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';

/** Papers on the page and in the feed. */
export const FOR_YOU_LIMIT = 30;
/** Recommendations come from papers published in this many recent days (a feed is about what is new). */
export const RECENT_DAYS = 60;

/** The Semantic service when the server opened one (deps.semantic); absent: recommendations are unavailable. */
export function semanticOf(deps: AppDeps): RecommendSemantic | undefined {
  return deps.semantic;
}

function nowOf(deps: AppDeps): Date {
  return deps.now ? deps.now() : new Date();
}

/** The "since" of the recent window (a day of slack for time zones). */
export function recentSince(now: Date): string {
  return new Date(now.getTime() - RECENT_DAYS * 86_400_000).toISOString();
}

function parseId(raw: string | undefined): number | undefined {
  return raw && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined;
}

/** The "more like this" / "not interested" buttons of a card (also used on the paper page). */
export function FeedbackButtons({ paperId, next, current }: { paperId: string; next: string; current?: FeedbackKind }) {
  const button = (kind: FeedbackKind | 'clear', label: string) => (
    <form class="inline-form" method="post" action="/for-you/feedback">
      {csrfField()}
      <input type="hidden" name="paper_id" value={paperId} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class="link-button">
        {label}
      </button>
    </form>
  );
  return (
    <p class="foryou-feedback">
      {current === 'more' ? button('clear', '✓ More like this (undo)') : button('more', 'More like this')}{' '}
      {current === 'not_interested' ? button('clear', '✓ Not interested (undo)') : button('not_interested', 'Not interested')}
    </p>
  );
}

function HowToStart({ status }: { status: ForYouResult['status'] }) {
  if (status === 'unavailable')
    return (
      <p class="notice">
        Recommendations need the search-by-meaning index, which this instance has not built yet (it is built in the background after papers
        are imported). Your interests and mutes below are kept and used as soon as it is ready.
      </p>
    );
  return (
    <div class="notice">
      <p>Nothing to go on yet. Recommendations learn from what you do:</p>
      <ul>
        <li>upvote papers you like, or save them to a collection;</li>
        <li>press “More like this” (or “Not interested”) on a paper page or in a digest;</li>
        <li>paste a few sentences about a topic, or an abstract, as an interest below;</li>
        <li>claim the papers you wrote (on their paper pages): they count as your interests.</li>
      </ul>
    </div>
  );
}

function InterestsSection({ interests, active, collections }: { interests: Interest[]; active?: number; collections: { id: number; name: string }[] }) {
  return (
    <section class="foryou-interests">
      <h2>Your interests</h2>
      <p class="sub">
        <a href="/for-you" aria-current={active === undefined ? 'page' : undefined}>
          Everything
        </a>
        {interests.map((i) => (
          <>
            {' · '}
            <a href={`/for-you?interest=${i.id}`} aria-current={active === i.id ? 'page' : undefined}>
              {i.name}
            </a>
          </>
        ))}
      </p>
      {interests.length ? (
        <ul class="foryou-list">
          {interests.map((i) => (
            <li>
              <strong>{i.name}</strong> — {i.kind === 'text' ? `“${excerpt(i.body ?? '', 120)}”` : 'a collection of yours'}{' '}
              <form class="inline-form" method="post" action={`/for-you/interests/${i.id}/delete`}>
                {csrfField()}
                <button type="submit" class="link-button">
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : null}
      <form class="account-form" method="post" action="/for-you/interests">
        {csrfField()}
        <label>
          Name
          <input type="text" name="name" required maxlength={MAX_INTEREST_NAME} placeholder="Reward hacking" />
        </label>
        <label>
          Text: a description of the topic, or an abstract
          <textarea name="body" rows={4} required maxlength={MAX_INTEREST_TEXT}></textarea>
        </label>
        <button type="submit">Add interest</button>
      </form>
      {collections.length ? (
        <form class="account-form" method="post" action="/for-you/interests/collection">
          {csrfField()}
          <label>
            Or use one of your collections as an interest
            <select name="collection_id">
              {collections.map((c) => (
                <option value={String(c.id)}>{c.name}</option>
              ))}
            </select>
          </label>
          <button type="submit">Add collection interest</button>
        </form>
      ) : null}
    </section>
  );
}

function MutesSection({ mutes }: { mutes: Mute[] }) {
  return (
    <section class="foryou-mutes">
      <h2>Muted</h2>
      <p class="sub">Papers by these authors, in these categories or with these words are never recommended.</p>
      {mutes.length ? (
        <ul class="foryou-list">
          {mutes.map((m) => (
            <li>
              {m.kind}: <strong>{m.value}</strong>{' '}
              <form class="inline-form" method="post" action={`/for-you/mutes/${m.id}/delete`}>
                {csrfField()}
                <button type="submit" class="link-button">
                  Unmute
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : null}
      <form class="account-form" method="post" action="/for-you/mutes">
        {csrfField()}
        <label>
          Mute
          <select name="kind">
            <option value="keyword">a keyword or phrase</option>
            <option value="author">an author</option>
            <option value="category">a category (e.g. cs.CV)</option>
          </select>
        </label>
        <label>
          Value
          <input type="text" name="value" required maxlength={200} />
        </label>
        <button type="submit">Mute</button>
      </form>
    </section>
  );
}

/** Registers the For-you page, its forms and its feed. */
export function registerForYouRoutes(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);
  const log = { warn: (o: object, msg: string) => deps.log.warn(o, msg) };

  async function page(c: Context, o: { interestId?: number; error?: string; status?: ContentfulStatusCode }) {
    const user = c.var.user!;
    c.header('Cache-Control', 'private, no-store');
    const interests = await listInterests(deps.db, user.id);
    if (o.interestId !== undefined && !interests.some((i) => i.id === o.interestId)) return errorAnswer(c, deps, 404, 'You have no interest with this id.');
    const result = await forYou(deps.db, semanticOf(deps), user.id, { limit: FOR_YOU_LIMIT, since: recentSince(nowOf(deps)), interestId: o.interestId, log });
    const papers = new Map((await getPapers(deps.db, result.items.map((r) => r.paperId))).map((p) => [p.id, p]));
    const mutes = await listMutes(deps.db, user.id);
    const collections = (await listUserCollections(deps.db, user.id)).map((c2) => ({ id: c2.id, name: c2.name }));
    const here = o.interestId === undefined ? '/for-you' : `/for-you?interest=${o.interestId}`;
    const active = interests.find((i) => i.id === o.interestId);
    const body: Child = (
      <div class="for-you">
        <h1>{active ? `For you: ${active.name}` : 'For you'}</h1>
        <p class="sub">
          New papers (last {RECENT_DAYS} days) ranked by what you upvote, save and mark, and by your interests. Each says why. Also as a private
          Atom feed: <code>/feeds/for-you.atom?token=…</code> with the feed token from <a href="/settings/digest">Digest and feeds</a>.
        </p>
        {o.error ? <p class="form-error">{o.error}</p> : null}
        {result.items.length === 0 ? (
          result.status === 'ok' ? (
            <p class="notice">No new papers match yet; check back after the next announcement.</p>
          ) : (
            <HowToStart status={result.status} />
          )
        ) : (
          <ol class="cards">
            {result.items.map((r) => {
              const p = papers.get(r.paperId);
              return p ? (
                <PaperCard
                  paper={p}
                  note={
                    <>
                      <p class="why">
                        Why: {r.why.interest ? <>your interest “{r.why.interest}”</> : null}
                        {r.why.interest && r.why.papers.length ? ' · ' : null}
                        {r.why.papers.length ? (
                          <>
                            close to{' '}
                            {r.why.papers.map((lp, i) => (
                              <>
                                {i ? ' and ' : ''}
                                <a href={paperPath(lp.id)}>{lp.title}</a>
                              </>
                            ))}
                          </>
                        ) : null}
                        {r.why.terms.length ? <> · shared terms: {r.why.terms.join(', ')}</> : null}
                        {!r.why.interest && !r.why.papers.length && !r.why.terms.length ? 'close to what you liked' : null}
                      </p>
                      <FeedbackButtons paperId={p.id} next={here} />
                    </>
                  }
                />
              ) : null;
            })}
          </ol>
        )}
        <InterestsSection interests={interests} active={o.interestId} collections={collections} />
        <MutesSection mutes={mutes} />
      </div>
    );
    const pg = await renderPage(deps, { title: 'For you', description: 'Papers recommended for you', noindex: true, status: o.status, children: body });
    return c.html(pg.html, pg.status);
  }

  app.get('/for-you', signedIn, async (c) => {
    const raw = c.req.query('interest');
    if (raw === undefined || raw === '') return page(c, {});
    const id = parseId(raw);
    if (id === undefined) return errorAnswer(c, deps, 400, 'The interest is a number from your list of interests.');
    return page(c, { interestId: id });
  });

  app.post('/for-you/feedback', signedIn, async (c) => {
    const f = await formBody(c);
    const parsed = parseArxivId(formText(f.paper_id));
    if (!parsed) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826.');
    const kind = formText(f.kind);
    if (kind !== 'more' && kind !== 'not_interested' && kind !== 'clear') return errorAnswer(c, deps, 400, 'Feedback is "more", "not_interested" or "clear".');
    if (!(await getPaper(deps.db, parsed.id))) return errorAnswer(c, deps, 404, `arXiv:${parsed.id} is not in this instance.`);
    const user = c.var.user!;
    if (kind === 'clear') await clearPaperFeedback(deps.db, user.id, parsed.id);
    else await setPaperFeedback(deps.db, user.id, parsed.id, kind, nowOf(deps));
    const next = formText(f.next);
    return c.redirect(next ? safeNextPath(next) : paperPath(parsed.id), 303);
  });

  app.post('/for-you/interests', signedIn, async (c) => {
    const f = await formBody(c);
    const user = c.var.user!;
    const semantic = semanticOf(deps);
    let embedding: { vector: Float32Array; model: string } | undefined;
    const body = formText(f.body).trim();
    try {
      const model = semantic?.available() ? semantic.embedderName() : undefined;
      if (model && body.length >= 20) {
        const [v] = await semantic!.embedDocuments([body]);
        if (v) embedding = { vector: v, model };
      }
    } catch (err) {
      // Kept without a vector: it is embedded on first use once the embedder answers again.
      if (!(err instanceof EmbedderError)) throw err;
      deps.log.warn({ err: err.message }, 'interest saved without embedding');
    }
    try {
      await createTextInterest(deps.db, user.id, { name: f.name, body: f.body }, embedding, nowOf(deps));
    } catch (err) {
      if (err instanceof InterestError) return page(c, { error: err.message, status: err.status });
      throw err;
    }
    return c.redirect('/for-you', 303);
  });

  app.post('/for-you/interests/collection', signedIn, async (c) => {
    const f = await formBody(c);
    try {
      await createCollectionInterest(deps.db, c.var.user!.id, { name: formText(f.name), collectionId: formText(f.collection_id) }, nowOf(deps));
    } catch (err) {
      if (err instanceof InterestError) return page(c, { error: err.message, status: err.status });
      throw err;
    }
    return c.redirect('/for-you', 303);
  });

  app.post('/for-you/interests/:id/delete', signedIn, async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === undefined || !(await deleteInterest(deps.db, c.var.user!.id, id))) return errorAnswer(c, deps, 404, 'You have no interest with this id.');
    return c.redirect('/for-you', 303);
  });

  app.post('/for-you/mutes', signedIn, async (c) => {
    const f = await formBody(c);
    try {
      await addMute(deps.db, c.var.user!.id, formText(f.kind), formText(f.value), nowOf(deps));
    } catch (err) {
      if (err instanceof MuteError) return page(c, { error: err.message, status: 400 });
      throw err;
    }
    return c.redirect('/for-you', 303);
  });

  app.post('/for-you/mutes/:id/delete', signedIn, async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === undefined || !(await removeMute(deps.db, c.var.user!.id, id))) return errorAnswer(c, deps, 404, 'You have no mute with this id.');
    return c.redirect('/for-you', 303);
  });

  app.get('/feeds/for-you.atom', async (c) => {
    const token = c.req.query('token');
    const user = await userFromFeedToken(deps.db, token, nowOf(deps));
    c.header('Cache-Control', 'private, no-store');
    if (!user) return errorAnswer(c, deps, 404, 'This private feed address is not valid: it was revoked or replaced. Make a new one in Settings → Digest and feeds.');
    const now = nowOf(deps);
    const result = await forYou(deps.db, semanticOf(deps), user.id, { limit: FOR_YOU_LIMIT, since: recentSince(now), log });
    const papers = new Map((await getPapers(deps.db, result.items.map((r) => r.paperId))).map((p) => [p.id, p]));
    const base = deps.config.baseUrl;
    const entries = result.items.flatMap((r) => {
      const p: Paper | undefined = papers.get(r.paperId);
      return p
        ? [
            {
              id: `${base}${paperPath(p.id)}`,
              title: p.title,
              url: `${base}${paperPath(p.id)}`,
              updated: p.updatedAt,
              published: p.publishedAt,
              authors: p.authors,
              summary: `Why: ${whyText(r.why)}\n\n${p.abstract}`,
              categories: p.categories,
            },
          ]
        : [];
    });
    const xml = renderAtom({
      // Per user, never containing the token (feed readers may show or share ids).
      id: `${base}/feeds/for-you/${user.id}`,
      title: `For you, @${user.handle} · Paperboy`,
      subtitle: 'New papers ranked for you, each with why.',
      selfUrl: `${base}/feeds/for-you.atom?token=${encodeURIComponent(token!)}`,
      alternateUrl: `${base}/for-you`,
      updated: entries.reduce((m, e) => (e.updated > m ? e.updated : m), '1970-01-01T00:00:00Z'),
      entries,
    });
    return c.body(xml, 200, { 'Content-Type': ATOM_CONTENT_TYPE });
  });
}
