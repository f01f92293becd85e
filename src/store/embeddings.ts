/**
 * Stored embeddings: the models that produced vectors (the built-in model's trained parameters
 * included) and one vector per (model, paper). The in-process VectorIndex is rebuilt from here at
 * start-up and topped up from `embedded_at` so other processes' work shows up.
 */
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { EmbeddingModelsTable } from '../db/schema.ts';
import { bytesToVector, vectorToBytes } from '../search/embed/embedder.ts';

/** A model as stored. */
export interface StoredModel {
  name: string;
  kind: EmbeddingModelsTable['kind'];
  dim: number;
  params: Uint8Array | null;
  corpusSize: number | null;
}

/** One paper's vector to store. */
export interface EmbeddingRow {
  paperId: string;
  version: number;
  vector: Float32Array;
}

/** A paper that needs a vector: what it is embedded from. */
export interface PaperToEmbed {
  id: string;
  version: number;
  title: string;
  abstract: string;
}

/** Rows per INSERT: 5 bound values each, well under SQLite's 32,766 limit. */
const CHUNK = 500;

/** Buffers for both drivers (better-sqlite3 binds only Buffers as blobs). */
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Records a model (a second save of the same name is a no-op: the name is a hash of its parameters). */
export async function saveModel(db: DB, m: StoredModel, now = new Date()): Promise<void> {
  await db
    .insertInto('embedding_models')
    .values({ name: m.name, kind: m.kind, dim: m.dim, params: m.params ? asBuffer(m.params) : null, corpus_size: m.corpusSize, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** A stored model by name, or undefined. */
export async function getModel(db: DB, name: string): Promise<StoredModel | undefined> {
  const r = await db.selectFrom('embedding_models').selectAll().where('name', '=', name).executeTakeFirst();
  return r && { name: r.name, kind: r.kind, dim: Number(r.dim), params: r.params, corpusSize: r.corpus_size === null ? null : Number(r.corpus_size) };
}

/** The newest built-in model (the active one), or undefined before the first training. */
export async function latestBuiltinModel(db: DB): Promise<{ name: string; dim: number; params: Uint8Array } | undefined> {
  const r = await db
    .selectFrom('embedding_models')
    .select(['name', 'dim', 'params'])
    .where('kind', '=', 'builtin')
    .where('params', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('name', 'desc')
    .executeTakeFirst();
  return r && r.params ? { name: r.name, dim: Number(r.dim), params: r.params } : undefined;
}

/** The name of the newest built-in model (without loading its parameters), or undefined. */
export async function latestBuiltinModelName(db: DB): Promise<string | undefined> {
  const r = await db.selectFrom('embedding_models').select('name').where('kind', '=', 'builtin').where('params', 'is not', null).orderBy('created_at', 'desc').orderBy('name', 'desc').executeTakeFirst();
  return r?.name;
}

/** Names of the stored built-in models, newest first. */
export async function builtinModelNames(db: DB): Promise<string[]> {
  const rows = await db.selectFrom('embedding_models').select('name').where('kind', '=', 'builtin').orderBy('created_at', 'desc').orderBy('name', 'desc').execute();
  return rows.map((r) => r.name);
}

/** Stores vectors (replacing a paper's previous vector under the same model). */
export async function upsertEmbeddings(db: DB, model: string, rows: EmbeddingRow[], now = new Date()): Promise<void> {
  const at = now.toISOString();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => ({
      model,
      paper_id: r.paperId,
      vector: asBuffer(vectorToBytes(r.vector)),
      version: r.version,
      embedded_at: at,
    }));
    await db
      .insertInto('paper_embeddings')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['model', 'paper_id']).doUpdateSet({
          vector: (eb) => eb.ref('excluded.vector'),
          version: (eb) => eb.ref('excluded.version'),
          embedded_at: (eb) => eb.ref('excluded.embedded_at'),
        }),
      )
      .execute();
  }
}

/** A stored vector with when it was written. */
export interface LoadedEmbedding {
  paperId: string;
  vector: Float32Array;
  embeddedAt: string;
}

/** Rows per SELECT page when loading: bounds the driver's buffers at 100k+ vectors. */
const PAGE = 5000;

/**
 * Every vector of a model, oldest first, page by page into `fn` (so 100k+ vectors never sit in
 * memory twice); with `since`, those written at or after it (inclusive: two writers can share a
 * millisecond, and loading a vector twice is harmless). Returns the newest embedded_at seen.
 */
export async function forEachEmbedding(db: DB, model: string, since: string | undefined, fn: (page: LoadedEmbedding[]) => void): Promise<string | undefined> {
  let after: { at: string; id: string } | undefined;
  for (;;) {
    let q = db.selectFrom('paper_embeddings').select(['paper_id', 'vector', 'embedded_at']).where('model', '=', model);
    if (since !== undefined) q = q.where('embedded_at', '>=', since);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('embedded_at', '>', a.at), eb.and([eb('embedded_at', '=', a.at), eb('paper_id', '>', a.id)])]));
    }
    const rows = await q.orderBy('embedded_at').orderBy('paper_id').limit(PAGE).execute();
    fn(rows.map((r) => ({ paperId: r.paper_id, vector: bytesToVector(r.vector, r.vector.byteLength / 4), embeddedAt: r.embedded_at })));
    if (rows.length > 0) after = { at: rows[rows.length - 1]!.embedded_at, id: rows[rows.length - 1]!.paper_id };
    if (rows.length < PAGE) return after?.at ?? since;
  }
}

/** Every vector of a model (or those written at or after `since`), oldest first. */
export async function loadEmbeddings(db: DB, model: string, since?: string): Promise<LoadedEmbedding[]> {
  const out: LoadedEmbedding[] = [];
  await forEachEmbedding(db, model, since, (page) => out.push(...page));
  return out;
}

/** Papers after the one numbered `afterNum`, in insertion order, with their `num` for the next page (re-embedding everything). */
export async function papersAfter(db: DB, afterNum: number, limit: number): Promise<(PaperToEmbed & { num: number })[]> {
  const rows = await db.selectFrom('papers').select(['num', 'id', 'version', 'title', 'abstract']).where('num', '>', afterNum).orderBy('num').limit(limit).execute();
  return rows.map((r) => ({ ...r, num: Number(r.num), version: Number(r.version) }));
}

/** Papers without a vector under `model`, or whose vector is of an older version, in insertion order. */
export async function papersToEmbed(db: DB, model: string, limit: number): Promise<PaperToEmbed[]> {
  return db
    .selectFrom('papers as p')
    .leftJoin('paper_embeddings as e', (j) => j.onRef('e.paper_id', '=', 'p.id').on('e.model', '=', model))
    .select(['p.id', 'p.version', 'p.title', 'p.abstract'])
    .where((eb) => eb.or([eb('e.paper_id', 'is', null), eb('e.version', '<', eb.ref('p.version'))]))
    .orderBy('p.num')
    .limit(limit)
    .execute();
}

/** Every paper's title and abstract in insertion order (the built-in model's training corpus), paged. */
export async function paperTexts(db: DB): Promise<{ title: string; abstract: string }[]> {
  const out: { title: string; abstract: string }[] = [];
  let after = -1;
  for (;;) {
    const rows = await db.selectFrom('papers').select(['num', 'title', 'abstract']).where('num', '>', after).orderBy('num').limit(PAGE).execute();
    for (const r of rows) out.push({ title: r.title, abstract: r.abstract });
    if (rows.length < PAGE) return out;
    after = Number(rows[rows.length - 1]!.num);
  }
}

/** How many vectors a model has. */
export async function countEmbeddings(db: DB, model: string): Promise<number> {
  const r = await db.selectFrom('paper_embeddings').select(sql<number>`count(*)`.as('n')).where('model', '=', model).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** How many papers the instance has (the built-in model trains when there are any). */
export async function countPapers(db: DB): Promise<number> {
  const r = await db.selectFrom('papers').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Deletes a model and its vectors (explicitly: SQLite may run without foreign-key cascades). */
export async function deleteModel(db: DB, name: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('paper_embeddings').where('model', '=', name).execute();
    await tx.deleteFrom('embedding_models').where('name', '=', name).execute();
  });
}
