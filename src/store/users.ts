/**
 * Users: accounts found by e-mail address or handle, roles and bans.
 * Sign-up is sign-in: an address that verifies a sign-in link gets an account on first use, with a
 * handle derived from the address (and made unique); the person may change it in settings.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { UserRole, UsersTable } from '../db/schema.ts';

export type { UserRole };

/** Every role, least trusted first. */
export const ROLES: readonly UserRole[] = ['user', 'moderator', 'admin'];

/** An account as the rest of the code sees it. */
export interface User {
  id: number;
  email: string;
  handle: string;
  displayName: string | null;
  role: UserRole;
  /** ISO 8601 UTC while banned, else null. */
  bannedAt: string | null;
  createdAt: string;
  lastSignInAt: string | null;
}

/** A refusal with a message a person can act on (duplicate handle, bad handle, unknown user…). */
export class UserError extends Error {}

/** Handles: 2-30 characters, lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const HANDLE_PATTERN = /^[a-z0-9][a-z0-9_-]{1,29}$/;

/** Handles that would read as the site speaking, or collide with paths. */
const RESERVED_HANDLES = new Set([
  'admin', 'administrator', 'moderator', 'mod', 'root', 'system', 'paperboy', 'staff', 'support', 'help',
  'api', 'settings', 'signin', 'signout', 'login', 'logout', 'me', 'new', 'null', 'undefined', 'anonymous', 'about',
]);

const emailSchema = z.email().max(254);

/** The address lower-cased and trimmed, or null when it is not a plausible e-mail address. */
export function normalizeEmail(input: string): string | null {
  const v = input.trim().toLowerCase();
  return emailSchema.safeParse(v).success ? v : null;
}

/** Null when `handle` is acceptable, else a message saying what is wrong. */
export function handleProblem(handle: string): string | null {
  if (!HANDLE_PATTERN.test(handle)) return 'A handle has 2 to 30 characters: lower-case letters, digits, "_" or "-", starting with a letter or digit.';
  if (RESERVED_HANDLES.has(handle)) return `The handle "${handle}" is reserved; please choose another.`;
  return null;
}

/** A display name cleaned up: control characters removed, spaces collapsed, at most 60 characters; empty gives null. */
export function cleanDisplayName(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const v = pgSafeText(input).replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 60).trim();
  return v.length > 0 ? v : null;
}

/** The handle an address suggests: its local part (before any `+tag`) folded to the handle alphabet. */
export function handleFromEmail(email: string): string {
  const local = email.split('@')[0]!.split('+')[0]!;
  let h = local
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 24);
  if (h.length < 2) h = `reader${h}`;
  if (RESERVED_HANDLES.has(h)) h = `${h}-1`;
  return h;
}

/** True when `role` is `needed` or more trusted (admins can do what moderators can). */
export function roleAtLeast(role: UserRole, needed: UserRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    email: r.email,
    handle: r.handle,
    displayName: r.display_name,
    role: r.role,
    bannedAt: r.banned_at,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  };
}

/** The user with this id, or undefined. */
export async function getUserById(db: DB, id: number): Promise<User | undefined> {
  const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toUser(r);
}

/** The user with this handle (any case), or undefined. */
export async function getUserByHandle(db: DB, handle: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').selectAll().where('handle', '=', pgSafeText(handle.trim().toLowerCase())).executeTakeFirst();
  return r && toUser(r);
}

/** The user with this address (any case), or undefined. */
export async function getUserByEmail(db: DB, email: string): Promise<User | undefined> {
  const r = await db.selectFrom('users').selectAll().where('email', '=', pgSafeText(email.trim().toLowerCase())).executeTakeFirst();
  return r && toUser(r);
}

/** A free handle starting from `base`: `base`, then `base-2`, `base-3`… (a random suffix after a few tries). */
async function freeHandle(db: DB, base: string): Promise<string> {
  for (let i = 1; i <= 20; i++) {
    const candidate = i === 1 ? base : `${base.slice(0, 26)}-${i}`;
    const taken = await db.selectFrom('users').select('id').where('handle', '=', candidate).executeTakeFirst();
    if (!taken) return candidate;
  }
  return `${base.slice(0, 21)}-${Math.random().toString(36).slice(2, 10)}`;
}

export interface NewUser {
  email: string;
  /** Chosen handle; absent: derived from the address and made unique. */
  handle?: string;
  displayName?: string | null;
  role?: UserRole;
}

/** Creates an account; throws UserError for a bad or taken address or handle. */
export async function createUser(db: DB, input: NewUser, now: Date = new Date()): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!email) throw new UserError(`"${input.email}" is not a valid e-mail address.`);
  const role = input.role ?? 'user';
  if (!ROLES.includes(role)) throw new UserError(`Unknown role "${role}"; roles are ${ROLES.join(', ')}.`);
  let handle: string;
  if (input.handle !== undefined) {
    handle = input.handle.trim().toLowerCase();
    const problem = handleProblem(handle);
    if (problem) throw new UserError(problem);
  } else {
    handle = await freeHandle(db, handleFromEmail(email));
  }
  if (await getUserByEmail(db, email)) throw new UserError(`An account with the address ${email} already exists.`);
  // Two derived handles can race to the same free name: retry once with a fresh pick.
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await db
        .insertInto('users')
        .values({ email, handle, display_name: cleanDisplayName(input.displayName), role, banned_at: null, created_at: now.toISOString(), last_sign_in_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (await getUserByEmail(db, email)) throw new UserError(`An account with the address ${email} already exists.`);
      if (input.handle !== undefined || attempt >= 2) throw new UserError(`The handle "${handle}" is taken; please choose another.`);
      handle = await freeHandle(db, handleFromEmail(email));
    }
  }
}

/** The account of this address, created on first use (sign-up is sign-in). */
export async function findOrCreateUserByEmail(db: DB, email: string, now: Date = new Date()): Promise<User> {
  const existing = await getUserByEmail(db, email);
  if (existing) return existing;
  try {
    return await createUser(db, { email }, now);
  } catch (err) {
    // Two sign-ins of the same new address at once: the other one created it.
    const raced = await getUserByEmail(db, email);
    if (raced) return raced;
    throw err;
  }
}

/** Records a successful sign-in. */
export async function touchSignIn(db: DB, userId: number, now: Date = new Date()): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: now.toISOString() }).where('id', '=', userId).execute();
}

/** Changes the handle and display name; throws UserError for a bad or taken handle. */
export async function updateProfile(db: DB, userId: number, input: { handle: string; displayName: string | null }): Promise<User> {
  const handle = input.handle.trim().toLowerCase();
  const problem = handleProblem(handle);
  if (problem) throw new UserError(problem);
  const other = await getUserByHandle(db, handle);
  if (other && other.id !== userId) throw new UserError(`The handle "${handle}" is taken; please choose another.`);
  try {
    await db.updateTable('users').set({ handle, display_name: cleanDisplayName(input.displayName) }).where('id', '=', userId).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new UserError(`The handle "${handle}" is taken; please choose another.`);
    throw err;
  }
  const user = await getUserById(db, userId);
  if (!user) throw new UserError('This account no longer exists.');
  return user;
}

/** Sets the role of the user with this handle; throws UserError when there is none. */
export async function setRole(db: DB, handle: string, role: UserRole): Promise<User> {
  if (!ROLES.includes(role)) throw new UserError(`Unknown role "${role}"; roles are ${ROLES.join(', ')}.`);
  const user = await getUserByHandle(db, handle);
  if (!user) throw new UserError(`There is no user with the handle "${handle}".`);
  await db.updateTable('users').set({ role }).where('id', '=', user.id).execute();
  return { ...user, role };
}

/**
 * Bans or unbans the user with this handle. A ban also ends every session at once; API tokens are
 * kept but refused while banned (auth checks `banned_at`), so an unban restores them.
 */
export async function setBanned(db: DB, handle: string, banned: boolean, now: Date = new Date()): Promise<User> {
  const user = await getUserByHandle(db, handle);
  if (!user) throw new UserError(`There is no user with the handle "${handle}".`);
  const bannedAt = banned ? (user.bannedAt ?? now.toISOString()) : null;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ banned_at: bannedAt }).where('id', '=', user.id).execute();
    if (banned) await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
  });
  return { ...user, bannedAt };
}
