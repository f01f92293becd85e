/** Feed dates: calendar days, ISO weeks and months counted in the configured feed time zone. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/** An inclusive range of feed dates, YYYY-MM-DD. */
export interface DateRange {
  from: string;
  to: string;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function fromUtcDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** True for a real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isValidDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return fromUtcDate(d) === s && Number(m[1]) >= 1900 && Number(m[1]) <= 2999;
}

/** The date `days` after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtcDate(d);
}

/** The calendar date of an instant in a time zone. */
export function feedDateOf(instant: Date | string, timeZone: string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** ISO 8601 week of a date, as `YYYY-Www`. */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - day + 3); // Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / 86400000 / 7);
  return `${year}-W${pad(week)}`;
}

/** Monday..Sunday of an ISO week `YYYY-Www`, or null when malformed or out of range. */
export function weekRange(week: string): DateRange | null {
  const m = WEEK.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const w = Number(m[2]);
  if (year < 1900 || year > 2999 || w < 1 || w > 53) return null;
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (w - 1) * 7);
  const from = fromUtcDate(monday);
  if (isoWeekOf(from) !== week) return null; // week 53 of a 52-week year
  return { from, to: addDays(from, 6) };
}

/** First..last day of a month `YYYY-MM`, or null when malformed. */
export function monthRange(month: string): DateRange | null {
  const m = MONTH.exec(month);
  if (!m) return null;
  const year = Number(m[1]);
  const mo = Number(m[2]);
  if (year < 1900 || year > 2999 || mo < 1 || mo > 12) return null;
  const last = new Date(Date.UTC(year, mo, 0)).getUTCDate();
  return { from: `${m[1]}-${m[2]}-01`, to: `${m[1]}-${m[2]}-${pad(last)}` };
}

/** The ISO week `n` weeks after (or before) a week. */
export function addWeeks(week: string, n: number): string {
  const r = weekRange(week);
  if (!r) throw new Error(`not an ISO week: ${week}`);
  return isoWeekOf(addDays(r.from, 7 * n));
}

/** The month `n` months after (or before) `YYYY-MM`. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}
