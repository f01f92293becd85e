/**
 * Digest periods in the subscriber's own time zone: a daily digest of local date D is due at hour H
 * local on D (`daily:D`); a weekly one on Monday M at H local (`weekly:YYYY-Www`, the ISO week of M).
 * Send instants come from the wall clock (zonedInstant), so they follow DST: a reader at 08:00 in
 * Pacific/Auckland gets it at 08:00 NZDT in summer and 08:00 NZST in winter.
 */
import { zonedInstant } from '../jobs/schedule.ts';
import { addDays, feedDateOf, isoWeekOf, isValidDate } from '../time.ts';

/** A digest period of one subscription: its key and the instant it fell due. */
export interface DuePeriod {
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-Www`. */
  period: string;
  /** When it fell due (hour H local on the period's day). */
  sendAt: Date;
  /** The papers it covers: from `start` (one day or one week before sendAt) to `sendAt`. */
  start: Date;
}

/** What the period computation needs of a subscription. */
export interface Timing {
  cadence: 'daily' | 'weekly';
  hour: number;
  timezone: string;
}

/** Monday = 0 … Sunday = 6 of a YYYY-MM-DD date. */
function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** The period that fell due on local date `date` (a Monday for weekly), or null when there is none that day. */
export function periodOn(t: Timing, date: string): DuePeriod | null {
  if (!isValidDate(date)) return null;
  if (t.cadence === 'weekly' && weekdayOf(date) !== 0) return null;
  const sendAt = zonedInstant(date, t.hour, 0, t.timezone);
  const days = t.cadence === 'daily' ? 1 : 7;
  const period = t.cadence === 'daily' ? `daily:${date}` : `weekly:${isoWeekOf(date)}`;
  return { period, sendAt, start: new Date(sendAt.getTime() - days * 86_400_000) };
}

/** The most recent period of a subscription that fell due at or before `now`. */
export function latestPeriod(t: Timing, now: Date): DuePeriod {
  let date = feedDateOf(now, t.timezone);
  if (t.cadence === 'weekly') date = addDays(date, -weekdayOf(date));
  const step = t.cadence === 'daily' ? 1 : 7;
  let p = periodOn(t, date)!;
  // Today's (this week's) hour has not come yet in that zone: the previous period is the latest.
  while (p.sendAt.getTime() > now.getTime()) {
    date = addDays(date, -step);
    p = periodOn(t, date)!;
  }
  return p;
}

/** The period a preview for local date `date` shows: that day's (daily) or that date's week's (weekly). */
export function periodForDate(t: Timing, date: string): DuePeriod | null {
  if (!isValidDate(date)) return null;
  return periodOn(t, t.cadence === 'weekly' ? addDays(date, -weekdayOf(date)) : date);
}
