/**
 * What the daily announcement feeds listed (feed_items) and when each (category, feed date) was read
 * (feed_runs). A feed item waits here until we hold its paper; announcements are recorded from it then,
 * and /status compares what a feed announced with what we hold.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AnnouncementKind } from './announcements.ts';

/** One paper listed by a category's feed on a feed date. */
export interface FeedItemRow {
  category: string;
  /** YYYY-MM-DD (America/New_York, arXiv's announcement day). */
  feedDate: string;
  paperId: string;
  kind: AnnouncementKind;
  /** The version the feed announced; null when the feed did not say. */
  version: number | null;
}

/**
 * Records feed items; reading the same feed again updates kind and version in place (arXiv sometimes
 * regenerates a day's feed), so a re-read never duplicates anything.
 */
export async function addFeedItems(db: Kysely<Database>, items: FeedItemRow[]): Promise<void> {
  for (let i = 0; i < items.length; i += 500) {
    const chunk = items.slice(i, i + 500);
    await db
      .insertInto('feed_items')
      .values(chunk.map((f) => ({ category: f.category, feed_date: f.feedDate, paper_id: f.paperId, kind: f.kind, version: f.version })))
      .onConflict((oc) =>
        oc.columns(['category', 'feed_date', 'paper_id']).doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind'), version: eb.ref('excluded.version') })),
      )
      .execute();
  }
}

/** Records that a category's feed for a feed date was read, with how many items it listed (a re-read replaces it). */
export async function recordFeedRun(
  db: Kysely<Database>,
  run: { category: string; feedDate: string; items: number; fetchedAt: string },
): Promise<void> {
  await db
    .insertInto('feed_runs')
    .values({ category: run.category, feed_date: run.feedDate, items: run.items, fetched_at: run.fetchedAt })
    .onConflict((oc) => oc.columns(['category', 'feed_date']).doUpdateSet({ items: run.items, fetched_at: run.fetchedAt }))
    .execute();
}

/**
 * Ids of papers listed by a feed on or after `sinceDate` that we do not hold, or hold at an older
 * version than the feed announced (a replacement whose new version has not arrived yet).
 */
export async function missingPaperIds(db: Kysely<Database>, sinceDate: string): Promise<string[]> {
  const rows = await db
    .selectFrom('feed_items as f')
    .leftJoin('papers as p', 'p.id', 'f.paper_id')
    .where('f.feed_date', '>=', sinceDate)
    .where((eb) => eb.or([eb('p.id', 'is', null), eb.and([eb('f.version', 'is not', null), eb('p.version', '<', eb.ref('f.version'))])]))
    .select('f.paper_id')
    .distinct()
    .orderBy('f.paper_id')
    .execute();
  return rows.map((r) => r.paper_id);
}

/**
 * Feed items on or after `sinceDate` whose paper we hold at any version (an announcement can be recorded
 * for them); `upToDate` is false while we hold an older version than the feed announced.
 */
export async function heldFeedItems(db: Kysely<Database>, sinceDate: string): Promise<Array<FeedItemRow & { upToDate: boolean }>> {
  const rows = await db
    .selectFrom('feed_items as f')
    .innerJoin('papers as p', 'p.id', 'f.paper_id')
    .where('f.feed_date', '>=', sinceDate)
    .select(['f.category', 'f.feed_date', 'f.paper_id', 'f.kind', 'f.version', 'p.version as held_version'])
    .orderBy('f.feed_date')
    .orderBy('f.category')
    .orderBy('f.paper_id')
    .execute();
  return rows.map((r) => ({
    category: r.category,
    feedDate: r.feed_date,
    paperId: r.paper_id,
    kind: r.kind,
    version: r.version,
    upToDate: r.version === null || r.held_version >= r.version,
  }));
}

/** One (category, feed date) batch as /status shows it. */
export interface BatchStatus {
  category: string;
  feedDate: string;
  /** Papers the feed listed. */
  announced: number;
  /** Of those, papers we hold at (at least) the announced version. */
  held: number;
  new: number;
  cross: number;
  replace: number;
  /** When the feed was read (ISO 8601). */
  fetchedAt: string;
  /** Every announced paper is held, and the run's item count matches the items recorded. */
  complete: boolean;
}

/**
 * Per category, its last `dates` (default 7) feed dates that were read, newest first: what the feed
 * announced against what we hold. A paper held at an older version than a replacement announced is
 * not counted as held, so "complete" means the batch is really up to date. Weekends and holidays have
 * no feed items and so no rows.
 */
export async function batchStatus(
  db: Kysely<Database>,
  o: { categories: readonly string[]; dates?: number },
): Promise<BatchStatus[]> {
  const limit = Math.max(1, Math.min(o.dates ?? 7, 366));
  const out: BatchStatus[] = [];
  for (const category of o.categories) {
    const runs = await db
      .selectFrom('feed_runs')
      .selectAll()
      .where('category', '=', category)
      .orderBy('feed_date', 'desc')
      .limit(limit)
      .execute();
    if (runs.length === 0) continue;
    const oldest = runs[runs.length - 1]!.feed_date;
    const counts = await db
      .selectFrom('feed_items as f')
      .leftJoin('papers as p', 'p.id', 'f.paper_id')
      .where('f.category', '=', category)
      .where('f.feed_date', '>=', oldest)
      .select((eb) => [
        'f.feed_date',
        'f.kind',
        eb.fn.countAll<number>().as('n'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb('p.id', 'is not', null), eb.or([eb('f.version', 'is', null), eb('p.version', '>=', eb.ref('f.version'))])]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('held'),
      ])
      .groupBy(['f.feed_date', 'f.kind'])
      .execute();
    for (const run of runs) {
      const row: BatchStatus = {
        category,
        feedDate: run.feed_date,
        announced: 0,
        held: 0,
        new: 0,
        cross: 0,
        replace: 0,
        fetchedAt: run.fetched_at,
        complete: false,
      };
      for (const c of counts) {
        if (c.feed_date !== run.feed_date) continue;
        const n = Number(c.n);
        row[c.kind] += n;
        row.announced += n;
        row.held += Number(c.held ?? 0);
      }
      row.complete = row.held === row.announced && row.announced === run.items;
      out.push(row);
    }
  }
  return out;
}
