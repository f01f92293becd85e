/**
 * The papers of a reader's private feed: the same sources as their digest (the top of the last feed
 * days, their saved searches, followed authors and categories), each paper once with every reason.
 * Unlike the mail it keeps no "already sent" ledger: a feed reader de-duplicates by entry id itself,
 * so each source simply offers its newest papers. Papers the reader marked "not interested" are left
 * out. The include flags of their digest settings apply (all on when they have no subscription).
 */
import { notInterestedAmong } from '../store/feedback.ts';
import type { DB } from '../db/connect.ts';
import { searchPapers } from '../search/lexical.ts';
import { papersByAuthor } from '../store/authors.ts';
import { papersInCategory } from '../store/category-papers.ts';
import { latestFeedDate, listEntries } from '../store/entries.ts';
import { listFollows } from '../store/follows.ts';
import { getPapers, type Paper } from '../store/papers.ts';
import { listSavedSearches } from '../store/saved-searches.ts';
import { DEFAULT_SETTINGS, getUserSubscription } from '../store/subscriptions.ts';
import { addDays } from '../time.ts';
import { MAX_PAPERS, MAX_SOURCES, PER_SOURCE, TOP_PAPERS } from './compose.ts';

/** A paper of the private feed and why it is there. */
export interface FeedPick {
  paper: Paper;
  reasons: string[];
}

/** Feed days the "top" source covers, ending at the latest featured day up to `today`. */
export const TOP_DAYS = 7;

/**
 * A source contributed from elsewhere (personal picks from src/foryou when it is configured): ids in
 * order with a reason each. Kept as a parameter so this file does not depend on the recommender.
 */
export type ExtraSource = () => Promise<{ paperId: string; reason: string }[]>;

/** The reader's feed papers, in source order (top, saved searches, follows, extra), at most MAX_PAPERS + extras. */
export async function personalFeedPapers(db: DB, userId: number, o: { today: string; extra?: ExtraSource }): Promise<FeedPick[]> {
  const include = (await getUserSubscription(db, userId))?.include ?? DEFAULT_SETTINGS.include;
  const reasons = new Map<string, string[]>();
  const add = (ids: string[], reason: string, max: number) => {
    for (const id of ids.slice(0, max)) {
      const r = reasons.get(id);
      if (!r) reasons.set(id, [reason]);
      else if (!r.includes(reason)) r.push(reason);
    }
  };
  if (include.top) {
    const to = (await latestFeedDate(db, o.today)) ?? o.today;
    const top = await listEntries(db, { from: addDays(to, -(TOP_DAYS - 1)), to, sort: 'upvotes', limit: TOP_PAPERS });
    add(
      top.items.map((e) => e.paperId),
      'top of the week',
      TOP_PAPERS,
    );
  }
  if (include.savedSearches) {
    for (const s of (await listSavedSearches(db, userId)).slice(0, MAX_SOURCES)) {
      const r = await searchPapers(db, { q: s.query, category: s.filters.category, sort: 'date', limit: PER_SOURCE });
      add(
        r.hits.map((h) => h.paper.id),
        `matched saved search "${s.name}"`,
        PER_SOURCE,
      );
    }
  }
  if (include.follows) {
    for (const f of (await listFollows(db, userId)).slice(0, MAX_SOURCES)) {
      const papers = f.kind === 'author' ? (await papersByAuthor(db, f.value, { limit: PER_SOURCE })).papers : await papersInCategory(db, f.value, PER_SOURCE);
      add(
        papers.map((p) => p.id),
        `followed ${f.kind} ${f.value}`,
        PER_SOURCE,
      );
    }
  }
  // Personal picks come last and are not cut by MAX_PAPERS: they are the reason some readers use the feed.
  const ordered = [...reasons.keys()].slice(0, MAX_PAPERS);
  if (include.picks && o.extra) {
    for (const p of await o.extra()) {
      const r = reasons.get(p.paperId);
      if (r) r.push(p.reason);
      else {
        reasons.set(p.paperId, [p.reason]);
        ordered.push(p.paperId);
      }
    }
  }
  const refused = await notInterestedAmong(db, userId, ordered);
  const ids = ordered.filter((id) => !refused.has(id));
  const papers = await getPapers(db, ids);
  return papers.map((paper) => ({ paper, reasons: reasons.get(paper.id)! }));
}

