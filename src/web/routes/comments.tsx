/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Comments on the paper page: the thread (rendered under the paper by paper.tsx) and the forms that
 * change it — post, reply, edit, delete, report — each a plain form that redirects back to the
 * comment, so all of it works without JavaScript. Forms are only shown to signed-in readers, which
 * keeps the anonymous paper page free of CSRF fields and therefore cacheable.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parseArxivId } from '../../arxiv/ids.ts';
import {
  CommentError,
  commentErrorStatus,
  type CommentView,
  deleteComment,
  editComment,
  flattenThread,
  getCommentRow,
  listComments,
  listRevisions,
  postComment,
} from '../../store/comments.ts';
import { reportComment } from '../../store/reports.ts';
import { roleAtLeast, type User } from '../../store/users.ts';
import { COMMENT_MAX_CHARS } from '../../text/markdown.ts';
import { currentUser, requireUser } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit } from '../rateLimit.ts';
import { renderPage } from '../views/page.tsx';
import { paperPath } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { formBody, formText } from '../forms.ts';

/** `2026-11-27 14:05 UTC` for an ISO instant. */
export function commentTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The anchor of a comment on its paper page. */
export function commentPath(paperId: string, commentId: number): string {
  return `${paperPath(paperId)}#comment-${commentId}`;
}

function Badges({ badges }: { badges: string[] }) {
  return (
    <>
      {badges.map((b) => (
        <span class={`badge badge-${b}`} title={b === 'author' ? 'An author of this paper' : 'Submitted this paper to Daily Papers'}>
          {b}
        </span>
      ))}
    </>
  );
}

/** The Markdown help shown under comment boxes. */
function FormHint() {
  return <p class="hint">Markdown: **bold**, _italic_, `code`, [links](https://…), &gt; quotes, lists. No images or HTML.</p>;
}

function BodyField({ value, label, id }: { value?: string; label: string; id: string }) {
  return (
    <>
      <label for={id}>{label}</label>
      <textarea id={id} name="body" rows={5} required maxlength={COMMENT_MAX_CHARS * 2}>
        {value ?? ''}
      </textarea>
    </>
  );
}

/** The actions a signed-in viewer has on one comment, as small forms inside <details> (no script needed). */
function CommentActions({ comment, viewer }: { comment: CommentView; viewer: User }) {
  const moderator = roleAtLeast(viewer.role, 'moderator');
  const open = !comment.deleted && !comment.hidden;
  const here = commentPath(comment.paperId, comment.id);
  return (
    <div class="comment-actions">
      {open ? (
        <details>
          <summary>Reply</summary>
          <form method="post" action="/comments" class="comment-form">
            {csrfField()}
            <input type="hidden" name="paperId" value={comment.paperId} />
            <input type="hidden" name="parentId" value={String(comment.id)} />
            <BodyField label="Your reply" id={`reply-${comment.id}`} />
            <button type="submit">Reply</button>
          </form>
        </details>
      ) : null}
      {comment.canEdit ? (
        <details>
          <summary>Edit</summary>
          <form method="post" action={`/comments/${comment.id}/edit`} class="comment-form">
            {csrfField()}
            <BodyField label="Edit your comment" id={`edit-${comment.id}`} value={comment.markdown} />
            <button type="submit">Save</button>
          </form>
        </details>
      ) : null}
      {comment.canDelete ? (
        <form method="post" action={`/comments/${comment.id}/delete`} class="inline-form">
          {csrfField()}
          <button type="submit" class="link-button">
            Delete
          </button>
        </form>
      ) : null}
      {open && comment.author && comment.author.id !== viewer.id ? (
        <details>
          <summary>Report</summary>
          <form method="post" action={`/comments/${comment.id}/report`} class="comment-form">
            {csrfField()}
            <label for={`report-${comment.id}`}>Why should moderators look at this comment?</label>
            <input id={`report-${comment.id}`} type="text" name="reason" required maxlength={1000} />
            <button type="submit">Report</button>
          </form>
        </details>
      ) : null}
      {moderator && !comment.deleted ? (
        comment.hidden ? (
          <form method="post" action={`/moderation/comments/${comment.id}/unhide`} class="inline-form">
            {csrfField()}
            <input type="hidden" name="next" value={here} />
            <button type="submit" class="link-button">
              Unhide
            </button>
          </form>
        ) : (
          <details>
            <summary>Hide</summary>
            <form method="post" action={`/moderation/comments/${comment.id}/hide`} class="comment-form">
              {csrfField()}
              <input type="hidden" name="next" value={here} />
              <label for={`hide-${comment.id}`}>Note for moderators (why)</label>
              <input id={`hide-${comment.id}`} type="text" name="note" maxlength={500} />
              <button type="submit">Hide comment</button>
            </form>
          </details>
        )
      ) : null}
      {(moderator || comment.author?.id === viewer.id) && (comment.editedAt || comment.deleted) ? (
        <a href={`/comments/${comment.id}/history`}>History</a>
      ) : null}
    </div>
  );
}

function CommentItem({ comment, viewer, parentHandle }: { comment: CommentView & { displayDepth: number }; viewer: User | null; parentHandle?: string }) {
  const body = comment.deleted ? (
    <p class="comment-removed">[deleted]</p>
  ) : comment.hidden && !comment.author ? (
    <p class="comment-removed">[hidden by a moderator]</p>
  ) : (
    // Stored HTML from renderMarkdown (src/text/markdown.ts): safe to insert as-is; dir=auto keeps bidi text inside.
    <div class="comment-body" dir="auto" dangerouslySetInnerHTML={{ __html: comment.html }} />
  );
  return (
    <article class={`comment depth-${comment.displayDepth}`} id={`comment-${comment.id}`}>
      <header class="comment-meta">
        {comment.author ? (
          <span class="comment-author">
            {comment.author.displayName ? <>{comment.author.displayName} </> : null}
            <span class="handle">@{comment.author.handle}</span>
          </span>
        ) : (
          <span class="comment-author">—</span>
        )}{' '}
        <Badges badges={comment.badges} />{' '}
        <a class="comment-time" href={`#comment-${comment.id}`}>
          <time datetime={comment.createdAt}>{commentTime(comment.createdAt)}</time>
        </a>
        {comment.editedAt && !comment.deleted ? (
          <span class="edited" title={`Edited ${commentTime(comment.editedAt)}`}>
            {' '}
            · edited
          </span>
        ) : null}
        {comment.depth > comment.displayDepth && comment.parentId !== null ? (
          <>
            {' '}
            · <a href={`#comment-${comment.parentId}`}>in reply to {parentHandle ? `@${parentHandle}` : 'a comment'}</a>
          </>
        ) : null}
      </header>
      {comment.hidden && comment.author ? (
        <p class="moderation-note">Hidden from readers{comment.hiddenNote ? `: ${comment.hiddenNote}` : ''}</p>
      ) : null}
      {body}
      {viewer ? <CommentActions comment={comment} viewer={viewer} /> : null}
    </article>
  );
}

/** The comment thread and the new-comment form (or a sign-in link) for the paper page. */
export function CommentsSection({ paperId, comments, count, viewer }: { paperId: string; comments: CommentView[]; count: number; viewer: User | null }) {
  const flat = flattenThread(comments);
  const handles = new Map(flat.map((c) => [c.id, c.author?.handle]));
  return (
    <section class="comments" id="comments">
      <h2>Comments{count > 0 ? ` (${count})` : ''}</h2>
      {flat.length === 0 ? <p class="empty">No comments yet.</p> : null}
      {flat.map((c) => (
        <CommentItem comment={c} viewer={viewer} parentHandle={c.parentId === null ? undefined : handles.get(c.parentId)} />
      ))}
      {viewer ? (
        <form method="post" action="/comments" class="comment-form new-comment">
          {csrfField()}
          <input type="hidden" name="paperId" value={paperId} />
          <BodyField label="Add a comment" id="new-comment" />
          <FormHint />
          <button type="submit">Post comment</button>
        </form>
      ) : (
        <p>
          <a href={`/signin?next=${encodeURIComponent(`${paperPath(paperId)}#comments`)}`}>Sign in</a> to comment.
        </p>
      )}
    </section>
  );
}

/** Loads and renders the comment section of a paper for the current reader. */
export async function commentsSectionFor(c: Context, deps: AppDeps, paperId: string): Promise<Child> {
  const viewer = currentUser(c);
  const { comments, count } = await listComments(deps.db, paperId, viewer);
  return <CommentsSection paperId={paperId} comments={comments} count={count} viewer={viewer} />;
}

/** A positive integer id from a path or form field, else null. */
export function parseCommentId(v: unknown): number | null {
  if (typeof v !== 'string' || !/^[1-9]\d{0,9}$/.test(v)) return null;
  const n = Number(v);
  return n <= 2 ** 31 - 1 ? n : null;
}

/**
 * A refused form: the message, and the draft back in a form so nothing typed is lost. Only for
 * posting and editing, where there is a draft to keep.
 */
async function refusedDraft(c: Context, deps: AppDeps, status: ContentfulStatusCode, message: string, draft: { action: string; paperId?: string; parentId?: string; body: string; back: string }) {
  c.header('Cache-Control', 'no-store');
  const page = await renderPage(deps, {
    title: 'Your comment was not saved',
    description: message,
    noindex: true,
    status,
    children: (
      <section class="notice">
        <h1>Your comment was not saved</h1>
        <p>{message}</p>
        <form method="post" action={draft.action} class="comment-form">
          {csrfField()}
          {draft.paperId ? <input type="hidden" name="paperId" value={draft.paperId} /> : null}
          {draft.parentId ? <input type="hidden" name="parentId" value={draft.parentId} /> : null}
          <BodyField label="Your comment" id="draft" value={draft.body} />
          <FormHint />
          <button type="submit">Try again</button>
        </form>
        <p>
          <a href={draft.back}>Back to the paper</a>
        </p>
      </section>
    ),
  });
  return c.html(page.html, page.status);
}

function refused(c: Context, deps: AppDeps, err: CommentError, back?: string) {
  return errorAnswer(c, deps, commentErrorStatus(err), err.message, back ? [{ href: back, label: 'Back to the paper' }] : []);
}

/** Registers the comment form handlers and the history page. */
export function registerCommentRoutes(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);

  app.post('/comments', signedIn, async (c) => {
    const user = c.var.user!;
    const form = await formBody(c);
    const parsed = parseArxivId(formText(form.paperId));
    if (!parsed) return errorAnswer(c, deps, 400, 'The comment names no paper; go back to the paper page and try again.');
    const back = `${paperPath(parsed.id)}#comments`;
    const rawParent = formText(form.parentId);
    const parentId = rawParent === '' ? null : parseCommentId(rawParent);
    if (rawParent !== '' && parentId === null) return errorAnswer(c, deps, 400, 'The comment you replied to is not on this paper.', [{ href: back, label: 'Back to the paper' }]);
    const limited = checkRateLimit(c, deps, 'comment', String(user.id));
    if (limited) return limited;
    try {
      const id = await postComment(deps.db, user, { paperId: parsed.id, body: form.body, parentId });
      return c.redirect(commentPath(parsed.id, id), 303);
    } catch (err) {
      if (!(err instanceof CommentError)) throw err;
      if (err.kind === 'not_found') return refused(c, deps, err);
      return refusedDraft(c, deps, commentErrorStatus(err), err.message, { action: '/comments', paperId: parsed.id, parentId: rawParent, body: formText(form.body), back });
    }
  });

  app.post('/comments/:id/edit', signedIn, async (c) => {
    const user = c.var.user!;
    const id = parseCommentId(c.req.param('id'));
    const row = id === null ? undefined : await getCommentRow(deps.db, id);
    if (!row) return errorAnswer(c, deps, 404, 'There is no such comment.');
    const form = await formBody(c);
    const back = commentPath(row.paper_id, row.id);
    const limited = checkRateLimit(c, deps, 'comment', String(user.id));
    if (limited) return limited;
    try {
      await editComment(deps.db, user, row.id, form.body);
      return c.redirect(back, 303);
    } catch (err) {
      if (!(err instanceof CommentError)) throw err;
      if (err.kind !== 'invalid' || row.user_id !== user.id) return refused(c, deps, err, back);
      return refusedDraft(c, deps, commentErrorStatus(err), err.message, { action: `/comments/${row.id}/edit`, body: formText(form.body), back });
    }
  });

  app.post('/comments/:id/delete', signedIn, async (c) => {
    const id = parseCommentId(c.req.param('id'));
    if (id === null) return errorAnswer(c, deps, 404, 'There is no such comment.');
    try {
      const { paperId } = await deleteComment(deps.db, c.var.user!, id);
      return c.redirect(commentPath(paperId, id), 303);
    } catch (err) {
      if (!(err instanceof CommentError)) throw err;
      return refused(c, deps, err);
    }
  });

  app.post('/comments/:id/report', signedIn, async (c) => {
    const user = c.var.user!;
    const id = parseCommentId(c.req.param('id'));
    const row = id === null ? undefined : await getCommentRow(deps.db, id);
    if (!row) return errorAnswer(c, deps, 404, 'There is no such comment.');
    const form = await formBody(c);
    const limited = checkRateLimit(c, deps, 'comment', String(user.id));
    if (limited) return limited;
    const back = commentPath(row.paper_id, row.id);
    try {
      await reportComment(deps.db, user, row.id, form.reason);
    } catch (err) {
      if (!(err instanceof CommentError)) throw err;
      return refused(c, deps, err, back);
    }
    c.header('Cache-Control', 'no-store');
    const page = await renderPage(deps, {
      title: 'Thank you for the report',
      description: 'A moderator will look at the comment.',
      noindex: true,
      children: (
        <section class="notice">
          <h1>Thank you</h1>
          <p>A moderator will look at the comment you reported.</p>
          <p>
            <a href={back}>Back to the comment</a>
          </p>
        </section>
      ),
    });
    return c.html(page.html, page.status);
  });

  // Edit history: the author's own, and any comment's for moderators (deleted text included).
  app.get('/comments/:id/history', signedIn, async (c) => {
    const user = c.var.user!;
    const id = parseCommentId(c.req.param('id'));
    const row = id === null ? undefined : await getCommentRow(deps.db, id);
    if (!row) return errorAnswer(c, deps, 404, 'There is no such comment.');
    if (row.user_id !== user.id && !roleAtLeast(user.role, 'moderator')) return errorAnswer(c, deps, 403, 'Only the author and moderators can see the history of a comment.');
    const revisions = await listRevisions(deps.db, row.id);
    c.header('Cache-Control', 'no-store');
    const page = await renderPage(deps, {
      title: `History of comment ${row.id}`,
      description: 'Earlier versions of a comment.',
      noindex: true,
      children: (
        <section class="comment-history">
          <h1>History of comment {row.id}</h1>
          <p>
            <a href={commentPath(row.paper_id, row.id)}>Back to the comment</a>
          </p>
          <h2>{row.deleted_at ? `Deleted ${commentTime(row.deleted_at)}` : `Current version (${commentTime(row.edited_at ?? row.created_at)})`}</h2>
          {row.deleted_at ? null : <pre class="revision">{row.body}</pre>}
          {[...revisions].reverse().map((r) => (
            <>
              <h2>
                Written {commentTime(r.writtenAt)}, replaced {commentTime(r.replacedAt)}
              </h2>
              <pre class="revision">{r.body}</pre>
            </>
          ))}
        </section>
      ),
    });
    return c.html(page.html, page.status);
  });
}
