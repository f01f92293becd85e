/**
 * Choosing a digest's papers and saying why each is there: the top of the period (daily_entries by
 * upvotes over the feed dates the period covers), the reader's saved searches (src/search/lexical.ts
 * over papers published in the period), and followed authors and categories. Papers already mailed to
 * the address (the `digest_mailed` ledger) or marked "not interested" are dropped; a paper found by
 * several sources is listed once with every reason. The mail itself is built by ./render.ts.
 */
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import { searchPapers } from '../search/lexical.ts';
import { type DigestItemRow, excludedPapers } from '../store/digests.ts';
import { listFollows } from '../store/follows.ts';
import { listSavedSearches } from '../store/saved-searches.ts';
import type { Subscription } from '../store/subscriptions.ts';
import { addDays, feedDateOf } from '../time.ts';
import type { DuePeriod } from './period.ts';

/** Papers from the top of the period. */
export const TOP_PAPERS = 10;
/** Papers per saved search and per follow. */
export const PER_SOURCE = 5;
/** Saved searches and follows read per digest (the oldest first). */
export const MAX_SOURCES = 20;
/** Papers in one digest at most. */
export const MAX_PAPERS = 30;

/** Personal picks per digest at most. */
export const PICKS = 5;

/**
 * Where personal picks come from (src/foryou/recommend.ts `personalPicks` over the process's Semantic
 * service): papers published since `since` for the user, in order, each with its reason. Optional so
 * composing needs no embedder; without it `include.picks` adds nothing.
 */
export type PicksSource = (userId: number, since: string, limit: number) => Promise<{ paperId: string; reason: string }[]>;

/** Candidate lists shared by many digests of one run (the top of a period is the same for everyone). */
export type ComposeCache = Map<string, Promise<string[]>>;

function cached(cache: ComposeCache | undefined, key: string, load: () => Promise<string[]>): Promise<string[]> {
  if (!cache) return load();
  let v = cache.get(key);
  if (!v) {
    v = load();
    cache.set(key, v);
  }
  return v;
}

/** Feed dates (YYYY-MM-DD in the feed zone) a period covers: from its start to its send instant. */
export function feedDatesOf(p: DuePeriod, feedTimezone: string): { from: string; to: string } {
  return { from: feedDateOf(p.start, feedTimezone), to: feedDateOf(p.sendAt, feedTimezone) };
}

/** Featured papers of a feed-date range, most upvoted first. */
async function topOf(db: DB, from: string, to: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('daily_entries')
    .select('paper_id')
    .where('feed_date', '>=', from)
    .where('feed_date', '<=', to)
    .orderBy('upvotes', 'desc')
    .orderBy('paper_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.paper_id);
}

/** `%…%` LIKE pattern matching a JSON array element exactly (authors, categories are JSON text). */
function jsonElementPattern(value: string): string {
  return `%${JSON.stringify(value).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Papers published since `since` (ISO) whose JSON column holds `value`, featured and newest first. */
async function papersWith(db: DB, column: 'authors' | 'categories', value: string, since: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('papers as p')
    .leftJoin('daily_entries as e', 'e.paper_id', 'p.id')
    .select('p.id')
    .where('p.published_at', '>=', since)
    .where(sql<boolean>`${sql.ref(`p.${column}`)} LIKE ${jsonElementPattern(value)} ESCAPE '\\'`)
    .orderBy(sql`coalesce(e.upvotes, 0)`, 'desc')
    .orderBy('p.published_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The papers of a subscription's digest for a period, in order, each with its reasons joined by "; ".
 * Excludes papers already mailed to the address; an empty list means there is nothing new to send.
 */
export async function pickPapers(
  db: DB,
  subscription: Subscription,
  period: DuePeriod,
  o: { feedTimezone: string; cache?: ComposeCache; picks?: PicksSource },
): Promise<DigestItemRow[]> {
  const reasons = new Map<string, string[]>();
  const add = (ids: string[], reason: string, max: number) => {
    let taken = 0;
    for (const id of ids) {
      if (taken >= max) break;
      const r = reasons.get(id);
      if (r) {
        if (!r.includes(reason)) r.push(reason);
      } else reasons.set(id, [reason]);
      taken++;
    }
  };
  const weekly = subscription.cadence === 'weekly';
  const sources: Array<{ ids: string[]; reason: string; max: number }> = [];
  const { from, to } = feedDatesOf(period, o.feedTimezone);
  if (subscription.include.top) {
    const ids = await cached(o.cache, `top:${from}:${to}`, () => topOf(db, from, to, TOP_PAPERS * 5));
    sources.push({ ids, reason: weekly ? 'top of the week' : 'top of the day', max: Number.POSITIVE_INFINITY });
  }
  // Published dates are UTC days; a day of slack keeps a paper published just before the window's start.
  const since = `${addDays(period.start.toISOString().slice(0, 10), -1)}T00:00:00Z`;
  if (subscription.userId !== null && subscription.include.savedSearches) {
    for (const s of (await listSavedSearches(db, subscription.userId)).slice(0, MAX_SOURCES)) {
      const ids = await cached(o.cache, `search:${s.query}:${s.filters.category ?? ''}:${since}`, async () => {
        const r = await searchPapers(db, { q: s.query, category: s.filters.category, from: since.slice(0, 10), to: addDays(to, 1), limit: PER_SOURCE * 3 });
        return r.hits.map((h) => h.paper.id);
      });
      sources.push({ ids, reason: `matched saved search "${s.name}"`, max: PER_SOURCE });
    }
  }
  if (subscription.userId !== null && subscription.include.follows) {
    for (const f of (await listFollows(db, subscription.userId)).slice(0, MAX_SOURCES)) {
      const column = f.kind === 'author' ? 'authors' : 'categories';
      const ids = await cached(o.cache, `${f.kind}:${f.value}:${since}`, () => papersWith(db, column, f.value, since, PER_SOURCE * 3));
      sources.push({ ids, reason: `followed ${f.kind} ${f.value}`, max: PER_SOURCE });
    }
  }
  if (subscription.userId !== null && subscription.include.picks && o.picks) {
    // Each pick has its own reason ("picked for you: close to …"); more than PICKS are asked for so
    // papers already mailed can be skipped. A failing recommender must not stop the digest.
    const picks = await o.picks(subscription.userId, since, PICKS * 3).catch(() => []);
    let taken = 0;
    const mailed = await excludedPapers(db, subscription, picks.map((p) => p.paperId));
    for (const p of picks) {
      if (taken >= PICKS || mailed.has(p.paperId)) continue;
      sources.push({ ids: [p.paperId], reason: p.reason, max: 1 });
      taken++;
    }
  }
  const excluded = await excludedPapers(db, subscription, [...new Set(sources.flatMap((s) => s.ids))]);
  for (const s of sources) {
    const fresh = s.ids.filter((id) => !excluded.has(id));
    add(fresh, s.reason, s.reason.startsWith('top of') ? TOP_PAPERS : s.max);
  }
  return [...reasons].slice(0, MAX_PAPERS).map(([paperId, r], position) => ({ paperId, position, reason: r.join('; ') }));
}
