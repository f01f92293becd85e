/**
 * Comments on papers: threaded comments (Markdown kept as written, plus the HTML rendered when it was
 * written), their edit history, and reports for moderators.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the auto-increment key (serial vs INTEGER PRIMARY KEY AUTOINCREMENT).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'serial' : 'integer';
  const idColumn = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('comments')
    .addColumn('id', idType, idColumn)
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    // A reply's parent: a comment on the same paper (checked by the store). Null for a top-level comment.
    .addColumn('parent_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The Markdown as written (validated); emptied when the comment is deleted (its last text stays in comment_revisions).
    .addColumn('body', 'text', (c) => c.notNull())
    // The body rendered by the safe Markdown renderer at write time, so pages never pay for rendering.
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Set by the author's last edit: shown as "edited".
    .addColumn('edited_at', 'text')
    // Soft delete: the thread keeps its shape, the comment shows as "[deleted]".
    .addColumn('deleted_at', 'text')
    .addColumn('deleted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // Hidden by a moderator: only moderators see the body, with the moderator's note.
    .addColumn('hidden_at', 'text')
    .addColumn('hidden_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('hidden_note', 'text')
    .execute();
  await db.schema.createIndex('comments_paper_id').on('comments').columns(['paper_id', 'id']).execute();
  await db.schema.createIndex('comments_user_id').on('comments').column('user_id').execute();
  await db.schema.createIndex('comments_parent_id').on('comments').column('parent_id').execute();

  await db.schema
    .createTable('comment_revisions')
    .addColumn('id', idType, idColumn)
    .addColumn('comment_id', 'integer', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    // A previous body, as written.
    .addColumn('body', 'text', (c) => c.notNull())
    // When that body was written (the comment's creation or an earlier edit).
    .addColumn('written_at', 'text', (c) => c.notNull())
    // When it was replaced by an edit, or removed by a deletion.
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('comment_revisions_comment_id').on('comment_revisions').columns(['comment_id', 'id']).execute();

  await db.schema
    .createTable('comment_reports')
    .addColumn('id', idType, idColumn)
    .addColumn('comment_id', 'integer', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('reporter_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Set when a moderator acts on the comment: 'dismissed', 'hidden', 'deleted' or 'banned'.
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('resolution', 'text')
    .execute();
  // One open report per user per comment; once resolved, the same person may report again.
  await db.schema
    .createIndex('comment_reports_one_open')
    .on('comment_reports')
    .columns(['comment_id', 'reporter_id'])
    .unique()
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();
  await db.schema.createIndex('comment_reports_open').on('comment_reports').columns(['resolved_at', 'comment_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
