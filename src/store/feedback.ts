/**
 * A reader's opinion of a paper for "For you": "more like this" (a positive signal) or "not interested"
 * (a negative one, and the paper is never recommended again). Given on the site (`paper_feedback`) or
 * by one-click links in digests (`digest_feedback`, written by src/store/digests.ts); both are read here.
 */
import type { DB } from '../db/connect.ts';

/** The two opinions. */
export type FeedbackKind = 'more' | 'not_interested';

/** Records (or replaces) the reader's opinion of a paper. */
export async function setPaperFeedback(db: DB, userId: number, paperId: string, kind: FeedbackKind, now: Date = new Date()): Promise<void> {
  await db
    .insertInto('paper_feedback')
    .values({ user_id: userId, paper_id: paperId, kind, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doUpdateSet({ kind, created_at: now.toISOString() }))
    .execute();
}

/** Withdraws the reader's on-site opinion of a paper; true when there was one. */
export async function clearPaperFeedback(db: DB, userId: number, paperId: string): Promise<boolean> {
  const r = await db.deleteFrom('paper_feedback').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The reader's on-site opinion of one paper, if any (for the paper page's buttons). */
export async function paperFeedbackOf(db: DB, userId: number, paperId: string): Promise<FeedbackKind | undefined> {
  const r = await db.selectFrom('paper_feedback').select('kind').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return r?.kind;
}

/**
 * Every opinion of the reader, on the site and from digests, newest first, one per paper (the newer
 * wins when both exist).
 */
export async function listFeedback(db: DB, userId: number): Promise<{ paperId: string; kind: FeedbackKind; createdAt: string }[]> {
  const site = await db.selectFrom('paper_feedback').select(['paper_id', 'kind', 'created_at']).where('user_id', '=', userId).execute();
  const mail = await db.selectFrom('digest_feedback').select(['paper_id', 'kind', 'created_at']).where('user_id', '=', userId).execute();
  const byPaper = new Map<string, { paperId: string; kind: FeedbackKind; createdAt: string }>();
  for (const r of [...site, ...mail]) {
    const prev = byPaper.get(r.paper_id);
    if (!prev || prev.createdAt < r.created_at) byPaper.set(r.paper_id, { paperId: r.paper_id, kind: r.kind, createdAt: r.created_at });
  }
  return [...byPaper.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.paperId.localeCompare(b.paperId)));
}

/** Of `paperIds`, those the reader's current opinion (listFeedback) is "not interested" in. */
export async function notInterestedAmong(db: DB, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const wanted = new Set(paperIds);
  return new Set((await listFeedback(db, userId)).filter((f) => f.kind === 'not_interested' && wanted.has(f.paperId)).map((f) => f.paperId));
}
