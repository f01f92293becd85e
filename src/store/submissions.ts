/**
 * Submitting a paper to the daily feed: the rules (no duplicates, a window after the paper's first
 * version, a per-user daily quota) checked and the entry written in one transaction.
 *
 * The feed date is the calendar date in the feed time zone, where the day turns over at the cut-off
 * hour: with cut-off H, a feed day D runs from D at H:00 to D+1 at H:00 local time (H = 0: midnight to
 * midnight). So with H = 3, a submission at 01:30 on Tuesday still counts for Monday.
 * The quota counts the user's submissions on the current feed date; moderators and admins are exempt.
 * On PostgreSQL the user's row is locked for the transaction, so two concurrent submissions by one
 * person cannot both pass the quota (SQLite has a single writer anyway).
 */
import { type Kysely, sql } from 'kysely';
import type { Config } from '../config.ts';
import { isPostgres, pgSafeText } from '../db/dialect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { Database } from '../db/schema.ts';
import { addDays } from '../time.ts';
import { type Entry, getEntryForPaper, refreshTrending } from './entries.ts';
import { getPaper } from './papers.ts';
import { roleAtLeast, type User } from './users.ts';

type DB = Kysely<Database>;

/** Longest submission comment kept (characters). */
export const MAX_SUBMISSION_COMMENT = 500;
/** Longest organization name kept (characters). */
export const MAX_ORGANIZATION = 100;

/** The configuration the rules read. */
export type SubmissionRules = Pick<Config, 'submitWindowDays' | 'submitDailyQuota' | 'feedTimezone' | 'feedCutoffHour'>;

/** A refused submission: a message a person can act on and the HTTP status that fits it. */
export class SubmissionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 429,
    /** For a quota refusal: seconds until the next feed day. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(now: Date, timeZone: string): { date: string; hour: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** The feed date of an instant: its local date, or the day before while the local hour is before the cut-off. */
export function feedDateAt(now: Date, timeZone: string, cutoffHour: number): string {
  const { date, hour } = localParts(now, timeZone);
  return hour < cutoffHour ? addDays(date, -1) : date;
}

/** Seconds until the feed date changes (to the quarter hour, rounded up). */
export function secondsToNextFeedDay(now: Date, timeZone: string, cutoffHour: number): number {
  const today = feedDateAt(now, timeZone, cutoffHour);
  const step = 15 * 60_000;
  let t = Math.ceil(now.getTime() / step) * step;
  // At most a day plus a DST hour ahead; the bound only guards against a time zone that never turns over.
  for (let i = 0; i < 26 * 4 && feedDateAt(new Date(t), timeZone, cutoffHour) === today; i++) t += step;
  return Math.max(1, Math.ceil((t - now.getTime()) / 1000));
}

/** Plain text for storage: control and format characters become spaces, runs of spaces collapse, capped; empty gives null. */
function cleanLine(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const v = pgSafeText(input).replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  return v.length > 0 ? v : null;
}

/** A submission comment ready to store, or a refusal message when it is too long. */
export function cleanSubmissionComment(input: string | null | undefined): { value: string | null } | { error: string } {
  const v = cleanLine(input);
  if (v !== null && [...v].length > MAX_SUBMISSION_COMMENT) return { error: `The comment is too long: at most ${MAX_SUBMISSION_COMMENT} characters.` };
  return { value: v };
}

/** An organization name ready to store, or a refusal message when it is too long. */
export function cleanOrganization(input: string | null | undefined): { value: string | null } | { error: string } {
  const v = cleanLine(input);
  if (v !== null && [...v].length > MAX_ORGANIZATION) return { error: `The organization name is too long: at most ${MAX_ORGANIZATION} characters.` };
  return { value: v };
}

/** How many papers the user submitted on a feed date. */
export async function submissionsOn(db: DB, userId: number, feedDate: string): Promise<number> {
  const r = await db
    .selectFrom('daily_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('submitter_user_id', '=', userId)
    .where('feed_date', '=', feedDate)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Submissions left to the user today under the quota; null when exempt (moderators, admins). */
export async function quotaLeft(db: DB, user: User, rules: SubmissionRules, now: Date): Promise<number | null> {
  if (roleAtLeast(user.role, 'moderator')) return null;
  const used = await submissionsOn(db, user.id, feedDateAt(now, rules.feedTimezone, rules.feedCutoffHour));
  return Math.max(0, rules.submitDailyQuota - used);
}

function duplicateMessage(e: Entry): string {
  const by = e.submitterHandle ? ` by @${e.submitterHandle}` : e.submitterName ? ` by ${e.submitterName}` : '';
  return `arXiv:${e.paperId} was already submitted on ${e.feedDate}${by}; upvote it instead.`;
}

const DAY_MS = 86_400_000;

export interface SubmissionInput {
  user: User;
  /** Canonical arXiv id of a stored paper (the caller fetches unknown papers first). */
  paperId: string;
  comment?: string | null;
  organization?: string | null;
}

/**
 * Features a stored paper in today's feed for the user, or throws SubmissionError (duplicate 409,
 * out of window 400, quota 429, unknown paper 404, banned 403). Comment and organization must already
 * be cleaned (cleanSubmissionComment, cleanOrganization).
 */
export async function submitPaper(db: DB, input: SubmissionInput, rules: SubmissionRules, now: Date = new Date()): Promise<Entry> {
  const { user, paperId } = input;
  if (user.bannedAt) throw new SubmissionError('This account is banned and cannot submit papers.', 403);
  const feedDate = feedDateAt(now, rules.feedTimezone, rules.feedCutoffHour);
  try {
    return await db.transaction().execute(async (trx) => {
      if (isPostgres(trx)) await trx.selectFrom('users').select('id').where('id', '=', user.id).forUpdate().execute();
      const paper = await getPaper(trx, paperId);
      if (!paper) throw new SubmissionError(`arXiv:${paperId} is not in this instance.`, 404);
      const existing = await getEntryForPaper(trx, paperId);
      if (existing) throw new SubmissionError(duplicateMessage(existing), 409);
      const published = Date.parse(paper.publishedAt);
      if (Number.isFinite(published) && now.getTime() - published > rules.submitWindowDays * DAY_MS) {
        throw new SubmissionError(
          `arXiv:${paperId} first appeared on ${paper.publishedAt.slice(0, 10)}; only papers whose first version is at most ` +
            `${rules.submitWindowDays} day${rules.submitWindowDays === 1 ? '' : 's'} old can be submitted.`,
          400,
        );
      }
      if (!roleAtLeast(user.role, 'moderator')) {
        const used = await submissionsOn(trx, user.id, feedDate);
        if (used >= rules.submitDailyQuota) {
          throw new SubmissionError(
            `You have reached today's limit of ${rules.submitDailyQuota} submission${rules.submitDailyQuota === 1 ? '' : 's'}; ` +
              'try again after the feed day turns over.',
            429,
            secondsToNextFeedDay(now, rules.feedTimezone, rules.feedCutoffHour),
          );
        }
      }
      // A plain insert, not an upsert: a concurrent submission of the same paper must fail, not overwrite.
      await trx
        .insertInto('daily_entries')
        .values({
          paper_id: paperId,
          feed_date: feedDate,
          submitter_name: user.displayName ?? user.handle,
          submitter_handle: user.handle,
          submitter_user_id: user.id,
          organization: input.organization ?? null,
          comment: input.comment ?? null,
          submitted_at: now.toISOString(),
          // Votes cast before the paper was featured count from the start.
          upvotes: sql<number>`coalesce((SELECT upvotes FROM papers WHERE id = ${paperId}), 0)`,
          num_comments: 0,
        })
        .execute();
      await refreshTrending(trx, paperId);
      return (await getEntryForPaper(trx, paperId))!;
    });
  } catch (err) {
    // Two people submitting the same paper at once: the unique paper_id decides, the loser hears who won.
    if (isUniqueViolation(err)) {
      const winner = await getEntryForPaper(db, paperId);
      if (winner) throw new SubmissionError(duplicateMessage(winner), 409);
    }
    throw err;
  }
}
