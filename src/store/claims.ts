/**
 * Author claims: a signed-in user says they are one of a paper's listed authors; a moderator approves
 * or rejects. An approved claim makes the user a "claimed author" of the paper: a badge next to the
 * name (and on their comments), and the right to edit the paper's code and project links.
 *
 * One claim per user per paper (a rejected claim stays rejected: a moderator already looked at it),
 * and at most one approved claim per listed name, so two accounts cannot both be "the" Jane Doe.
 */
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { AuthorClaimsTable, ClaimStatus } from '../db/schema.ts';

export type { ClaimStatus };

/** A claim as the rest of the code sees it. */
export interface Claim {
  id: number;
  paperId: string;
  userId: number;
  authorName: string;
  status: ClaimStatus;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: number | null;
}

/** A claim with what a moderator needs to judge it. */
export interface ClaimListing extends Claim {
  handle: string;
  displayName: string | null;
  email: string;
  paperTitle: string;
}

/** A refusal a person can act on; `status` is the HTTP status that fits it. */
export class ClaimError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

function toClaim(r: Selectable<AuthorClaimsTable>): Claim {
  return {
    id: r.id,
    paperId: r.paper_id,
    userId: r.user_id,
    authorName: r.author_name,
    status: r.status,
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
  };
}

/** Ids of the users whose claim on this paper was approved (for "claimed author" badges and link rights). */
export async function claimedAuthorUserIds(db: DB, paperId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('author_claims')
    .select('user_id')
    .where('paper_id', '=', pgSafeText(paperId))
    .where('status', '=', 'approved')
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Approved claims of a paper with the claimant's handle, for the badges next to author names. */
export async function approvedClaims(db: DB, paperId: string): Promise<Array<{ authorName: string; userId: number; handle: string }>> {
  const rows = await db
    .selectFrom('author_claims')
    .innerJoin('users', 'users.id', 'author_claims.user_id')
    .select(['author_claims.author_name', 'author_claims.user_id', 'users.handle'])
    .where('author_claims.paper_id', '=', pgSafeText(paperId))
    .where('author_claims.status', '=', 'approved')
    .execute();
  return rows.map((r) => ({ authorName: r.author_name, userId: r.user_id, handle: r.handle }));
}

/** This user's claim on this paper, whatever its state, or undefined. */
export async function claimOf(db: DB, paperId: string, userId: number): Promise<Claim | undefined> {
  const r = await db
    .selectFrom('author_claims')
    .selectAll()
    .where('paper_id', '=', pgSafeText(paperId))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r && toClaim(r);
}

function alreadyClaimed(c: Claim): ClaimError {
  if (c.status === 'pending') return new ClaimError(`You already claimed to be ${c.authorName} on this paper; a moderator will review it.`, 409);
  if (c.status === 'approved') return new ClaimError(`You are already a claimed author of this paper (${c.authorName}).`, 409);
  return new ClaimError('Your claim on this paper was rejected by a moderator; please contact the moderators if this is a mistake.', 409);
}

/**
 * Records a pending claim that `userId` is the listed author `authorName` of the paper. Throws
 * ClaimError: unknown paper (404), a name not in the author list (400), a second claim (409).
 */
export async function claimAuthorship(db: DB, input: { paperId: string; userId: number; authorName: string }, now: Date = new Date()): Promise<Claim> {
  const paper = await db.selectFrom('papers').select(['id', 'authors']).where('id', '=', pgSafeText(input.paperId)).executeTakeFirst();
  if (!paper) throw new ClaimError(`arXiv:${input.paperId} is not in this instance.`, 404);
  const authors = JSON.parse(paper.authors) as string[];
  // Exact match against the list as stored: the form offers these names, so anything else was not chosen from it.
  if (!authors.includes(input.authorName)) throw new ClaimError('Choose one of the names listed as authors of this paper.', 400);
  const existing = await claimOf(db, paper.id, input.userId);
  if (existing) throw alreadyClaimed(existing);
  try {
    const row = await db
      .insertInto('author_claims')
      .values({
        paper_id: paper.id,
        user_id: input.userId,
        author_name: input.authorName,
        status: 'pending',
        created_at: now.toISOString(),
        decided_at: null,
        decided_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toClaim(row);
  } catch (err) {
    // The same claim sent twice at once: the other request stored it.
    if (isUniqueViolation(err)) {
      const raced = await claimOf(db, paper.id, input.userId);
      if (raced) throw alreadyClaimed(raced);
    }
    throw err;
  }
}

export interface ListClaimsOptions {
  status?: ClaimStatus;
  userId?: number;
  paperId?: string;
  limit?: number;
  offset?: number;
}

/** Claims with claimant and paper title; pending ones oldest first (a queue), others newest first. */
export async function listClaims(db: DB, o: ListClaimsOptions = {}): Promise<ClaimListing[]> {
  let q = db
    .selectFrom('author_claims')
    .innerJoin('users', 'users.id', 'author_claims.user_id')
    .innerJoin('papers', 'papers.id', 'author_claims.paper_id')
    .selectAll('author_claims')
    .select(['users.handle', 'users.display_name', 'users.email', 'papers.title as paper_title']);
  if (o.status) q = q.where('author_claims.status', '=', o.status);
  if (o.userId !== undefined) q = q.where('author_claims.user_id', '=', o.userId);
  if (o.paperId !== undefined) q = q.where('author_claims.paper_id', '=', pgSafeText(o.paperId));
  const dir = o.status === 'pending' ? 'asc' : 'desc';
  const rows = await q
    .orderBy('author_claims.created_at', dir)
    .orderBy('author_claims.id', dir)
    .limit(Math.min(Math.max(o.limit ?? 50, 1), 500))
    .offset(Math.max(o.offset ?? 0, 0))
    .execute();
  return rows.map((r) => ({
    ...toClaim(r),
    handle: r.handle,
    displayName: r.display_name,
    email: r.email,
    paperTitle: r.paper_title,
  }));
}

/** Number of claims waiting for a moderator. */
export async function countPendingClaims(db: DB): Promise<number> {
  const r = await db
    .selectFrom('author_claims')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A moderator approves or rejects a pending claim. Throws ClaimError: unknown claim (404), already
 * decided (409), or approving a name another account already holds on this paper (409).
 */
export async function decideClaim(db: DB, claimId: number, moderatorId: number, decision: 'approved' | 'rejected', now: Date = new Date()): Promise<Claim> {
  return db.transaction().execute(async (trx) => {
    const claim = await trx.selectFrom('author_claims').selectAll().where('id', '=', claimId).executeTakeFirst();
    if (!claim) throw new ClaimError('There is no such claim.', 404);
    if (claim.status !== 'pending') throw new ClaimError(`This claim was already ${claim.status}.`, 409);
    if (decision === 'approved') {
      const holder = await trx
        .selectFrom('author_claims')
        .innerJoin('users', 'users.id', 'author_claims.user_id')
        .select('users.handle')
        .where('author_claims.paper_id', '=', claim.paper_id)
        .where('author_claims.author_name', '=', claim.author_name)
        .where('author_claims.status', '=', 'approved')
        .executeTakeFirst();
      if (holder) throw new ClaimError(`${claim.author_name} on this paper is already claimed by @${holder.handle}; reject this one.`, 409);
    }
    // The status condition makes a concurrent second decision update nothing instead of overwriting the first.
    const row = await trx
      .updateTable('author_claims')
      .set({ status: decision, decided_at: now.toISOString(), decided_by: moderatorId })
      .where('id', '=', claimId)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ClaimError('This claim was just decided by someone else.', 409);
    return toClaim(row);
  });
}
