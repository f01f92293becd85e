/**
 * Collections: a user's named lists of papers, public or private, each paper with the time it was
 * added and an optional note. Pages, the JSON listing, the BibTeX export and the API all read through
 * these functions (one set of queries), and so will the Atom feed of a collection.
 *
 * Slugs are made from the name when a collection is created and kept when it is renamed, so links
 * and feed subscriptions keep working; the API may set a slug explicitly.
 */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { CollectionsTable } from '../db/schema.ts';
import { type Paper, paperFromRow } from './papers.ts';

/** Longest collection name, in characters. */
export const MAX_NAME_LENGTH = 100;
/** Longest description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 2000;
/** Longest note on a paper, in characters. */
export const MAX_NOTE_LENGTH = 1000;
/** Longest slug. */
export const MAX_SLUG_LENGTH = 60;
/** Collections one user may have: a bound on what one account can make the database hold. */
export const MAX_COLLECTIONS_PER_USER = 200;
/** Papers one collection may hold. */
export const MAX_PAPERS_PER_COLLECTION = 5000;

/** Slugs: lower-case letters, digits and single inner hyphens. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

/** Why a write was refused: `invalid` input, a `duplicate` slug, a `limit` reached. */
export type CollectionErrorKind = 'invalid' | 'duplicate' | 'limit';

/** A refusal with a message a person can act on. */
export class CollectionError extends Error {
  constructor(
    readonly kind: CollectionErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** A collection as the rest of the code sees it. */
export interface Collection {
  id: number;
  userId: number;
  ownerHandle: string;
  ownerName: string | null;
  slug: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  paperCount: number;
  createdAt: string;
  updatedAt: string;
}

/** One paper of a collection, with when it was added and the owner's note. */
export interface CollectionItem {
  paper: Paper;
  addedAt: string;
  note: string | null;
}

/** One-line text: controls and format characters gone, spaces collapsed. */
function cleanLine(s: string): string {
  return pgSafeText(s).replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** Multi-line text: controls other than line breaks gone, at most two blank lines in a row. */
function cleanText(s: string): string {
  return pgSafeText(s)
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n]|\p{Cf}/gu, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The cleaned name, or a CollectionError when it is empty or too long. */
export function cleanName(input: unknown): string {
  const v = typeof input === 'string' ? cleanLine(input) : '';
  if (v.length === 0) throw new CollectionError('invalid', 'A collection needs a name.');
  if (v.length > MAX_NAME_LENGTH) throw new CollectionError('invalid', `A collection name has at most ${MAX_NAME_LENGTH} characters.`);
  return v;
}

/** The cleaned description (null when empty), or a CollectionError when too long. */
export function cleanDescription(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') throw new CollectionError('invalid', 'The description must be text.');
  const v = cleanText(input);
  if (v.length > MAX_DESCRIPTION_LENGTH) throw new CollectionError('invalid', `A description has at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  return v.length > 0 ? v : null;
}

/** The cleaned note (null when empty), or a CollectionError when too long. */
export function cleanNote(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') throw new CollectionError('invalid', 'The note must be text.');
  const v = cleanText(input);
  if (v.length > MAX_NOTE_LENGTH) throw new CollectionError('invalid', `A note has at most ${MAX_NOTE_LENGTH} characters.`);
  return v.length > 0 ? v : null;
}

/** The slug a name suggests: accents folded, other characters to hyphens; `collection` when nothing is left. */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return s.length > 0 ? s : 'collection';
}

/** Null when `slug` is acceptable, else what is wrong. */
export function slugProblem(slug: string): string | null {
  if (!SLUG_PATTERN.test(slug) || slug.includes('--')) {
    return `A slug has 1 to ${MAX_SLUG_LENGTH} characters: lower-case letters, digits and single hyphens, not at either end.`;
  }
  return null;
}

type Row = Selectable<CollectionsTable> & { owner_handle: string; owner_name: string | null; paper_count: number | string | bigint };

function toCollection(r: Row): Collection {
  return {
    id: r.id,
    userId: r.user_id,
    ownerHandle: r.owner_handle,
    ownerName: r.owner_name,
    slug: r.slug,
    name: r.name,
    description: r.description,
    isPublic: Number(r.is_public) === 1,
    // COUNT is a string (bigint) on PostgreSQL.
    paperCount: Number(r.paper_count),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function baseQuery(db: DB) {
  return db
    .selectFrom('collections as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select((eb) => [
      'u.handle as owner_handle',
      'u.display_name as owner_name',
      eb.selectFrom('collection_papers as cp').whereRef('cp.collection_id', '=', 'c.id').select(eb.fn.countAll().as('n')).as('paper_count'),
    ]);
}

/** The collection with this id, or undefined (callers check who may see it). */
export async function getCollection(db: DB, id: number): Promise<Collection | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return undefined;
  const r = await baseQuery(db).where('c.id', '=', id).executeTakeFirst();
  return r ? toCollection(r as Row) : undefined;
}

/** The collection of the user with `handle` (any case) and `slug`, or undefined. */
export async function getCollectionBySlug(db: DB, handle: string, slug: string): Promise<Collection | undefined> {
  if (slugProblem(slug)) return undefined;
  const r = await baseQuery(db)
    .where('u.handle', '=', pgSafeText(handle.trim().toLowerCase()))
    .where('c.slug', '=', slug)
    .executeTakeFirst();
  return r ? toCollection(r as Row) : undefined;
}

/** A user's collections, most recently changed first; `publicOnly` for what others may see. */
export async function listUserCollections(db: DB, userId: number, o: { publicOnly?: boolean } = {}): Promise<Collection[]> {
  let q = baseQuery(db).where('c.user_id', '=', userId);
  if (o.publicOnly) q = q.where('c.is_public', '=', 1);
  const rows = await q.orderBy('c.updated_at', 'desc').orderBy('c.id', 'desc').execute();
  return rows.map((r) => toCollection(r as Row));
}

/** True when a user may see the collection: it is public, or it is theirs. */
export function canView(collection: Collection, viewerId: number | null | undefined): boolean {
  return collection.isPublic || collection.userId === viewerId;
}

async function freeSlug(db: DB, userId: number, base: string): Promise<string> {
  const taken = new Set(
    (await db.selectFrom('collections').select('slug').where('user_id', '=', userId).where('slug', 'like', `${base}%`).execute()).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Input of createCollection; `slug` absent: made from the name (and made unique). */
export interface NewCollection {
  name: unknown;
  description?: unknown;
  isPublic?: boolean;
  slug?: unknown;
}

/** Creates a collection for `userId`; CollectionError on bad input, a taken explicit slug or the limit. */
export async function createCollection(db: DB, userId: number, input: NewCollection, now: Date = new Date()): Promise<Collection> {
  const name = cleanName(input.name);
  const description = cleanDescription(input.description);
  const explicit = input.slug !== undefined && input.slug !== null && input.slug !== '';
  if (explicit) {
    const problem = typeof input.slug === 'string' ? slugProblem(input.slug) : 'The slug must be text.';
    if (problem) throw new CollectionError('invalid', problem);
  }
  const count = await db.selectFrom('collections').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_COLLECTIONS_PER_USER) {
    throw new CollectionError('limit', `You have ${MAX_COLLECTIONS_PER_USER} collections, the most one account may have; delete one first.`);
  }
  const ts = now.toISOString();
  // A lost race for a generated slug is retried with the next free one; an explicit slug is the caller's.
  for (let attempt = 0; ; attempt++) {
    const slug = explicit ? (input.slug as string) : await freeSlug(db, userId, slugify(name));
    try {
      const r = await db
        .insertInto('collections')
        .values({ user_id: userId, slug, name, description, is_public: input.isPublic ? 1 : 0, created_at: ts, updated_at: ts })
        .returning('id')
        .executeTakeFirstOrThrow();
      return (await getCollection(db, r.id))!;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (explicit || attempt >= 3) throw new CollectionError('duplicate', `You already have a collection at “${slug}”; choose another slug.`);
    }
  }
}

/** Changes to a collection; absent fields are kept. */
export interface CollectionPatch {
  name?: unknown;
  description?: unknown;
  isPublic?: boolean;
  slug?: unknown;
}

/** Applies `patch` to the collection `id`; CollectionError on bad input or a taken slug. */
export async function updateCollection(db: DB, id: number, patch: CollectionPatch, now: Date = new Date()): Promise<Collection> {
  const values: { name?: string; description?: string | null; is_public?: number; slug?: string; updated_at: string } = { updated_at: now.toISOString() };
  if (patch.name !== undefined) values.name = cleanName(patch.name);
  if (patch.description !== undefined) values.description = cleanDescription(patch.description);
  if (patch.isPublic !== undefined) values.is_public = patch.isPublic ? 1 : 0;
  if (patch.slug !== undefined) {
    const problem = typeof patch.slug === 'string' ? slugProblem(patch.slug) : 'The slug must be text.';
    if (problem) throw new CollectionError('invalid', problem);
    values.slug = patch.slug as string;
  }
  try {
    await db.updateTable('collections').set(values).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new CollectionError('duplicate', `You already have a collection at “${values.slug}”; choose another slug.`);
    throw err;
  }
  const c = await getCollection(db, id);
  if (!c) throw new CollectionError('invalid', 'This collection no longer exists.');
  return c;
}

/** Deletes a collection and its list of papers (the papers stay); false when there was none. */
export async function deleteCollection(db: DB, id: number): Promise<boolean> {
  const r = await db.deleteFrom('collections').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Puts a stored paper in a collection, with an optional note. Idempotent: a paper already there keeps
 * its added time and gets the new note when one is given (`note: undefined` keeps the old one).
 * Returns whether it was newly added, and the item's added time and note.
 */
export async function addPaperToCollection(
  db: DB,
  collectionId: number,
  paperId: string,
  note?: unknown,
  now: Date = new Date(),
): Promise<{ added: boolean; addedAt: string; note: string | null }> {
  const cleaned = note === undefined ? undefined : cleanNote(note);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('collection_papers')
      .select(['added_at', 'note'])
      .where('collection_id', '=', collectionId)
      .where('paper_id', '=', paperId)
      .executeTakeFirst();
    const ts = now.toISOString();
    if (existing) {
      if (cleaned !== undefined && cleaned !== existing.note) {
        await trx.updateTable('collection_papers').set({ note: cleaned }).where('collection_id', '=', collectionId).where('paper_id', '=', paperId).execute();
        await trx.updateTable('collections').set({ updated_at: ts }).where('id', '=', collectionId).execute();
      }
      return { added: false, addedAt: existing.added_at, note: cleaned === undefined ? existing.note : cleaned };
    }
    const count = await trx.selectFrom('collection_papers').select((eb) => eb.fn.countAll().as('n')).where('collection_id', '=', collectionId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_PAPERS_PER_COLLECTION) {
      throw new CollectionError('limit', `This collection holds ${MAX_PAPERS_PER_COLLECTION} papers, the most one collection may hold.`);
    }
    try {
      await trx.insertInto('collection_papers').values({ collection_id: collectionId, paper_id: paperId, note: cleaned ?? null, added_at: ts }).execute();
    } catch (err) {
      // Two concurrent adds of the same paper: the other one won, which is the same outcome.
      if (isUniqueViolation(err)) return { added: false, addedAt: ts, note: cleaned ?? null };
      throw err;
    }
    await trx.updateTable('collections').set({ updated_at: ts }).where('id', '=', collectionId).execute();
    return { added: true, addedAt: ts, note: cleaned ?? null };
  });
}

/** Takes a paper out of a collection; false when it was not in it. */
export async function removePaperFromCollection(db: DB, collectionId: number, paperId: string, now: Date = new Date()): Promise<boolean> {
  const r = await db.deleteFrom('collection_papers').where('collection_id', '=', collectionId).where('paper_id', '=', paperId).executeTakeFirst();
  const removed = Number(r.numDeletedRows) > 0;
  if (removed) await db.updateTable('collections').set({ updated_at: now.toISOString() }).where('id', '=', collectionId).execute();
  return removed;
}

/**
 * The papers of a collection with their added time and note: newest first (the order of the page,
 * the JSON listing and a feed), or oldest first (`order: 'oldest'`, the BibTeX export, so keys made
 * unique by suffix stay the same as papers are added). `limit` bounds a feed.
 */
export async function listCollectionItems(db: DB, collectionId: number, o: { order?: 'newest' | 'oldest'; limit?: number } = {}): Promise<CollectionItem[]> {
  const dir = o.order === 'oldest' ? 'asc' : 'desc';
  let q = db
    .selectFrom('collection_papers as cp')
    .innerJoin('papers as p', 'p.id', 'cp.paper_id')
    .selectAll('p')
    .select(['cp.added_at as cp_added_at', 'cp.note as cp_note'])
    .where('cp.collection_id', '=', collectionId)
    .orderBy('cp.added_at', dir)
    .orderBy('cp.paper_id', dir);
  if (o.limit !== undefined) q = q.limit(o.limit);
  const rows = await q.execute();
  return rows.map((r) => ({ paper: paperFromRow(r), addedAt: r.cp_added_at, note: r.cp_note }));
}

/** Ids of the user's collections that hold the paper (for the paper page's "save" form). */
export async function userCollectionIdsWithPaper(db: DB, userId: number, paperId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('collection_papers as cp')
    .innerJoin('collections as c', 'c.id', 'cp.collection_id')
    .select('c.id')
    .where('c.user_id', '=', userId)
    .where('cp.paper_id', '=', paperId)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Public collections that hold the paper, most recently changed first (the paper page lists them). */
export async function publicCollectionsWithPaper(db: DB, paperId: string, limit = 20): Promise<Collection[]> {
  const rows = await baseQuery(db)
    .where('c.is_public', '=', 1)
    .where((eb) => eb.exists(eb.selectFrom('collection_papers as x').select('x.paper_id').whereRef('x.collection_id', '=', 'c.id').where('x.paper_id', '=', paperId)))
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => toCollection(r as Row));
}

/** The page of a collection: /u/{handle}/collections/{slug}. */
export function collectionPath(c: Pick<Collection, 'ownerHandle' | 'slug'>): string {
  return `/u/${c.ownerHandle}/collections/${c.slug}`;
}
