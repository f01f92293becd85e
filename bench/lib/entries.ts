/** Daily entries for the throughput benchmark, so the daily page renders a full day as in production. */
import { sql } from 'kysely';
import type { DB } from '../../src/db/connect.ts';
import { upsertEntries } from '../../src/store/entries.ts';

/**
 * Features `count` papers of the latest announcement date (or the latest papers) on that feed date.
 * Upvotes are a simple descending ramp: this is load-test data, never shown to anyone.
 */
export async function seedBenchEntries(db: DB, count = 30): Promise<{ feedDate: string; paperIds: string[] }> {
  const latest = await sql<{ date: string | null }>`SELECT max(date) AS date FROM announcements`.execute(db);
  let feedDate = latest.rows[0]?.date ?? null;
  let ids: string[];
  if (feedDate) {
    const rows = await sql<{ paper_id: string }>`SELECT paper_id FROM announcements WHERE date = ${feedDate} ORDER BY paper_id LIMIT ${count}`.execute(db);
    ids = rows.rows.map((r) => r.paper_id);
  } else {
    const rows = await db.selectFrom('papers').select(['id', 'published_at']).orderBy('published_at', 'desc').limit(count).execute();
    ids = rows.map((r) => r.id);
    feedDate = rows[0]?.published_at.slice(0, 10) ?? '2026-01-01';
  }
  if (ids.length === 0) throw new Error('the imported database has no papers to feature');
  await db.transaction().execute((trx) =>
    upsertEntries(
      trx,
      ids.map((paperId, i) => ({
        paperId,
        feedDate: feedDate!,
        submitterName: 'bench',
        submittedAt: `${feedDate}T12:00:00.000Z`,
        upvotes: ids.length - i,
      })),
    ),
  );
  return { feedDate, paperIds: ids };
}
