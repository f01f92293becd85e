/** The newest papers of an arXiv category (primary or cross-listed): the category feed and follows. */
import { sql, type SqlBool } from 'kysely';
import type { DB } from '../db/connect.ts';
import { isPostgres } from '../db/dialect.ts';
import { getPapers, type Paper } from './papers.ts';

/**
 * Up to `limit` papers carrying `category`, newest first version first. `categories` is a JSON array
 * in a text column, so membership is a substring test on the quoted name (as the search filter does);
 * walking the published_at index newest first stops after `limit` hits, so a busy category is cheap
 * and only a near-empty one scans far.
 */
export async function papersInCategory(db: DB, category: string, limit = 50): Promise<Paper[]> {
  const quoted = JSON.stringify(category);
  const has = isPostgres(db) ? sql<SqlBool>`strpos(categories, ${quoted}) > 0` : sql<SqlBool>`instr(categories, ${quoted}) > 0`;
  const rows = await db
    .selectFrom('papers')
    .select('id')
    .where(has)
    .orderBy('published_at', 'desc')
    .orderBy('id')
    .limit(Math.min(Math.max(limit, 1), 200))
    .execute();
  return getPapers(db, rows.map((r) => r.id));
}
