/**
 * Digest sends and what they carried: one `digest_sends` row per (subscription, period), its papers
 * (`digest_items`), the per-recipient ledger of papers already mailed (`digest_mailed`, unique per
 * address and paper) and one-click feedback. The state machine lives in src/digest/send.ts; every
 * transition here is a conditional UPDATE on the expected status, so two workers cannot both win.
 */
import { type Selectable, sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { DigestSendsTable, DigestSendStatus } from '../db/schema.ts';
import { notInterestedAmong } from './feedback.ts';

/** A digest send row. */
export interface DigestSend {
  id: number;
  subscriptionId: number;
  period: string;
  status: DigestSendStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  recipient: string | null;
  createdAt: string;
  sendingAt: string | null;
  sentAt: string | null;
}

/** A paper of a send, with why it is there. */
export interface DigestItemRow {
  paperId: string;
  position: number;
  reason: string;
}

/** Prefix of `last_error` of a send whose outcome is unknown (crashed mid-SMTP): never sent again. */
export const UNKNOWN_OUTCOME = 'unknown:';
const MAX_ERROR_CHARS = 2000;

function fromRow(r: Selectable<DigestSendsTable>): DigestSend {
  return {
    id: Number(r.id),
    subscriptionId: Number(r.subscription_id),
    period: r.period,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    messageId: r.message_id,
    recipient: r.recipient,
    createdAt: r.created_at,
    sendingAt: r.sending_at,
    sentAt: r.sent_at,
  };
}

/** One send by id. */
export async function getDigestSend(db: DB, id: number): Promise<DigestSend | undefined> {
  const r = await db.selectFrom('digest_sends').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

/** Sends, newest first, optionally of one subscription or status (CLI, tests). */
export async function listDigestSends(db: DB, o: { subscriptionId?: number; status?: DigestSendStatus; limit?: number } = {}): Promise<DigestSend[]> {
  let q = db.selectFrom('digest_sends').selectAll();
  if (o.subscriptionId !== undefined) q = q.where('subscription_id', '=', o.subscriptionId);
  if (o.status) q = q.where('status', '=', o.status);
  const rows = await q.orderBy('id', 'desc').limit(o.limit ?? 10_000).execute();
  return rows.map(fromRow);
}

/** The (subscription, period) pairs already planned among `periods`, as `id|period` strings. */
export async function plannedKeys(db: DB, periods: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < periods.length; i += 500) {
    const rows = await db.selectFrom('digest_sends').select(['subscription_id', 'period']).where('period', 'in', periods.slice(i, i + 500)).execute();
    for (const r of rows) out.add(`${r.subscription_id}|${r.period}`);
  }
  return out;
}

/** Inserts the send row of (subscription, period); its id, or null when it already exists. */
export async function insertDigestSend(db: DB, subscriptionId: number, period: string, now: Date): Promise<number | null> {
  const r = await db
    .insertInto('digest_sends')
    .values({ subscription_id: subscriptionId, period, status: 'planned', created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['subscription_id', 'period']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r ? Number(r.id) : null;
}

/** Moves a send from `from` to `to` (with extra columns); true when this call made the change. */
export async function transitionSend(
  db: DB,
  id: number,
  from: DigestSendStatus | DigestSendStatus[],
  to: DigestSendStatus,
  extra: { last_error?: string | null; message_id?: string; recipient?: string; sending_at?: string; sent_at?: string; attempt?: boolean } = {},
): Promise<boolean> {
  const { attempt, ...cols } = extra;
  if (cols.last_error) cols.last_error = cols.last_error.slice(0, MAX_ERROR_CHARS);
  const r = await db
    .updateTable('digest_sends')
    .set((eb) => ({ ...cols, status: to, ...(attempt ? { attempts: eb('attempts', '+', 1) } : {}) }))
    .where('id', '=', id)
    .where('status', 'in', Array.isArray(from) ? from : [from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Marks a send delivered: from 'sending', or from a 'failed' unknown outcome (another worker took a
 * slow send for a crashed one; the delivery is definite news and wins). True when recorded.
 */
export async function markSendSent(db: DB, id: number, messageId: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('digest_sends')
    .set({ status: 'sent', message_id: messageId, sent_at: now.toISOString(), last_error: null })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('status', '=', 'sending'), eb.and([eb('status', '=', 'failed'), eb('last_error', 'like', `${UNKNOWN_OUTCOME}%`)])]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Claims the papers for a send in the recipient's ledger (those not already there) and records them
 * as the send's items, in order. Returns the papers this send owns: a paper claimed by another send to
 * the same address (already mailed, or being mailed right now) is left out.
 */
export async function claimPapers(db: DB, sendId: number, recipient: string, items: DigestItemRow[], now: Date): Promise<DigestItemRow[]> {
  if (items.length === 0) return [];
  const at = now.toISOString();
  await db
    .insertInto('digest_mailed')
    .values(items.map((i) => ({ recipient, paper_id: i.paperId, send_id: sendId, mailed_at: at })))
    .onConflict((oc) => oc.columns(['recipient', 'paper_id']).doNothing())
    .execute();
  const owned = new Set(
    (await db.selectFrom('digest_mailed').select('paper_id').where('send_id', '=', sendId).execute()).map((r) => r.paper_id),
  );
  const mine = items.filter((i) => owned.has(i.paperId));
  if (mine.length > 0) {
    await db
      .insertInto('digest_items')
      .values(mine.map((i, n) => ({ send_id: sendId, paper_id: i.paperId, position: n, reason: i.reason })))
      .onConflict((oc) => oc.columns(['send_id', 'paper_id']).doNothing())
      .execute();
  }
  return mine;
}

/** Gives a send's papers back (the mail did not go out): they may be mailed by a later digest. */
export async function releasePapers(db: DB, sendId: number): Promise<void> {
  await db.deleteFrom('digest_items').where('send_id', '=', sendId).execute();
  await db.deleteFrom('digest_mailed').where('send_id', '=', sendId).execute();
}

/** The papers of a send, in order (view in browser). */
export async function listDigestItems(db: DB, sendId: number): Promise<DigestItemRow[]> {
  const rows = await db.selectFrom('digest_items').select(['paper_id', 'position', 'reason']).where('send_id', '=', sendId).orderBy('position').execute();
  return rows.map((r) => ({ paperId: r.paper_id, position: Number(r.position), reason: r.reason }));
}

/**
 * Of `paperIds`, those already mailed (or being mailed) to the recipient, or marked "not interested".
 * A reader with an account has one opinion per paper wherever it was given (a digest, a paper page,
 * /for-you: src/store/feedback.ts, the newer wins), so every section of the digest leaves those out;
 * a subscription without an account has only its own digests' clicks.
 */
export async function excludedPapers(db: DB, sub: { email: string; id: number; userId: number | null }, paperIds: string[]): Promise<Set<string>> {
  const out = sub.userId === null ? new Set<string>() : await notInterestedAmong(db, sub.userId, paperIds);
  for (let i = 0; i < paperIds.length; i += 500) {
    const chunk = paperIds.slice(i, i + 500);
    const mailed = await db.selectFrom('digest_mailed').select('paper_id').where('recipient', '=', sub.email).where('paper_id', 'in', chunk).execute();
    for (const r of mailed) out.add(r.paper_id);
    if (sub.userId !== null) continue;
    const refused = await db
      .selectFrom('digest_feedback')
      .select('paper_id')
      .where('subscription_id', '=', sub.id)
      .where('kind', '=', 'not_interested')
      .where('paper_id', 'in', chunk)
      .execute();
    for (const r of refused) out.add(r.paper_id);
  }
  return out;
}

/** Records one-click feedback (a later click on the same paper replaces it). */
export async function recordFeedback(
  db: DB,
  f: { subscriptionId: number; userId: number | null; paperId: string; kind: 'more' | 'not_interested' },
  now: Date = new Date(),
): Promise<void> {
  await db
    .insertInto('digest_feedback')
    .values({ subscription_id: f.subscriptionId, user_id: f.userId, paper_id: f.paperId, kind: f.kind, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['subscription_id', 'paper_id']).doUpdateSet({ kind: f.kind, created_at: now.toISOString() }))
    .execute();
}

/** Counts of sends by status (CLI summary). */
export async function countSendsByStatus(db: DB): Promise<Record<DigestSendStatus, number>> {
  const rows = await db.selectFrom('digest_sends').select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
  const out: Record<DigestSendStatus, number> = { planned: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
