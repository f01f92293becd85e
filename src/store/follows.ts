/** Follows: a user following an author (by name, as listed on papers) or an arXiv category; they feed digests. */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { FollowsTable } from '../db/schema.ts';

/** What can be followed. */
export type FollowKind = 'author' | 'category';

/** A follow. */
export interface Follow {
  id: number;
  userId: number;
  kind: FollowKind;
  value: string;
  createdAt: string;
}

/** Raised for a value the caller must refuse. */
export class FollowError extends Error {}

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

function fromRow(r: Selectable<FollowsTable>): Follow {
  return { id: Number(r.id), userId: Number(r.user_id), kind: r.kind, value: r.value, createdAt: r.created_at };
}

/** Checks and tidies a follow value: an author name (whitespace collapsed) or a category. */
export function cleanFollowValue(kind: FollowKind, value: string): string {
  const v = value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  if (kind === 'category') {
    if (!CATEGORY.test(v)) throw new FollowError('A category looks like cs.CL or math.PR.');
    return v;
  }
  if (v.length < 2 || v.length > 200) throw new FollowError('An author name has 2 to 200 characters.');
  return v;
}

/** Follows (idempotent). */
export async function follow(db: DB, userId: number, kind: FollowKind, value: string, now: Date = new Date()): Promise<void> {
  const v = cleanFollowValue(kind, value);
  await db
    .insertInto('follows')
    .values({ user_id: userId, kind, value: v, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'value']).doNothing())
    .execute();
}

/** Unfollows (idempotent); true when a follow was removed. */
export async function unfollow(db: DB, userId: number, kind: FollowKind, value: string): Promise<boolean> {
  const r = await db.deleteFrom('follows').where('user_id', '=', userId).where('kind', '=', kind).where('value', '=', value.trim()).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A user's follows, oldest first. */
export async function listFollows(db: DB, userId: number): Promise<Follow[]> {
  const rows = await db.selectFrom('follows').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  return rows.map(fromRow);
}

/** Whether a user follows something (for follow buttons). */
export async function isFollowing(db: DB, userId: number, kind: FollowKind, value: string): Promise<boolean> {
  const r = await db.selectFrom('follows').select('id').where('user_id', '=', userId).where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
  return r !== undefined;
}
