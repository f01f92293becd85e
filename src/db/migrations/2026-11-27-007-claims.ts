/**
 * Author claims and organization look-ups.
 *
 * - `author_claims`: a signed-in user says they are one of a paper's listed authors (`author_name`, as
 *   listed); a moderator approves or rejects. One claim per user per paper; approved claims make the
 *   user a "claimed author" of that paper (badge, rights to edit the code and project links).
 * - An index on `daily_entries.organization`: organization pages find their entries by name.
 * - Author pages (src/store/authors.ts): on PostgreSQL a GIN index over `authors::jsonb` answers "which
 *   papers list exactly this name" by containment; SQLite has no such index and narrows candidates with
 *   the existing FTS5 table instead, so nothing is added there (and nothing slows its import).
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('author_claims')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The author name as listed on the paper when the claim was made.
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status IN ('pending', 'approved', 'rejected')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addUniqueConstraint('author_claims_paper_user', ['paper_id', 'user_id'])
    .execute();
  // The moderators' queue (pending, oldest first) and a user's own claims.
  await db.schema.createIndex('author_claims_status').on('author_claims').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('author_claims_user_id').on('author_claims').column('user_id').execute();

  await db.schema.createIndex('daily_entries_organization').on('daily_entries').column('organization').execute();
  if (pg) {
    // jsonb_path_ops: smaller and faster than the default opclass, and containment (@>) is all we ask.
    await sql`CREATE INDEX papers_authors_jsonb ON papers USING GIN ((authors::jsonb) jsonb_path_ops)`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
