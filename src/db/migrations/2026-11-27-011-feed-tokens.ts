/**
 * Private feed tokens: one secret per user that opens their personal Atom feed (a feed reader cannot
 * sign in). Kept as sha256 only, like API tokens; revoking deletes the row, regenerating replaces it.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feed_tokens')
    // One token per user: regenerating replaces it, so an old URL stops working at once.
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // sha256 (hex) of the whole token `pbf_…`.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The token's first characters, shown in settings so a reader can tell which URL is live.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Written at most once a minute per token, so a polling feed reader is not a write per fetch.
    .addColumn('last_used_at', 'text')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
