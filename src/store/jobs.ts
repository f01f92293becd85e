/**
 * Jobs: the rows of the database-backed queue. Every function takes `now` so the caller's clock (and
 * the tests' fake clock) decides what is due; timestamps are ISO-8601 UTC text compared as strings.
 *
 * Clock note: "now" is the worker's clock, not the database's. Several machines must keep their clocks
 * in sync (NTP) to well within a lease; leases are tens of seconds, NTP skew is milliseconds.
 *
 * Fencing: a claim bumps `attempts`, and every later write by the worker (done, retry, failed, lease
 * extension) requires both `locked_by` and `attempts` to still be what its claim returned. A worker
 * that lost its lease (it stalled, another worker reclaimed the job) therefore cannot clobber the
 * new holder's row; its writes update nothing and it is told so by a `false` return.
 */
import { type Kysely, PostgresAdapter, type Selectable, type Updateable, sql } from 'kysely';
import type { Database, JobsTable } from '../db/schema.ts';

/** queued → running → done, or back to queued (retry), or failed for good. */
export type JobStatus = JobsTable['status'];

/** A job as the queue sees it; `payload` is the stored JSON text (the worker parses it). */
export interface Job {
  id: number;
  name: string;
  payload: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  uniqueKey: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** What a new job needs; see `enqueue` in src/jobs/queue.ts for the defaults. */
export interface NewJob {
  name: string;
  payload: string;
  runAt: string;
  maxAttempts: number;
  uniqueKey: string | null;
}

type JobRow = Selectable<JobsTable>;

function jobFromRow(r: JobRow): Job {
  return {
    id: Number(r.id),
    name: r.name,
    payload: r.payload,
    status: r.status,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAt: r.run_at,
    lockedBy: r.locked_by,
    leaseUntil: r.lease_until,
    lastError: r.last_error,
    uniqueKey: r.unique_key,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

// Error texts can be huge (stack traces of nested causes); the row keeps the useful head.
const MAX_ERROR_CHARS = 4000;

/**
 * Inserts a job; returns its id, or null when a job with the same `uniqueKey` already exists (a
 * recurring slot already enqueued by another scheduler). Works inside a caller's transaction.
 */
export async function insertJob(db: Kysely<Database>, job: NewJob, now: Date): Promise<number | null> {
  const row = await db
    .insertInto('jobs')
    .values({
      name: job.name,
      payload: job.payload,
      status: 'queued',
      attempts: 0,
      max_attempts: job.maxAttempts,
      run_at: job.runAt,
      unique_key: job.uniqueKey,
      created_at: now.toISOString(),
    })
    // DO NOTHING (not an error) so concurrent schedulers racing for the same slot both succeed quietly.
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

/**
 * Claims the next due job for `workerId`: a queued job whose run_at has come, or a running job whose
 * lease ran out (its worker died) and that has attempts left. Returns undefined when there is none.
 *
 * One statement on both databases. PostgreSQL: the subquery locks its row with FOR UPDATE SKIP LOCKED,
 * so concurrent claimers skip each other's row instead of waiting or taking the same job (and in READ
 * COMMITTED a row changed under us is re-checked against the WHERE before it is returned). `=` rather
 * than `IN` makes the subquery an InitPlan evaluated once, so LIMIT 1 really means one row. SQLite: an
 * UPDATE takes the database's single write lock before it reads, so the statement is its own
 * serialised write transaction (BEGIN IMMEDIATE semantics; busy_timeout makes other writers wait).
 */
export async function claimNextJob(
  db: Kysely<Database>,
  workerId: string,
  leaseMs: number,
  now: Date,
): Promise<Job | undefined> {
  const nowIso = now.toISOString();
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const lock = isPostgres(db) ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const { rows } = await sql<JobRow>`
    UPDATE jobs
       SET status = 'running', locked_by = ${workerId}, lease_until = ${leaseUntil}, attempts = attempts + 1
     WHERE id = (
       SELECT id FROM jobs
        WHERE (status = 'queued' AND run_at <= ${nowIso})
           OR (status = 'running' AND lease_until < ${nowIso} AND attempts < max_attempts)
        ORDER BY run_at, id
        LIMIT 1
        ${lock})
    RETURNING *`.execute(db);
  return rows[0] ? jobFromRow(rows[0]) : undefined;
}

/** The fencing condition: the worker still holds the job under the claim it was given. */
function held(job: Pick<Job, 'id' | 'attempts'>, workerId: string) {
  return sql<boolean>`id = ${job.id} AND status = 'running' AND locked_by = ${workerId} AND attempts = ${job.attempts}`;
}

/** Applies `changes` to a job only while this worker still holds it; true when it did. */
async function updateHeld(
  db: Kysely<Database>,
  job: Pick<Job, 'id' | 'attempts'>,
  workerId: string,
  changes: Updateable<JobsTable>,
): Promise<boolean> {
  const r = await db.updateTable('jobs').set(changes).where(held(job, workerId)).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Pushes the lease of a held job to `leaseUntil` (the heartbeat); false when the worker lost it. */
export async function extendJobLease(
  db: Kysely<Database>,
  job: Pick<Job, 'id' | 'attempts'>,
  workerId: string,
  leaseUntil: Date,
): Promise<boolean> {
  return updateHeld(db, job, workerId, { lease_until: leaseUntil.toISOString() });
}

/** Marks a held job done; false when the worker no longer holds it (nothing is changed then). */
export async function markJobDone(
  db: Kysely<Database>,
  job: Pick<Job, 'id' | 'attempts'>,
  workerId: string,
  now: Date,
): Promise<boolean> {
  return updateHeld(db, job, workerId, { status: 'done', lease_until: null, last_error: null, finished_at: now.toISOString() });
}

/** Puts a held job back in the queue to run again at `runAt`, keeping the error; false when not held. */
export async function requeueJob(
  db: Kysely<Database>,
  job: Pick<Job, 'id' | 'attempts'>,
  workerId: string,
  error: string,
  runAt: Date,
): Promise<boolean> {
  return updateHeld(db, job, workerId, { status: 'queued', lease_until: null, run_at: runAt.toISOString(), last_error: error.slice(0, MAX_ERROR_CHARS) });
}

/** Marks a held job failed for good with its last error; false when not held. */
export async function markJobFailed(
  db: Kysely<Database>,
  job: Pick<Job, 'id' | 'attempts'>,
  workerId: string,
  error: string,
  now: Date,
): Promise<boolean> {
  return updateHeld(db, job, workerId, { status: 'failed', lease_until: null, last_error: error.slice(0, MAX_ERROR_CHARS), finished_at: now.toISOString() });
}

/**
 * Fails running jobs whose lease ran out with no attempts left (their worker died on the last try,
 * e.g. a job that crashes the process every time); the claim skips those, so without this they would
 * stay `running` forever. Returns how many were failed.
 */
export async function failAbandonedJobs(db: Kysely<Database>, now: Date): Promise<number> {
  const nowIso = now.toISOString();
  const r = await db
    .updateTable('jobs')
    .set({
      status: 'failed',
      lease_until: null,
      finished_at: nowIso,
      last_error: sql<string>`'lease expired on the last attempt (the worker stopped or died mid-job)'`,
    })
    .where('status', '=', 'running')
    .where('lease_until', '<', nowIso)
    .where(sql<boolean>`attempts >= max_attempts`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Deletes done and failed jobs that finished before `before`; returns how many. */
export async function deleteFinishedJobs(db: Kysely<Database>, before: Date): Promise<number> {
  const r = await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('finished_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** One job by id. */
export async function getJob(db: Kysely<Database>, id: number): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? jobFromRow(row) : undefined;
}

/** Jobs, newest first, optionally of one status or handler name (for the CLI and tests). */
export async function listJobs(
  db: Kysely<Database>,
  o: { status?: JobStatus; name?: string; limit?: number } = {},
): Promise<Job[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (o.status) q = q.where('status', '=', o.status);
  if (o.name) q = q.where('name', '=', o.name);
  const rows = await q.orderBy('id', 'desc').limit(o.limit ?? 100).execute();
  return rows.map((r) => jobFromRow(r));
}

/** The number of jobs in each status. */
export async function countJobsByStatus(db: Kysely<Database>): Promise<Record<JobStatus, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
