/**
 * Initial schema: papers with a full-text index (FTS5 on SQLite, tsvector on PostgreSQL), announcements,
 * daily entries, meta.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The two dialects differ only in auto-increment keys and the full-text index (branches marked below).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('papers')
    .addColumn('num', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('title', 'text', (c) => c.notNull())
    // The title's words lower-cased, without accents or punctuation, space-separated (set by the store):
    // exact-title search is an indexed equality instead of a full-text query.
    .addColumn('title_key', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('abstract', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('authors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('primary_category', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('journal_ref', 'text')
    .addColumn('doi', 'text')
    .addColumn('license', 'text')
    .addColumn('code_url', 'text')
    .addColumn('project_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('papers_published_at').on('papers').column('published_at').execute();
  await db.schema.createIndex('papers_primary_category').on('papers').column('primary_category').execute();
  await db.schema.createIndex('papers_title_key').on('papers').column('title_key').execute();

  if (pg) {
    // PostgreSQL: a stored generated tsvector (title weighted A above abstract and authors B) with a GIN
    // index; being generated, it is always in sync with the row inside the same transaction.
    await sql`ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', abstract), 'B') ||
        setweight(to_tsvector('simple', authors), 'B')) STORED`.execute(db);
    await sql`CREATE INDEX papers_search_vector ON papers USING GIN (search_vector)`.execute(db);
  } else {
    // SQLite: an external-content FTS5 table over the paper row; the triggers below keep it in sync inside
    // the writing transaction, so a paper is never visible without being searchable (or vice versa).
    await sql`CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, authors,
        content='papers', content_rowid='num',
        tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    await sql`CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (new.num, new.title, new.abstract, new.authors);
      END`.execute(db);
    await sql`CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.num, old.title, old.abstract, old.authors);
      END`.execute(db);
    await sql`CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, abstract, authors ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) VALUES ('delete', old.num, old.title, old.abstract, old.authors);
        INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (new.num, new.title, new.abstract, new.authors);
      END`.execute(db);
  }

  await db.schema
    .createTable('announcements')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('new', 'cross', 'replace')`))
    .addColumn('category', 'text')
    .addPrimaryKeyConstraint('announcements_pk', ['paper_id', 'date', 'kind'])
    .execute();
  await db.schema.createIndex('announcements_date').on('announcements').columns(['date', 'kind']).execute();

  await db.schema
    .createTable('daily_entries')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('paper_id', 'text', (c) => c.notNull().unique().references('papers.id').onDelete('cascade'))
    .addColumn('feed_date', 'text', (c) => c.notNull())
    .addColumn('submitter_name', 'text')
    .addColumn('submitter_handle', 'text')
    .addColumn('organization', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('num_comments', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('daily_entries_feed_date').on('daily_entries').columns(['feed_date', 'upvotes']).execute();
  await db.schema.createIndex('daily_entries_submitter').on('daily_entries').column('submitter_handle').execute();

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
