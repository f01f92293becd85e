/**
 * OAI-PMH harvest of new and updated arXiv papers: `ListRecords` over a date window, following resumption
 * tokens, with every page applied in ONE transaction together with its checkpoint (the next page's
 * token), so a crash at any point resumes at the right page with nothing lost and nothing applied twice.
 *
 * Deleted records: arXiv marks a record `status="deleted"` when it withdraws the *metadata record* (a
 * duplicate merged away, an administrative removal); the paper itself stays citable, and our rows carry
 * community data (votes, comments, collections) keyed on it. So we keep the paper, log the id and count
 * it; an operator can remove a paper by hand if it must go.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { type ArxivClient, clientFromConfig } from '../arxiv/client.ts';
import { type OaiMetadataPrefix, type OaiPage, OaiError, parseOaiPage } from '../arxiv/oai.ts';
import { FeedParseError } from '../arxiv/xml-errors.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { JobHandler } from '../jobs/handlers.ts';
import type { Logger } from '../log.ts';
import {
  type HarvestWindow,
  checkpointHarvestPage,
  finishHarvestWindow,
  getHarvestState,
  harvestKey,
  recordHarvestError,
  startHarvestWindow,
} from '../store/harvest-state.ts';
import { upsertPapers } from '../store/papers.ts';
import { recordSourceError, recordSourceSuccess } from '../store/source-status.ts';
import { addDays, isValidDate } from '../time.ts';

/** What `onPage` hears after each applied page. */
export interface HarvestPageInfo {
  set: string;
  /** Pages of the window applied so far (including pages applied by an earlier, interrupted run). */
  page: number;
  records: number;
  deleted: number;
  skipped: number;
  nextToken: string | null;
  completeListSize: number | null;
}

export interface HarvestOptions {
  /** OAI-PMH set, e.g. `cs` or `physics:hep-th`; empty for the whole archive. */
  set: string;
  /** `arXivRaw` (default) carries every version's date; `arXiv` only created/updated. */
  prefix?: OaiMetadataPrefix;
  /** Window, YYYY-MM-DD inclusive. Default: from the last harvested `until` (first run: 3 days ago) to today (UTC). */
  from?: string;
  until?: string;
  log: Logger;
  now?: () => Date;
  signal?: AbortSignal;
  onPage?: (info: HarvestPageInfo) => void;
  /** Re-fetches of a page whose body does not parse (default 3), with a doubling pause from parseBackoffMs (default 2000). */
  parseRetries?: number;
  parseBackoffMs?: number;
}

export interface HarvestResult {
  /** Pages and records applied by THIS call (a resumed run counts only what it did). */
  pages: number;
  records: number;
  deleted: number;
  window: HarvestWindow;
  /** True when this call continued a window an earlier run had started. */
  resumed: boolean;
}

/** Times an expired (badResumptionToken) window is restarted from its first page before giving up. */
const MAX_RESTARTS = 3;
/** A first harvest reaches this many days back; older papers come from the bulk snapshot import. */
const FIRST_RUN_DAYS = 3;

/** The UTC calendar date of an instant (OAI-PMH datestamps are UTC days). */
function utcDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A failure that names the set and says what to do; the original error is its cause. */
export class HarvestError extends Error {}

/**
 * Harvests one set over a window (see HarvestOptions): resumes a window an earlier run left `running`,
 * applies each page atomically with its checkpoint, and on the last page marks the state idle, advances
 * harvested_until (see finishHarvestWindow) and records the source's success. On failure the state keeps its window and token
 * (the next run resumes there) and the error is recorded on the source; then it throws.
 */
export async function harvestOai(db: Kysely<Database>, client: ArxivClient, config: Config, o: HarvestOptions): Promise<HarvestResult> {
  const prefix = o.prefix ?? 'arXivRaw';
  const set = o.set;
  const now = o.now ?? (() => new Date());
  const key = harvestKey(prefix, set);
  const log = o.log.child({ job: 'harvest', source: key });
  const state = await getHarvestState(db, key);
  const today = utcDate(now());

  for (const [name, v] of [['from', o.from], ['until', o.until]] as const) {
    if (v !== undefined && !isValidDate(v)) throw new HarvestError(`harvest ${key}: --${name} must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  const explicit = o.from !== undefined || o.until !== undefined;
  const stored = state?.status === 'running' && state.window_from && state.window_until ? { from: state.window_from, until: state.window_until } : null;
  // The next window starts ON the last `until` (not the day after): records stamped that day after our
  // run would otherwise be missed; the overlap costs one day of re-sent records, which upserts ignore.
  // (Clamped to today: a clock that went back must not leave every later window empty and refused.)
  const done = state?.harvested_until ?? null;
  const next = done === null ? addDays(today, -FIRST_RUN_DAYS) : done < today ? done : today;
  const window: HarvestWindow = explicit ? { from: o.from ?? next, until: o.until ?? today } : (stored ?? { from: next, until: today });
  if (window.from > window.until) throw new HarvestError(`harvest ${key}: the window starts (${window.from}) after it ends (${window.until})`);

  // An interrupted window resumes at its stored token; an explicit window equal to it does too (e.g. the
  // same `paperboy ingest oai --from … --until …` run again after a crash).
  const resumed = stored !== null && stored.from === window.from && stored.until === window.until;
  let token = resumed ? state!.resumption_token : null;
  let applied = resumed ? state!.pages : 0;
  if (!resumed && stored) log.warn({ from: stored.from, until: stored.until, page: state!.pages }, 'abandoning an interrupted window for the explicit one; its records stay, harvested_until does not move');
  if (!resumed) await startHarvestWindow(db, { key, prefix, set, window, now: now() });
  log.info({ set, prefix, from: window.from, until: window.until, resumed, page: applied }, resumed ? 'resuming OAI-PMH harvest' : 'starting OAI-PMH harvest');

  const result: HarvestResult = { pages: 0, records: 0, deleted: 0, window, resumed };
  let restarts = 0;
  try {
    for (;;) {
      o.signal?.throwIfAborted();
      // Per OAI-PMH, a resumption request carries only the verb and the token.
      const url = token === null ? listUrl(config.arxiv.oaiUrl, { metadataPrefix: prefix, from: window.from, until: window.until, set }) : listUrl(config.arxiv.oaiUrl, { resumptionToken: token });
      let page: OaiPage;
      try {
        page = await fetchPage(client, url, prefix, o, log);
      } catch (err) {
        if (err instanceof OaiError && err.code === 'badResumptionToken' && token !== null) {
          // arXiv expires tokens (after a pause, or when its list changes): the only way on is the window's first page.
          if (++restarts > MAX_RESTARTS) throw new HarvestError(`harvest ${key}: arXiv rejected the resumption token ${MAX_RESTARTS + 1} times; giving up on window ${window.from}..${window.until} (the next run restarts it)`, { cause: err });
          log.warn({ token, restarts, err: err.message }, 'resumption token expired; restarting the window from its first page');
          await startHarvestWindow(db, { key, prefix, set, window, now: now() });
          token = null;
          applied = 0;
          continue;
        }
        if (err instanceof OaiError) throw new HarvestError(`harvest ${key}: arXiv OAI-PMH answered ${err.code}: ${err.message}`, { cause: err });
        throw err;
      }

      for (const id of page.deleted) log.info({ paper_id: id }, 'OAI record deleted upstream; keeping the paper');
      for (const s of page.skipped) log.warn({ paper_id: s.id, reason: s.reason }, 'OAI record skipped');
      const last = page.resumptionToken === null;
      const at = now();
      await db.transaction().execute(async (trx) => {
        // The checkpoint goes first: its conditional UPDATE locks the state row, so a second process on the
        // same set waits here, then finds the page taken and stops before writing any paper.
        await checkpointHarvestPage(trx, { key, expectedPages: applied, nextToken: page.resumptionToken, records: page.records.length, now: at });
        if (page.records.length > 0) await upsertPapers(trx, page.records.map((r) => r.paper), at.toISOString());
        // The last page closes the window in the same transaction: a state left `running` with a NULL token
        // would mean "first page next" and re-harvest the whole window.
        if (last) {
          await finishHarvestWindow(trx, { key, until: window.until, now: at });
          await recordSourceSuccess(trx, key, { now: at });
        }
      });
      applied++;
      result.pages++;
      result.records += page.records.length;
      result.deleted += page.deleted.length;
      log.info({ page: applied, records: page.records.length, deleted: page.deleted.length, skipped: page.skipped.length, cursor: page.cursor, total: page.completeListSize }, 'OAI page applied');
      o.onPage?.({ set, page: applied, records: page.records.length, deleted: page.deleted.length, skipped: page.skipped.length, nextToken: page.resumptionToken, completeListSize: page.completeListSize });
      if (last) break;
      token = page.resumptionToken;
    }
  } catch (err) {
    // Stopped on purpose (lost lease, shutdown): not an arXiv failure; the next run resumes.
    if (o.signal?.aborted) throw err;
    const at = now();
    await recordHarvestError(db, key, err, at).catch((e: unknown) => log.error({ err: e }, 'could not record the harvest error'));
    await recordSourceError(db, key, err, at).catch((e: unknown) => log.error({ err: e }, 'could not record the source error'));
    log.error({ err: (err as Error).message, page: applied + 1 }, 'OAI-PMH harvest failed; the next run resumes at this page');
    throw err;
  }
  log.info({ pages: result.pages, records: result.records, deleted: result.deleted, from: window.from, until: window.until }, 'OAI-PMH harvest complete');
  return result;
}

/** The ListRecords URL with the given arguments (empty values left out: `set=` empty means no set). */
function listUrl(base: string, args: Record<string, string>): string {
  const u = new URL(base);
  u.searchParams.set('verb', 'ListRecords');
  for (const [k, v] of Object.entries(args)) if (v !== '') u.searchParams.set(k, v);
  return u.toString();
}

/**
 * Fetches and parses one page. The client already retries network errors and 5xx; a 200 whose body is
 * not the XML it should be (truncated by a proxy, an HTML error page) is re-fetched here a few times.
 * Nothing is written until a page parses, so a bad page is never half-applied.
 */
async function fetchPage(client: ArxivClient, url: string, prefix: OaiMetadataPrefix, o: HarvestOptions, log: Logger): Promise<OaiPage> {
  const retries = o.parseRetries ?? 3;
  const backoff = o.parseBackoffMs ?? 2000;
  for (let attempt = 0; ; attempt++) {
    const res = await client.get(url, { signal: o.signal });
    try {
      return parseOaiPage(res.body, prefix);
    } catch (err) {
      if (!(err instanceof FeedParseError)) throw err;
      if (attempt >= retries) throw new HarvestError(`arXiv OAI-PMH sent an unreadable page ${retries + 1} times (${err.message}); ${url}`, { cause: err });
      log.warn({ url, attempt: attempt + 1, err: err.message }, 'unreadable OAI page; fetching it again');
      await delay(backoff * 2 ** attempt, undefined, { signal: o.signal });
    }
  }
}

/** One set's outcome in a multi-set run. */
export type SetOutcome = { set: string; ok: true; result: HarvestResult; seconds: number } | { set: string; ok: false; error: Error; seconds: number };

/**
 * Harvests several sets one after the other with ONE client (so politeness spans them all). A failing set
 * does not stop the others: each keeps its own checkpoint. Aborting stops at once.
 */
export async function harvestSets(
  db: Kysely<Database>,
  client: ArxivClient,
  config: Config,
  sets: readonly string[],
  o: Omit<HarvestOptions, 'set'>,
): Promise<SetOutcome[]> {
  const outcomes: SetOutcome[] = [];
  for (const set of sets) {
    const started = performance.now();
    try {
      const result = await harvestOai(db, client, config, { ...o, set });
      outcomes.push({ set, ok: true, result, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      outcomes.push({ set, ok: false, error: err instanceof Error ? err : new Error(String(err)), seconds: (performance.now() - started) / 1000 });
    }
  }
  return outcomes;
}

/** The scheduled harvest job: every configured set (config.arxiv.oaiSets), arXivRaw, default window. */
export function harvestHandler(config: Config): JobHandler {
  return async (_payload, ctx) => {
    const client = clientFromConfig(config, ctx.log);
    const outcomes = await harvestSets(ctx.db, client, config, config.arxiv.oaiSets, { prefix: 'arXivRaw', log: ctx.log, now: ctx.now, signal: ctx.signal });
    const failed = outcomes.filter((x) => !x.ok);
    // Failing the job makes the queue retry it; sets that succeeded are idle and cost one request next time.
    if (failed.length > 0) throw new Error(failed.map((f) => `${f.set}: ${(f as { error: Error }).error.message}`).join('; '));
  };
}
