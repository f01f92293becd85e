/**
 * Digest subscriptions: a signed-in reader's (confirmed at once: their address was verified by signing
 * in) or an address-only one for the top-papers digest, which sends nothing until the mailed
 * confirmation link is followed (double opt-in). One subscription per address.
 */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { SubscriptionsTable } from '../db/schema.ts';
import { hashToken, randomToken } from './tokens.ts';

/** Daily or weekly (on Mondays). */
export type Cadence = 'daily' | 'weekly';

/** What goes in a digest. */
export interface IncludeFlags {
  top: boolean;
  savedSearches: boolean;
  follows: boolean;
  picks: boolean;
}

/** A subscription as the app sees it. */
export interface Subscription {
  id: number;
  userId: number | null;
  email: string;
  cadence: Cadence;
  hour: number;
  timezone: string;
  include: IncludeFlags;
  confirmedAt: string | null;
  bounceCount: number;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Settings a reader chooses. */
export interface SubscriptionSettings {
  cadence: Cadence;
  hour: number;
  timezone: string;
  include: IncludeFlags;
}

/** Raised for a setting the caller must refuse with a 400 (the message names it). */
export class SubscriptionError extends Error {}

/** Defaults of a new subscription: daily at 08:00 UTC, everything included. */
export const DEFAULT_SETTINGS: SubscriptionSettings = {
  cadence: 'daily',
  hour: 8,
  timezone: 'UTC',
  include: { top: true, savedSearches: true, follows: true, picks: true },
};

/** True for a time zone Intl knows (IANA names such as Pacific/Auckland, or UTC). */
export function isValidTimeZone(tz: string): boolean {
  if (tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Validates settings from an untrusted source (API body, form); throws SubscriptionError. */
export function parseSettings(input: unknown, base: SubscriptionSettings = DEFAULT_SETTINGS): SubscriptionSettings {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new SubscriptionError('Send a JSON object such as {"cadence": "daily", "hour": 8, "timezone": "Europe/Paris"}.');
  const o = input as Record<string, unknown>;
  const cadence = o.cadence ?? base.cadence;
  if (cadence !== 'daily' && cadence !== 'weekly') throw new SubscriptionError('cadence must be "daily" or "weekly".');
  const hour = o.hour ?? base.hour;
  if (typeof hour !== 'number' || !Number.isInteger(hour) || hour < 0 || hour > 23) throw new SubscriptionError('hour must be an integer from 0 to 23 (local time).');
  const timezone = o.timezone ?? base.timezone;
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) throw new SubscriptionError('timezone must be an IANA time zone such as Europe/Paris or Pacific/Auckland.');
  const include = { ...base.include };
  if (o.include !== undefined) {
    if (!o.include || typeof o.include !== 'object' || Array.isArray(o.include)) throw new SubscriptionError('include must be an object such as {"top": true, "savedSearches": false}.');
    for (const [k, v] of Object.entries(o.include as Record<string, unknown>)) {
      if (!(k in include)) throw new SubscriptionError(`include.${k.slice(0, 40)} is unknown; use top, savedSearches, follows, picks.`);
      if (typeof v !== 'boolean') throw new SubscriptionError(`include.${k} must be true or false.`);
      include[k as keyof IncludeFlags] = v;
    }
  }
  return { cadence, hour, timezone, include };
}

type Row = Selectable<SubscriptionsTable>;

/** Maps a row to the domain shape. */
export function subscriptionFromRow(r: Row): Subscription {
  return {
    id: Number(r.id),
    userId: r.user_id === null ? null : Number(r.user_id),
    email: r.email,
    cadence: r.cadence,
    hour: Number(r.hour),
    timezone: r.timezone,
    include: {
      top: Number(r.include_top) === 1,
      savedSearches: Number(r.include_saved_searches) === 1,
      follows: Number(r.include_follows) === 1,
      picks: Number(r.include_picks) === 1,
    },
    confirmedAt: r.confirmed_at,
    bounceCount: Number(r.bounce_count),
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function settingsColumns(s: SubscriptionSettings) {
  return {
    cadence: s.cadence,
    hour: s.hour,
    timezone: s.timezone,
    include_top: s.include.top ? 1 : 0,
    include_saved_searches: s.include.savedSearches ? 1 : 0,
    include_follows: s.include.follows ? 1 : 0,
    include_picks: s.include.picks ? 1 : 0,
  };
}

/** True when digests go out to this subscription. */
export function isActive(s: Subscription): boolean {
  return s.confirmedAt !== null && s.disabledAt === null;
}

/** One subscription by id. */
export async function getSubscription(db: DB, id: number): Promise<Subscription | undefined> {
  const r = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? subscriptionFromRow(r) : undefined;
}

/** A user's subscription, if any. */
export async function getUserSubscription(db: DB, userId: number): Promise<Subscription | undefined> {
  const r = await db.selectFrom('subscriptions').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return r ? subscriptionFromRow(r) : undefined;
}

/** The subscription of an address, if any. */
export async function getSubscriptionByEmail(db: DB, email: string): Promise<Subscription | undefined> {
  const r = await db.selectFrom('subscriptions').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return r ? subscriptionFromRow(r) : undefined;
}

/**
 * Creates or updates a signed-in user's subscription: confirmed (the address is theirs), active
 * unless `active` is false (then stopped). An address-only subscription of the same address is
 * taken over, so the person still gets one digest.
 */
export async function saveUserSubscription(
  db: DB,
  user: { id: number; email: string },
  settings: SubscriptionSettings,
  o: { active?: boolean; now?: Date } = {},
): Promise<Subscription> {
  const now = (o.now ?? new Date()).toISOString();
  const email = user.email.toLowerCase();
  const active = o.active ?? true;
  const state = active ? { disabled_at: null, disabled_reason: null, bounce_count: 0 } : { disabled_at: now, disabled_reason: 'stopped' };
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('subscriptions')
      .select(['id', 'disabled_at'])
      .where((eb) => eb.or([eb('user_id', '=', user.id), eb('email', '=', email)]))
      .orderBy('user_id')
      .executeTakeFirst();
    if (existing) {
      // Already stopped: keep the original stop time and reason (an unsubscribe stays an unsubscribe).
      const keep = !active && existing.disabled_at !== null ? {} : state;
      await tx
        .updateTable('subscriptions')
        .set({ ...settingsColumns(settings), ...keep, user_id: user.id, email, confirmed_at: now, confirm_token_hash: null, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      const r = await tx.selectFrom('subscriptions').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
      return subscriptionFromRow(r);
    }
    const r = await tx
      .insertInto('subscriptions')
      .values({ ...settingsColumns(settings), ...state, user_id: user.id, email, confirmed_at: now, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return subscriptionFromRow(r);
  });
}

/**
 * Starts an address-only subscription to the top-papers digest (or re-arms an unconfirmed or
 * stopped one): returns the confirmation token to mail, or null when the address already receives
 * digests (nothing to confirm; the caller answers the same either way).
 */
export async function requestAddressSubscription(
  db: DB,
  email: string,
  settings: Pick<SubscriptionSettings, 'cadence' | 'hour' | 'timezone'>,
  now: Date = new Date(),
): Promise<{ subscription: Subscription; token: string } | null> {
  const address = email.toLowerCase();
  const token = randomToken();
  const at = now.toISOString();
  const existing = await getSubscriptionByEmail(db, address);
  if (existing && isActive(existing)) return null;
  const include = { top: true, savedSearches: false, follows: false, picks: false };
  const cols = settingsColumns({ ...settings, include });
  if (existing) {
    // A reader's own (user) subscription keeps its content settings; only the opt-in is renewed.
    const set = existing.userId !== null ? {} : cols;
    await db
      .updateTable('subscriptions')
      .set({ ...set, confirm_token_hash: hashToken(token), confirmed_at: null, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    return { subscription: (await getSubscription(db, existing.id))!, token };
  }
  const r = await db
    .insertInto('subscriptions')
    .values({ ...cols, email: address, user_id: null, confirm_token_hash: hashToken(token), created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { subscription: subscriptionFromRow(r), token };
}

/** Confirms the subscription whose mailed token this is (single use); undefined for an unknown token. */
export async function confirmSubscription(db: DB, token: string, now: Date = new Date()): Promise<Subscription | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const hash = hashToken(token);
  const at = now.toISOString();
  const r = await db
    .updateTable('subscriptions')
    .set({ confirmed_at: at, confirm_token_hash: null, disabled_at: null, disabled_reason: null, bounce_count: 0, updated_at: at })
    .where('confirm_token_hash', '=', hash)
    .returningAll()
    .executeTakeFirst();
  return r ? subscriptionFromRow(r) : undefined;
}

/** Stops digests to a subscription (`unsubscribed`, `bounced`, `stopped`); true when it was active. */
export async function disableSubscription(db: DB, id: number, reason: string, now: Date = new Date()): Promise<boolean> {
  const at = now.toISOString();
  const r = await db
    .updateTable('subscriptions')
    .set({ disabled_at: at, disabled_reason: reason, updated_at: at })
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every active subscription (confirmed, not disabled), by id; for the planner. */
export async function listActiveSubscriptions(db: DB): Promise<Subscription[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('confirmed_at', 'is not', null)
    .where('disabled_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(subscriptionFromRow);
}

/**
 * Counts a permanent delivery failure; disables the subscription ('bounced') once `maxBounces` are
 * reached in a row. Returns the new count and whether it is now disabled.
 */
export async function recordBounce(db: DB, id: number, maxBounces: number, now: Date = new Date()): Promise<{ bounces: number; disabled: boolean }> {
  const at = now.toISOString();
  const r = await db
    .updateTable('subscriptions')
    .set((eb) => ({ bounce_count: eb('bounce_count', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .returning('bounce_count')
    .executeTakeFirst();
  const bounces = Number(r?.bounce_count ?? 0);
  if (bounces >= maxBounces) {
    await disableSubscription(db, id, 'bounced', now);
    return { bounces, disabled: true };
  }
  return { bounces, disabled: false };
}

/** A delivered digest ends a run of bounces. */
export async function resetBounces(db: DB, id: number): Promise<void> {
  await db.updateTable('subscriptions').set({ bounce_count: 0 }).where('id', '=', id).where('bounce_count', '>', 0).execute();
}
