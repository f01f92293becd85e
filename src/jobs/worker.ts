/**
 * Workers: claim a job, run its handler while renewing the lease (heartbeat), record the outcome.
 * `startWorker` is the long-running loop of `serve --role worker|all`; `runOnce` / `runUntilIdle` run
 * jobs synchronously for tests and the CLI.
 *
 * One job at a time per worker; for more parallelism start several workers (each its own id). A worker
 * that dies mid-job leaves the job `running` with a lease that runs out after `leaseMs`; then any worker
 * claims it again (the next attempt).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { claimNextJob, extendJobLease, failAbandonedJobs, type Job, markJobDone } from '../store/jobs.ts';
import type { HandlerRegistry, JobContext } from './handlers.ts';
import { type Backoff, defaultBackoffMs, describeError, recordFailure } from './queue.ts';

/** What a worker needs; only db, log and handlers are required. */
export interface WorkerOptions {
  db: Kysely<Database>;
  log: Logger;
  handlers: HandlerRegistry;
  /** Unique per worker, used to fence writes (default host:pid:random). */
  workerId?: string;
  /** Sleep between polls of an empty queue (default 1 s). */
  pollMs?: number;
  /** How long a claim lasts without a heartbeat (default 60 s): the delay before a dead worker's job is retried. */
  leaseMs?: number;
  /** How often a running job's lease is renewed (default leaseMs / 3, so two heartbeats may fail). */
  heartbeatMs?: number;
  backoff?: Backoff;
  /** The clock (tests). */
  now?: () => Date;
}

/** What became of a job a worker ran: done, queued again, failed for good, or lost to another worker. */
export interface RunResult {
  job: Job;
  outcome: 'done' | 'retry' | 'failed' | 'lost';
  error?: string;
}

/** A worker id unique across hosts and processes. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function resolve(o: WorkerOptions) {
  const leaseMs = o.leaseMs ?? 60_000;
  return {
    ...o,
    workerId: o.workerId ?? defaultWorkerId(),
    pollMs: o.pollMs ?? 1000,
    leaseMs,
    heartbeatMs: o.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)),
    backoff: o.backoff ?? defaultBackoffMs,
    now: o.now ?? (() => new Date()),
  };
}

/** Runs a claimed job to its outcome, renewing the lease while the handler runs. */
async function runClaimed(o: ReturnType<typeof resolve>, job: Job): Promise<RunResult> {
  const { db, log, workerId } = o;
  const fields = { job: job.name, job_id: job.id, attempt: job.attempts, worker: workerId };
  const controller = new AbortController();
  // Set once the handler returns: a heartbeat still in flight then may find the job already done
  // (or re-queued) by us, which is not a lost lease.
  let finished = false;
  const heartbeat = setInterval(() => {
    extendJobLease(db, job, workerId, new Date(o.now().getTime() + o.leaseMs))
      .then((held) => {
        if (held || finished || controller.signal.aborted) return;
        log.warn(fields, 'job lease lost (another worker may be running it); its result will be discarded');
        controller.abort(new Error('job lease lost'));
      })
      .catch((err: unknown) => log.warn({ ...fields, err }, 'job heartbeat failed; will retry'));
  }, o.heartbeatMs);
  const started = Date.now();
  let error: string | undefined;
  try {
    const handler = o.handlers.get(job.name);
    // Not fatal at once: during a rolling upgrade a newer worker may know the handler, so retry later.
    if (!handler) throw new Error(`no handler named "${job.name}" in this worker`);
    let payload: unknown;
    try {
      payload = JSON.parse(job.payload);
    } catch {
      throw new Error(`job ${job.id} has a payload that is not valid JSON`);
    }
    const ctx: JobContext = { db, log: log.child(fields), job, workerId, signal: controller.signal, now: o.now };
    await handler(payload, ctx);
  } catch (err) {
    error = describeError(err);
  } finally {
    finished = true;
    clearInterval(heartbeat);
  }
  const ms = Date.now() - started;
  if (controller.signal.aborted) return { job, outcome: 'lost', error };
  if (error === undefined) {
    const held = await markJobDone(db, job, workerId, o.now());
    if (held) log.info({ ...fields, ms }, 'job done');
    else log.warn({ ...fields, ms }, 'job finished after its lease was lost; result discarded');
    return { job, outcome: held ? 'done' : 'lost' };
  }
  const outcome = await recordFailure(db, job, workerId, error, o.now(), o.backoff);
  const level = outcome === 'failed' ? 'error' : 'warn';
  log[level]({ ...fields, ms, outcome, err: error.split('\n')[0] }, outcome === 'failed' ? 'job failed for good' : 'job attempt failed');
  return { job, outcome, error };
}

/**
 * Claims one due job and runs it; null when no job is due. Also fails jobs abandoned on their last
 * attempt. Database errors are thrown (the job, if claimed, is retried after its lease).
 */
export async function runOnce(options: WorkerOptions): Promise<RunResult | null> {
  const o = resolve(options);
  const swept = await failAbandonedJobs(o.db, o.now());
  if (swept > 0) o.log.error({ jobs: swept }, 'jobs failed: their worker died on the last attempt');
  const job = await claimNextJob(o.db, o.workerId, o.leaseMs, o.now());
  if (!job) return null;
  return runClaimed(o, job);
}

/** Runs due jobs one after another until none is due (or `max` have run); returns what happened. */
export async function runUntilIdle(options: WorkerOptions, max = Number.POSITIVE_INFINITY): Promise<RunResult[]> {
  const o = resolve(options); // one worker id for the whole run
  const results: RunResult[] = [];
  while (results.length < max) {
    const r = await runOnce(o);
    if (!r) break;
    results.push(r);
  }
  return results;
}

/** A running worker loop. */
export interface Worker {
  workerId: string;
  /** Stops claiming; resolves once the job in hand (if any) has finished and been recorded. */
  stop(): Promise<void>;
}

/**
 * Starts the worker loop: runs due jobs back to back, sleeps `pollMs` when the queue is empty, and on a
 * database error logs and backs off (up to 30 s) instead of dying, so it recovers when the database does.
 */
export function startWorker(options: WorkerOptions): Worker {
  const o = resolve(options);
  let stopping = false;
  let wake = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((res) => {
      const t = setTimeout(res, ms);
      wake = () => {
        clearTimeout(t);
        res();
      };
    });
  const loop = (async () => {
    o.log.info({ worker: o.workerId, lease_ms: o.leaseMs }, 'worker started');
    let errors = 0;
    while (!stopping) {
      try {
        const r = await runOnce(o);
        errors = 0;
        if (!r && !stopping) await sleep(o.pollMs);
      } catch (err) {
        errors++;
        const wait = Math.min(o.pollMs * 2 ** errors, 30_000);
        o.log.error({ err, worker: o.workerId, retry_ms: wait }, 'worker cannot reach the database; retrying');
        if (!stopping) await sleep(wait);
      }
    }
    o.log.info({ worker: o.workerId }, 'worker stopped');
  })();
  return {
    workerId: o.workerId,
    stop: async () => {
      stopping = true;
      wake();
      await loop;
    },
  };
}
