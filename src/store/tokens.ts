/**
 * Secret tokens: how they are made (random, base64url) and kept (sha256 only), and personal API
 * tokens (`pb_…`, named, revocable, with a last-used time) that authenticate the write API.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { ApiTokensTable } from '../db/schema.ts';
import { cleanDisplayName, getUserById, type User, UserError } from './users.ts';

/** A random token of `bytes` bytes (default 32 = 256 bits) in base64url, safe in URLs and cookies. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The stored form of a secret token: sha256 in hex. The tokens carry >=128 random bits, so a plain
 * (unsalted, fast) hash cannot be reversed by guessing; it only keeps a database leak from being a login.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What every personal API token starts with, so leaked tokens are recognisable (secret scanners). */
export const API_TOKEN_PREFIX = 'pb_';

/** A well-formed API token: the prefix and 32 random bytes in base64url (43 characters). */
export const API_TOKEN_PATTERN = /^pb_[A-Za-z0-9_-]{43}$/;

/** The most tokens one person may hold; more is a sign of a script creating them in a loop. */
export const MAX_API_TOKENS_PER_USER = 50;

/** A personal API token as listed in settings (never the token itself). */
export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  /** The token's first characters, e.g. `pb_Xy3k`. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function toApiToken(r: Selectable<ApiTokensTable>): ApiToken {
  return { id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

/** Creates a named token for a user; the returned `token` is shown once and never stored. */
export async function createApiToken(db: DB, userId: number, name: string, now: Date = new Date()): Promise<{ token: string; record: ApiToken }> {
  const label = cleanDisplayName(name) ?? 'API token';
  const count = await db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_API_TOKENS_PER_USER) throw new UserError(`You already have ${MAX_API_TOKENS_PER_USER} API tokens; revoke some before creating more.`);
  const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: userId, name: label, token_hash: hashToken(token), prefix: token.slice(0, 7), created_at: now.toISOString(), last_used_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, record: toApiToken(row) };
}

/** A user's tokens, newest first. */
export async function listApiTokens(db: DB, userId: number): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute();
  return rows.map(toApiToken);
}

/** Revokes (deletes) one of the user's own tokens; false when the user holds no token with that id. */
export async function revokeApiToken(db: DB, userId: number, tokenId: number): Promise<boolean> {
  const r = await db.deleteFrom('api_tokens').where('id', '=', tokenId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Why a presented API token was refused. */
export type ApiTokenRefusal = 'malformed' | 'unknown' | 'banned';

/** Last-used times are written at most this often per token, so every API call is not also a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The user a presented token belongs to, or why it is refused: malformed (not `pb_` + 43 characters),
 * unknown (forged or revoked) or banned. Records the last-used time (to the minute).
 */
export async function userForApiToken(db: DB, token: string, now: Date = new Date()): Promise<{ user: User; tokenId: number } | { refused: ApiTokenRefusal }> {
  if (!API_TOKEN_PATTERN.test(token)) return { refused: 'malformed' };
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row) return { refused: 'unknown' };
  const user = await getUserById(db, row.user_id);
  if (!user) return { refused: 'unknown' };
  if (user.bannedAt) return { refused: 'banned' };
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { user, tokenId: row.id };
}
