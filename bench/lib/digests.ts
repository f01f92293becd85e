/**
 * Digest benchmark: `benchDigests(n)` seeds a SQLite file with the real arXiv sample
 * (testdata/arxiv-listings-sample1000.jsonl, its papers featured on one day) and n readers, each with
 * a daily subscription, two saved searches and two follows drawn (seeded) from the sample's own title
 * words, authors and categories; then
 *   1. composes the n personalised digests (pick papers + render HTML/text), as the send job does:
 *      wall time, digests/s and peak RSS;
 *   2. plans and sends them all through the real at-most-once path (claim, ledger, SMTP, 'sent') with
 *      one pooled SMTP connection to a local smtp-server that counts what it accepts: messages/s.
 * Run alone: `node --import tsx bench/lib/digests.ts [n]`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { pickPapers } from '../../src/digest/compose.ts';
import { latestPeriod } from '../../src/digest/period.ts';
import { planDigests } from '../../src/digest/plan.ts';
import { renderDigest } from '../../src/digest/render.ts';
import { sendDigest } from '../../src/digest/send.ts';
import { createThrottle } from '../../src/digest/throttle.ts';
import { createLogger } from '../../src/log.ts';
import { smtpMailer } from '../../src/mail/transport.ts';
import { upsertEntries } from '../../src/store/entries.ts';
import { getPapers, upsertPapers } from '../../src/store/papers.ts';
import { listActiveSubscriptions } from '../../src/store/subscriptions.ts';
import { feedDateOf } from '../../src/time.ts';
import { loadSecret } from '../../src/web/secret.ts';
import { listingToPaper } from '../../test/helpers/corpus.ts';
import { type ResultRow, row } from './report.ts';
import { startRssSampler } from './rss.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';

const SAMPLE = join(import.meta.dirname, '..', '..', 'testdata', 'arxiv-listings-sample1000.jsonl');

/** What benchDigests measured. */
export interface DigestBench {
  digests: number;
  composeSeconds: number;
  composePerSecond: number;
  composePeakRssMb: number;
  papersPerDigest: number;
  sent: number;
  sendSeconds: number;
  messagesPerSecond: number;
  rows: ResultRow[];
}

/** A local SMTP server that accepts and counts mail without parsing it. */
async function countingSmtp(): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        n++;
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    count: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Composes and sends `n` personalised digests; see the file comment. */
export async function benchDigests(n = 10_000): Promise<DigestBench> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-digests-'));
  const conn = connect(join(dir, 'bench.db'));
  const smtp = await countingSmtp();
  const log = createLogger('silent');
  try {
    const db = conn.db;
    await migrateToLatest(db);
    const papers = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim()).map(listingToPaper);
    await db.transaction().execute((tx) => upsertPapers(tx, papers));
    // Readers get their digest at 08:00 UTC today; the sample is featured on today's feed date, so
    // every digest has a "top of the day", and papers are re-dated into this week for the searches.
    const now = new Date();
    now.setUTCHours(8, 0, 0, 0);
    const today = feedDateOf(now, 'America/New_York');
    const recent = new Date(now.getTime() - 2 * 86_400_000).toISOString();
    await db.updateTable('papers').set({ published_at: recent, updated_at: recent }).execute();
    await upsertEntries(db, papers.slice(0, 60).map((p, i) => ({ paperId: p.id, feedDate: today, submittedAt: recent, upvotes: 200 - i })));

    const random = mulberry32(48);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const words = [...new Set(papers.flatMap((p) => p.title.toLowerCase().match(/[a-z]{6,}/g) ?? []))];
    const authors = [...new Set(papers.flatMap((p) => p.authors))];
    const categories = [...new Set(papers.flatMap((p) => p.categories))];
    const at = new Date(now.getTime() - 7 * 86_400_000).toISOString();
    for (let i = 0; i < n; i += 500) {
      const ids = Array.from({ length: Math.min(500, n - i) }, (_, k) => i + k);
      await db.transaction().execute(async (tx) => {
        const users = await tx
          .insertInto('users')
          .values(ids.map((k) => ({ email: `reader${k}@bench.example`, handle: `reader${k}`, role: 'user' as const, created_at: at })))
          .returning(['id', 'email'])
          .execute();
        await tx
          .insertInto('subscriptions')
          .values(users.map((u) => ({ user_id: u.id, email: u.email, cadence: 'daily' as const, hour: 8, timezone: 'UTC', include_top: 1, include_saved_searches: 1, include_follows: 1, include_picks: 1, confirmed_at: at, created_at: at, updated_at: at })))
          .execute();
        await tx
          .insertInto('saved_searches')
          .values(users.flatMap((u) => [0, 1].map((j) => ({ user_id: u.id, name: `s${j}`, query: `${pick(words)} ${j === 0 ? '' : pick(words)}`.trim(), filters: '{}', created_at: at }))))
          .onConflict((oc) => oc.doNothing())
          .execute();
        await tx
          .insertInto('follows')
          .values(users.flatMap((u) => [{ user_id: u.id, kind: 'author' as const, value: pick(authors), created_at: at }, { user_id: u.id, kind: 'category' as const, value: pick(categories), created_at: at }]))
          .onConflict((oc) => oc.doNothing())
          .execute();
      });
    }
    const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_SMTP_URL: smtp.url, PAPERBOY_SECRET: 'bench-secret-0123456789abcdef0123456789' });
    const key = await loadSecret(db, config);

    // 1. Compose every digest (no writes), as the send job does for each.
    const subs = await listActiveSubscriptions(db);
    const rss = startRssSampler();
    const t0 = performance.now();
    let papersTotal = 0;
    for (const sub of subs) {
      const period = latestPeriod(sub, now);
      const items = await pickPapers(db, sub, period, { feedTimezone: config.feedTimezone });
      const found = new Map((await getPapers(db, items.map((x) => x.paperId))).map((p) => [p.id, p]));
      const entries = items.flatMap((x) => (found.has(x.paperId) ? [{ paper: found.get(x.paperId)!, reason: x.reason }] : []));
      renderDigest({ subscription: sub, sendId: 0, period: period.period, entries, baseUrl: config.baseUrl, mailFrom: config.mailFrom, key });
      papersTotal += entries.length;
    }
    const composeSeconds = (performance.now() - t0) / 1000;
    const composePeakRssMb = rss.stop();

    // 2. Plan and send them all through the real path, one pooled SMTP connection, no throttle.
    const planned = await planDigests(db, now);
    const mailer = smtpMailer(smtp.url, config.mailFrom, { pool: true });
    const throttle = createThrottle(0);
    const t1 = performance.now();
    let sent = 0;
    for (const p of planned) {
      const outcome = await sendDigest({ db, mailer, config, log, key, throttle, now: () => now }, p.sendId);
      if (outcome === 'sent') sent++;
    }
    const sendSeconds = (performance.now() - t1) / 1000;
    mailer.close();
    if (smtp.count() !== sent) throw new Error(`bench: ${sent} sends recorded but the server accepted ${smtp.count()}`);

    const result = {
      digests: subs.length,
      composeSeconds,
      composePerSecond: subs.length / composeSeconds,
      composePeakRssMb,
      papersPerDigest: papersTotal / Math.max(1, subs.length),
      sent,
      sendSeconds,
      messagesPerSecond: sent / sendSeconds,
    };
    return {
      ...result,
      rows: [
        row({ database: 'sqlite', name: `digests: compose ${subs.length} personalised (wall)`, value: composeSeconds, unit: 's' }),
        row({ database: 'sqlite', name: 'digests: compose rate', value: result.composePerSecond, unit: 'digests/s' }),
        row({ database: 'sqlite', name: 'digests: compose peak RSS', value: composePeakRssMb, unit: 'MB' }),
        row({ database: 'sqlite', name: 'digests: send to local SMTP (one worker, pooled)', value: result.messagesPerSecond, unit: 'messages/s' }),
      ],
    };
  } finally {
    await conn.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  const r = await benchDigests(n);
  const { rows: _rows, ...numbers } = r;
  process.stdout.write(`${JSON.stringify(numbers, null, 2)}\n`);
}
