/** Runs the append-only migrations in order; used by `paperboy migrate`, `serve` and the tests. */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m001 from './migrations/2026-11-26-001-initial.ts';
import * as m002jobs from './migrations/2026-11-27-002-jobs.ts';
import * as m003arxiv from './migrations/2026-11-27-003-arxiv-sync.ts';
import * as m004accounts from './migrations/2026-11-27-004-accounts.ts';
import * as m005votes from './migrations/2026-11-27-005-votes.ts';
import * as m006comments from './migrations/2026-11-27-006-comments.ts';
import * as m007claims from './migrations/2026-11-27-007-claims.ts';
import * as m008collections from './migrations/2026-11-27-008-collections.ts';
import * as m009digests from './migrations/2026-11-27-009-digests.ts';
import * as m010embeddings from './migrations/2026-11-27-010-embeddings.ts';
import * as m011feedTokens from './migrations/2026-11-27-011-feed-tokens.ts';
import * as m012interests from './migrations/2026-11-27-012-interests.ts';

/** The list of every migration, in order. Static imports keep the set fixed at build time. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-26-001-initial': m001,
  '2026-11-27-002-jobs': m002jobs,
  '2026-11-27-003-arxiv-sync': m003arxiv,
  '2026-11-27-004-accounts': m004accounts,
  '2026-11-27-005-votes': m005votes,
  '2026-11-27-006-comments': m006comments,
  '2026-11-27-007-claims': m007claims,
  '2026-11-27-008-collections': m008collections,
  '2026-11-27-009-digests': m009digests,
  '2026-11-27-010-embeddings': m010embeddings,
  '2026-11-27-011-feed-tokens': m011feedTokens,
  '2026-11-27-012-interests': m012interests,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies pending migrations; returns their names. Throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return applied;
}
