/**
 * Health and HTTP validators of every ingestion source (`oai:{prefix}:{set}`, `feed:{category}`, `api`,
 * `hf`): the last success and the last error, shown on /status, and the ETag / Last-Modified a
 * conditional GET sends next time.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SourceStatusTable } from '../db/schema.ts';

/** A source's row, or undefined if it never ran. */
export type SourceStatus = Selectable<SourceStatusTable>;

/** Records a success (clearing nothing else: the last error stays visible with its time). */
export async function recordSourceSuccess(
  db: Kysely<Database>,
  source: string,
  o: { etag?: string | null; lastModified?: string | null; now?: Date } = {},
): Promise<void> {
  const now = (o.now ?? new Date()).toISOString();
  const validators = {
    ...(o.etag !== undefined ? { etag: o.etag } : {}),
    ...(o.lastModified !== undefined ? { last_modified: o.lastModified } : {}),
  };
  await db
    .insertInto('source_status')
    .values({ source, last_success_at: now, updated_at: now, etag: o.etag ?? null, last_modified: o.lastModified ?? null })
    .onConflict((oc) => oc.column('source').doUpdateSet({ last_success_at: now, updated_at: now, ...validators }))
    .execute();
}

/** Records a failure with a one-line message (long messages are cut: this is for people, not forensics). */
export async function recordSourceError(db: Kysely<Database>, source: string, error: unknown, now = new Date()): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
  const at = now.toISOString();
  await db
    .insertInto('source_status')
    .values({ source, last_error: message, last_error_at: at, updated_at: at })
    .onConflict((oc) => oc.column('source').doUpdateSet({ last_error: message, last_error_at: at, updated_at: at }))
    .execute();
}

/** One source's status. */
export async function getSourceStatus(db: Kysely<Database>, source: string): Promise<SourceStatus | undefined> {
  return db.selectFrom('source_status').selectAll().where('source', '=', source).executeTakeFirst();
}

/** Every source's status, by name. */
export async function listSourceStatus(db: Kysely<Database>): Promise<SourceStatus[]> {
  return db.selectFrom('source_status').selectAll().orderBy('source').execute();
}
