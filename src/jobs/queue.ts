/**
 * The queue's policy over the rows in src/store/jobs.ts: how jobs are enqueued (defaults, validation)
 * and what a failure means (retry later with exponential backoff, or fail for good).
 *
 * Because the queue is a table, `enqueue` can run inside the caller's transaction: the job exists if
 * and only if the write that needs it committed (no lost or phantom jobs, unlike a separate broker).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { type Job, insertJob, markJobFailed, requeueJob } from '../store/jobs.ts';

/** Options of `enqueue`. */
export interface EnqueueOptions {
  /** Earliest start (default: now). */
  runAt?: Date;
  /** Total tries including the first (default 5). */
  maxAttempts?: number;
  /** At most one job per key, ever (recurring slots use `schedule@slot`). */
  uniqueKey?: string;
  /** The clock (tests). */
  now?: Date;
}

/** Default number of tries for a job. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Default backoff after failed attempt `attempt` (1-based): 30 s, 1, 2, 4 min … capped at one hour. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/** A backoff policy: milliseconds to wait after failed attempt `attempt` (1-based). */
export type Backoff = (attempt: number) => number;

/**
 * Enqueues a job for the handler `name`; returns its id, or null when `uniqueKey` was already taken.
 * The payload must be JSON-serialisable (it is stored as JSON text).
 */
export async function enqueue(
  db: Kysely<Database>,
  name: string,
  payload: unknown = {},
  o: EnqueueOptions = {},
): Promise<number | null> {
  if (!name) throw new Error('enqueue: a job needs a handler name');
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`enqueue: maxAttempts must be a positive integer, got ${maxAttempts}`);
  const text = JSON.stringify(payload ?? {});
  if (text === undefined) throw new Error(`enqueue: the payload of job ${name} is not JSON-serialisable`);
  const now = o.now ?? new Date();
  return insertJob(
    db,
    { name, payload: text, runAt: (o.runAt ?? now).toISOString(), maxAttempts, uniqueKey: o.uniqueKey ?? null },
    now,
  );
}

/** What happened to a job after a failed attempt. */
export type FailureOutcome = 'retry' | 'failed' | 'lost';

/**
 * Records a failed attempt of a held job: back in the queue after the backoff while attempts remain,
 * otherwise failed for good with the error. 'lost' when the worker no longer held the job.
 */
export async function recordFailure(
  db: Kysely<Database>,
  job: Job,
  workerId: string,
  error: string,
  now: Date,
  backoff: Backoff = defaultBackoffMs,
): Promise<FailureOutcome> {
  if (job.attempts >= job.maxAttempts) {
    return (await markJobFailed(db, job, workerId, error, now)) ? 'failed' : 'lost';
  }
  const runAt = new Date(now.getTime() + backoff(job.attempts));
  return (await requeueJob(db, job, workerId, error, runAt)) ? 'retry' : 'lost';
}

/** A one-line description of a thrown value for `last_error` (the stack helps whoever reads the row). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
