/**
 * A digest worker process for test/digest-crash.test.ts: `node --import tsx test/helpers/digest-send-process.ts`
 * with TEST_DB_URL (SQLite file or postgres:// URL), SMTP_URL, WORKER_ID, LEASE_MS and RATE (messages/s).
 * Runs the real `digest-send` handler in a worker loop at the real time and exits 0 once no job is
 * queued or running. The test kills it with SIGKILL at random moments; with KILL_AFTER_MAILS=N it also
 * SIGKILLs itself right after the server accepted its N-th mail, before the send is recorded: the
 * worst moment for at-most-once. Logs go to stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { createHandlerRegistry, digestHandlers } from '../../src/jobs/handlers.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { smtpMailer } from '../../src/mail/transport.ts';
import { countJobsByStatus } from '../../src/store/jobs.ts';

const url = process.env.TEST_DB_URL!;
const config = loadConfig({
  LOG_LEVEL: 'silent',
  PAPERBOY_SMTP_URL: process.env.SMTP_URL!,
  PAPERBOY_DIGEST_RATE: process.env.RATE ?? '20',
  PAPERBOY_SECRET: 'digest-crash-test-secret-0123456789abcdef',
});
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const conn = connect(url, { poolSize: 3 });
const leaseMs = Number(process.env.LEASE_MS ?? 500);
const killAfter = Number(process.env.KILL_AFTER_MAILS ?? 0);
const real = smtpMailer(config.smtpUrl!, config.mailFrom, { pool: true });
let accepted = 0;
const mailer = {
  ...real,
  async send(mail: Parameters<typeof real.send>[0]) {
    const info = await real.send(mail);
    if (killAfter > 0 && ++accepted >= killAfter) process.kill(process.pid, 'SIGKILL');
    return info;
  },
};
const worker = startWorker({
  db: conn.db,
  log,
  handlers: createHandlerRegistry(digestHandlers(config, { mailer })),
  workerId: process.env.WORKER_ID,
  leaseMs,
  pollMs: 20,
});
process.stdout.write('ready\n');
for (;;) {
  await sleep(100);
  const c = await countJobsByStatus(conn.db);
  if (c.queued === 0 && c.running === 0) break;
}
await worker.stop();
await conn.close();
process.exit(0);
