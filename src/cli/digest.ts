/**
 * `paperboy digest …`: preview a reader's digest, and plan + send what is due at a given time (for
 * tests, catch-up after an outage, or a cron-driven instance without a worker). Sends go through the
 * same at-most-once path as the worker (src/digest/send.ts); the jobs the planner enqueues find the
 * sends done and finish without mailing.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pickPapers } from '../digest/compose.ts';
import { picksFromConfig } from '../digest/picks.ts';
import { latestPeriod, periodForDate } from '../digest/period.ts';
import { findDueDigests, planDigests } from '../digest/plan.ts';
import { renderDigest } from '../digest/render.ts';
import { RetryLaterError, sendDigest, type SendOutcome } from '../digest/send.ts';
import { createThrottle } from '../digest/throttle.ts';
import { createMailer, smtpMailer } from '../mail/transport.ts';
import { getPapers } from '../store/papers.ts';
import { DEFAULT_SETTINGS, getUserSubscription, type Subscription } from '../store/subscriptions.ts';
import { getUserByHandle } from '../store/users.ts';
import { isValidDate } from '../time.ts';
import { loadSecret } from '../web/secret.ts';
import { UsageError, withDatabase } from './common.ts';


function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(d.getTime())) throw new UsageError(`--now accepts an ISO time such as 2026-11-27T08:00:00Z, got ${value}`);
  return d;
}

/** Runs `paperboy digest SUBCOMMAND …` (usage lines are in src/main.ts). */
export async function cmdDigest(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { user: { type: 'string' }, period: { type: 'string' }, out: { type: 'string' }, 'dry-run': { type: 'boolean' }, now: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`digest ${sub} takes no positional arguments`);
  if (sub === 'preview') {
    if (!values.user) throw new UsageError('digest preview needs --user HANDLE');
    if (values.period !== undefined && !isValidDate(values.period)) throw new UsageError(`--period accepts a date YYYY-MM-DD, got ${values.period}`);
    return preview(values.user, values.period, values.out);
  }
  if (sub === 'send') return send(parseNow(values.now), values['dry-run'] === true);
  throw new UsageError(sub === undefined ? 'digest needs a subcommand: preview or send' : `unknown digest subcommand: ${sub}`);
}

async function preview(handle: string, date: string | undefined, out: string | undefined): Promise<void> {
  await withDatabase(async ({ conn, config, log }) => {
    const user = await getUserByHandle(conn.db, handle);
    if (!user) {
      process.stderr.write(`paperboy digest preview: there is no user with the handle "${handle}"\n`);
      process.exit(1);
    }
    // A reader without a subscription is previewed with the defaults, as if they subscribed.
    const now = new Date().toISOString();
    const sub: Subscription = (await getUserSubscription(conn.db, user.id)) ?? {
      ...DEFAULT_SETTINGS, id: 0, userId: user.id, email: user.email, confirmedAt: now, bounceCount: 0, disabledAt: null, disabledReason: null, createdAt: now, updatedAt: now,
    };
    const period = date ? periodForDate(sub, date)! : latestPeriod(sub, new Date());
    const picks = picksFromConfig(conn.db, config, log);
    const items = await pickPapers(conn.db, sub, period, { feedTimezone: config.feedTimezone, picks }).finally(() => picks?.close());
    const papers = new Map((await getPapers(conn.db, items.map((i) => i.paperId))).map((p) => [p.id, p]));
    const entries = items.flatMap((i) => (papers.has(i.paperId) ? [{ paper: papers.get(i.paperId)!, reason: i.reason }] : []));
    const { mail, html } = renderDigest({
      subscription: sub, sendId: 0, period: period.period, entries, baseUrl: config.baseUrl, mailFrom: config.mailFrom, key: await loadSecret(conn.db, config),
    });
    if (out) {
      if (out.endsWith('.html')) writeFileSync(out, html);
      else {
        const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
        const eml = await new MailComposer({ from: config.mailFrom, ...mail }).compile().build();
        writeFileSync(out, eml);
      }
    }
    process.stdout.write(`To: ${mail.to}\nSubject: ${mail.subject}\n${Object.entries(mail.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${mail.text}\n`);
    if (out) process.stdout.write(`\n(written to ${out})\n`);
  });
}

async function send(now: Date, dryRun: boolean): Promise<void> {
  await withDatabase(async ({ conn, config, log }) => {
    if (dryRun) {
      const due = await findDueDigests(conn.db, now);
      for (const d of due) process.stdout.write(`due: subscription ${d.subscription.id} <${d.subscription.email}> ${d.period} (due ${d.sendAt.toISOString()})\n`);
      process.stdout.write(`${due.length} digest(s) due at ${now.toISOString()}; nothing planned or sent (--dry-run)\n`);
      return;
    }
    const planned = await planDigests(conn.db, now);
    const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, { pool: true }) : createMailer(config, log);
    const key = await loadSecret(conn.db, config);
    const throttle = createThrottle(config.digestRate);
    const counts: Partial<Record<SendOutcome, number>> = {};
    const cache = new Map();
    const picks = picksFromConfig(conn.db, config, log);
    try {
      for (const p of planned) {
        let outcome: SendOutcome;
        try {
          outcome = await sendDigest({ db: conn.db, mailer, config, log, key, throttle, now: () => now, cache, picks }, p.sendId);
        } catch (err) {
          if (!(err instanceof RetryLaterError)) throw err;
          outcome = 'retry'; // back to 'planned'; its job retries it when a worker runs
        }
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        process.stdout.write(`${outcome}: subscription ${p.subscription.id} <${p.subscription.email}> ${p.period}\n`);
      }
    } finally {
      mailer.close();
      picks?.close();
    }
    const summary = Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`${planned.length} digest(s) planned at ${now.toISOString()}${summary ? `: ${summary}` : ''}\n`);
  });
}
