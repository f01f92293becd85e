/**
 * Daily entries: papers featured in the community feed on a feed date, with their upvotes.
 * `upvotes` = `imported_upvotes` (Hugging Face's count, written here by the import) + the paper's local
 * votes (`papers.upvotes`, see store/votes.ts); `trending` is rewritten whenever `upvotes` changes.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DailyEntriesTable, Database } from '../db/schema.ts';
import { trendingScore } from '../rank/trending.ts';
import { type Paper, paperFromRow } from './papers.ts';

export interface EntryInput {
  paperId: string;
  feedDate: string;
  submitterName?: string | null;
  submitterHandle?: string | null;
  organization?: string | null;
  submittedAt: string;
  /** Upvotes counted elsewhere (Hugging Face); this instance's own votes are added on top. */
  upvotes?: number;
  numComments?: number;
}

export interface Entry {
  id: number;
  paperId: string;
  feedDate: string;
  submitterName: string | null;
  submitterHandle: string | null;
  organization: string | null;
  submittedAt: string;
  upvotes: number;
  numComments: number;
  /** Upvotes imported from Hugging Face (part of `upvotes`). */
  importedUpvotes: number;
  /** Stored trending score (src/rank/trending.ts). */
  trending: number;
  /** The local user who submitted it; null for imported entries. */
  submitterUserId: number | null;
  /** The submitter's note, plain text. */
  comment: string | null;
}

export interface EntryWithPaper extends Entry {
  paper: Paper;
  /** Whether the viewer (ListEntriesOptions.viewerId) has upvoted it; absent without a viewer. */
  upvoted?: boolean;
}

/** `recent` orders by feed date (newest first), then upvotes. */
export type EntrySort = 'upvotes' | 'publishedAt' | 'trending' | 'recent';

export interface ListEntriesOptions {
  /** Inclusive feed-date range, YYYY-MM-DD; both optional. */
  from?: string;
  to?: string;
  submitter?: string;
  sort?: EntrySort;
  offset?: number;
  limit?: number;
  /** Unused since trending is stored; kept so existing callers compile. */
  now?: Date;
  /** A signed-in reader: each item then says whether they upvoted it. */
  viewerId?: number;
}

/** Rewrites the trending score of the entry featuring `paperId` from its current upvotes (call in the writing transaction). */
export async function refreshTrending(db: Kysely<Database>, paperId: string): Promise<void> {
  const row = await db.selectFrom('daily_entries').select(['upvotes', 'submitted_at']).where('paper_id', '=', paperId).executeTakeFirst();
  if (!row) return;
  await db.updateTable('daily_entries').set({ trending: trendingScore(row.upvotes, row.submitted_at) }).where('paper_id', '=', paperId).execute();
}

/**
 * Records entries; an entry for a paper already featured updates its counts and submitter but
 * keeps its original feed date (a paper is featured once). Call inside a transaction.
 */
export async function upsertEntries(db: Kysely<Database>, entries: EntryInput[]): Promise<number> {
  let n = 0;
  for (const e of entries) {
    await db
      .insertInto('daily_entries')
      .values({
        paper_id: e.paperId,
        feed_date: e.feedDate,
        submitter_name: e.submitterName ?? null,
        submitter_handle: e.submitterHandle ?? null,
        organization: e.organization ?? null,
        submitted_at: e.submittedAt,
        imported_upvotes: Math.max(0, e.upvotes ?? 0),
        // The paper may already have local votes (upvoted before it was featured, or on an earlier import).
        upvotes: sql<number>`${Math.max(0, e.upvotes ?? 0)} + coalesce((SELECT upvotes FROM papers WHERE id = ${e.paperId}), 0)`,
        num_comments: e.numComments ?? 0,
      })
      .onConflict((oc) =>
        oc.column('paper_id').doUpdateSet((eb) => ({
          imported_upvotes: eb.ref('excluded.imported_upvotes'),
          upvotes: eb.ref('excluded.upvotes'),
          num_comments: eb.ref('excluded.num_comments'),
          submitter_name: eb.fn.coalesce('excluded.submitter_name', 'daily_entries.submitter_name'),
          submitter_handle: eb.fn.coalesce('excluded.submitter_handle', 'daily_entries.submitter_handle'),
          organization: eb.fn.coalesce('excluded.organization', 'daily_entries.organization'),
        })),
      )
      .execute();
    await refreshTrending(db, e.paperId);
    n++;
  }
  return n;
}

function baseQuery(db: Kysely<Database>, o: ListEntriesOptions) {
  let q = db.selectFrom('daily_entries as e').innerJoin('papers as p', 'p.id', 'e.paper_id');
  if (o.from) q = q.where('e.feed_date', '>=', o.from);
  if (o.to) q = q.where('e.feed_date', '<=', o.to);
  if (o.submitter) q = q.where('e.submitter_handle', '=', o.submitter);
  return q;
}

function entryFromRow(r: Record<string, any>): EntryWithPaper {
  return {
    id: r.entry_id,
    paperId: r.id,
    feedDate: r.feed_date,
    submitterName: r.submitter_name,
    submitterHandle: r.submitter_handle,
    organization: r.organization,
    submittedAt: r.submitted_at,
    upvotes: r.entry_upvotes,
    numComments: r.num_comments,
    importedUpvotes: r.imported_upvotes,
    trending: Number(r.trending),
    submitterUserId: r.submitter_user_id,
    comment: r.entry_comment,
    paper: paperFromRow(r as any),
    ...(r.upvoted === undefined ? {} : { upvoted: Boolean(Number(r.upvoted)) }),
  };
}

/**
 * Entries in a feed-date range with their papers, ordered by upvotes (then newest paper),
 * by the paper's publication date, or by the stored trending score. Returns the page and the total.
 */
export async function listEntries(db: Kysely<Database>, o: ListEntriesOptions = {}): Promise<{ total: number; items: EntryWithPaper[] }> {
  const offset = Math.max(0, o.offset ?? 0);
  const limit = Math.max(0, o.limit ?? 50);
  const countRow = await baseQuery(db, o).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(countRow.n);
  let select = baseQuery(db, o).selectAll('p').select([
    'e.id as entry_id',
    'e.feed_date',
    'e.submitter_name',
    'e.submitter_handle',
    'e.organization',
    'e.submitted_at',
    // Aliased: `papers` has an `upvotes` column too (its local votes), which p.* already selects.
    'e.upvotes as entry_upvotes',
    'e.num_comments',
    'e.imported_upvotes',
    'e.trending',
    'e.submitter_user_id',
    // Aliased: `papers.comment` is arXiv's comment field.
    'e.comment as entry_comment',
  ]);
  if (o.viewerId !== undefined) {
    const viewer = o.viewerId;
    select = select.select((eb) =>
      eb
        .exists(eb.selectFrom('votes as v').select('v.paper_id').whereRef('v.paper_id', '=', 'e.paper_id').where('v.user_id', '=', viewer))
        .as('upvoted'),
    ) as unknown as typeof select;
  }
  // Trending is stored on the row (order-preserving, see rank/trending.ts), so it sorts with an index.
  const ordered =
    o.sort === 'trending'
      ? select.orderBy('e.trending', 'desc').orderBy('e.upvotes', 'desc')
      : o.sort === 'publishedAt'
        ? select.orderBy('p.published_at', 'desc').orderBy('e.upvotes', 'desc')
        : o.sort === 'recent'
          ? select.orderBy('e.feed_date', 'desc').orderBy('e.upvotes', 'desc')
          : select.orderBy('e.upvotes', 'desc').orderBy('p.published_at', 'desc');
  const rows = await ordered.orderBy('p.id').offset(offset).limit(limit).execute();
  return { total, items: rows.map(entryFromRow) };
}

/** Maps a daily_entries row to the domain shape. */
function entryFromTableRow(r: Selectable<DailyEntriesTable>): Entry {
  return {
    id: r.id,
    paperId: r.paper_id,
    feedDate: r.feed_date,
    submitterName: r.submitter_name,
    submitterHandle: r.submitter_handle,
    organization: r.organization,
    submittedAt: r.submitted_at,
    upvotes: r.upvotes,
    numComments: r.num_comments,
    importedUpvotes: r.imported_upvotes,
    trending: Number(r.trending),
    submitterUserId: r.submitter_user_id,
    comment: r.comment,
  };
}

/** The entry that features a paper, if any. */
export async function getEntryForPaper(db: Kysely<Database>, paperId: string): Promise<Entry | undefined> {
  const r = await db.selectFrom('daily_entries').selectAll().where('paper_id', '=', paperId).executeTakeFirst();
  return r ? entryFromTableRow(r) : undefined;
}

/** The entries featuring any of these papers, by paper id (one query, for lists such as search results). */
export async function getEntriesForPapers(db: Kysely<Database>, paperIds: string[]): Promise<Map<string, Entry>> {
  if (paperIds.length === 0) return new Map();
  const rows = await db.selectFrom('daily_entries').selectAll().where('paper_id', 'in', paperIds).execute();
  return new Map(rows.map((r) => [r.paper_id, entryFromTableRow(r)]));
}

/** The latest feed date on or before `onOrBefore` (default: any) that has entries. */
export async function latestFeedDate(db: Kysely<Database>, onOrBefore?: string): Promise<string | undefined> {
  let q = db.selectFrom('daily_entries').select((eb) => eb.fn.max('feed_date').as('d'));
  if (onOrBefore) q = q.where('feed_date', '<=', onOrBefore);
  const r = await q.executeTakeFirst();
  return (r?.d as string | null) ?? undefined;
}

/** The nearest feed dates with entries strictly before and after a range (for previous/next links). */
export async function neighbourFeedDates(db: Kysely<Database>, from: string, to: string): Promise<{ prev?: string; next?: string }> {
  const prev = await db.selectFrom('daily_entries').select((eb) => eb.fn.max('feed_date').as('d')).where('feed_date', '<', from).executeTakeFirst();
  const next = await db.selectFrom('daily_entries').select((eb) => eb.fn.min('feed_date').as('d')).where('feed_date', '>', to).executeTakeFirst();
  return { prev: (prev?.d as string | null) ?? undefined, next: (next?.d as string | null) ?? undefined };
}
