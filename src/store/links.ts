/**
 * Community links of a paper (code repository, project page): who may edit them, and the edit.
 * The columns live on the paper row; upsertPapers never overwrites them when arXiv data is re-imported.
 */
import type { DB } from '../db/connect.ts';
import { pgSafeText } from '../db/dialect.ts';
import { safeHttpsUrl } from '../text/safe-url.ts';
import { type User, roleAtLeast } from './users.ts';

/** Why a user may edit a paper's links, or null when they may not. */
export type LinkEditRight = 'moderator' | 'submitter' | 'claimed-author' | null;

/**
 * The user's right to edit the paper's links: moderators and admins everywhere; the user who submitted
 * the paper's daily entry here (by account id, not handle: handles can change hands); an approved
 * claimed author. Banned users never reach this (their sessions and tokens are refused).
 */
export async function linkEditRight(db: DB, user: User | null, paperId: string): Promise<LinkEditRight> {
  if (!user || user.bannedAt) return null;
  if (roleAtLeast(user.role, 'moderator')) return 'moderator';
  const id = pgSafeText(paperId);
  const entry = await db.selectFrom('daily_entries').select('submitter_user_id').where('paper_id', '=', id).executeTakeFirst();
  if (entry && entry.submitter_user_id === user.id) return 'submitter';
  const claim = await db
    .selectFrom('author_claims')
    .select('id')
    .where('paper_id', '=', id)
    .where('user_id', '=', user.id)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  return claim ? 'claimed-author' : null;
}

/** A refused link value, with a message naming the field. */
export class LinkError extends Error {}

/** The links as submitted: empty means "remove", absent "keep"; anything else must be a plain https URL. */
export interface LinksInput {
  codeUrl?: string;
  projectUrl?: string;
}

function checked(label: string, raw: string): string | null {
  if (raw.trim() === '') return null;
  const url = safeHttpsUrl(raw);
  if (!url) throw new LinkError(`The ${label} must be an https:// link (no spaces, no user name or password, at most 2048 characters), or empty to remove it.`);
  return url;
}

/** Validates and stores the given links; throws LinkError for a bad value; false for an unknown paper. */
export async function setPaperLinks(db: DB, paperId: string, input: LinksInput, now: Date = new Date()): Promise<boolean> {
  const set: { code_url?: string | null; project_url?: string | null; modified_at: string } = { modified_at: now.toISOString() };
  if (input.codeUrl !== undefined) set.code_url = checked('code repository link', input.codeUrl);
  if (input.projectUrl !== undefined) set.project_url = checked('project page link', input.projectUrl);
  const r = await db
    .updateTable('papers')
    .set(set)
    .where('id', '=', pgSafeText(paperId))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
