/**
 * The bare-database baseline: the same rows in a plain SQLite table with an external-content FTS5
 * index of the same shape and tokenizer as Paperboy's, written with prepared statements, and
 * the plain `MATCH ... ORDER BY bm25 LIMIT 20` query. What Paperboy costs is measured against it.
 */
import SQLite from 'better-sqlite3';
import { corpusRecords } from './corpus.ts';

const BATCH = 1000;

/** Creates the baseline schema (same pragmas as src/db/connect.ts, so only our own work differs). */
function openBaseline(file: string): SQLite.Database {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.exec(`
    CREATE TABLE IF NOT EXISTS papers (
      num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, abstract TEXT NOT NULL,
      authors TEXT NOT NULL, categories TEXT NOT NULL, comment TEXT, listing_date TEXT NOT NULL);
    CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts USING fts5(
      title, abstract, authors, content='papers', content_rowid='num',
      tokenize='porter unicode61 remove_diacritics 2');`);
  return db;
}

/** Inserts every corpus row (one transaction per 1000 rows); returns the row count and seconds. */
export async function bareInsert(dbFile: string, corpusPath: string): Promise<{ rows: number; seconds: number }> {
  const start = performance.now();
  const db = openBaseline(dbFile);
  const insertPaper = db.prepare(
    'INSERT OR REPLACE INTO papers (id, title, abstract, authors, categories, comment, listing_date) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertFts = db.prepare('INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)');
  type Row = [string, string, string, string, string, string | null, string];
  const flush = db.transaction((rows: Row[]) => {
    for (const r of rows) {
      const { lastInsertRowid } = insertPaper.run(...r);
      insertFts.run(lastInsertRowid, r[1], r[2], r[3]);
    }
  });
  let batch: Row[] = [];
  let rows = 0;
  for await (const rec of corpusRecords(corpusPath)) {
    batch.push([rec.id, rec.title, rec.abstract, JSON.stringify(rec.authors), JSON.stringify(rec.categories), rec.comment, rec.listing_date]);
    if (batch.length === BATCH) {
      flush(batch);
      rows += batch.length;
      batch = [];
    }
  }
  flush(batch);
  rows += batch.length;
  db.close();
  return { rows, seconds: (performance.now() - start) / 1000 };
}

/**
 * The bare FTS5 expression a developer would write by hand: quoted phrases kept and every other
 * word quoted (so no user text is FTS5 syntax), joined by FTS5's implicit AND. This is the cheap
 * query; a long description usually finds nothing with it, which the quality rows show. Empty when
 * the query has no words.
 */
export function bareFtsExpression(q: string): string {
  const parts: string[] = [];
  const rest = q.replace(/"([^"]*)"/g, (_, phrase: string) => {
    const words = phrase.match(/[\p{L}\p{N}]+/gu);
    if (words) parts.push(`"${words.join(' ')}"`);
    return ' ';
  });
  for (const w of rest.match(/[\p{L}\p{N}]+/gu) ?? []) parts.push(`"${w}"`);
  return parts.join(' ');
}

/** A read-only handle on a baseline database with its prepared top-20 BM25 query. */
export function openBareSearch(dbFile: string): { search(q: string): Array<{ id: string; title: string }>; close(): void } {
  const db = new SQLite(dbFile, { readonly: true });
  const stmt = db.prepare(
    `SELECT p.id, p.title FROM papers_fts JOIN papers p ON p.num = papers_fts.rowid
     WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) LIMIT 20`,
  );
  return {
    search(q: string) {
      const expr = bareFtsExpression(q);
      return expr ? (stmt.all(expr) as Array<{ id: string; title: string }>) : [];
    },
    close: () => db.close(),
  };
}
