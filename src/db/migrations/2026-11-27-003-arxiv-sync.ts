/**
 * arXiv synchronisation state: OAI-PMH harvest checkpoints, what each announcement feed listed, and
 * the health of every source (for /status and conditional GETs).
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per harvested (metadata format, set): the window being harvested and the resumption token
  // of the next page, written in the same transaction as the page's papers, so a crash resumes exactly.
  await db.schema
    .createTable('harvest_state')
    // `oai:{metadataPrefix}:{set}` (set empty for the whole archive).
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('metadata_prefix', 'text', (c) => c.notNull())
    .addColumn('set_spec', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('idle').check(sql`status IN ('idle', 'running')`))
    // The window in progress (YYYY-MM-DD, inclusive); NULL when idle.
    .addColumn('window_from', 'text')
    .addColumn('window_until', 'text')
    // Token of the next page; NULL while running means the window's first page is next.
    .addColumn('resumption_token', 'text')
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
    // The `until` of the last completed window: the next window starts there.
    .addColumn('harvested_until', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // What an announcement feed listed, whether or not we hold the paper yet (announcements has a foreign
  // key to papers, so a paper announced before its metadata arrives waits here).
  await db.schema
    .createTable('feed_items')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('feed_date', 'text', (c) => c.notNull())
    .addColumn('paper_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('new', 'cross', 'replace')`))
    // The version the feed announced (replacements carry the new one); NULL when the feed did not say.
    .addColumn('version', 'integer')
    .addPrimaryKeyConstraint('feed_items_pk', ['category', 'feed_date', 'paper_id'])
    .execute();
  await db.schema.createIndex('feed_items_paper').on('feed_items').column('paper_id').execute();

  // One row per (category, feed date) read: how many items the feed had, and when it was read.
  await db.schema
    .createTable('feed_runs')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('feed_date', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('feed_runs_pk', ['category', 'feed_date'])
    .execute();

  // Health and HTTP validators of every source: `oai:{prefix}:{set}`, `feed:{category}`, `api`, `hf`.
  await db.schema
    .createTable('source_status')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
