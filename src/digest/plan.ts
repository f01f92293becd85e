/**
 * The digest planner, run by the `digest-plan` schedule (and `paperboy digest send`): finds the active
 * subscriptions whose period fell due in THEIR time zone (src/digest/period.ts), records one
 * `digest_sends` row per (subscription, period) — unique, so any number of planners plan each once —
 * and enqueues one `digest-send` job per new row in the same transaction (job key `digest-send@{id}`).
 *
 * A period is planned late if the planner was down (catch-up), but not when it fell due more than
 * MAX_LATENESS_MS ago (a day-old "morning" digest is worse than none), nor for a subscription confirmed
 * after its period fell due (a reader subscribing at 15:00 for 08:00 starts tomorrow).
 */
import type { DB } from '../db/connect.ts';
import { enqueue } from '../jobs/queue.ts';
import { insertDigestSend, plannedKeys } from '../store/digests.ts';
import { listActiveSubscriptions, type Subscription } from '../store/subscriptions.ts';
import { type DuePeriod, latestPeriod } from './period.ts';

/** Name of the send job's handler. */
export const DIGEST_SEND_JOB = 'digest-send';
/** Tries of a send job: 30 s, 1, 2, 4 … 32 min apart (src/jobs/queue.ts backoff), about an hour in all. */
export const DIGEST_SEND_ATTEMPTS = 8;
/** A period more than this late is skipped, not planned. */
export const MAX_LATENESS_MS = 20 * 3_600_000;

/** A subscription's due period. */
export interface DueDigest extends DuePeriod {
  subscription: Subscription;
}

/** A newly planned send. */
export interface PlannedSend extends DueDigest {
  sendId: number;
}

/** The due period of a subscription at `now`, or null when nothing is due. */
export function dueDigest(subscription: Subscription, now: Date): DueDigest | null {
  const p = latestPeriod(subscription, now);
  if (now.getTime() - p.sendAt.getTime() > MAX_LATENESS_MS) return null;
  if (subscription.confirmedAt && new Date(subscription.confirmedAt).getTime() > p.sendAt.getTime()) return null;
  return { ...p, subscription };
}

/** Due periods not planned yet (no writes): what a planner run would plan at `now`. */
export async function findDueDigests(db: DB, now: Date): Promise<DueDigest[]> {
  const due = (await listActiveSubscriptions(db)).map((s) => dueDigest(s, now)).filter((d): d is DueDigest => d !== null);
  const planned = await plannedKeys(db, [...new Set(due.map((d) => d.period))]);
  return due.filter((d) => !planned.has(`${d.subscription.id}|${d.period}`));
}

/** Plans every due digest at `now`: inserts its send row and enqueues its job. Returns the new sends. */
export async function planDigests(db: DB, now: Date): Promise<PlannedSend[]> {
  const out: PlannedSend[] = [];
  for (const d of await findDueDigests(db, now)) {
    const sendId = await db.transaction().execute(async (tx) => {
      const id = await insertDigestSend(tx, d.subscription.id, d.period, now);
      // Same transaction: the job exists if and only if the row does.
      if (id !== null) await enqueue(tx, DIGEST_SEND_JOB, { sendId: id }, { uniqueKey: `digest-send@${id}`, maxAttempts: DIGEST_SEND_ATTEMPTS, now });
      return id;
    });
    if (sendId !== null) out.push({ ...d, sendId });
  }
  return out;
}
