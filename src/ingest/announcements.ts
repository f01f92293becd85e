/**
 * The daily announcement reader: what arXiv announced today in each configured category (new papers,
 * cross-lists, replacements), the metadata of announced papers we lack (API `id_list`, batched), and
 * the announcements the "New on arXiv" pages show.
 *
 * Never missing a day: a feed's items are stored (feed_items) before any metadata is fetched, and every
 * run fetches whatever the last 7 days of feed items still lack, so an arXiv API outage only delays
 * a batch. A replacement is recorded with kind 'replace' and never as 'new', whatever we held before.
 */
import type { Kysely } from 'kysely';
import type { ArxivClient } from '../arxiv/client.ts';
import { clientFromConfig } from '../arxiv/client.ts';
import { type AnnouncementFeed, parseAnnouncementFeed } from '../arxiv/rss.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { JobHandler } from '../jobs/handlers.ts';
import type { Logger } from '../log.ts';
import { addAnnouncements } from '../store/announcements.ts';
import { addFeedItems, heldFeedItems, missingPaperIds, recordFeedRun } from '../store/feed-items.ts';
import { getSourceStatus, recordSourceError, recordSourceSuccess } from '../store/source-status.ts';
import { addDays, feedDateOf } from '../time.ts';
import { fetchPapersByIds } from './lookup.ts';

/** arXiv announces in its own time zone; feed dates are calendar days there. */
export const ARXIV_TIME_ZONE = 'America/New_York';

/** How far back a run looks for feed items whose paper is still missing (a week covers any outage we would sit out). */
export const CATCH_UP_DAYS = 7;

/** What one category's feed gave. */
export interface CategorySummary {
  category: string;
  /** `updated`: items recorded; `empty`: a day without announcements (weekend, holiday); `not-modified`: 304; `error`: see `error`. */
  status: 'updated' | 'empty' | 'not-modified' | 'error';
  feedDate: string | null;
  items: number;
  new: number;
  cross: number;
  replace: number;
  /** Of this feed date's items, how many papers we hold after the run at (at least) the announced version. */
  held: number;
  /** Items of this feed that the parser skipped (logged with their reason). */
  skipped: number;
  error: string | null;
}

/** The result of one run. */
export interface AnnouncementsSummary {
  categories: CategorySummary[];
  /** Papers fetched from the API this run (announced in the last CATCH_UP_DAYS, not held or held at an older version). */
  fetched: number;
  /** Ids the API did not return (kept as missing; retried by the next runs). */
  unknown: string[];
  /** The API error when the metadata fetch failed (feed items are kept; the next run fetches them). */
  apiError: string | null;
  /** Announcements newly recorded this run. */
  announcementsAdded: number;
}

/** An arXiv category name as the feeds use it (cs.LG, math.AG, hep-th): anything else never reaches a URL. */
export function isCategory(s: string): boolean {
  return /^[a-z-]+(\.[A-Za-z-]+)?$/.test(s);
}

/** The URL of a category's feed: RSS 2.0 by default, Atom (`{rssUrl}/atom/{cat}`) when asked. */
export function feedUrl(config: Config, category: string, format: 'rss' | 'atom' = 'rss'): string {
  return `${config.arxiv.rssUrl.replace(/\/+$/, '')}/${format}/${category}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads each category's feed (conditional GET with the validators stored under `feed:{category}`),
 * stores its items and the run, fetches the papers still missing (one batched API call over all
 * categories, covering the last 7 days), then records announcements for every feed item whose paper
 * we hold. A category that fails is reported and the others go on.
 */
export async function readAnnouncements(
  db: Kysely<Database>,
  client: ArxivClient,
  config: Config,
  o: { categories?: readonly string[]; log: Logger; now?: () => Date; format?: 'rss' | 'atom'; signal?: AbortSignal },
): Promise<AnnouncementsSummary> {
  const now = o.now ?? (() => new Date());
  const log = o.log;
  const categories = o.categories && o.categories.length > 0 ? o.categories : config.arxiv.categories;
  const summaries: CategorySummary[] = [];

  for (const category of [...new Set(categories)]) {
    const source = `feed:${category}`;
    const summary: CategorySummary = {
      category,
      status: 'error',
      feedDate: null,
      items: 0,
      new: 0,
      cross: 0,
      replace: 0,
      held: 0,
      skipped: 0,
      error: null,
    };
    summaries.push(summary);
    try {
      const previous = await getSourceStatus(db, source);
      const res = await client.get(feedUrl(config, category, o.format), {
        validators: { etag: previous?.etag ?? null, lastModified: previous?.last_modified ?? null },
        signal: o.signal,
      });
      const validators = { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
      if (res.notModified) {
        // Nothing new since the last read: the validators stay as they were.
        await recordSourceSuccess(db, source, { now: now() });
        summary.status = 'not-modified';
        continue;
      }
      const feed: AnnouncementFeed = parseAnnouncementFeed(res.body);
      summary.skipped = feed.skipped.length;
      for (const s of feed.skipped) log.warn({ category, paper_id: s.id, reason: s.reason }, 'announcement feed item skipped');
      if (feed.items.length === 0) {
        // Weekends and holidays: arXiv serves a feed without items. A success, with nothing to record.
        await recordSourceSuccess(db, source, { ...validators, now: now() });
        summary.status = 'empty';
        summary.feedDate = feed.feedDate;
        continue;
      }
      const feedDate = feed.feedDate ?? feedDateOf(now(), ARXIV_TIME_ZONE);
      if (!feed.feedDate) log.warn({ category, feed_date: feedDate }, 'announcement feed has no date; using today in New York');
      summary.feedDate = feedDate;
      summary.status = 'updated';
      summary.items = feed.items.length;
      for (const item of feed.items) summary[item.kind]++;
      // Items, run and validators in one transaction: a crash before the commit leaves the old validators,
      // so the next read gets the full feed again instead of a 304 over a day we never stored.
      await db.transaction().execute(async (trx) => {
        await addFeedItems(
          trx,
          feed.items.map((item) => ({ category, feedDate, paperId: item.id, kind: item.kind, version: item.version })),
        );
        await recordFeedRun(trx, { category, feedDate, items: feed.items.length, fetchedAt: now().toISOString() });
        await recordSourceSuccess(trx, source, { ...validators, now: now() });
      });
      log.info({ category, feed_date: feedDate, items: feed.items.length, new: summary.new, cross: summary.cross, replace: summary.replace }, 'announcement feed read');
    } catch (err) {
      // Cancelled (the job lost its lease): stop here, this is no failure of arXiv's.
      if (o.signal?.aborted) throw err;
      summary.status = 'error';
      summary.error = message(err);
      await recordSourceError(db, source, err, now());
      log.error({ category, err }, 'announcement feed failed');
    }
  }

  // Metadata of every paper announced lately that we lack (or hold at an older version than a
  // replacement announced), whichever run recorded its feed item.
  // The window also reaches back to any feed date read in this run, so a feed's own papers are always
  // fetched, even when its date and our clock disagree.
  let since = addDays(feedDateOf(now(), ARXIV_TIME_ZONE), -CATCH_UP_DAYS);
  for (const s of summaries) if (s.status === 'updated' && s.feedDate && s.feedDate < since) since = s.feedDate;
  o.signal?.throwIfAborted();
  const missing = await missingPaperIds(db, since);
  let fetched = 0;
  let unknown: string[] = [];
  let apiError: string | null = null;
  if (missing.length > 0) {
    try {
      const r = await fetchPapersByIds(db, client, config, missing, log);
      fetched = r.stored.length;
      unknown = r.unknown;
    } catch (err) {
      // fetchPapersByIds recorded the error under source `api`; the feed items wait for the next run.
      apiError = message(err);
      log.error({ err, missing: missing.length }, 'arXiv API fetch of announced papers failed; the next run retries');
    }
  }

  const held = await heldFeedItems(db, since);
  const announcementsAdded = await addAnnouncements(
    db,
    held.map((f) => ({ paperId: f.paperId, date: f.feedDate, kind: f.kind, category: f.category })),
  );
  for (const s of summaries) {
    if (s.feedDate) s.held = held.filter((f) => f.category === s.category && f.feedDate === s.feedDate && f.upToDate).length;
  }
  return { categories: summaries, fetched, unknown, apiError, announcementsAdded };
}

/**
 * The scheduled job: reads the configured categories (or `payload.categories`). Fails the attempt when
 * a feed or the API failed, so the queue retries it with backoff; what succeeded is kept.
 */
export function announcementsHandler(config: Config): JobHandler {
  return async (payload, ctx) => {
    const p = (payload ?? {}) as { categories?: unknown };
    let categories: string[] | undefined;
    if (Array.isArray(p.categories)) {
      // The payload comes from a row: keep the well-formed names, say which were dropped.
      categories = p.categories.filter((c): c is string => typeof c === 'string' && isCategory(c));
      if (categories.length < p.categories.length) ctx.log.warn({ job: 'announcements', payload: p.categories }, 'ignoring malformed categories in the job payload');
    }
    const client = clientFromConfig(config, ctx.log);
    const r = await readAnnouncements(ctx.db, client, config, { categories, log: ctx.log, now: ctx.now, signal: ctx.signal });
    ctx.log.info({ job: 'announcements', fetched: r.fetched, announcements: r.announcementsAdded, categories: r.categories }, 'announcements read');
    const failed = r.categories.filter((c) => c.status === 'error');
    if (failed.length > 0 || r.apiError) {
      const parts = failed.map((c) => `${c.category}: ${c.error}`);
      if (r.apiError) parts.push(`arXiv API: ${r.apiError}`);
      throw new Error(`announcements incomplete (${parts.join('; ')})`);
    }
  };
}
