/**
 * The job queue and the schedule, on SQLite and on PostgreSQL (same test bodies; PostgreSQL skips with
 * a printed reason when PAPERBOY_TEST_POSTGRES_URL is unset). Store-level tests drive a fake clock; the
 * heartbeat and stop tests use real time with short leases.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { createHandlerRegistry, ingestHandlers, type JobHandler } from '../src/jobs/handlers.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { currentSlot, enqueueDueSlots, SCHEDULES, type Schedule, schedulesFor, startScheduler, validateSchedules } from '../src/jobs/schedule.ts';
import { runOnce, runUntilIdle, startWorker } from '../src/jobs/worker.ts';
import {
  claimNextJob,
  countJobsByStatus,
  extendJobLease,
  getJob,
  listJobs,
  markJobDone,
} from '../src/store/jobs.ts';
import { freshDb, testConfig } from './helpers/db.ts';
import { freshPostgres, postgresSkipReason } from './helpers/postgres.ts';

const log = createLogger('silent');
const T0 = new Date('2026-11-27T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const dialects: { name: string; skip: string | undefined; open: () => Promise<Connection> }[] = [
  { name: 'sqlite', skip: undefined, open: freshDb },
  { name: 'postgres', skip: postgresSkipReason(), open: freshPostgres },
];

for (const d of dialects) {
  describe(`job queue on ${d.name}`, { skip: d.skip }, () => {
    // One migrated database per dialect (creating a PostgreSQL database costs ~1 s); each test starts
    // from an empty queue.
    let conn: Connection;
    before(async () => {
      conn = await d.open();
    });
    after(async () => {
      await conn.close();
    });
    beforeEach(async () => {
      await conn.db.deleteFrom('jobs').execute();
    });

    test('enqueue, claim, complete: a claimed job is invisible to other claims and ends done', async () => {
      const id = await enqueue(conn.db, 'noop', { a: 1 }, { now: T0 });
      assert.ok(id !== null);
      const job = await claimNextJob(conn.db, 'w1', 1000, T0);
      assert.ok(job);
      assert.equal(job.id, id);
      assert.equal(job.status, 'running');
      assert.equal(job.attempts, 1);
      assert.equal(job.lockedBy, 'w1');
      assert.equal(job.leaseUntil, at(1000).toISOString());
      assert.deepEqual(JSON.parse(job.payload), { a: 1 });
      assert.equal(await claimNextJob(conn.db, 'w2', 1000, T0), undefined, 'a running job is not claimed again');
      assert.equal(await markJobDone(conn.db, job, 'w1', at(10)), true);
      const row = await getJob(conn.db, id);
      assert.equal(row?.status, 'done');
      assert.equal(row?.finishedAt, at(10).toISOString());
      assert.equal(row?.leaseUntil, null);
      assert.equal(await claimNextJob(conn.db, 'w2', 1000, at(100_000)), undefined, 'a done job is never claimed');
    });

    test('runOnce passes the parsed payload to the handler and records done', async () => {
      const seen: unknown[] = [];
      const handlers = createHandlerRegistry({ 'test-echo': async (p) => void seen.push(p) });
      await enqueue(conn.db, 'test-echo', { paper: '2509.08826', n: [1, 2] }, { now: T0 });
      const r = await runOnce({ db: conn.db, log, handlers, workerId: 'w1', now: () => T0 });
      assert.equal(r?.outcome, 'done');
      assert.deepEqual(seen, [{ paper: '2509.08826', n: [1, 2] }]);
      assert.equal((await getJob(conn.db, r!.job.id))?.status, 'done');
      assert.equal(await runOnce({ db: conn.db, log, handlers, workerId: 'w1', now: () => T0 }), null);
    });

    test('jobs run when due, oldest run_at first', async () => {
      const later = await enqueue(conn.db, 'noop', {}, { now: T0, runAt: at(5000) });
      const first = await enqueue(conn.db, 'noop', {}, { now: T0, runAt: at(-1000) });
      const second = await enqueue(conn.db, 'noop', {}, { now: T0 });
      assert.equal((await claimNextJob(conn.db, 'w', 60_000, T0))?.id, first);
      assert.equal((await claimNextJob(conn.db, 'w', 60_000, T0))?.id, second);
      assert.equal(await claimNextJob(conn.db, 'w', 1000, at(4999)), undefined, 'not before run_at');
      assert.equal((await claimNextJob(conn.db, 'w', 1000, at(5000)))?.id, later);
    });

    test('a failing job is retried with backoff, then failed with its last error after max attempts', async () => {
      let calls = 0;
      const handlers = createHandlerRegistry({
        'test-fail': async () => {
          calls++;
          throw new Error(`boom ${calls}`);
        },
      });
      const id = (await enqueue(conn.db, 'test-fail', {}, { now: T0, maxAttempts: 3 }))!;
      let now = T0;
      const opts = { db: conn.db, log, handlers, workerId: 'w1', backoff: (n: number) => 1000 * n, now: () => now };

      assert.equal((await runOnce(opts))?.outcome, 'retry');
      let row = await getJob(conn.db, id);
      assert.equal(row?.status, 'queued');
      assert.equal(row?.attempts, 1);
      assert.equal(row?.runAt, at(1000).toISOString(), 'backoff after attempt 1 is 1 s');
      assert.match(row?.lastError ?? '', /boom 1/);

      now = at(999);
      assert.equal(await runOnce(opts), null, 'not retried before the backoff ends');
      now = at(1000);
      assert.equal((await runOnce(opts))?.outcome, 'retry');
      row = await getJob(conn.db, id);
      assert.equal(row?.runAt, at(3000).toISOString(), 'backoff after attempt 2 is 2 s');

      now = at(3000);
      const last = await runOnce(opts);
      assert.equal(last?.outcome, 'failed');
      row = await getJob(conn.db, id);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.attempts, 3);
      assert.match(row?.lastError ?? '', /boom 3/);
      assert.equal(row?.finishedAt, at(3000).toISOString());
      now = at(1_000_000);
      assert.equal(await runOnce(opts), null, 'a failed job stays failed');
      assert.equal(calls, 3);
    });

    test('an expired lease is reclaimed by another worker, and the old holder can no longer write', async () => {
      const id = (await enqueue(conn.db, 'noop', {}, { now: T0 }))!;
      const a = (await claimNextJob(conn.db, 'worker-a', 1000, T0))!;
      assert.equal(await claimNextJob(conn.db, 'worker-b', 1000, at(999)), undefined, 'the lease still holds');
      // worker-a renews once (heartbeat), then goes silent.
      assert.equal(await extendJobLease(conn.db, a, 'worker-a', at(1500)), true);
      assert.equal(await claimNextJob(conn.db, 'worker-b', 1000, at(1400)), undefined, 'the renewed lease holds');
      const b = await claimNextJob(conn.db, 'worker-b', 1000, at(1501));
      assert.equal(b?.id, id);
      assert.equal(b?.attempts, 2);
      assert.equal(b?.lockedBy, 'worker-b');

      // worker-a wakes up: its writes are fenced off.
      assert.equal(await extendJobLease(conn.db, a, 'worker-a', at(5000)), false);
      assert.equal(await markJobDone(conn.db, a, 'worker-a', at(1600)), false);
      let row = await getJob(conn.db, id);
      assert.equal(row?.status, 'running');
      assert.equal(row?.lockedBy, 'worker-b');

      assert.equal(await markJobDone(conn.db, b!, 'worker-b', at(1700)), true);
      row = await getJob(conn.db, id);
      assert.equal(row?.status, 'done');
    });

    test('a job whose worker died on its last attempt is failed, not left running', async () => {
      const id = (await enqueue(conn.db, 'noop', {}, { now: T0, maxAttempts: 1 }))!;
      assert.ok(await claimNextJob(conn.db, 'dead', 1000, T0));
      const handlers = createHandlerRegistry();
      assert.equal(await runOnce({ db: conn.db, log, handlers, workerId: 'w2', now: () => at(2000) }), null);
      const row = await getJob(conn.db, id);
      assert.equal(row?.status, 'failed');
      assert.match(row?.lastError ?? '', /lease expired/);
    });

    test('unknown handler names and broken payloads fail the attempt with a clear error, not the worker', async () => {
      const unknown = (await enqueue(conn.db, 'no-such-handler', {}, { now: T0 }))!;
      await sql`INSERT INTO jobs (name, payload, status, attempts, max_attempts, run_at, created_at)
                VALUES ('noop', '{not json', 'queued', 0, 1, ${T0.toISOString()}, ${T0.toISOString()})`.execute(conn.db);
      const results = await runUntilIdle({ db: conn.db, log, handlers: createHandlerRegistry(), workerId: 'w', now: () => T0 });
      assert.deepEqual(results.map((r) => r.outcome), ['retry', 'failed']);
      assert.match((await getJob(conn.db, unknown))?.lastError ?? '', /no handler named "no-such-handler"/);
      const [broken] = await listJobs(conn.db, { status: 'failed' });
      assert.match(broken?.lastError ?? '', /not valid JSON/);
    });

    test('a job enqueued in a rolled-back transaction does not exist', async () => {
      await assert.rejects(
        conn.db.transaction().execute(async (trx) => {
          await enqueue(trx, 'noop', {}, { now: T0 });
          throw new Error('rollback');
        }),
        /rollback/,
      );
      assert.deepEqual(await countJobsByStatus(conn.db), { queued: 0, running: 0, done: 0, failed: 0 });
    });

    test('recurring slots: repeated and concurrent scheduler ticks enqueue each slot once', async () => {
      const schedules: Schedule[] = [
        { name: 'test-hourly', handler: 'noop', every: { minutes: 60 } },
        { name: 'test-daily', handler: 'noop', every: { dailyAt: '09:00', timeZone: 'America/New_York' } },
      ];
      const first = await enqueueDueSlots(conn.db, schedules, at(5 * 60_000));
      // 12:05 UTC is 07:05 in New York: the current daily slot is still yesterday's 09:00.
      assert.deepEqual(first.sort(), ['test-daily@2026-11-26', 'test-hourly@2026-11-27T12:00:00.000Z']);
      // Five schedulers ticking at once (on PostgreSQL these run on separate pooled connections).
      const racing = await Promise.all([1, 2, 3, 4, 5].map((i) => enqueueDueSlots(conn.db, schedules, at(i * 60_000))));
      assert.deepEqual(racing.flat(), [], 'no tick in the same slot enqueues anything');
      assert.equal((await listJobs(conn.db)).length, 2);

      // The next hour is a new hourly slot; the daily slot is unchanged.
      assert.deepEqual(await enqueueDueSlots(conn.db, schedules, at(61 * 60_000)), ['test-hourly@2026-11-27T13:00:00.000Z']);
      // A slot already run (done) is not enqueued again either.
      await runUntilIdle({ db: conn.db, log, handlers: createHandlerRegistry(), workerId: 'w', now: () => at(62 * 60_000) });
      assert.deepEqual(await enqueueDueSlots(conn.db, schedules, at(62 * 60_000)), []);
      assert.deepEqual(await countJobsByStatus(conn.db), { queued: 0, running: 0, done: 3, failed: 0 });
    });

    test('startScheduler ticks at once and its stop() waits for the tick', async () => {
      const schedules: Schedule[] = [{ name: 'test-minutely', handler: 'noop', every: { minutes: 1 } }];
      const a = startScheduler({ db: conn.db, log, schedules, intervalMs: 10, now: () => T0 });
      const b = startScheduler({ db: conn.db, log, schedules, intervalMs: 10, now: () => T0 });
      await sleep(100);
      await Promise.all([a.stop(), b.stop()]);
      const jobs = await listJobs(conn.db);
      assert.deepEqual(jobs.map((j) => j.uniqueKey), ['test-minutely@2026-11-27T12:00:00.000Z']);
    });

    test('the heartbeat keeps a long job with its worker: a second worker does not run it too', async () => {
      const runs: string[] = [];
      const handler: JobHandler = async (_p, ctx) => {
        runs.push(ctx.workerId);
        await sleep(900); // three times the lease
      };
      const handlers = createHandlerRegistry({ 'test-slow': handler });
      const id = (await enqueue(conn.db, 'test-slow', {}))!;
      const opts = { db: conn.db, log, handlers, leaseMs: 300, heartbeatMs: 100, pollMs: 20 };
      const w1 = startWorker({ ...opts, workerId: 'w1' });
      const w2 = startWorker({ ...opts, workerId: 'w2' });
      for (let i = 0; i < 100 && (await getJob(conn.db, id))?.status !== 'done'; i++) await sleep(50);
      await Promise.all([w1.stop(), w2.stop()]);
      const row = await getJob(conn.db, id);
      assert.equal(row?.status, 'done');
      assert.equal(row?.attempts, 1);
      assert.equal(runs.length, 1, `ran once, not by ${runs.join(', ')}`);
    });

    test('stop() lets the job in hand finish and be recorded', async () => {
      let started = false;
      const handlers = createHandlerRegistry({
        'test-slow': async () => {
          started = true;
          await sleep(300);
        },
      });
      const id = (await enqueue(conn.db, 'test-slow', {}))!;
      const w = startWorker({ db: conn.db, log, handlers, workerId: 'w', pollMs: 10 });
      for (let i = 0; i < 100 && !started; i++) await sleep(10);
      assert.ok(started);
      await w.stop();
      assert.equal((await getJob(conn.db, id))?.status, 'done');
    });

    test('prune-jobs deletes finished jobs older than two weeks and keeps the rest', async () => {
      const old = at(-15 * 86_400_000);
      const oldDone = (await enqueue(conn.db, 'noop', {}, { now: old }))!;
      await runUntilIdle({ db: conn.db, log, handlers: createHandlerRegistry(), workerId: 'w', now: () => old });
      const oldQueued = (await enqueue(conn.db, 'noop', {}, { now: old, runAt: at(1_000_000) }))!;
      const recentDone = (await enqueue(conn.db, 'noop', {}, { now: T0 }))!;
      await runUntilIdle({ db: conn.db, log, handlers: createHandlerRegistry(), workerId: 'w', now: () => T0 });
      const prune = (await enqueue(conn.db, 'prune-jobs', {}, { now: T0 }))!;
      await runUntilIdle({ db: conn.db, log, handlers: createHandlerRegistry(), workerId: 'w', now: () => T0 });
      assert.equal(await getJob(conn.db, oldDone), undefined);
      assert.equal((await getJob(conn.db, oldQueued))?.status, 'queued');
      assert.equal((await getJob(conn.db, recentDone))?.status, 'done');
      assert.equal((await getJob(conn.db, prune))?.status, 'done');
    });
  });
}

describe('schedule slots', () => {
  test('every N minutes: slots aligned to the epoch', () => {
    const s = currentSlot({ minutes: 60 }, new Date('2026-11-27T12:34:56.789Z'));
    assert.equal(s.slot, '2026-11-27T12:00:00.000Z');
    assert.equal(currentSlot({ minutes: 15 }, new Date('2026-11-27T12:34:56Z')).slot, '2026-11-27T12:30:00.000Z');
  });

  test('daily at a wall-clock time in a zone, across standard and daylight time', () => {
    const every = { dailyAt: '09:00', timeZone: 'America/New_York' };
    // 08:59 EST: today's 09:00 has not come, so the slot is yesterday's.
    assert.deepEqual(currentSlot(every, new Date('2026-11-27T13:59:00Z')), {
      slot: '2026-11-26',
      startsAt: new Date('2026-11-26T14:00:00Z'),
    });
    assert.deepEqual(currentSlot(every, new Date('2026-11-27T14:00:00Z')), {
      slot: '2026-11-27',
      startsAt: new Date('2026-11-27T14:00:00Z'),
    });
    // Summer: 09:00 EDT is 13:00 UTC.
    assert.deepEqual(currentSlot(every, new Date('2026-07-01T13:00:00Z')).startsAt, new Date('2026-07-01T13:00:00Z'));
    // Day of the spring-forward change (2026-03-08): 09:00 EDT.
    assert.deepEqual(currentSlot(every, new Date('2026-03-08T20:00:00Z')).startsAt, new Date('2026-03-08T13:00:00Z'));
    // Just after midnight in Tokyo, the UTC date is still the previous day.
    const tokyo = currentSlot({ dailyAt: '00:30', timeZone: 'Asia/Tokyo' }, new Date('2026-11-27T15:45:00Z'));
    assert.deepEqual(tokyo, { slot: '2026-11-28', startsAt: new Date('2026-11-27T15:30:00Z') });
  });

  test('SCHEDULES is valid and every schedule has a registered handler', () => {
    validateSchedules(SCHEDULES);
    const handlers = createHandlerRegistry(ingestHandlers(testConfig()));
    for (const s of SCHEDULES) assert.ok(handlers.has(s.handler), `schedule ${s.name}: no handler ${s.handler}`);
  });

  test('arXiv schedules run after the evening announcement in New York, and only when sync is on', () => {
    const arxiv = SCHEDULES.filter((s) => s.arxiv);
    assert.deepEqual(arxiv.map((s) => s.handler).sort(), ['arxiv-announcements', 'arxiv-announcements', 'arxiv-harvest']);
    for (const s of arxiv) assert.equal('timeZone' in s.every && s.every.timeZone, 'America/New_York');
    // The harvest slot of Monday evening 2026-04-27 (20:00 announcement) starts at 22:00 EDT = 02:00 UTC.
    const harvest = arxiv.find((s) => s.name === 'arxiv-harvest')!;
    assert.equal(currentSlot(harvest.every, new Date('2026-04-28T02:30:00Z')).startsAt.toISOString(), '2026-04-28T02:00:00.000Z');
    assert.deepEqual(schedulesFor({ arxivSync: false }).filter((s) => s.arxiv), []);
    assert.equal(schedulesFor({ arxivSync: true }).length, SCHEDULES.length);
  });

  test('validateSchedules rejects bad declarations with the schedule named', () => {
    assert.throws(() => validateSchedules([{ name: 'x', handler: 'noop', every: { minutes: 0 } }]), /"x".*positive integer/);
    assert.throws(() => validateSchedules([{ name: 'x', handler: 'noop', every: { dailyAt: '25:00', timeZone: 'UTC' } }]), /HH:MM/);
    assert.throws(() => validateSchedules([{ name: 'x', handler: 'noop', every: { dailyAt: '09:00', timeZone: 'Mars/Olympus' } }]), /time zone/);
    const dup = { name: 'x', handler: 'noop', every: { minutes: 5 } };
    assert.throws(() => validateSchedules([dup, dup]), /declared twice/);
  });
});
