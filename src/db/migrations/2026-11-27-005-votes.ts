/**
 * Votes and submissions: the `votes` table (one upvote per user per paper) and the counts kept on the
 * rows they rank.
 *
 * - `papers.upvotes`: how many `votes` rows the paper has (papers outside the feed can be upvoted too).
 * - `daily_entries.imported_upvotes`: upvotes imported from Hugging Face (written by the HF import);
 *   `daily_entries.upvotes` becomes imported_upvotes + papers.upvotes, kept so by the vote transaction.
 * - `daily_entries.trending`: log2(upvotes + 1) + submitted_at in days since 1970 (half-life 24 hours;
 *   see src/rank/trending.ts), an order-preserving time-decay score that never needs recomputing.
 * - `daily_entries.submitter_user_id` and `comment`: who submitted the entry here, and their note.
 * Existing rows: every current count is an imported one, so imported_upvotes = upvotes, and trending is
 * computed with the formula as it stands today (frozen here on purpose: migrations import no app code).
 * Frozen once landed: never edit, add a new migration instead.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** The trending formula at the time of this migration (src/rank/trending.ts may change; this may not). */
function trendingAtMigration(upvotes: number, submittedAt: string): number {
  const t = Date.parse(submittedAt);
  return Math.log2(Math.max(0, upvotes) + 1) + (Number.isFinite(t) ? t / (24 * 3_600_000) : 0);
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('votes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('votes_pk', ['user_id', 'paper_id'])
    .execute();
  // Upvoters of a paper in order, and recounts by paper.
  await db.schema.createIndex('votes_paper_id').on('votes').columns(['paper_id', 'created_at']).execute();

  await db.schema.alterTable('papers').addColumn('upvotes', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema.alterTable('daily_entries').addColumn('imported_upvotes', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .alterTable('daily_entries')
    .addColumn('trending', pg ? 'double precision' : 'real', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('daily_entries')
    .addColumn('submitter_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('daily_entries').addColumn('comment', 'text').execute();
  await db.schema.createIndex('daily_entries_trending').on('daily_entries').columns(['trending']).execute();
  // The daily quota counts a user's submissions on one feed date.
  await db.schema.createIndex('daily_entries_submitter_user').on('daily_entries').columns(['submitter_user_id', 'feed_date']).execute();

  await sql`UPDATE daily_entries SET imported_upvotes = upvotes`.execute(db);
  const rows = await db.selectFrom('daily_entries').select(['id', 'upvotes', 'submitted_at']).execute();
  for (const r of rows) {
    await db
      .updateTable('daily_entries')
      .set({ trending: trendingAtMigration(Number(r.upvotes), String(r.submitted_at)) })
      .where('id', '=', r.id)
      .execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
