/**
 * Standing named interests of a reader: pasted text (an abstract, a paragraph about a topic) kept with
 * its embedding under the model that made it, or one of their collections used as a seed. Each can be
 * viewed alone on /for-you ("Interest: …"), and all of them feed the reader's overall model.
 */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import type { InterestsTable } from '../db/schema.ts';
import { bytesToVector, vectorToBytes } from '../search/embed/embedder.ts';

/** Interests per user at most. */
export const MAX_INTERESTS = 20;
/** Longest interest name. */
export const MAX_INTEREST_NAME = 100;
/** Longest pasted text (about three abstracts). */
export const MAX_INTEREST_TEXT = 5000;
/** Shortest pasted text that says enough to rank by. */
export const MIN_INTEREST_TEXT = 20;

/** A standing interest. */
export interface Interest {
  id: number;
  userId: number;
  name: string;
  kind: 'text' | 'collection';
  body: string | null;
  collectionId: number | null;
  /** The stored embedding and the model it belongs to (null until embedded). */
  vector: Uint8Array | null;
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Bad input (status 400), a duplicate name or too many (409), or an unknown collection (404). */
export class InterestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

function fromRow(r: Selectable<InterestsTable>): Interest {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    name: r.name,
    kind: r.kind,
    body: r.body,
    collectionId: r.collection_id === null ? null : Number(r.collection_id),
    vector: r.vector,
    model: r.model,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A vector as a Buffer: better-sqlite3 binds only Buffers as blobs. */
function blob(v: Float32Array): Buffer {
  const b = vectorToBytes(v);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function tidy(s: string): string {
  return pgSafeText(s).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
}

/** Checks a name; throws InterestError. */
export function cleanInterestName(v: unknown): string {
  if (typeof v !== 'string') throw new InterestError('Give the interest a name.');
  const name = tidy(v).replace(/\s+/g, ' ').trim();
  if (name.length < 1 || name.length > MAX_INTEREST_NAME) throw new InterestError(`An interest name has 1 to ${MAX_INTEREST_NAME} characters.`);
  return name;
}

/** Checks pasted text; throws InterestError. */
export function cleanInterestText(v: unknown): string {
  if (typeof v !== 'string') throw new InterestError('Paste some text describing the interest.');
  const body = tidy(v).trim();
  if (body.length < MIN_INTEREST_TEXT) throw new InterestError(`Paste at least ${MIN_INTEREST_TEXT} characters (a sentence or an abstract) so there is something to match.`);
  if (body.length > MAX_INTEREST_TEXT) throw new InterestError(`Paste at most ${MAX_INTEREST_TEXT} characters.`);
  return body;
}

async function checkRoom(db: DB, userId: number, name: string): Promise<void> {
  const rows = await db.selectFrom('interests').select('name').where('user_id', '=', userId).execute();
  if (rows.length >= MAX_INTERESTS) throw new InterestError(`You can have at most ${MAX_INTERESTS} interests; delete one first.`, 409);
  if (rows.some((r) => r.name === name)) throw new InterestError(`You already have an interest called "${name}".`, 409);
}

/** Adds a pasted-text interest with its embedding (or none when no embedder is available yet). */
export async function createTextInterest(
  db: DB,
  userId: number,
  input: { name: unknown; body: unknown },
  embedding: { vector: Float32Array; model: string } | undefined,
  now: Date = new Date(),
): Promise<Interest> {
  const name = cleanInterestName(input.name);
  const body = cleanInterestText(input.body);
  await checkRoom(db, userId, name);
  const ts = now.toISOString();
  const row = await db
    .insertInto('interests')
    .values({
      user_id: userId,
      name,
      kind: 'text',
      body,
      collection_id: null,
      vector: embedding ? blob(embedding.vector) : null,
      model: embedding?.model ?? null,
      created_at: ts,
      updated_at: ts,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** Adds an interest seeded by one of the user's own collections. */
export async function createCollectionInterest(db: DB, userId: number, input: { name?: unknown; collectionId: unknown }, now: Date = new Date()): Promise<Interest> {
  const cid = typeof input.collectionId === 'string' && /^[1-9]\d{0,9}$/.test(input.collectionId) ? Number(input.collectionId) : input.collectionId;
  if (typeof cid !== 'number' || !Number.isSafeInteger(cid) || cid < 1) throw new InterestError('Choose one of your collections.');
  const col = await db.selectFrom('collections').select(['id', 'name']).where('id', '=', cid).where('user_id', '=', userId).executeTakeFirst();
  if (!col) throw new InterestError('You have no collection with this id.', 404);
  const name = cleanInterestName(input.name === undefined || input.name === '' ? col.name : input.name);
  await checkRoom(db, userId, name);
  const ts = now.toISOString();
  const row = await db
    .insertInto('interests')
    .values({ user_id: userId, name, kind: 'collection', body: null, collection_id: cid, vector: null, model: null, created_at: ts, updated_at: ts })
    .returningAll()
    .executeTakeFirstOrThrow();
  return fromRow(row);
}

/** A user's interests, oldest first. */
export async function listInterests(db: DB, userId: number): Promise<Interest[]> {
  return (await db.selectFrom('interests').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map(fromRow);
}

/** One interest of this user, or undefined. */
export async function getInterest(db: DB, userId: number, id: number): Promise<Interest | undefined> {
  const r = await db.selectFrom('interests').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

/** Deletes an interest of this user; true when one was deleted. */
export async function deleteInterest(db: DB, userId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('interests').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Stores a (re-)embedding of a text interest, e.g. after the active model changed. */
export async function setInterestVector(db: DB, id: number, vector: Float32Array, model: string, now: Date = new Date()): Promise<void> {
  await db.updateTable('interests').set({ vector: blob(vector), model, updated_at: now.toISOString() }).where('id', '=', id).execute();
}

/** The interest's vector under `model`, or undefined when it was embedded by another model (or never). */
export function interestVector(i: Interest, model: string, dim: number): Float32Array | undefined {
  if (!i.vector || i.model !== model || i.vector.byteLength !== dim * 4) return undefined;
  return bytesToVector(i.vector, dim);
}
