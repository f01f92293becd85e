/**
 * Comments on papers: threaded, Markdown rendered once when written, edited by their author with a
 * kept history, soft-deleted ("[deleted]" keeps the thread's shape), hidden by moderators.
 * `daily_entries.num_comments` counts the visible comments (neither deleted nor hidden) and is
 * recomputed in the same transaction as every change, so it can never drift.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/connect.ts';
import { isPostgres } from '../db/dialect.ts';
import type { Database } from '../db/schema.ts';
import { renderMarkdown, validateCommentBody } from '../text/markdown.ts';
import { claimedAuthorUserIds } from './claims.ts';
import { roleAtLeast, type User } from './users.ts';

/** Why a comment action was refused; `kind` maps to an HTTP status, `message` is for the person. */
export class CommentError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'forbidden' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of a refusal. */
export function commentErrorStatus(err: CommentError): 400 | 403 | 404 | 409 {
  return ({ invalid: 400, not_found: 404, forbidden: 403, conflict: 409 } as const)[err.kind];
}

/** Thread depth shown on pages: replies deeper than this are shown at this level. */
export const MAX_DISPLAY_DEPTH = 6;

/** A badge next to a commenter's name. */
export type CommentBadge = 'submitter' | 'author';

/** One comment as a viewer may see it. Deleted and (for non-moderators) hidden comments carry no body and no author. */
export interface CommentView {
  id: number;
  paperId: string;
  parentId: number | null;
  /** 0 for a top-level comment. */
  depth: number;
  author: { id: number; handle: string; displayName: string | null } | null;
  badges: CommentBadge[];
  /** Markdown as written; '' when deleted or hidden from this viewer. */
  markdown: string;
  /** Safe HTML rendered when written; '' when deleted or hidden from this viewer. */
  html: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hidden: boolean;
  /** The moderator's note on a hidden comment (moderators only). */
  hiddenNote: string | null;
  /** This viewer may edit / delete it. */
  canEdit: boolean;
  canDelete: boolean;
  replies: CommentView[];
}

/** A previous body of a comment. */
export interface CommentRevision {
  body: string;
  writtenAt: string;
  replacedAt: string;
}

type Db = Kysely<Database>;

/**
 * Takes the paper's entry row lock first thing in a comment transaction (PostgreSQL; SQLite has one
 * writer anyway). Without it, two comments posted at once under READ COMMITTED could each recount
 * without seeing the other's row, and num_comments would end one short.
 */
async function lockEntry(db: Db, paperId: string): Promise<void> {
  if (isPostgres(db)) await db.selectFrom('daily_entries').select('id').where('paper_id', '=', paperId).forUpdate().execute();
}

/** Recounts the visible comments of a paper onto its daily entry (if it has one). Call inside the write's transaction, after lockEntry. */
async function syncCommentCount(db: Db, paperId: string): Promise<void> {
  await db
    .updateTable('daily_entries')
    .set((eb) => ({
      num_comments: eb
        .selectFrom('comments')
        .select(eb.fn.countAll<number>().as('n'))
        .where('comments.paper_id', '=', paperId)
        .where('comments.deleted_at', 'is', null)
        .where('comments.hidden_at', 'is', null),
    }))
    .where('paper_id', '=', paperId)
    .execute();
}

function checkBody(body: unknown): { body: string; html: string } {
  const check = validateCommentBody(body);
  if (!check.ok) throw new CommentError('invalid', check.error);
  return { body: check.body, html: renderMarkdown(check.body) };
}

function assertMayWrite(user: User): void {
  if (user.bannedAt) throw new CommentError('forbidden', 'Your account is banned; you cannot comment.');
}

/** The raw row of a comment, or undefined. */
export async function getCommentRow(db: DB, id: number) {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return undefined;
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface NewComment {
  paperId: string;
  body: unknown;
  /** The comment replied to; must be on the same paper. */
  parentId?: number | null;
}

/** Posts a comment (or a reply) as `user`; returns its id. Throws CommentError on any refusal. */
export async function postComment(db: DB, user: User, input: NewComment, now: Date = new Date()): Promise<number> {
  assertMayWrite(user);
  const { body, html } = checkBody(input.body);
  const paper = await db.selectFrom('papers').select('id').where('id', '=', input.paperId).executeTakeFirst();
  if (!paper) throw new CommentError('not_found', `arXiv:${input.paperId} is not in this instance.`);
  let parentId: number | null = null;
  if (input.parentId !== undefined && input.parentId !== null) {
    const parent = await getCommentRow(db, input.parentId);
    if (!parent || parent.paper_id !== input.paperId) throw new CommentError('invalid', 'The comment you replied to is not on this paper.');
    if (parent.deleted_at || parent.hidden_at) throw new CommentError('invalid', 'The comment you replied to was removed; replies to it are closed.');
    parentId = parent.id;
  }
  return db.transaction().execute(async (trx) => {
    await lockEntry(trx, input.paperId);
    const row = await trx
      .insertInto('comments')
      .values({
        paper_id: input.paperId,
        parent_id: parentId,
        user_id: user.id,
        body,
        body_html: html,
        created_at: now.toISOString(),
        edited_at: null,
        deleted_at: null,
        deleted_by: null,
        hidden_at: null,
        hidden_by: null,
        hidden_note: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await syncCommentCount(trx, input.paperId);
    return row.id;
  });
}

/** Replaces the body of `user`'s own comment, keeping the previous one in the history. */
export async function editComment(db: DB, user: User, commentId: number, newBody: unknown, now: Date = new Date()): Promise<void> {
  assertMayWrite(user);
  const c = await getCommentRow(db, commentId);
  if (!c) throw new CommentError('not_found', 'There is no such comment.');
  if (c.user_id !== user.id) throw new CommentError('forbidden', 'Only its author can edit a comment.');
  if (c.deleted_at) throw new CommentError('invalid', 'This comment was deleted and cannot be edited.');
  if (c.hidden_at) throw new CommentError('forbidden', 'A moderator hid this comment; it cannot be edited.');
  const { body, html } = checkBody(newBody);
  if (body === c.body) return; // Nothing changed: no revision, no "edited" marker.
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('comment_revisions').values({ comment_id: c.id, body: c.body, written_at: c.edited_at ?? c.created_at, replaced_at: at }).execute();
    await trx.updateTable('comments').set({ body, body_html: html, edited_at: at }).where('id', '=', c.id).execute();
  });
}

/**
 * Soft-deletes a comment: by its author, or by a moderator. The text leaves the page and the API but
 * is kept in the history, where moderators can still read what was said.
 */
export async function deleteComment(db: DB, user: User, commentId: number, now: Date = new Date()): Promise<{ paperId: string }> {
  const c = await getCommentRow(db, commentId);
  if (!c) throw new CommentError('not_found', 'There is no such comment.');
  const moderator = roleAtLeast(user.role, 'moderator');
  if (c.user_id !== user.id && !moderator) throw new CommentError('forbidden', 'Only its author or a moderator can delete a comment.');
  if (c.user_id === user.id && !moderator) assertMayWrite(user);
  if (c.deleted_at) return { paperId: c.paper_id };
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    await lockEntry(trx, c.paper_id);
    await trx.insertInto('comment_revisions').values({ comment_id: c.id, body: c.body, written_at: c.edited_at ?? c.created_at, replaced_at: at }).execute();
    await trx.updateTable('comments').set({ body: '', body_html: '', deleted_at: at, deleted_by: user.id }).where('id', '=', c.id).execute();
    await trx
      .updateTable('comment_reports')
      .set({ resolved_at: at, resolved_by: user.id, resolution: 'deleted' })
      .where('comment_id', '=', c.id)
      .where('resolved_at', 'is', null)
      .execute();
    await syncCommentCount(trx, c.paper_id);
  });
  return { paperId: c.paper_id };
}

/** Hides (or shows again) a comment; moderators only. Hiding resolves its open reports. */
export async function setCommentHidden(db: DB, moderator: User, commentId: number, hidden: boolean, note: string | null, now: Date = new Date()): Promise<{ paperId: string }> {
  if (!roleAtLeast(moderator.role, 'moderator')) throw new CommentError('forbidden', 'Only moderators can hide comments.');
  const c = await getCommentRow(db, commentId);
  if (!c) throw new CommentError('not_found', 'There is no such comment.');
  const at = now.toISOString();
  const cleanNote = note === null ? null : note.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 500) || null;
  await db.transaction().execute(async (trx) => {
    await lockEntry(trx, c.paper_id);
    await trx
      .updateTable('comments')
      .set(hidden ? { hidden_at: c.hidden_at ?? at, hidden_by: moderator.id, hidden_note: cleanNote } : { hidden_at: null, hidden_by: null, hidden_note: null })
      .where('id', '=', c.id)
      .execute();
    if (hidden) {
      await trx
        .updateTable('comment_reports')
        .set({ resolved_at: at, resolved_by: moderator.id, resolution: 'hidden' })
        .where('comment_id', '=', c.id)
        .where('resolved_at', 'is', null)
        .execute();
    }
    await syncCommentCount(trx, c.paper_id);
  });
  return { paperId: c.paper_id };
}

/** The earlier bodies of a comment, oldest first. */
export async function listRevisions(db: DB, commentId: number): Promise<CommentRevision[]> {
  const rows = await db.selectFrom('comment_revisions').selectAll().where('comment_id', '=', commentId).orderBy('id').execute();
  return rows.map((r) => ({ body: r.body, writtenAt: r.written_at, replacedAt: r.replaced_at }));
}

/**
 * The user ids who get the "submitter" badge on a paper: whoever featured it in the daily feed here.
 * Only `submitter_user_id` counts: the handle of an imported (Hugging Face) entry names an account
 * elsewhere, and matching it to a local handle would badge a stranger.
 */
async function submitterIds(db: DB, paperId: string): Promise<Set<number>> {
  const rows = await db.selectFrom('daily_entries').select('submitter_user_id').where('paper_id', '=', paperId).execute();
  return new Set(rows.flatMap((r) => (r.submitter_user_id === null ? [] : [r.submitter_user_id])));
}

/**
 * A paper's comments as a tree, oldest first at every level, as `viewer` (null: anonymous) may see
 * them: deleted comments and, except for moderators, hidden ones keep their place without text or author.
 */
export async function listComments(db: DB, paperId: string, viewer: User | null): Promise<{ comments: CommentView[]; count: number }> {
  const [rows, submitters, authors] = await Promise.all([
    db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .selectAll('c')
      .select(['u.handle', 'u.display_name'])
      .where('c.paper_id', '=', paperId)
      .orderBy('c.id')
      .execute(),
    submitterIds(db, paperId),
    claimedAuthorUserIds(db, paperId),
  ]);
  const moderator = viewer !== null && roleAtLeast(viewer.role, 'moderator');
  const byId = new Map<number, CommentView>();
  const roots: CommentView[] = [];
  let count = 0;
  // Ids grow with time and a parent always exists before its reply, so one pass in id order builds the tree.
  for (const r of rows) {
    const deleted = r.deleted_at !== null;
    const hidden = r.hidden_at !== null;
    const shown = !deleted && (!hidden || moderator);
    if (!deleted && !hidden) count++;
    const parent = r.parent_id === null ? undefined : byId.get(r.parent_id);
    const badges: CommentBadge[] = [];
    if (submitters.has(r.user_id)) badges.push('submitter');
    if (authors.has(r.user_id)) badges.push('author');
    const mine = viewer !== null && viewer.id === r.user_id;
    const view: CommentView = {
      id: r.id,
      paperId: r.paper_id,
      parentId: r.parent_id,
      depth: parent ? parent.depth + 1 : 0,
      author: shown ? { id: r.user_id, handle: r.handle, displayName: r.display_name } : null,
      badges: shown ? badges : [],
      markdown: shown ? r.body : '',
      html: shown ? r.body_html : '',
      createdAt: r.created_at,
      editedAt: r.edited_at,
      deleted,
      hidden,
      hiddenNote: moderator ? r.hidden_note : null,
      canEdit: mine && !deleted && !hidden && viewer.bannedAt === null,
      canDelete: !deleted && ((mine && !hidden) || moderator),
      replies: [],
    };
    byId.set(r.id, view);
    (parent ? parent.replies : roots).push(view);
  }
  return { comments: roots, count };
}

/** The comments of a tree in reading order (depth first), each with its depth capped for display. */
export function flattenThread(comments: CommentView[], maxDepth = MAX_DISPLAY_DEPTH): Array<CommentView & { displayDepth: number }> {
  const out: Array<CommentView & { displayDepth: number }> = [];
  const walk = (list: CommentView[]) => {
    for (const c of list) {
      out.push({ ...c, displayDepth: Math.min(c.depth, maxDepth - 1) });
      walk(c.replies);
    }
  };
  walk(comments);
  return out;
}
