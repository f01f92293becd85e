/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * `/moderation` (moderators and admins): open reports with the reported comment, and the actions on
 * them — hide or unhide the comment (with a note), dismiss the reports, ban or unban the author.
 * Every action is a form that redirects back, so it works without JavaScript.
 */
import type { Context, Hono } from 'hono';
import { CommentError, commentErrorStatus, setCommentHidden } from '../../store/comments.ts';
import { dismissReports, listHiddenComments, listOpenReports, resolveReportsOfBannedUser } from '../../store/reports.ts';
import { getUserByHandle, ROLES, setBanned, type User } from '../../store/users.ts';
import { requireRole, safeNextPath } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { renderPage } from '../views/page.tsx';
import { commentPath, commentTime, parseCommentId } from './comments.tsx';
import { errorAnswer } from './errors.tsx';
import { formBody, formText } from '../forms.ts';

/** Moderators may ban plain users; admins may also ban moderators; nobody bans an admin or themselves here. */
function mayBan(actor: User, target: User): boolean {
  return actor.id !== target.id && ROLES.indexOf(target.role) < ROLES.indexOf(actor.role);
}

function BanForm({ handle, banned }: { handle: string; banned: boolean }) {
  return (
    <form method="post" action={banned ? '/moderation/users/unban' : '/moderation/users/ban'} class="inline-form">
      {csrfField()}
      <input type="hidden" name="handle" value={handle} />
      <button type="submit" class="link-button">
        {banned ? `Unban @${handle}` : `Ban @${handle}`}
      </button>
    </form>
  );
}

async function moderationPage(c: Context, deps: AppDeps) {
  const [reported, hidden] = await Promise.all([listOpenReports(deps.db), listHiddenComments(deps.db)]);
  const page = await renderPage(deps, {
    title: 'Moderation',
    description: 'Reported and hidden comments.',
    noindex: true,
    children: (
      <section class="moderation">
        <h1>Moderation</h1>
        <h2>Open reports ({reported.length})</h2>
        {reported.length === 0 ? <p class="empty">No open reports.</p> : null}
        {reported.map((r) => (
          <article class="report" id={`report-${r.commentId}`}>
            <header class="comment-meta">
              <span class="handle">@{r.author.handle}</span>
              {r.author.bannedAt ? <span class="badge">banned</span> : null} on <a href={commentPath(r.paperId, r.commentId)}>{r.paperTitle}</a> ·{' '}
              <time datetime={r.createdAt}>{commentTime(r.createdAt)}</time>
              {r.hidden ? <> · hidden</> : null}
            </header>
            {/* Stored HTML from renderMarkdown: safe as-is. */}
            <div class="comment-body" dir="auto" dangerouslySetInnerHTML={{ __html: r.html }} />
            <ul class="report-reasons">
              {r.reports.map((x) => (
                <li>
                  <span class="handle">@{x.reporter}</span>: {x.reason} <time datetime={x.createdAt}>({commentTime(x.createdAt)})</time>
                </li>
              ))}
            </ul>
            <div class="comment-actions">
              {r.hidden ? null : (
                <form method="post" action={`/moderation/comments/${r.commentId}/hide`} class="comment-form">
                  {csrfField()}
                  <label for={`note-${r.commentId}`}>Note</label>
                  <input id={`note-${r.commentId}`} type="text" name="note" maxlength={500} />
                  <button type="submit">Hide comment</button>
                </form>
              )}
              <form method="post" action={`/moderation/comments/${r.commentId}/dismiss`} class="inline-form">
                {csrfField()}
                <button type="submit" class="link-button">
                  Dismiss reports
                </button>
              </form>{' '}
              <BanForm handle={r.author.handle} banned={r.author.bannedAt !== null} />
            </div>
          </article>
        ))}
        <h2>Recently hidden</h2>
        {hidden.length === 0 ? <p class="empty">No hidden comments.</p> : null}
        {hidden.map((h) => (
          <article class="report" id={`hidden-${h.commentId}`}>
            <header class="comment-meta">
              <span class="handle">@{h.author}</span> · <a href={commentPath(h.paperId, h.commentId)}>comment {h.commentId}</a> · hidden{' '}
              {commentTime(h.hiddenAt)}
              {h.moderator ? <> by @{h.moderator}</> : null}
              {h.note ? <>: {h.note}</> : null}
            </header>
            <div class="comment-body" dir="auto" dangerouslySetInnerHTML={{ __html: h.html }} />
            <form method="post" action={`/moderation/comments/${h.commentId}/unhide`} class="inline-form">
              {csrfField()}
              <button type="submit" class="link-button">
                Unhide
              </button>
            </form>
          </article>
        ))}
        <h2>Ban or unban a user</h2>
        <form method="post" action="/moderation/users/ban" class="comment-form">
          {csrfField()}
          <label for="ban-handle">Handle</label>
          <input id="ban-handle" type="text" name="handle" required maxlength={30} />
          <button type="submit">Ban</button>
        </form>
      </section>
    ),
  });
  c.header('Cache-Control', 'no-store');
  return c.html(page.html, page.status);
}

/** Registers /moderation and its actions (moderators and admins only). */
export function registerModerationRoutes(app: Hono, deps: AppDeps): void {
  const moderator = requireRole(deps, 'moderator');
  const back = (c: Context, form: Record<string, unknown>) => c.redirect(safeNextPath(formText(form.next) || '/moderation'), 303);

  app.get('/moderation', moderator, (c) => moderationPage(c, deps));

  for (const action of ['hide', 'unhide'] as const) {
    app.post(`/moderation/comments/:id/${action}`, moderator, async (c) => {
      const id = parseCommentId(c.req.param('id'));
      if (id === null) return errorAnswer(c, deps, 404, 'There is no such comment.');
      const form = await formBody(c);
      try {
        await setCommentHidden(deps.db, c.var.user!, id, action === 'hide', formText(form.note));
      } catch (err) {
        if (err instanceof CommentError) return errorAnswer(c, deps, commentErrorStatus(err), err.message);
        throw err;
      }
      deps.log.info({ comment_id: id, moderator: c.var.user!.handle, action }, 'comment moderated');
      return back(c, form);
    });
  }

  app.post('/moderation/comments/:id/dismiss', moderator, async (c) => {
    const id = parseCommentId(c.req.param('id'));
    if (id === null) return errorAnswer(c, deps, 404, 'There is no such comment.');
    const form = await formBody(c);
    await dismissReports(deps.db, c.var.user!, id);
    return back(c, form);
  });

  for (const action of ['ban', 'unban'] as const) {
    app.post(`/moderation/users/${action}`, moderator, async (c) => {
      const actor = c.var.user!;
      const form = await formBody(c);
      const target = await getUserByHandle(deps.db, formText(form.handle));
      if (!target) return errorAnswer(c, deps, 404, `There is no user with the handle "${formText(form.handle).slice(0, 40)}".`, [{ href: '/moderation', label: 'Moderation' }]);
      if (!mayBan(actor, target)) {
        return errorAnswer(c, deps, 403, `You cannot ${action} @${target.handle}: only users with a lower role than yours can be banned or unbanned.`, [
          { href: '/moderation', label: 'Moderation' },
        ]);
      }
      await setBanned(deps.db, target.handle, action === 'ban');
      if (action === 'ban') await resolveReportsOfBannedUser(deps.db, actor, target.id);
      deps.log.info({ user: target.handle, moderator: actor.handle, action }, 'user moderated');
      return back(c, form);
    });
  }
}
