/** Saved searches: a user's named keyword query with filters; digests run them over the period's papers. */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { SavedSearchesTable } from '../db/schema.ts';
import { isUniqueViolation } from '../db/errors.ts';

/** Filters a saved search may carry (the search page's). */
export interface SavedSearchFilters {
  /** An arXiv category such as cs.CL. */
  category?: string;
}

/** A saved search. */
export interface SavedSearch {
  id: number;
  userId: number;
  name: string;
  query: string;
  filters: SavedSearchFilters;
  createdAt: string;
}

/** Raised for input the caller must refuse (400) or a duplicate (409): `status` says which. */
export class SavedSearchError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409 = 400,
  ) {
    super(message);
  }
}

/** The most saved searches one person may keep. */
export const MAX_SAVED_SEARCHES = 50;
const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

function fromRow(r: Selectable<SavedSearchesTable>): SavedSearch {
  let filters: SavedSearchFilters = {};
  try {
    const f = JSON.parse(r.filters) as Record<string, unknown>;
    if (typeof f.category === 'string') filters = { category: f.category };
  } catch {
    // A malformed row (written by hand) is read as "no filters".
  }
  return { id: Number(r.id), userId: Number(r.user_id), name: r.name, query: r.query, filters, createdAt: r.created_at };
}

/** Validates a saved search from untrusted input: {query, name?, filters?: {category?}}. */
export function parseSavedSearch(input: unknown): { name: string; query: string; filters: SavedSearchFilters } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new SavedSearchError('Send a JSON object such as {"query": "diffusion models", "name": "Diffusion"}.');
  const o = input as Record<string, unknown>;
  const query = typeof o.query === 'string' ? o.query.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '';
  if (!query) throw new SavedSearchError('query is required: the words to search for.');
  if (query.length > 300) throw new SavedSearchError('query is too long (300 characters at most).');
  if (o.name !== undefined && typeof o.name !== 'string') throw new SavedSearchError('name must be a string.');
  const name = (typeof o.name === 'string' ? o.name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '') || query;
  if (name.length > 100) throw new SavedSearchError('name is too long (100 characters at most).');
  const filters: SavedSearchFilters = {};
  if (o.filters !== undefined && o.filters !== null) {
    if (typeof o.filters !== 'object' || Array.isArray(o.filters)) throw new SavedSearchError('filters must be an object such as {"category": "cs.CL"}.');
    const f = o.filters as Record<string, unknown>;
    for (const k of Object.keys(f)) if (k !== 'category') throw new SavedSearchError(`filters.${k.slice(0, 40)} is unknown; only category is supported.`);
    if (f.category !== undefined) {
      if (typeof f.category !== 'string' || !CATEGORY.test(f.category)) throw new SavedSearchError('filters.category must be an arXiv category such as cs.CL.');
      filters.category = f.category;
    }
  }
  return { name, query, filters };
}

/** A user's saved searches, oldest first. */
export async function listSavedSearches(db: DB, userId: number): Promise<SavedSearch[]> {
  const rows = await db.selectFrom('saved_searches').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  return rows.map(fromRow);
}

/** Saves a search for a user; SavedSearchError (409) for a duplicate or too many. */
export async function createSavedSearch(
  db: DB,
  userId: number,
  input: { name: string; query: string; filters: SavedSearchFilters },
  now: Date = new Date(),
): Promise<SavedSearch> {
  const count = await db.selectFrom('saved_searches').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_SAVED_SEARCHES) throw new SavedSearchError(`You already have ${MAX_SAVED_SEARCHES} saved searches; delete one first.`, 409);
  try {
    const r = await db
      .insertInto('saved_searches')
      .values({ user_id: userId, name: input.name, query: input.query, filters: JSON.stringify(input.filters), created_at: now.toISOString() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(r);
  } catch (err) {
    if (isUniqueViolation(err)) throw new SavedSearchError('You have already saved this search.', 409);
    throw err;
  }
}

/** Deletes one of a user's saved searches; false when it is not theirs or does not exist. */
export async function deleteSavedSearch(db: DB, userId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('saved_searches').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}
