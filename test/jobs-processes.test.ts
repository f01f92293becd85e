/**
 * Several real worker processes on one database (test/helpers/worker-process.ts): 200 jobs run exactly
 * once between two workers (PostgreSQL, and SQLite with two processes on one file), and a worker
 * SIGKILLed mid-job has its job run again by the other worker once the lease runs out.
 *
 * Every run writes rows to `test_job_runs`, which has no unique constraint on purpose: a job run twice
 * shows up as two rows instead of an error.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { type Connection, connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { countJobsByStatus, getJob } from '../src/store/jobs.ts';
import { freshPostgres, postgresSkipReason } from './helpers/postgres.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const LEASE_MS = 1000;

interface WorkerProc {
  id: string;
  child: ChildProcess;
  events: Record<string, unknown>[];
  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function spawnWorker(url: string, id: string): WorkerProc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/worker-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEST_DB_URL: url, WORKER_ID: id, LEASE_MS: String(LEASE_MS), POLL_MS: '50', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let e: Record<string, unknown>;
    try {
      e = { ...JSON.parse(line), at: Date.now() };
    } catch {
      return;
    }
    events.push(e);
    for (const w of waiters.filter((w) => w.pred(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    id,
    child,
    events,
    exited,
    waitFor: (pred, timeoutMs = 20_000) => {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker ${id}: timed out waiting for an event`)), timeoutMs);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
  };
}

async function stopWorkers(workers: WorkerProc[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

async function createRunsTable(conn: Connection): Promise<void> {
  await sql`CREATE TABLE test_job_runs (job_id integer NOT NULL, worker_id text NOT NULL, phase text NOT NULL)`.execute(conn.db);
}

async function waitUntil(pred: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** 200 jobs, two worker processes: every job done once, by one of them, and both took part. */
async function twoHundredJobsOnce(conn: Connection, url: string, label: string): Promise<void> {
  await createRunsTable(conn);
  const workers = [spawnWorker(url, `${label}-w1`), spawnWorker(url, `${label}-w2`)];
  try {
    // Both workers are polling before the jobs appear (in one transaction), so both get a fair chance.
    await Promise.all(workers.map((w) => w.waitFor((e) => e.event === 'ready')));
    const started = Date.now();
    await conn.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 200; i++) await enqueue(trx, 'test-record', { sleepMs: 5, i });
    });
    await waitUntil(async () => (await countJobsByStatus(conn.db)).done === 200, 60_000, '200 jobs done');
    const seconds = (Date.now() - started) / 1000;

    const perJob = await sql<{ job_id: number; starts: number; ends: number }>`
      SELECT job_id,
             SUM(CASE WHEN phase = 'start' THEN 1 ELSE 0 END) AS starts,
             SUM(CASE WHEN phase = 'end' THEN 1 ELSE 0 END) AS ends
        FROM test_job_runs GROUP BY job_id`.execute(conn.db);
    assert.equal(perJob.rows.length, 200, 'every job ran');
    for (const r of perJob.rows) {
      assert.equal(Number(r.starts), 1, `job ${r.job_id} started ${r.starts} times`);
      assert.equal(Number(r.ends), 1, `job ${r.job_id} finished ${r.ends} times`);
    }
    const jobs = await conn.db.selectFrom('jobs').select(['status', 'attempts', 'locked_by']).execute();
    assert.ok(jobs.every((j) => j.status === 'done' && j.attempts === 1));
    const perWorker = await sql<{ worker_id: string; n: number }>`
      SELECT worker_id, COUNT(*) AS n FROM test_job_runs WHERE phase = 'end' GROUP BY worker_id ORDER BY worker_id`.execute(conn.db);
    const split = Object.fromEntries(perWorker.rows.map((r) => [r.worker_id, Number(r.n)]));
    assert.deepEqual(Object.keys(split).sort(), [`${label}-w1`, `${label}-w2`], 'both workers ran jobs');
    // The recorded worker of each job is the one that ran it.
    const mismatched = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM jobs j JOIN test_job_runs r ON r.job_id = j.id AND r.phase = 'end'
       WHERE r.worker_id <> j.locked_by`.execute(conn.db);
    assert.equal(Number(mismatched.rows[0]?.n), 0);
    process.stderr.write(`${label}: 200 jobs in ${seconds.toFixed(2)} s, split ${JSON.stringify(split)}\n`);
  } finally {
    await stopWorkers(workers);
  }
}

const pgSkip = postgresSkipReason();

describe('worker processes on PostgreSQL', { skip: pgSkip }, () => {
  let conn: Connection & { url: string };
  before(async () => {
    conn = await freshPostgres();
  });
  after(async () => {
    await conn.close();
  });

  test('two workers run 200 jobs, each exactly once, both taking part', async () => {
    await twoHundredJobsOnce(conn, conn.url, 'pg');
  });

  test('a worker SIGKILLed mid-job: the other runs the job again after the lease and completes it', async () => {
    await conn.db.deleteFrom('jobs').execute();
    await sql`DROP TABLE IF EXISTS test_job_runs`.execute(conn.db);
    await createRunsTable(conn);
    const workers = [spawnWorker(conn.url, 'kill-w1'), spawnWorker(conn.url, 'kill-w2')];
    try {
      await Promise.all(workers.map((w) => w.waitFor((e) => e.event === 'ready')));
      // The job outlives the lease several times over, so it only stays with its worker by heartbeat.
      const id = (await enqueue(conn.db, 'test-record', { sleepMs: 2500 }))!;
      const start = await Promise.race(workers.map((w) => w.waitFor((e) => e.event === 'start' && e.job === id)));
      const victim = workers.find((w) => w.id === start.worker)!;
      const survivor = workers.find((w) => w !== victim)!;
      await sleep(1500); // past the first lease: the survivor must not have taken it meanwhile
      assert.equal(survivor.events.filter((e) => e.event === 'start').length, 0, 'the heartbeat kept the lease');
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;

      const rerun = await survivor.waitFor((e) => e.event === 'start' && e.job === id, 15_000);
      assert.equal(rerun.attempt, 2);
      await waitUntil(async () => (await getJob(conn.db, id))?.status === 'done', 15_000, 'the job to complete');
      const job = await getJob(conn.db, id);
      assert.equal(job?.attempts, 2);
      assert.equal(job?.lockedBy, survivor.id);
      const runs = await sql<{ worker_id: string; phase: string }>`
        SELECT worker_id, phase FROM test_job_runs WHERE job_id = ${id} ORDER BY worker_id, phase`.execute(conn.db);
      assert.deepEqual(
        runs.rows.map((r) => `${r.worker_id}:${r.phase}`).sort(),
        [`${victim.id}:start`, `${survivor.id}:end`, `${survivor.id}:start`].sort(),
        'the killed run never finished; the rerun did',
      );
      const delay = (rerun.at as number) - killedAt;
      process.stderr.write(`pg: job reclaimed ${delay} ms after SIGKILL (lease ${LEASE_MS} ms)\n`);
      assert.ok(delay < LEASE_MS + 3000, `reclaimed within the lease plus polling, took ${delay} ms`);
    } finally {
      await stopWorkers(workers);
    }
  });
});

describe('worker processes on SQLite (two processes, one file)', () => {
  let dir: string;
  let conn: Connection;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperboy-jobs-'));
    file = join(dir, 'jobs.db');
    conn = connect(file);
    await migrateToLatest(conn.db);
  });
  after(async () => {
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('two workers run 200 jobs, each exactly once, both taking part', async () => {
    await twoHundredJobsOnce(conn, file, 'sqlite');
  });
});
