/**
 * Trending score: upvotes decayed by age, in the spirit of Hacker News' gravity formula.
 *
 *   score = (upvotes + 1) / (age_hours + 2) ^ GRAVITY
 *
 * The +1 lets a fresh paper with no votes yet rank above a week-old one with a few; the +2 hours
 * keeps brand-new entries from dividing by zero; GRAVITY = 1.5 halves a paper's score roughly
 * every day and a half of its first week. Age counts from the entry's submission to the feed.
 */
export const GRAVITY = 1.5;

/** The trending score of an entry at `now`. */
export function trendingScore(upvotes: number, submittedAt: string, now: Date = new Date()): number {
  const ageHours = Math.max(0, (now.getTime() - Date.parse(submittedAt)) / 3_600_000);
  return (Math.max(0, upvotes) + 1) / Math.pow(ageHours + 2, GRAVITY);
}
