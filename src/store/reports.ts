/**
 * Reports of comments: any signed-in user may report a comment once (one open report per person per
 * comment); moderators see the open ones and dismiss them or act on the comment (hide, delete, ban).
 */
import type { DB } from '../db/connect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { CommentError, getCommentRow } from './comments.ts';
import { roleAtLeast, type User } from './users.ts';

/** Longest report reason, in characters. */
export const REPORT_REASON_MAX = 1000;

/** Records `user`'s report of a comment. Throws CommentError (409 when this person already has an open report on it). */
export async function reportComment(db: DB, user: User, commentId: number, reason: unknown, now: Date = new Date()): Promise<void> {
  if (user.bannedAt) throw new CommentError('forbidden', 'Your account is banned.');
  const text = typeof reason === 'string' ? reason.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim() : '';
  if (text === '') throw new CommentError('invalid', 'Please say why you are reporting this comment.');
  if ([...text].length > REPORT_REASON_MAX) throw new CommentError('invalid', `Please keep the reason under ${REPORT_REASON_MAX} characters.`);
  const c = await getCommentRow(db, commentId);
  if (!c) throw new CommentError('not_found', 'There is no such comment.');
  if (c.deleted_at) throw new CommentError('invalid', 'This comment was deleted already.');
  if (c.user_id === user.id) throw new CommentError('invalid', 'You cannot report your own comment; edit or delete it instead.');
  try {
    await db.insertInto('comment_reports').values({ comment_id: c.id, reporter_id: user.id, reason: text, created_at: now.toISOString(), resolved_at: null, resolved_by: null, resolution: null }).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new CommentError('conflict', 'You have already reported this comment; a moderator will look at it.');
    throw err;
  }
}

/** Marks the open reports of a comment as dismissed (moderators only); returns how many. */
export async function dismissReports(db: DB, moderator: User, commentId: number, now: Date = new Date()): Promise<number> {
  if (!roleAtLeast(moderator.role, 'moderator')) throw new CommentError('forbidden', 'Only moderators can dismiss reports.');
  const res = await db
    .updateTable('comment_reports')
    .set({ resolved_at: now.toISOString(), resolved_by: moderator.id, resolution: 'dismissed' })
    .where('comment_id', '=', commentId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Resolves every open report on comments by `userId` as 'banned' (after the author was banned). */
export async function resolveReportsOfBannedUser(db: DB, moderator: User, userId: number, now: Date = new Date()): Promise<void> {
  await db
    .updateTable('comment_reports')
    .set({ resolved_at: now.toISOString(), resolved_by: moderator.id, resolution: 'banned' })
    .where('resolved_at', 'is', null)
    .where('comment_id', 'in', (eb) => eb.selectFrom('comments').select('id').where('user_id', '=', userId))
    .execute();
}

/** A reported comment with its open reports, for the moderation page. */
export interface ReportedComment {
  commentId: number;
  paperId: string;
  paperTitle: string;
  author: { id: number; handle: string; bannedAt: string | null };
  /** The comment's rendered HTML (moderators see hidden comments too). */
  html: string;
  createdAt: string;
  editedAt: string | null;
  hidden: boolean;
  reports: Array<{ reporter: string; reason: string; createdAt: string }>;
}

/** Comments with open reports, the most reported first (then the oldest report). */
export async function listOpenReports(db: DB, limit = 100): Promise<ReportedComment[]> {
  const rows = await db
    .selectFrom('comment_reports as r')
    .innerJoin('comments as c', 'c.id', 'r.comment_id')
    .innerJoin('users as a', 'a.id', 'c.user_id')
    .innerJoin('users as rep', 'rep.id', 'r.reporter_id')
    .innerJoin('papers as p', 'p.id', 'c.paper_id')
    .select([
      'c.id as comment_id',
      'c.paper_id',
      'p.title',
      'c.user_id',
      'a.handle as author_handle',
      'a.banned_at',
      'c.body_html',
      'c.created_at',
      'c.edited_at',
      'c.hidden_at',
      'rep.handle as reporter',
      'r.reason',
      'r.created_at as reported_at',
    ])
    .where('r.resolved_at', 'is', null)
    .orderBy('r.id')
    .limit(limit * 20)
    .execute();
  const byComment = new Map<number, ReportedComment>();
  for (const r of rows) {
    let item = byComment.get(r.comment_id);
    if (!item) {
      item = {
        commentId: r.comment_id,
        paperId: r.paper_id,
        paperTitle: r.title,
        author: { id: r.user_id, handle: r.author_handle, bannedAt: r.banned_at },
        html: r.body_html,
        createdAt: r.created_at,
        editedAt: r.edited_at,
        hidden: r.hidden_at !== null,
        reports: [],
      };
      byComment.set(r.comment_id, item);
    }
    item.reports.push({ reporter: r.reporter, reason: r.reason, createdAt: r.reported_at });
  }
  return [...byComment.values()].sort((a, b) => b.reports.length - a.reports.length).slice(0, limit);
}

/** Recently hidden comments, newest first, so moderators can review and unhide them. */
export async function listHiddenComments(db: DB, limit = 50) {
  const rows = await db
    .selectFrom('comments as c')
    .innerJoin('users as a', 'a.id', 'c.user_id')
    .leftJoin('users as m', 'm.id', 'c.hidden_by')
    .select(['c.id', 'c.paper_id', 'c.body_html', 'c.hidden_at', 'c.hidden_note', 'a.handle as author_handle', 'm.handle as moderator_handle'])
    .where('c.hidden_at', 'is not', null)
    .orderBy('c.hidden_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    commentId: r.id,
    paperId: r.paper_id,
    html: r.body_html,
    hiddenAt: r.hidden_at!,
    note: r.hidden_note,
    author: r.author_handle,
    moderator: r.moderator_handle,
  }));
}
