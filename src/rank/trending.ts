/**
 * Trending: upvotes with time decay, in a form that is stored on the entry row and never recomputed.
 *
 * What it means: a featured paper's weight is its upvotes plus one, halved every HALF_LIFE_HOURS since
 * it was submitted to the feed:
 *
 *   decayed(now) = (upvotes + 1) × 2^(−age_hours / HALF_LIFE_HOURS)
 *
 * Ranking by that changes with `now`, but only by a factor shared by every entry: taking log2,
 *
 *   log2(decayed(now)) = log2(upvotes + 1) + submitted_hours / HALF_LIFE_HOURS − now_hours / HALF_LIFE_HOURS
 *
 * and the last term is the same for all entries. So the stored score
 *
 *   trending = log2(upvotes + 1) + submitted_at / HALF_LIFE      (submitted_at in hours since 1970)
 *
 * orders entries exactly as the decayed weight does at any moment (reddit's "hot" has the same shape).
 * Why this form: the score changes only when the entry's upvotes change, so it is written in the vote
 * transaction and read with an index (`ORDER BY trending DESC`); no periodic job, no scoring in memory,
 * and the ranking is never stale. In words: each half-life of recency is worth doubling (upvotes + 1).
 * The +1 lets a paper without votes yet rank by its freshness.
 */

/** Hours after which an entry's weight halves: a paper submitted this much later needs half the (upvotes + 1) to tie. */
export const HALF_LIFE_HOURS = 24;

const HOUR_MS = 3_600_000;

/** The stored trending score of an entry (see the file comment); an unreadable time counts as 1970. */
export function trendingScore(upvotes: number, submittedAt: string): number {
  const t = Date.parse(submittedAt);
  const halfLives = Number.isFinite(t) ? t / (HALF_LIFE_HOURS * HOUR_MS) : 0;
  return Math.log2(Math.max(0, upvotes) + 1) + halfLives;
}

/** The decayed weight (upvotes + 1) × 2^(−age / half-life) at `now`; ranks like trendingScore at every `now`. */
export function decayedWeight(upvotes: number, submittedAt: string, now: Date): number {
  const t = Date.parse(submittedAt);
  const ageHours = Number.isFinite(t) ? (now.getTime() - t) / HOUR_MS : 0;
  return (Math.max(0, upvotes) + 1) * Math.pow(2, -ageHours / HALF_LIFE_HOURS);
}

/** One paper of the worked example on /about/ranking. */
export interface ExampleEntry {
  label: string;
  upvotes: number;
  submittedAt: string;
  score: number;
  /** Hours between submission and the example's "now". */
  ageHours: number;
  weight: number;
}

/**
 * The worked example shown on /about/ranking, computed from the constants above so the page cannot drift
 * from the code: A has 15 upvotes; B arrives one half-life later with 7 (they tie); C is B with one more.
 */
export function workedExample(): { now: string; entries: ExampleEntry[] } {
  const a = Date.parse('2025-09-10T12:00:00Z');
  const b = a + HALF_LIFE_HOURS * HOUR_MS;
  const now = new Date(b + (HALF_LIFE_HOURS / 2) * HOUR_MS);
  const make = (label: string, upvotes: number, at: number): ExampleEntry => {
    const submittedAt = new Date(at).toISOString();
    return {
      label,
      upvotes,
      submittedAt,
      score: trendingScore(upvotes, submittedAt),
      ageHours: (now.getTime() - at) / HOUR_MS,
      weight: decayedWeight(upvotes, submittedAt, now),
    };
  };
  return { now: now.toISOString(), entries: [make('A', 15, a), make('B', 7, b), make('C', 8, b)] };
}
