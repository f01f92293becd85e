/** Announcements: the days arXiv announced a paper as new, cross-list or replacement. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { type Paper, paperFromRow } from './papers.ts';

export type AnnouncementKind = 'new' | 'cross' | 'replace';

export interface AnnouncementInput {
  paperId: string;
  date: string;
  kind: AnnouncementKind;
  category?: string | null;
}

/** Records announcements; one already recorded (same paper, date, kind) is left as it is. */
export async function addAnnouncements(db: Kysely<Database>, items: AnnouncementInput[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < items.length; i += 500) {
    const chunk = items.slice(i, i + 500);
    const res = await db
      .insertInto('announcements')
      .values(chunk.map((a) => ({ paper_id: a.paperId, date: a.date, kind: a.kind, category: a.category ?? null })))
      .onConflict((oc) => oc.columns(['paper_id', 'date', 'kind']).doNothing())
      .executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

export interface AnnouncedPaper {
  kind: AnnouncementKind;
  category: string | null;
  paper: Paper;
}

/**
 * Papers announced on a date, optionally limited to a category (a paper counts for every category
 * it carries, so cross-lists appear under each) and kinds; new first, then cross-lists, then replacements.
 */
export async function listAnnouncements(
  db: Kysely<Database>,
  o: { date: string; category?: string; kinds?: AnnouncementKind[]; offset?: number; limit?: number },
): Promise<{ total: number; items: AnnouncedPaper[] }> {
  let q = db.selectFrom('announcements as a').innerJoin('papers as p', 'p.id', 'a.paper_id').where('a.date', '=', o.date);
  if (o.kinds && o.kinds.length > 0) q = q.where('a.kind', 'in', o.kinds);
  if (o.category) {
    // Categories are stored as a JSON array; match the quoted name so `cs.AI` never matches `cs.AIR`.
    q = q.where('p.categories', 'like', `%"${o.category.replace(/[%_"\\]/g, '')}"%`);
  }
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll('p')
    .select(['a.kind', 'a.category as announced_category'])
    .orderBy((eb) => eb.case().when('a.kind', '=', 'new').then(0).when('a.kind', '=', 'cross').then(1).else(2).end())
    .orderBy('p.id')
    .offset(o.offset ?? 0)
    .limit(o.limit ?? 200)
    .execute();
  return {
    total: Number(count.n),
    items: rows.map((r) => ({ kind: r.kind, category: r.announced_category, paper: paperFromRow(r) })),
  };
}

/** The nearest announcement dates before and after a date, and the latest one overall. */
export async function announcementDates(db: Kysely<Database>, date?: string): Promise<{ prev?: string; next?: string; latest?: string }> {
  const latest = await db.selectFrom('announcements').select((eb) => eb.fn.max('date').as('d')).executeTakeFirst();
  if (!date) return { latest: (latest?.d as string | null) ?? undefined };
  const prev = await db.selectFrom('announcements').select((eb) => eb.fn.max('date').as('d')).where('date', '<', date).executeTakeFirst();
  const next = await db.selectFrom('announcements').select((eb) => eb.fn.min('date').as('d')).where('date', '>', date).executeTakeFirst();
  return {
    prev: (prev?.d as string | null) ?? undefined,
    next: (next?.d as string | null) ?? undefined,
    latest: (latest?.d as string | null) ?? undefined,
  };
}

/** How many papers were announced on a date per kind, optionally within a category (same matching as listAnnouncements). */
export async function announcementCounts(
  db: Kysely<Database>,
  o: { date: string; category?: string },
): Promise<Record<AnnouncementKind, number>> {
  let q = db.selectFrom('announcements as a').innerJoin('papers as p', 'p.id', 'a.paper_id').where('a.date', '=', o.date);
  if (o.category) q = q.where('p.categories', 'like', `%"${o.category.replace(/[%_"\\]/g, '')}"%`);
  const rows = await q.select(['a.kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('a.kind').execute();
  const counts: Record<AnnouncementKind, number> = { new: 0, cross: 0, replace: 0 };
  for (const r of rows) counts[r.kind] = Number(r.n);
  return counts;
}

/** The primary categories with the most papers announced on a date, most first (for a category picker). */
export async function topAnnouncedCategories(db: Kysely<Database>, date: string, limit = 12): Promise<Array<{ category: string; n: number }>> {
  const rows = await db
    .selectFrom('announcements as a')
    .innerJoin('papers as p', 'p.id', 'a.paper_id')
    .where('a.date', '=', date)
    .where('p.primary_category', 'is not', null)
    .select(['p.primary_category as category', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('p.primary_category')
    .orderBy('n', 'desc')
    .orderBy('p.primary_category')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ category: r.category as string, n: Number(r.n) }));
}
