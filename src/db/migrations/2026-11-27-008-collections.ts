/**
 * Collections: a user's named lists of papers (public or private), and the papers in them with the
 * time each was added and an optional note.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the auto-increment key (serial vs INTEGER PRIMARY KEY AUTOINCREMENT).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('collections')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // `[a-z0-9-]`, 1-60 characters, unique per user; the URL is /u/{handle}/collections/{slug}.
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // 0 or 1 (an integer on both databases, so the query code is the same).
    .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(0).check(sql`is_public IN (0, 1)`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('collections_user_slug', ['user_id', 'slug'])
    .execute();

  await db.schema
    .createTable('collection_papers')
    .addColumn('collection_id', 'integer', (c) => c.notNull().references('collections.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('note', 'text')
    // ISO 8601 UTC with milliseconds: listings are ordered by it.
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('collection_papers_pk', ['collection_id', 'paper_id'])
    .execute();
  await db.schema.createIndex('collection_papers_added').on('collection_papers').columns(['collection_id', 'added_at']).execute();
  // "Collections that hold this paper" on the paper page.
  await db.schema.createIndex('collection_papers_paper').on('collection_papers').column('paper_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
