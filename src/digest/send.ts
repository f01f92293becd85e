/**
 * Sending one digest: the `digest-send` job handler. The send row (unique per subscription and
 * period, src/digest/plan.ts) moves through
 *
 *   planned --claim--> sending --SMTP accepted--> sent
 *                         |--4xx / no connection--> planned (the job retries later; failed on its last try)
 *                         |--5xx--> failed (bounce counted; the address is disabled after PAPERBOY_DIGEST_MAX_BOUNCES)
 *                         '--crash / lost reply--> failed "unknown: …" (never resent)
 *   planned --nothing new / inactive--> skipped
 *
 * AT-MOST-ONCE, by choice. The row is marked 'sending' (and the papers claimed in the recipient's
 * ledger) in a committed transaction BEFORE the SMTP transaction starts, and only a 'planned' row can
 * be claimed. A worker that dies between the claim and recording the outcome leaves the row 'sending';
 * whoever finds it there (the job's next attempt, after the lease ran out) cannot know whether the
 * server accepted the mail, so it marks the send failed with an "unknown:" error and does NOT send
 * again. A reader may therefore miss one digest after a crash, but never gets one twice; the issue
 * asks for "never sends twice", and a lost digest is the lesser harm (the next one comes tomorrow).
 * Likewise a connection that breaks after the message data may have gone out is "unknown", while a
 * 4xx reply or a connection that never opened is a clean "not delivered" and is retried.
 */
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/transport.ts';
import {
  claimPapers,
  type DigestSend,
  getDigestSend,
  listDigestItems,
  markSendSent,
  releasePapers,
  transitionSend,
  UNKNOWN_OUTCOME,
} from '../store/digests.ts';
import { getPapers } from '../store/papers.ts';
import { getSubscription, isActive, recordBounce, resetBounces, type Subscription } from '../store/subscriptions.ts';
import { type ComposeCache, pickPapers, type PicksSource } from './compose.ts';
import { type DuePeriod, periodOn } from './period.ts';
import { type DigestEntry, renderDigest } from './render.ts';
import type { Throttle } from './throttle.ts';

/** How a failed SMTP transaction is treated. */
export type SmtpFailure = 'temporary' | 'permanent' | 'unknown';

/** What sending needs. */
export interface SendDeps {
  db: DB;
  mailer: Mailer;
  config: Pick<Config, 'baseUrl' | 'mailFrom' | 'feedTimezone' | 'digestMaxBounces'>;
  log: Logger;
  /** The site's signing key (src/web/secret.ts loadSecret). */
  key: Buffer;
  throttle: Throttle;
  now: () => Date;
  cache?: ComposeCache;
  /** Personal picks (src/foryou/recommend.ts personalPicks); absent: `include.picks` adds nothing. */
  picks?: PicksSource;
  /** Set when the caller lost the right to send (the job's lease): checked just before SMTP. */
  signal?: AbortSignal;
}

/** What became of a send. */
export type SendOutcome =
  | 'sent'
  | 'skipped'
  | 'retry'
  | 'failed'
  | 'bounced'
  | 'unknown'
  | 'already-done'
  | 'missing';

/** Thrown to make the job retry later (a temporary SMTP failure). */
export class RetryLaterError extends Error {}

const CONNECT_FAILURES = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|Greeting never received/;

/** Classifies a rejected `mailer.send` (see the file comment). */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return 'permanent';
    if (e.responseCode >= 400) return 'temporary';
  }
  // No reply. Nothing left the machine when the connection never opened; otherwise the server may
  // have accepted the message before the connection broke.
  if (e.code === 'EDNS' || CONNECT_FAILURES.test(String(e.message ?? ''))) return 'temporary';
  return 'unknown';
}

/** The period of a send row as a DuePeriod (for composing), from its key and the subscription's timing. */
export function periodOfSend(send: Pick<DigestSend, 'period'>, sub: Subscription): DuePeriod | null {
  const [kind, value] = send.period.split(':') as [string, string | undefined];
  if (!value) return null;
  if (kind === 'daily') return periodOn({ ...sub, cadence: 'daily' }, value);
  const m = /^(\d{4})-W(\d{2})$/.exec(value);
  if (kind !== 'weekly' || !m) return null;
  // Monday of ISO week: the 4th of January is always in week 1.
  const jan4 = new Date(Date.UTC(Number(m[1]), 0, 4));
  jan4.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (Number(m[2]) - 1) * 7);
  return periodOn({ ...sub, cadence: 'weekly' }, jan4.toISOString().slice(0, 10));
}

/** The entries (papers with reasons) of a send's recorded items. */
export async function entriesOfSend(db: DB, sendId: number): Promise<DigestEntry[]> {
  const items = await listDigestItems(db, sendId);
  const papers = new Map((await getPapers(db, items.map((i) => i.paperId))).map((p) => [p.id, p]));
  return items.flatMap((i) => {
    const paper = papers.get(i.paperId);
    return paper ? [{ paper, reason: i.reason }] : [];
  });
}

/**
 * Sends digest `sendId` at most once (see the file comment). `lastAttempt`: a temporary failure then
 * fails the send instead of asking for a retry. Throws RetryLaterError for a temporary failure.
 */
export async function sendDigest(deps: SendDeps, sendId: number, o: { lastAttempt?: boolean } = {}): Promise<SendOutcome> {
  const { db, log } = deps;
  const send = await getDigestSend(db, sendId);
  if (!send) return 'missing';
  const fields = { send: sendId, subscription: send.subscriptionId, period: send.period };
  if (send.status === 'sending') {
    // Someone claimed it and did not finish: a crash (or a lost lease) mid-send. Never send blindly.
    const marked = await transitionSend(db, sendId, 'sending', 'failed', { last_error: `${UNKNOWN_OUTCOME} the sender stopped during the SMTP transaction (crash or lost lease); not resent` });
    if (marked) log.warn(fields, 'digest send found unfinished: outcome unknown, marked failed and NOT resent (at most once)');
    return 'unknown';
  }
  if (send.status !== 'planned') return 'already-done';

  const sub = await getSubscription(db, send.subscriptionId);
  const period = sub ? periodOfSend(send, sub) : null;
  if (!sub || !isActive(sub) || !period) {
    await transitionSend(db, sendId, 'planned', 'skipped', { last_error: !sub || !isActive(sub) ? 'subscription inactive' : 'unreadable period' });
    return 'skipped';
  }
  const picked = await pickPapers(db, sub, period, { feedTimezone: deps.config.feedTimezone, cache: deps.cache, picks: deps.picks });
  // Wait for our turn BEFORE the claim: the time between claim and SMTP is the window in which a crash
  // loses a digest, so it must stay short (render + one SMTP transaction).
  await deps.throttle();

  // The claim: 'planned' -> 'sending' and the papers into the ledger, committed before any SMTP.
  const now = deps.now();
  const claim = await db.transaction().execute(async (tx) => {
    const won = await transitionSend(tx, sendId, 'planned', 'sending', { recipient: sub.email, sending_at: now.toISOString(), attempt: true, last_error: null });
    if (!won) return null;
    const owned = await claimPapers(tx, sendId, sub.email, picked, now);
    if (owned.length === 0) await transitionSend(tx, sendId, 'sending', 'skipped', { last_error: 'nothing new for this reader' });
    return owned;
  });
  if (claim === null) return 'already-done';
  if (claim.length === 0) {
    log.info(fields, 'digest skipped: nothing new');
    return 'skipped';
  }
  const entries = await entriesOfSend(db, sendId);
  const { mail } = renderDigest({ subscription: sub, sendId, period: send.period, entries, baseUrl: deps.config.baseUrl, mailFrom: deps.config.mailFrom, key: deps.key });

  if (deps.signal?.aborted) {
    // We lost the job before talking to the server: give the send back untouched for the new holder.
    await db.transaction().execute(async (tx) => {
      if (await transitionSend(tx, sendId, 'sending', 'planned', { last_error: 'lease lost before sending' })) await releasePapers(tx, sendId);
    });
    throw new RetryLaterError('job lease lost before the SMTP transaction');
  }
  let info;
  try {
    info = await deps.mailer.send(mail);
  } catch (err) {
    return failed(deps, send, sub, err, o.lastAttempt === true);
  }
  const messageId = (info && info.messageId) || '';
  const recorded = await markSendSent(db, sendId, messageId, deps.now());
  await resetBounces(db, sub.id);
  log.info({ ...fields, message_id: messageId, papers: entries.length, recorded }, 'digest sent');
  return 'sent';
}

async function failed(deps: SendDeps, send: DigestSend, sub: Subscription, err: unknown, lastAttempt: boolean): Promise<SendOutcome> {
  const { db, log } = deps;
  const kind = classifySmtpError(err);
  const message = String((err as Error)?.message ?? err).slice(0, 500);
  const fields = { send: send.id, subscription: sub.id, period: send.period, smtp: message };
  if (kind === 'unknown') {
    // The papers stay in the ledger: they may have been delivered.
    await transitionSend(db, send.id, 'sending', 'failed', { last_error: `${UNKNOWN_OUTCOME} ${message}` });
    log.error(fields, 'digest outcome unknown (connection lost during the SMTP transaction): not resent');
    return 'unknown';
  }
  if (kind === 'temporary' && !lastAttempt) {
    await db.transaction().execute(async (tx) => {
      if (await transitionSend(tx, send.id, 'sending', 'planned', { last_error: `temporary: ${message}` })) await releasePapers(tx, send.id);
    });
    log.warn(fields, 'digest not delivered (temporary failure): will retry');
    throw new RetryLaterError(`temporary SMTP failure: ${message}`);
  }
  await db.transaction().execute(async (tx) => {
    if (await transitionSend(tx, send.id, 'sending', 'failed', { last_error: `${kind}: ${message}` })) await releasePapers(tx, send.id);
  });
  if (kind === 'permanent') {
    const b = await recordBounce(db, sub.id, deps.config.digestMaxBounces, deps.now());
    log.warn({ ...fields, bounces: b.bounces, disabled: b.disabled }, b.disabled ? 'digest bounced: address disabled' : 'digest bounced');
    return 'bounced';
  }
  log.error(fields, 'digest not delivered after its last attempt');
  return 'failed';
}
