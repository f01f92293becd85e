/**
 * A real worker process for test/jobs-processes.test.ts: `node --import tsx test/helpers/worker-process.ts`
 * with TEST_DB_URL (postgres:// URL or SQLite file), WORKER_ID, LEASE_MS and POLL_MS in the environment.
 * It runs the `test-record` handler, which writes (job id, worker id, phase) rows to the test's own
 * `test_job_runs` table at the start and end of every run, sleeping `payload.sleepMs` in between, and
 * prints one JSON event per line on stdout (`ready`, `start`) so the test can act at the right moment.
 * Logs go to stderr. SIGTERM stops it gracefully (the job in hand finishes first).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { pino } from 'pino';
import { connect } from '../../src/db/connect.ts';
import { createHandlerRegistry } from '../../src/jobs/handlers.ts';
import { startWorker } from '../../src/jobs/worker.ts';

const url = process.env.TEST_DB_URL;
const workerId = process.env.WORKER_ID;
if (!url || !workerId) {
  process.stderr.write('worker-process: TEST_DB_URL and WORKER_ID are required\n');
  process.exit(2);
}
const leaseMs = Number(process.env.LEASE_MS ?? 1000);
const pollMs = Number(process.env.POLL_MS ?? 50);

const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ worker: workerId, ...event })}\n`);
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const conn = connect(url, { poolSize: 3 });

const handlers = createHandlerRegistry({
  'test-record': async (payload, ctx) => {
    const sleepMs = Number((payload as { sleepMs?: number }).sleepMs ?? 0);
    await sql`INSERT INTO test_job_runs (job_id, worker_id, phase) VALUES (${ctx.job.id}, ${workerId}, 'start')`.execute(ctx.db);
    emit({ event: 'start', job: ctx.job.id, attempt: ctx.job.attempts });
    if (sleepMs > 0) await sleep(sleepMs);
    await sql`INSERT INTO test_job_runs (job_id, worker_id, phase) VALUES (${ctx.job.id}, ${workerId}, 'end')`.execute(ctx.db);
  },
});

const worker = startWorker({ db: conn.db, log, handlers, workerId, leaseMs, pollMs });
emit({ event: 'ready' });

process.once('SIGTERM', () => {
  void worker
    .stop()
    .then(() => conn.close())
    .then(() => process.exit(0));
});
