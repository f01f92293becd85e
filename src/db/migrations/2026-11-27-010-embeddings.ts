/**
 * Embeddings: the models that produced vectors (name and dimension recorded, plus the trained
 * parameters of the built-in model) and one vector per (model, paper).
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the binary type (bytea vs blob).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const binary = pg ? 'bytea' : 'blob';
  await db.schema
    .createTable('embedding_models')
    // e.g. `builtin-lsa-1a2b3c4d`, `onnx:Xenova/all-MiniLM-L6-v2`, `http:nomic-embed-text`.
    .addColumn('name', 'text', (c) => c.primaryKey())
    // builtin | transformer | http
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dim', 'integer', (c) => c.notNull())
    // The built-in model's trained parameters (vocabulary, weights, projection); null for other kinds.
    .addColumn('params', binary)
    // Papers the model was trained on (built-in) or null.
    .addColumn('corpus_size', 'integer')
    // ISO 8601 UTC; the newest built-in model is the active one.
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('paper_embeddings')
    .addColumn('model', 'text', (c) => c.notNull().references('embedding_models.name').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    // Little-endian float32 × dim, unit length.
    .addColumn('vector', binary, (c) => c.notNull())
    // The paper version the vector was computed from: a new version is embedded again.
    .addColumn('version', 'integer', (c) => c.notNull())
    // ISO 8601 UTC with milliseconds: other processes load vectors newer than the last they saw.
    .addColumn('embedded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_embeddings_pk', ['model', 'paper_id'])
    .execute();
  await db.schema.createIndex('paper_embeddings_model_time').on('paper_embeddings').columns(['model', 'embedded_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
