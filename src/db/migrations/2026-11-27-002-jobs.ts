/**
 * The job queue: one `jobs` table serves as the queue on both databases (claimed with FOR UPDATE SKIP
 * LOCKED on PostgreSQL, by SQLite's single writer on SQLite), plus the recurring-slot dedup key.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the auto-increment key (serial vs INTEGER PRIMARY KEY AUTOINCREMENT).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('jobs')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    // The handler's name in the worker's registry.
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('queued').check(sql`status IN ('queued', 'running', 'done', 'failed')`),
    )
    // Claims so far, counted when claimed (so a worker that dies mid-job still uses up an attempt).
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    // Timestamps are ISO-8601 UTC text with milliseconds (Date#toISOString), like the rest of the schema,
    // so `<` compares them correctly on both databases.
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    // `schedule@slot` for recurring jobs; NULL (never conflicting, on both databases) for one-off jobs.
    .addColumn('unique_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  // The claim looks for queued jobs due by run_at, and for running jobs whose lease ran out.
  await db.schema.createIndex('jobs_status_run_at').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema.createIndex('jobs_status_lease_until').on('jobs').columns(['status', 'lease_until']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
