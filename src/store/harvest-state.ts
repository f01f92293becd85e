/**
 * OAI-PMH harvest checkpoints (table harvest_state), one row per `oai:{prefix}:{set}`: the window being
 * harvested and the resumption token of its next page. `checkpointHarvestPage` is meant to run in the
 * same transaction as the page's papers, so the stored token always matches what the database holds.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, HarvestStateTable } from '../db/schema.ts';

/** A harvest_state row. */
export type HarvestState = Selectable<HarvestStateTable>;

/** The window a harvest covers: YYYY-MM-DD, both ends inclusive (OAI-PMH semantics). */
export interface HarvestWindow {
  from: string;
  until: string;
}

/** Raised when a checkpoint finds the row moved on: another process harvests the same set right now. */
export class HarvestConflictError extends Error {}

/** The state key (also the source_status name) of a metadata prefix and set. */
export function harvestKey(prefix: string, set: string): string {
  return `oai:${prefix}:${set}`;
}

/** A key's state, or undefined if it was never harvested. */
export async function getHarvestState(db: Kysely<Database>, key: string): Promise<HarvestState | undefined> {
  return db.selectFrom('harvest_state').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Every harvest state, by key (for /status). */
export async function listHarvestStates(db: Kysely<Database>): Promise<HarvestState[]> {
  return db.selectFrom('harvest_state').selectAll().orderBy('key').execute();
}

/**
 * Marks a window as running from its first page (token NULL, counters 0). Also used to restart a
 * window after arXiv expired its token. Keeps harvested_until and the last success/error.
 */
export async function startHarvestWindow(
  db: Kysely<Database>,
  o: { key: string; prefix: string; set: string; window: HarvestWindow; now: Date },
): Promise<void> {
  const at = o.now.toISOString();
  const running = {
    status: 'running' as const,
    window_from: o.window.from,
    window_until: o.window.until,
    resumption_token: null,
    pages: 0,
    records: 0,
    updated_at: at,
  };
  await db
    .insertInto('harvest_state')
    .values({ key: o.key, metadata_prefix: o.prefix, set_spec: o.set, ...running })
    .onConflict((oc) => oc.column('key').doUpdateSet(running))
    .execute();
}

/**
 * Records that one more page was applied: the next page's token (null after the last page) and the
 * counters. Guarded by the page count the caller started from, so two processes harvesting the same
 * set cannot both advance it: the loser gets HarvestConflictError and its transaction rolls back.
 */
export async function checkpointHarvestPage(
  db: Kysely<Database>,
  o: { key: string; expectedPages: number; nextToken: string | null; records: number; now: Date },
): Promise<void> {
  const r = await db
    .updateTable('harvest_state')
    .set((eb) => ({
      resumption_token: o.nextToken,
      pages: eb('pages', '+', 1),
      records: eb('records', '+', o.records),
      updated_at: o.now.toISOString(),
    }))
    .where('key', '=', o.key)
    .where('status', '=', 'running')
    .where('pages', '=', o.expectedPages)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    throw new HarvestConflictError(`harvest ${o.key}: the checkpoint moved under us; is another harvest of this set running?`);
  }
}

/**
 * Closes a completed window: idle, last success now, and harvested_until moved to the window's until when
 * the window joins on to what was harvested before. harvested_until means "everything up to here is
 * in": a backfill of an older window, or a window that leaves a gap, must not move it (back, or past
 * the gap). Run it in the transaction of the window's last page.
 */
export async function finishHarvestWindow(db: Kysely<Database>, o: { key: string; until: string; now: Date }): Promise<void> {
  const at = o.now.toISOString();
  const row = await db.selectFrom('harvest_state').select(['harvested_until', 'window_from']).where('key', '=', o.key).executeTakeFirst();
  const done = row?.harvested_until ?? null;
  const from = row?.window_from ?? null;
  const joins = done === null || ((from === null || from <= done) && o.until > done);
  await db
    .updateTable('harvest_state')
    .set({
      status: 'idle',
      window_from: null,
      window_until: null,
      resumption_token: null,
      harvested_until: joins ? o.until : done,
      last_success_at: at,
      updated_at: at,
    })
    .where('key', '=', o.key)
    .execute();
}

/** Records a failed run; the window and its token stay, so the next run resumes there. */
export async function recordHarvestError(db: Kysely<Database>, key: string, error: unknown, now: Date): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 500);
  const at = now.toISOString();
  await db.updateTable('harvest_state').set({ last_error: message, last_error_at: at, updated_at: at }).where('key', '=', key).execute();
}
