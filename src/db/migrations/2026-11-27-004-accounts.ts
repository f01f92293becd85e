/**
 * Accounts: users (roles, bans), browser sessions, one-time sign-in tokens and personal API tokens.
 * Every secret (session id, sign-in token, API token) is stored only as its sha256, so a leaked
 * database does not hand out working credentials.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the auto-increment key (serial vs INTEGER PRIMARY KEY AUTOINCREMENT).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('users')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    // Lower-cased by the store, so uniqueness is case-insensitive on both databases.
    .addColumn('email', 'text', (c) => c.notNull().unique())
    // Lower-cased `[a-z0-9_-]`, 2-30 characters (see src/store/users.ts); used in URLs.
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user').check(sql`role IN ('user', 'moderator', 'admin')`))
    // Set while banned: sign-in, sessions and API tokens of a banned user stop working.
    .addColumn('banned_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .execute();

  await db.schema
    .createTable('sessions')
    // sha256 (hex) of the random id held in the browser's cookie.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('login_tokens')
    // sha256 (hex) of the token mailed in the sign-in link.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    // The address the link was sent to (lower-cased); the account is found or created from it on use.
    .addColumn('email', 'text', (c) => c.notNull())
    // Local path to return to after signing in.
    .addColumn('next_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('login_tokens_expires_at').on('login_tokens').column('expires_at').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // sha256 (hex) of the whole token `pb_…`.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The token's first characters, shown in settings so a person can tell tokens apart.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user_id').on('api_tokens').column('user_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
