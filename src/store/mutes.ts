/**
 * Mutes: authors, categories and keywords a reader never wants recommended ("For you", personal picks
 * in digests and feeds). Matching is done in memory on the candidate papers (`mutedBy`): a reader has
 * a handful of mutes and a recommendation list a few hundred candidates, so no SQL is needed for it.
 */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import type { MutesTable } from '../db/schema.ts';

/** What can be muted. */
export type MuteKind = 'author' | 'category' | 'keyword';

/** The mute kinds, for validation and forms. */
export const MUTE_KINDS: readonly MuteKind[] = ['author', 'category', 'keyword'];

/** Mutes per user at most (keeps matching cheap and the settings page readable). */
export const MAX_MUTES = 200;

/** A mute. */
export interface Mute {
  id: number;
  kind: MuteKind;
  value: string;
  createdAt: string;
}

/** A value the caller must refuse, with a message for the reader. */
export class MuteError extends Error {}

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

function fromRow(r: Selectable<MutesTable>): Mute {
  return { id: Number(r.id), kind: r.kind, value: r.value, createdAt: r.created_at };
}

/** Checks and tidies a mute: whitespace collapsed, keywords lower-cased; throws MuteError. */
export function cleanMute(kind: unknown, value: unknown): { kind: MuteKind; value: string } {
  if (typeof kind !== 'string' || !(MUTE_KINDS as readonly string[]).includes(kind)) throw new MuteError('A mute is an author, a category or a keyword.');
  if (typeof value !== 'string') throw new MuteError('Say what to mute.');
  const v = pgSafeText(value).replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  if (kind === 'category') {
    if (!CATEGORY.test(v)) throw new MuteError('A category looks like cs.CL or math.PR.');
    return { kind, value: v };
  }
  if (v.length < 2 || v.length > 200) throw new MuteError(`A muted ${kind} has 2 to 200 characters.`);
  return { kind: kind as MuteKind, value: kind === 'keyword' ? v.toLowerCase() : v };
}

/** Adds a mute (idempotent); throws MuteError for a bad value or too many mutes. */
export async function addMute(db: DB, userId: number, kind: unknown, value: unknown, now: Date = new Date()): Promise<Mute> {
  const m = cleanMute(kind, value);
  const count = await db.selectFrom('mutes').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_MUTES) throw new MuteError(`You can have at most ${MAX_MUTES} mutes; remove some first.`);
  await db
    .insertInto('mutes')
    .values({ user_id: userId, kind: m.kind, value: m.value, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'value']).doNothing())
    .execute();
  const row = await db.selectFrom('mutes').selectAll().where('user_id', '=', userId).where('kind', '=', m.kind).where('value', '=', m.value).executeTakeFirstOrThrow();
  return fromRow(row);
}

/** Removes a mute of this user; true when one was removed. */
export async function removeMute(db: DB, userId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('mutes').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A user's mutes, oldest first. */
export async function listMutes(db: DB, userId: number): Promise<Mute[]> {
  return (await db.selectFrom('mutes').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(fromRow);
}

/** Escapes a string for use inside a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher for a reader's mutes: returns the mute a paper falls under, or undefined. Authors match
 * a listed author exactly (case- and space-insensitive); categories any listed category; keywords
 * whole words or phrases of the title or abstract, case-insensitively ("rl" does not mute "world").
 */
export function mutedBy(mutes: Mute[]): (p: { title: string; abstract: string; authors: string[]; categories: string[] }) => Mute | undefined {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const authors = new Map(mutes.filter((m) => m.kind === 'author').map((m) => [norm(m.value), m]));
  const categories = new Map(mutes.filter((m) => m.kind === 'category').map((m) => [m.value, m]));
  const keywords = mutes
    .filter((m) => m.kind === 'keyword')
    .map((m) => ({ m, re: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(norm(m.value)).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu') }));
  return (p) => {
    for (const a of p.authors) {
      const m = authors.get(norm(a));
      if (m) return m;
    }
    for (const c of p.categories) {
      const m = categories.get(c);
      if (m) return m;
    }
    if (keywords.length) {
      const text = `${p.title}\n${p.abstract}`;
      for (const k of keywords) if (k.re.test(text)) return k.m;
    }
    return undefined;
  };
}
