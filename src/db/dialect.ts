/**
 * The few helpers whose SQL or behaviour must differ between SQLite and PostgreSQL. Everything else
 * is written once in the query builder; add a helper here only when no dialect-neutral form exists.
 */
import { type Kysely, PostgresAdapter } from 'kysely';

/** True when `db` (a Kysely instance or transaction) talks to PostgreSQL. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Text safe to bind as a PostgreSQL parameter: NUL (U+0000) removed, which PostgreSQL rejects in
 * text values with an error while SQLite stores it. Use on user text that reaches a query.
 */
export function pgSafeText(s: string): string {
  return s.includes('\u0000') ? s.replace(/\u0000/g, '') : s;
}
