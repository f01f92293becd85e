/**
 * Comments API (v1): `GET /api/v1/papers/{id}/comments` (the thread, each comment with its rendered
 * `html` and raw `markdown`) and `POST /api/v1/papers/{id}/comments {body, parentId?}`.
 * Old-style ids keep their slash (`/api/v1/papers/hep-th/9901001/comments`), hence the `{.+}` id.
 */
import type { Context, Hono } from 'hono';
import { parseArxivId } from '../../arxiv/ids.ts';
import { CommentError, commentErrorStatus, type CommentView, listComments, postComment } from '../../store/comments.ts';
import { getPaper } from '../../store/papers.ts';
import { currentUser, requireUser } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit } from '../rateLimit.ts';

/** A comment as the API shows it (no internal user ids). */
export interface ApiComment {
  id: number;
  parentId: number | null;
  depth: number;
  author: { handle: string; displayName: string | null } | null;
  badges: string[];
  markdown: string;
  html: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hidden: boolean;
  hiddenNote?: string | null;
  canEdit: boolean;
  canDelete: boolean;
  replies: ApiComment[];
}

/** The API shape of a comment tree. */
export function apiComment(c: CommentView, moderator: boolean): ApiComment {
  return {
    id: c.id,
    parentId: c.parentId,
    depth: c.depth,
    author: c.author ? { handle: c.author.handle, displayName: c.author.displayName } : null,
    badges: c.badges,
    markdown: c.markdown,
    html: c.html,
    createdAt: c.createdAt,
    editedAt: c.editedAt,
    deleted: c.deleted,
    hidden: c.hidden,
    ...(moderator ? { hiddenNote: c.hiddenNote } : {}),
    canEdit: c.canEdit,
    canDelete: c.canDelete,
    replies: c.replies.map((r) => apiComment(r, moderator)),
  };
}

function find(list: CommentView[], id: number): CommentView | undefined {
  for (const c of list) {
    if (c.id === id) return c;
    const inner = find(c.replies, id);
    if (inner) return inner;
  }
  return undefined;
}

/** The paper of the path, or a JSON error answer. */
async function paperOf(c: Context, deps: AppDeps): Promise<{ id: string } | Response> {
  const raw = c.req.param('id') ?? '';
  const parsed = parseArxivId(raw);
  if (!parsed) return c.json({ error: `"${raw.slice(0, 80)}" is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.` }, 400);
  const paper = await getPaper(deps.db, parsed.id);
  if (!paper) return c.json({ error: `arXiv:${parsed.id} is not in this instance.` }, 404);
  return { id: paper.id };
}

const isModerator = (c: Context) => {
  const u = currentUser(c);
  return u !== null && (u.role === 'moderator' || u.role === 'admin');
};

/** Registers the comment endpoints under /api/v1. */
export function registerCommentsApi(app: Hono, deps: AppDeps): void {
  const path = '/api/v1/papers/:id{.+}/comments';

  app.get(path, async (c) => {
    const paper = await paperOf(c, deps);
    if (paper instanceof Response) return paper;
    const { comments, count } = await listComments(deps.db, paper.id, currentUser(c));
    c.header('Cache-Control', 'no-store');
    const moderator = isModerator(c);
    return c.json({ paperId: paper.id, count, comments: comments.map((x) => apiComment(x, moderator)) });
  });

  app.post(path, requireUser(deps), async (c) => {
    const user = c.var.user!;
    const paper = await paperOf(c, deps);
    if (paper instanceof Response) return paper;
    let input: unknown;
    try {
      input = await c.req.json();
    } catch {
      return c.json({ error: 'Send a JSON object: {"body": "your comment in Markdown", "parentId": optional comment id}.' }, 400);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return c.json({ error: 'Send a JSON object: {"body": "your comment in Markdown", "parentId": optional comment id}.' }, 400);
    }
    const { body, parentId } = input as { body?: unknown; parentId?: unknown };
    if (parentId !== undefined && parentId !== null && !(Number.isSafeInteger(parentId) && (parentId as number) > 0)) {
      return c.json({ error: '"parentId" must be the id of a comment on this paper (a positive integer) or null.' }, 400);
    }
    const limited = checkRateLimit(c, deps, 'comment', String(user.id));
    if (limited) return limited;
    let id: number;
    try {
      id = await postComment(deps.db, user, { paperId: paper.id, body, parentId: (parentId as number | null | undefined) ?? null });
    } catch (err) {
      if (err instanceof CommentError) return c.json({ error: err.message }, commentErrorStatus(err));
      throw err;
    }
    const { comments } = await listComments(deps.db, paper.id, user);
    const created = find(comments, id)!;
    c.header('Location', `/api/v1/papers/${paper.id}/comments#${id}`);
    return c.json({ comment: apiComment(created, isModerator(c)) }, 201);
  });
}
