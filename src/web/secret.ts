/**
 * The site's signing key and what it signs (CSRF tokens now; unsubscribe links later).
 * The key is PAPERBOY_SECRET when set; otherwise one is generated at first use and kept in the `meta`
 * table, so every web and worker process of an instance signs and verifies with the same key and
 * links survive restarts. Rotating it (changing PAPERBOY_SECRET or deleting the meta row) invalidates
 * what was signed with the old key, never a session (sessions are random ids, not signed values).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';

const META_KEY = 'secret';

/** Loaded keys, per database handle: the key never changes while a process runs. */
const cache = new WeakMap<DB, Promise<Buffer>>();

async function loadFromMeta(db: DB): Promise<Buffer> {
  const read = () => db.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  let row = await read();
  if (!row) {
    // Two processes starting together may both get here: the first insert wins and both read it back.
    await db
      .insertInto('meta')
      .values({ key: META_KEY, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    row = await read();
  }
  if (!row) throw new Error('could not store the generated signing key in the meta table');
  return Buffer.from(row.value, 'utf8');
}

/** The signing key: config.secret, or the one kept in the database (generated on first use). */
export function loadSecret(db: DB, config: Pick<Config, 'secret'>): Promise<Buffer> {
  if (config.secret) return Promise.resolve(Buffer.from(config.secret, 'utf8'));
  let key = cache.get(db);
  if (!key) {
    key = loadFromMeta(db);
    // A failed load (database down) must not be remembered: the next request tries again.
    key.catch(() => cache.delete(db));
    cache.set(db, key);
  }
  return key;
}

/**
 * An HMAC-SHA256 of `value` under `key`, in base64url. `purpose` separates uses, so a signature made
 * for one thing (a CSRF token) is never accepted for another (an unsubscribe link).
 */
export function sign(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url');
}

/** True when `signature` is `sign(key, purpose, value)`; compared in constant time. */
export function verifySignature(key: Buffer, purpose: string, value: string, signature: string): boolean {
  const expected = Buffer.from(sign(key, purpose, value));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
