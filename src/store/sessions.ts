/**
 * Browser sign-in: one-time sign-in link tokens (15 minutes, single use) and the sessions they open
 * (30 days, extended while used). Only sha256 hashes of the tokens and session ids are stored.
 * Every function takes `now` so tests can move the clock.
 */
import type { DB } from '../db/connect.ts';
import { hashToken, randomToken } from './tokens.ts';
import { getUserById, type User } from './users.ts';

/** How long a sign-in link works. */
export const LOGIN_TOKEN_TTL_MS = 15 * 60_000;
/** How long a session lasts since it was opened or last extended. */
export const SESSION_TTL_MS = 30 * 24 * 3600_000;
/** A session in use is extended at most once per this interval (one write a day, not one per request). */
const SESSION_RENEW_AFTER_MS = 24 * 3600_000;

/** Session ids and sign-in tokens are 32 random bytes in base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Opens a session for a user; returns the id for the cookie (never stored) and its expiry. */
export async function createSession(db: DB, userId: number, now: Date = new Date()): Promise<{ id: string; expiresAt: Date }> {
  const id = randomToken(32);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  // Expired sessions of this user are dropped here, so a user's rows stay bounded without a job.
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('sessions')
    .values({ id_hash: hashToken(id), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString(), last_seen_at: now.toISOString() })
    .execute();
  return { id, expiresAt };
}

/** The signed-in user of a session cookie value. */
export interface SessionUser {
  user: User;
  expiresAt: Date;
  /** True when this call extended the session (the cookie should be sent again with the new expiry). */
  renewed: boolean;
}

/**
 * The user a session id belongs to, or null when the id is malformed, unknown, expired or its user
 * is banned. Extends the session (sliding expiry) once a day while it is used.
 */
export async function userForSession(db: DB, id: string, now: Date = new Date()): Promise<SessionUser | null> {
  if (!TOKEN_PATTERN.test(id)) return null;
  const idHash = hashToken(id);
  const row = await db.selectFrom('sessions').select(['user_id', 'expires_at']).where('id_hash', '=', idHash).executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= now.getTime()) return null;
  const user = await getUserById(db, row.user_id);
  if (!user || user.bannedAt) return null;
  const expires = Date.parse(row.expires_at);
  if (expires - now.getTime() < SESSION_TTL_MS - SESSION_RENEW_AFTER_MS) {
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await db.updateTable('sessions').set({ expires_at: expiresAt.toISOString(), last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
    return { user, expiresAt, renewed: true };
  }
  return { user, expiresAt: new Date(expires), renewed: false };
}

/** Ends one session (sign out). */
export async function deleteSession(db: DB, id: string): Promise<void> {
  if (!TOKEN_PATTERN.test(id)) return;
  await db.deleteFrom('sessions').where('id_hash', '=', hashToken(id)).execute();
}

/** Ends every session of a user ("sign out everywhere", bans); returns how many there were. */
export async function deleteUserSessions(db: DB, userId: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many unexpired sessions a user has (settings shows it next to "sign out everywhere"). */
export async function countUserSessions(db: DB, userId: number, now: Date = new Date()): Promise<number> {
  const r = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Makes a sign-in link token for an address (lower-cased by the caller); returns the token for the
 * link. `nextPath` is where to go after signing in (a local path, checked by the caller).
 */
export async function createLoginToken(db: DB, email: string, nextPath: string | null, now: Date = new Date()): Promise<string> {
  const token = randomToken(32);
  // Spent and expired tokens are useless; dropping them here keeps the table small without a job.
  await db.deleteFrom('login_tokens').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('login_tokens')
    .values({ token_hash: hashToken(token), email, next_path: nextPath, created_at: now.toISOString(), expires_at: iso(now.getTime() + LOGIN_TOKEN_TTL_MS), used_at: null })
    .execute();
  return token;
}

/**
 * Uses up a sign-in token: the address and next path when the token is known, unused and unexpired,
 * else null. One conditional UPDATE, so two clicks racing on the same link cannot both succeed.
 */
export async function consumeLoginToken(db: DB, token: string, now: Date = new Date()): Promise<{ email: string; nextPath: string | null } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await db
    .updateTable('login_tokens')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning(['email', 'next_path'])
    .executeTakeFirst();
  return row ? { email: row.email, nextPath: row.next_path } : null;
}

/** Deletes expired sessions and sign-in tokens (for a periodic job); returns the counts. */
export async function purgeExpiredAuth(db: DB, now: Date = new Date()): Promise<{ sessions: number; loginTokens: number }> {
  const s = await db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  const t = await db.deleteFrom('login_tokens').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return { sessions: Number(s.numDeletedRows), loginTokens: Number(t.numDeletedRows) };
}
