/**
 * Upvotes: one `votes` row per (user, paper), and the counts kept on the rows they rank.
 *
 * Where counts live (all written in the same transaction as the vote row):
 * - `papers.upvotes` = number of `votes` rows of the paper. Any stored paper can be upvoted, featured
 *   or not; no entry is created by a vote.
 * - `daily_entries.upvotes` = `imported_upvotes` (Hugging Face's count) + `papers.upvotes`, and
 *   `daily_entries.trending` recomputed from it (rank/trending.ts). An entry created later (submission,
 *   import) starts from the paper's count, so votes cast before featuring are kept.
 * Counts move by ±1 with `SET upvotes = upvotes ± 1` only when a vote row was really inserted or
 * deleted, so concurrent votes on PostgreSQL (row locks on the UPDATE) and SQLite (one writer) all count.
 * `recountVotes` rebuilds every count from the `votes` table when in doubt.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { trendingScore } from '../rank/trending.ts';

type DB = Kysely<Database>;

/** A paper's count and whether the user upvoted it: the API's `{upvotes, upvoted}`. */
export interface VoteState {
  upvotes: number;
  upvoted: boolean;
}

/** Runs `fn` in a transaction, or in the caller's when `db` already is one. */
function inTransaction<T>(db: DB, fn: (trx: DB) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** The count shown for a paper: its entry's (imported + local) when featured, else its local votes. */
async function countOf(db: DB, paperId: string): Promise<number> {
  const row = await db
    .selectFrom('papers as p')
    .leftJoin('daily_entries as e', 'e.paper_id', 'p.id')
    .select(['p.upvotes as paper_upvotes', 'e.upvotes as entry_upvotes'])
    .where('p.id', '=', paperId)
    .executeTakeFirst();
  return Number(row?.entry_upvotes ?? row?.paper_upvotes ?? 0);
}

/** Moves the paper's and its entry's counts by `delta` and rewrites the entry's trending score. */
async function bump(trx: DB, paperId: string, delta: 1 | -1): Promise<void> {
  await trx
    .updateTable('papers')
    .set((eb) => ({ upvotes: eb('upvotes', '+', delta) }))
    .where('id', '=', paperId)
    .execute();
  // RETURNING gives the count this transaction now holds the row lock on, so the score matches it.
  const entry = await trx
    .updateTable('daily_entries')
    .set((eb) => ({ upvotes: eb('upvotes', '+', delta) }))
    .where('paper_id', '=', paperId)
    .returning(['id', 'upvotes', 'submitted_at'])
    .executeTakeFirst();
  if (entry) {
    await trx.updateTable('daily_entries').set({ trending: trendingScore(entry.upvotes, entry.submitted_at) }).where('id', '=', entry.id).execute();
  }
}

/**
 * Sets the user's upvote on a paper on (`on` true) or off; idempotent. Returns the new state, or
 * undefined when the paper is not stored here.
 */
export async function setVote(db: DB, userId: number, paperId: string, on: boolean, now: Date = new Date()): Promise<VoteState | undefined> {
  return inTransaction(db, async (trx) => {
    const paper = await trx.selectFrom('papers').select('id').where('id', '=', paperId).executeTakeFirst();
    if (!paper) return undefined;
    const changed = on
      ? await trx
          .insertInto('votes')
          .values({ user_id: userId, paper_id: paperId, created_at: now.toISOString() })
          .onConflict((oc) => oc.columns(['user_id', 'paper_id']).doNothing())
          .returning('paper_id')
          .executeTakeFirst()
      : await trx.deleteFrom('votes').where('user_id', '=', userId).where('paper_id', '=', paperId).returning('paper_id').executeTakeFirst();
    if (changed) await bump(trx, paperId, on ? 1 : -1);
    return { upvotes: await countOf(trx, paperId), upvoted: on };
  });
}

/** Flips the user's upvote on a paper (the form button); undefined when the paper is not stored here. */
export async function toggleVote(db: DB, userId: number, paperId: string, now: Date = new Date()): Promise<VoteState | undefined> {
  return inTransaction(db, async (trx) => setVote(trx, userId, paperId, !(await hasVoted(trx, userId, paperId)), now));
}

/** Whether the user has upvoted the paper. */
export async function hasVoted(db: DB, userId: number, paperId: string): Promise<boolean> {
  const row = await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', '=', paperId).executeTakeFirst();
  return row !== undefined;
}

/** The papers among `paperIds` the user has upvoted (one query, for lists). */
export async function votedPaperIds(db: DB, userId: number, paperIds: string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db.selectFrom('votes').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}

/** The user's upvote state on a paper, or undefined when the paper is not stored here. */
export async function voteState(db: DB, userId: number | null, paperId: string): Promise<VoteState | undefined> {
  const paper = await db.selectFrom('papers').select('id').where('id', '=', paperId).executeTakeFirst();
  if (!paper) return undefined;
  return { upvotes: await countOf(db, paperId), upvoted: userId === null ? false : await hasVoted(db, userId, paperId) };
}

/** Someone who upvoted a paper, as shown on its page. */
export interface Upvoter {
  handle: string;
  displayName: string | null;
  votedAt: string;
}

/** The paper's upvoters, earliest first (at most `limit`), and how many there are in all. */
export async function listUpvoters(db: DB, paperId: string, limit = 100): Promise<{ total: number; upvoters: Upvoter[] }> {
  const [count, rows] = await Promise.all([
    db.selectFrom('votes').select((eb) => eb.fn.countAll<number>().as('n')).where('paper_id', '=', paperId).executeTakeFirstOrThrow(),
    db
      .selectFrom('votes as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select(['u.handle', 'u.display_name', 'v.created_at'])
      .where('v.paper_id', '=', paperId)
      .orderBy('v.created_at')
      .orderBy('u.handle')
      .limit(Math.max(0, limit))
      .execute(),
  ]);
  return { total: Number(count.n), upvoters: rows.map((r) => ({ handle: r.handle, displayName: r.display_name, votedAt: r.created_at })) };
}

/**
 * Recomputes every stored count from the `votes` table: `papers.upvotes`, then each entry's `upvotes`
 * (imported + local) and `trending`. Returns how many rows were wrong. Safe to run at any time.
 */
export async function recountVotes(db: DB): Promise<{ papers: number; entries: number }> {
  return inTransaction(db, async (trx) => {
    // Only papers that have votes or a non-zero count can be wrong; the rest of a large corpus is skipped.
    const counted = await trx.selectFrom('votes').select(['paper_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('paper_id').execute();
    const truth = new Map(counted.map((r) => [r.paper_id, Number(r.n)]));
    const stored = await trx.selectFrom('papers').select(['id', 'upvotes']).where('upvotes', '!=', 0).execute();
    const ids = new Set([...truth.keys(), ...stored.map((r) => r.id)]);
    const storedCount = new Map(stored.map((r) => [r.id, r.upvotes]));
    let papers = 0;
    for (const id of ids) {
      const want = truth.get(id) ?? 0;
      if ((storedCount.get(id) ?? 0) === want) continue;
      await trx.updateTable('papers').set({ upvotes: want }).where('id', '=', id).execute();
      papers++;
    }
    let entries = 0;
    const rows = await trx
      .selectFrom('daily_entries as e')
      .innerJoin('papers as p', 'p.id', 'e.paper_id')
      .select(['e.id', 'e.upvotes', 'e.imported_upvotes', 'e.trending', 'e.submitted_at', 'p.upvotes as local'])
      .execute();
    for (const r of rows) {
      const upvotes = r.imported_upvotes + r.local;
      const trending = trendingScore(upvotes, r.submitted_at);
      if (upvotes === r.upvotes && Math.abs(Number(r.trending) - trending) < 1e-9) continue;
      await trx.updateTable('daily_entries').set({ upvotes, trending }).where('id', '=', r.id).execute();
      entries++;
    }
    return { papers, entries };
  });
}
