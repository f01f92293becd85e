/**
 * Crash and concurrency tests of digest sending, with real processes and a real SMTP receiver:
 * - a worker process SIGKILLed at random (seeded) moments, at least 10 times, and restarted until the
 *   queue is empty: every due digest reaches a final state, no (recipient, period) gets two mails, and
 *   every send recorded 'sent' arrived exactly once (at-most-once: a send killed mid-SMTP is
 *   "failed unknown" and is not resent);
 * - two worker processes at once on the same database deliver each digest exactly once.
 * On a SQLite file, and on PostgreSQL when PAPERBOY_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { planDigests } from '../src/digest/plan.ts';
import { listDigestSends, UNKNOWN_OUTCOME } from '../src/store/digests.ts';
import { countJobsByStatus } from '../src/store/jobs.ts';
import { DEFAULT_SETTINGS, saveUserSubscription } from '../src/store/subscriptions.ts';
import { createUser } from '../src/store/users.ts';
import { feedDateOf } from '../src/time.ts';
import { seedDigestData } from './helpers/digest-seed.ts';
import { freshPostgres, POSTGRES_URL } from './helpers/postgres.ts';
import { type SmtpReceiver, startSmtpReceiver } from './helpers/smtp.ts';
import { mulberry32 } from './helpers/prng.ts';

const ROOT = new URL('..', import.meta.url).pathname;

interface Sender {
  child: ChildProcess;
  /** Resolves when the worker loop has started. */
  ready: Promise<void>;
  /** Exit code, or null when killed. */
  exited: Promise<number | null>;
}

function spawnSender(url: string, smtpUrl: string, id: string, rate: number, killAfterMails = 0): Sender {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/digest-send-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEST_DB_URL: url, SMTP_URL: smtpUrl, WORKER_ID: id, LEASE_MS: '500', RATE: String(rate), KILL_AFTER_MAILS: String(killAfterMails), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((res) => child.stdout!.once('data', () => res()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, ready, exited };
}

/** A database with `n` subscribers due now (hour = this UTC hour), and their sends planned. */
async function prepare(conn: Connection, n: number): Promise<number> {
  const now = new Date();
  await seedDigestData(conn.db, { feedDate: feedDateOf(now, 'America/New_York') });
  for (let i = 0; i < n; i++) {
    const u = await createUser(conn.db, { email: `reader${i}@example.org`, handle: `reader${i}` });
    await saveUserSubscription(conn.db, u, { ...DEFAULT_SETTINGS, hour: now.getUTCHours(), timezone: 'UTC' }, { now: new Date(now.getTime() - 86_400_000) });
  }
  return (await planDigests(conn.db, now)).length;
}

/** Mails received per `recipient|period` (from the X-Paperboy-Digest header). */
function receivedCounts(smtp: SmtpReceiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of smtp.messages) {
    const line = m.headerLines.find((h) => h.key === 'x-paperboy-digest')?.line ?? '';
    const period = line.split(' ').at(-1)!;
    const to = (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address ?? '?';
    const key = `${to}|${period}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Checks the at-most-once / exactly-once-when-sent rules; returns the number of unknown outcomes. */
async function checkDeliveries(conn: Connection, smtp: SmtpReceiver, planned: number): Promise<{ sent: number; unknown: number }> {
  await sleep(300); // the receiver parses the last mail asynchronously
  const sends = await listDigestSends(conn.db);
  assert.equal(sends.length, planned);
  const counts = receivedCounts(smtp);
  for (const [key, n] of counts) assert.ok(n <= 1, `${key} received ${n} times`);
  let sent = 0;
  let unknown = 0;
  for (const s of sends) {
    const n = counts.get(`${s.recipient}|${s.period}`) ?? 0;
    if (s.status === 'sent') {
      sent++;
      assert.equal(n, 1, `send ${s.id} is 'sent' and arrived exactly once`);
    } else {
      assert.equal(s.status, 'failed', `send ${s.id} reached a final state (${s.status})`);
      assert.ok(s.lastError?.startsWith(UNKNOWN_OUTCOME), `send ${s.id} failed only as unknown: ${s.lastError}`);
      unknown++;
    }
  }
  const jobs = await countJobsByStatus(conn.db);
  assert.equal(jobs.queued + jobs.running, 0);
  return { sent, unknown };
}

interface Target {
  name: string;
  open(): Promise<{ conn: Connection; url: string; close(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'SQLite file',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'paperboy-digest-'));
      const url = join(dir, 'db.sqlite');
      const conn = connect(url);
      await migrateToLatest(conn.db);
      return { conn, url, close: async () => (await conn.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
];
if (POSTGRES_URL) {
  targets.push({
    name: 'PostgreSQL',
    async open() {
      const c = await freshPostgres();
      return { conn: c, url: c.url, close: () => c.close() };
    },
  });
} else {
  process.stderr.write('digest crash tests on PostgreSQL skipped: set PAPERBOY_TEST_POSTGRES_URL to run them\n');
}

for (const target of targets) {
  describe(`digest sending under crashes and concurrency (${target.name})`, () => {
    let smtp: SmtpReceiver;
    after(() => smtp?.close());

    test('SIGKILLed at random points >= 10 times and restarted: at most once per (recipient, period), exactly once when sent', { timeout: 180_000 }, async () => {
      smtp = await startSmtpReceiver();
      const db = await target.open();
      try {
        const planned = await prepare(db.conn, 120);
        assert.equal(planned, 120);
        const seed = Number(process.env.DIGEST_CRASH_SEED ?? 20261127);
        const random = mulberry32(seed);
        let kills = 0;
        let selfKills = 0;
        for (let round = 0; kills < 12 && round < 40; round++) {
          // Even rounds: killed from outside at a random moment after start-up. Odd rounds: the worker
          // kills itself just after the server accepted its k-th mail, before recording it.
          const self = round % 2 === 1;
          const w = spawnSender(db.url, smtp.url, `w${round}`, 15, self ? 1 + Math.floor(random() * 6) : 0);
          const delay = Math.floor(random() * 1500);
          const finished = w.exited.then((code) => code === 0);
          const done = self ? await finished : await Promise.race([finished, w.ready.then(() => sleep(delay)).then(() => false)]);
          if (done) break; // the queue ran dry before the kill
          if (!self) w.child.kill('SIGKILL');
          await w.exited;
          kills++;
          if (self) selfKills++;
        }
        const last = spawnSender(db.url, smtp.url, 'final', 50);
        assert.equal(await last.exited, 0);
        const { sent, unknown } = await checkDeliveries(db.conn, smtp, planned);
        process.stderr.write(`[digest crash ${target.name}] seed ${seed}: ${kills} kills (${selfKills} right after SMTP), ${sent} sent, ${unknown} unknown (killed mid-SMTP, not resent), ${smtp.messages.length} mails received\n`);
        assert.ok(kills >= 10, `at least 10 kills (got ${kills})`);
        assert.ok(sent >= planned - kills, 'at most one digest lost per kill');
        assert.ok(unknown >= selfKills, 'every kill right after SMTP left an unknown outcome, not a resend');
      } finally {
        await db.close();
        await smtp.close();
      }
    });

    test('two worker processes at once deliver each digest exactly once', { timeout: 120_000 }, async () => {
      smtp = await startSmtpReceiver();
      const db = await target.open();
      try {
        const planned = await prepare(db.conn, 80);
        const a = spawnSender(db.url, smtp.url, 'a', 100);
        const b = spawnSender(db.url, smtp.url, 'b', 100);
        assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
        const { sent, unknown } = await checkDeliveries(db.conn, smtp, planned);
        assert.equal(unknown, 0);
        assert.equal(sent, planned);
        assert.equal(smtp.messages.length, planned);
      } finally {
        await db.close();
        await smtp.close();
      }
    });
  });
}
