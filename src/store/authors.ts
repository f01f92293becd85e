/**
 * Author pages: the papers whose author list holds exactly a given name, newest first.
 *
 * `papers.authors` is a JSON array in a text column, so an exact match needs the array decoded, which
 * over 118k papers is a full scan (0.4-1 s). Measured on the 118k corpus (`npx tsx bench/authors.ts`):
 * - PostgreSQL: containment `authors::jsonb @> '["name"]'`, answered by the GIN index of migration 007:
 *   p50 12 ms / p95 30 ms per page (count + 25 papers), 19 ms for the commonest names.
 * - SQLite has no such index; the FTS5 table already holds every author name, so it narrows the
 *   candidates (the name as a phrase in the authors column) and `json_each` checks them exactly:
 *   p50 1 ms / p95 12-18 ms, 11 ms for the commonest names. No extra table, no import cost.
 *   Names FTS cannot narrow (no letter or digit, or characters JSON escapes in the stored text) take
 *   the exact scan; they are rare and still answered correctly.
 */
import { sql, type SqlBool } from 'kysely';
import type { DB } from '../db/connect.ts';
import { isPostgres, pgSafeText } from '../db/dialect.ts';
import { getPapers, type Paper } from './papers.ts';

/** Longest name looked up; real author names are far shorter. */
export const MAX_AUTHOR_NAME = 300;

/** True when the full-text index can narrow the search for this name (see the file comment). */
function indexable(name: string): boolean {
  return /[\p{L}\p{N}]/u.test(name) && !/["\\\u0000-\u001f\u007f]/.test(name);
}

/** The exact-membership condition on `p.authors`, plus the index pre-filter when it applies. */
function authorCondition(db: DB, name: string) {
  if (isPostgres(db)) {
    // Containment of a one-element array is what the jsonb_path_ops index of migration 007 answers,
    // exactly and for any name: no pre-filter needed.
    return sql<SqlBool>`(p.authors::jsonb) @> ${JSON.stringify([name])}::jsonb`;
  }
  const exact = sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(p.authors) WHERE value = ${name})`;
  if (!indexable(name)) return sql<SqlBool>`instr(p.authors, ${JSON.stringify(name)}) > 0 AND ${exact}`;
  // A quoted FTS5 string is tokenized like the indexed text; a double quote would end it early, but
  // indexable() has ruled those out.
  const phrase = `authors : "${name}"`;
  return sql<SqlBool>`p.num IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ${phrase}) AND ${exact}`;
}

/**
 * One page of an author's papers (newest first version first) and how many there are in all. The
 * matching ids and dates are read once (a name rarely has more than a few hundred papers), so the
 * count and the page cost one index look-up, not two.
 */
export async function papersByAuthor(db: DB, rawName: string, o: { limit?: number; offset?: number } = {}): Promise<{ total: number; papers: Paper[] }> {
  // Exact: surrounding spaces are part of the name; NUL is dropped only where PostgreSQL cannot hold it.
  // Lone surrogates are stored as U+FFFD (src/store/papers.ts); in a jsonb literal they would be an error.
  const wellFormed = rawName.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const name = isPostgres(db) ? pgSafeText(wellFormed) : wellFormed;
  if (name.trim() === '' || name.length > MAX_AUTHOR_NAME) return { total: 0, papers: [] };
  const matches = await db.selectFrom('papers as p').select(['p.id', 'p.published_at']).where(authorCondition(db, name)).execute();
  matches.sort((a, b) => (a.published_at < b.published_at ? 1 : a.published_at > b.published_at ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const offset = Math.max(o.offset ?? 0, 0);
  const limit = Math.min(Math.max(o.limit ?? 20, 1), 100);
  const papers = await getPapers(db, matches.slice(offset, offset + limit).map((m) => m.id));
  return { total: matches.length, papers };
}
