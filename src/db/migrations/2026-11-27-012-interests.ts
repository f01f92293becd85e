/**
 * "For you": named standing interests (pasted text, embedded once per model, or a collection used as
 * a seed), on-site feedback on papers ("more like this" / "not interested"), and mutes (authors,
 * categories, keywords) that keep papers out of a reader's recommendations.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ in the auto-increment key and the binary type.
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (t: any) => t.addColumn('id', pg ? 'serial' : 'integer', (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));
  const binary = pg ? 'bytea' : 'blob';

  await id(db.schema.createTable('interests'))
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    // 'text': pasted text (an abstract, a description of a topic); 'collection': one of the user's collections.
    .addColumn('kind', 'text', (c: any) => c.notNull().check(sql`kind IN ('text', 'collection')`))
    .addColumn('body', 'text')
    .addColumn('collection_id', 'integer', (c: any) => c.references('collections.id').onDelete('cascade'))
    // The embedded body and the model that embedded it: re-embedded when the active model changes.
    .addColumn('vector', binary)
    .addColumn('model', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .addUniqueConstraint('interests_user_name', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('paper_feedback')
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c: any) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull().check(sql`kind IN ('more', 'not_interested')`))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    // One opinion per reader and paper; a later click replaces it.
    .addPrimaryKeyConstraint('paper_feedback_pk', ['user_id', 'paper_id'])
    .execute();

  await id(db.schema.createTable('mutes'))
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull().check(sql`kind IN ('author', 'category', 'keyword')`))
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addUniqueConstraint('mutes_user_kind_value', ['user_id', 'kind', 'value'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
