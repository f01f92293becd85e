/**
 * Query parameters of the Hugging Face–compatible API, validated into plain options. Each parser
 * returns either the options or an error message a client can act on (answered as a 400).
 */
import type { EntrySort } from '../../store/entries.ts';
import { isValidDate, monthRange, weekRange } from '../../time.ts';

/** Either parsed options or the reason they were refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Options for `listEntries`, from `/api/daily_papers` parameters. */
export interface DailyQuery {
  from?: string;
  to?: string;
  submitter?: string;
  sort: EntrySort;
  offset: number;
  limit: number;
}

/** Options for `searchPapers`, from `/api/papers/search` parameters. */
export interface SearchQuery {
  q: string;
  limit: number;
}

export const DAILY_LIMIT_DEFAULT = 50;
export const DAILY_LIMIT_MAX = 100;
export const SEARCH_LIMIT_DEFAULT = 20;
export const SEARCH_LIMIT_MAX = 120;
export const SEARCH_Q_MAX = 250;
// Deep pages are never useful and a huge offset only costs the database a scan.
const MAX_PAGE = 100_000;

/** A whole number in [min, max] written as plain digits, or null. */
function intParam(raw: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

type Get = (name: string) => string | undefined;

/** `/api/daily_papers?p&limit&date|week|month&submitter&sort`. */
export function parseDailyQuery(get: Get): Parsed<DailyQuery> {
  const limitRaw = get('limit');
  const limit = limitRaw === undefined || limitRaw === '' ? DAILY_LIMIT_DEFAULT : intParam(limitRaw, 1, DAILY_LIMIT_MAX);
  if (limit === null) return { ok: false, error: `limit must be a whole number from 1 to ${DAILY_LIMIT_MAX}` };
  const pRaw = get('p');
  const page = pRaw === undefined || pRaw === '' ? 0 : intParam(pRaw, 0, MAX_PAGE);
  if (page === null) return { ok: false, error: `p is the page number, a whole number from 0 to ${MAX_PAGE}` };

  const periods = (['date', 'week', 'month'] as const).filter((k) => (get(k) ?? '') !== '');
  if (periods.length > 1) return { ok: false, error: `use only one of date, week and month (got ${periods.join(', ')})` };
  let from: string | undefined;
  let to: string | undefined;
  const period = periods[0];
  if (period === 'date') {
    const date = get('date')!;
    if (!isValidDate(date)) return { ok: false, error: 'date must be a calendar date written YYYY-MM-DD' };
    from = to = date;
  } else if (period === 'week') {
    const r = weekRange(get('week')!);
    if (!r) return { ok: false, error: 'week must be an ISO week written YYYY-Www, such as 2025-W07' };
    ({ from, to } = r);
  } else if (period === 'month') {
    const r = monthRange(get('month')!);
    if (!r) return { ok: false, error: 'month must be written YYYY-MM, such as 2025-02' };
    ({ from, to } = r);
  }

  // Within a day, week or month the feed is ordered by upvotes, like our pages; without one, the
  // newest papers come first, like HF's default `sort=publishedAt` listing.
  const sortRaw = get('sort') ?? '';
  let sort: EntrySort;
  if (sortRaw === '') sort = period ? 'upvotes' : 'publishedAt';
  else if (sortRaw === 'publishedAt' || sortRaw === 'trending' || sortRaw === 'upvotes') sort = sortRaw;
  else return { ok: false, error: 'sort must be publishedAt, trending or upvotes' };

  const submitter = get('submitter') || undefined;
  // Control characters (NUL above all, which PostgreSQL refuses in text) are never part of a user name.
  if (submitter !== undefined && (submitter.length > 100 || /\p{Cc}/u.test(submitter))) {
    return { ok: false, error: 'submitter must be a user name of at most 100 characters' };
  }
  return { ok: true, value: { from, to, submitter, sort, offset: page * limit, limit } };
}

/** `/api/papers/search?q&limit`. */
export function parseSearchQuery(get: Get): Parsed<SearchQuery> {
  const q = (get('q') ?? '').trim();
  if (q === '') return { ok: false, error: 'q is required: the text to search for' };
  // Counted in characters (code points), so an emoji counts once.
  if ([...q].length > SEARCH_Q_MAX) return { ok: false, error: `q must be at most ${SEARCH_Q_MAX} characters` };
  const limitRaw = get('limit');
  const limit = limitRaw === undefined || limitRaw === '' ? SEARCH_LIMIT_DEFAULT : intParam(limitRaw, 1, SEARCH_LIMIT_MAX);
  if (limit === null) return { ok: false, error: `limit must be a whole number from 1 to ${SEARCH_LIMIT_MAX}` };
  return { ok: true, value: { q, limit } };
}
