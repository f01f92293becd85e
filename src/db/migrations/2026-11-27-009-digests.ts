/**
 * Email digests: subscriptions (a user's, or an address-only one confirmed by double opt-in), saved
 * searches and follows that feed them, one row per (subscription, period) send recorded BEFORE the SMTP
 * transaction, the papers of each send, a per-recipient ledger of papers already mailed, and feedback.
 * Frozen once landed: never edit, add a new migration instead. Imports no app code.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The dialects differ only in the auto-increment key (serial vs INTEGER PRIMARY KEY AUTOINCREMENT).
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (t: any) => t.addColumn('id', pg ? 'serial' : 'integer', (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()));

  await id(db.schema.createTable('subscriptions'))
    // Null for an address-only subscription (top papers only); set for a signed-in reader's.
    .addColumn('user_id', 'integer', (c: any) => c.unique().references('users.id').onDelete('cascade'))
    // Lower-cased recipient; one subscription per address, so nobody gets two digests.
    .addColumn('email', 'text', (c: any) => c.notNull().unique())
    .addColumn('cadence', 'text', (c: any) => c.notNull().check(sql`cadence IN ('daily', 'weekly')`))
    .addColumn('hour', 'integer', (c: any) => c.notNull().check(sql`hour >= 0 AND hour <= 23`))
    // IANA zone in which `hour` (and a weekly digest's Monday) is counted.
    .addColumn('timezone', 'text', (c: any) => c.notNull())
    .addColumn('include_top', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('include_saved_searches', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('include_follows', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('include_picks', 'integer', (c: any) => c.notNull().defaultTo(1))
    // Double opt-in: null until the mailed link is followed (a user's own subscription is confirmed at once).
    .addColumn('confirmed_at', 'text')
    // sha256 (hex) of the confirmation token mailed to the address.
    .addColumn('confirm_token_hash', 'text', (c: any) => c.unique())
    // Permanent SMTP failures (5xx) in a row; reset by a delivered digest.
    .addColumn('bounce_count', 'integer', (c: any) => c.notNull().defaultTo(0))
    // Set when no more digests go out: 'unsubscribed', 'bounced', 'stopped' (by the reader in settings).
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute();

  await id(db.schema.createTable('saved_searches'))
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('query', 'text', (c: any) => c.notNull())
    // JSON object of search filters: {"category"?: "cs.CL"}.
    .addColumn('filters', 'text', (c: any) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addUniqueConstraint('saved_searches_user_query', ['user_id', 'query', 'filters'])
    .execute();

  await id(db.schema.createTable('follows'))
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull().check(sql`kind IN ('author', 'category')`))
    // An author name as listed on papers, or an arXiv category such as cs.CL.
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addUniqueConstraint('follows_user_kind_value', ['user_id', 'kind', 'value'])
    .execute();

  await id(db.schema.createTable('digest_sends'))
    .addColumn('subscription_id', 'integer', (c: any) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    // `daily:YYYY-MM-DD` or `weekly:YYYY-Www`, in the subscriber's time zone.
    .addColumn('period', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) =>
      c.notNull().defaultTo('planned').check(sql`status IN ('planned', 'sending', 'sent', 'failed', 'skipped')`),
    )
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    // The Message-ID of the delivered mail.
    .addColumn('message_id', 'text')
    // The address the send went (or goes) to, fixed when it starts.
    .addColumn('recipient', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('sending_at', 'text')
    .addColumn('sent_at', 'text')
    // The heart of "never sends twice": one row per subscription and period, whoever plans it.
    .addUniqueConstraint('digest_sends_subscription_period', ['subscription_id', 'period'])
    .execute();
  await db.schema.createIndex('digest_sends_status').on('digest_sends').column('status').execute();

  await db.schema
    .createTable('digest_items')
    .addColumn('send_id', 'integer', (c) => c.notNull().references('digest_sends.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // Why the paper is in the digest, shown to the reader.
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('digest_items_pk', ['send_id', 'paper_id'])
    .execute();

  await db.schema
    .createTable('digest_mailed')
    // Lower-cased address: the ledger follows the person, not the subscription row.
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('paper_id', 'text', (c) => c.notNull())
    .addColumn('send_id', 'integer', (c) => c.notNull().references('digest_sends.id').onDelete('cascade'))
    .addColumn('mailed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('digest_mailed_pk', ['recipient', 'paper_id'])
    .execute();
  await db.schema.createIndex('digest_mailed_send').on('digest_mailed').column('send_id').execute();

  await id(db.schema.createTable('digest_feedback'))
    .addColumn('subscription_id', 'integer', (c: any) => c.notNull().references('subscriptions.id').onDelete('cascade'))
    // Null for an address-only subscriber.
    .addColumn('user_id', 'integer', (c: any) => c.references('users.id').onDelete('cascade'))
    .addColumn('paper_id', 'text', (c: any) => c.notNull())
    .addColumn('kind', 'text', (c: any) => c.notNull().check(sql`kind IN ('more', 'not_interested')`))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    // One opinion per reader and paper; a later click replaces it.
    .addUniqueConstraint('digest_feedback_subscription_paper', ['subscription_id', 'paper_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only; restore from a backup instead');
}
