/**
 * Optional Hugging Face Daily Papers import (`paperboy ingest hf --from DATE --to DATE`): reads the public
 * `GET {hfUrl}/api/daily_papers?date=YYYY-MM-DD` for each date and records the day's entries with their
 * upvotes, comment counts and submitters, to seed a community. Papers we do not hold are fetched from the
 * arXiv API (full metadata: categories, versions, comments); when arXiv cannot be reached or does not know
 * an id, the paper is stored from the fields Hugging Face gives (title, abstract, authors, date).
 *
 * The answer shape is the one recorded in testdata/hf/daily_papers_2024-10-25.deep-diver.json: a top-level
 * array of items `{ paper: { id, title, summary, authors: [{ name }], publishedAt, upvotes, githubRepo?,
 * projectPage? }, publishedAt (when it was submitted to Daily Papers), title, numComments, submittedBy:
 * { fullname, name }, organization?: { fullname, name } }`. `organization` is absent from that 2024
 * recording; newer answers carry it as an object (or, defensively, a string).
 *
 * Safe to run twice: papers are upserted by id and entries by paper, so a re-import updates upvotes and
 * comment counts without duplicating anything.
 */
import type { Kysely } from 'kysely';
import type { ArxivClient } from '../arxiv/client.ts';
import { parseArxivId } from '../arxiv/ids.ts';
import { normalizeSpace } from '../arxiv/snapshot.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { type EntryInput, upsertEntries } from '../store/entries.ts';
import { type PaperInput, upsertPapers } from '../store/papers.ts';
import { recordSourceError, recordSourceSuccess } from '../store/source-status.ts';
import { addDays, isValidDate } from '../time.ts';
import { fetchPapersByIds } from './lookup.ts';

/** The longest range one run may import: a year of daily pages at the polite pace is already ~20 minutes. */
export const HF_MAX_DAYS = 366;

/** Items asked per request; Hugging Face caps `limit` at 100, so a larger day is read in pages (`p`). */
const PAGE_SIZE = 100;
/** A day never has this many pages (HF features a few dozen papers a day); a guard against a server that repeats itself. */
const MAX_PAGES = 20;

/** A bad range (dates, order, length): the message says what to fix. */
export class HfRangeError extends Error {}

/** What happened to one date. */
export interface HfDateResult {
  date: string;
  /** Entries recorded (new or updated). */
  entries: number;
  /** Papers we did not hold that the arXiv API gave us. */
  fromArxiv: number;
  /** Papers we did not hold stored from Hugging Face's fields (arXiv unreachable or not knowing the id). */
  fromHf: number;
  /** Items left out (no usable arXiv id or title), with why. */
  skipped: Array<{ id: string | null; reason: string }>;
  /** Set when the whole date was skipped (HTTP failure, malformed JSON, unexpected shape). */
  error?: string;
}

/** The whole run. */
export interface HfImportSummary {
  dates: HfDateResult[];
  entries: number;
  failedDates: number;
}

/** The dates from..to inclusive, or a clear error for bad dates, a reversed range or one over HF_MAX_DAYS. */
export function hfDates(from: string, to: string): string[] {
  if (!isValidDate(from)) throw new HfRangeError(`--from must be a date written YYYY-MM-DD (got ${JSON.stringify(from)})`);
  if (!isValidDate(to)) throw new HfRangeError(`--to must be a date written YYYY-MM-DD (got ${JSON.stringify(to)})`);
  if (to < from) throw new HfRangeError(`--to (${to}) is before --from (${from})`);
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (dates.length === HF_MAX_DAYS) throw new HfRangeError(`the range ${from} … ${to} is longer than ${HF_MAX_DAYS} days; import it in parts`);
    dates.push(d);
  }
  return dates;
}

/** One Daily Papers item reduced to what we store; the reason when it cannot be used. */
interface HfItem {
  paper: PaperInput;
  entry: Omit<EntryInput, 'feedDate'>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
const isoTime = (v: unknown): string | null => {
  const s = str(v);
  return s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : null;
};

function organizationName(v: unknown): string | null {
  if (typeof v === 'string') return str(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return str(o.fullname) ?? str(o.name);
  }
  return null;
}

/** Parses one item of the answer; an item we cannot use gives a reason instead (the rest of the day is kept). */
export function parseHfItem(raw: unknown, date: string): HfItem | { id: string | null; reason: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { id: null, reason: 'not an object' };
  const item = raw as Record<string, unknown>;
  const p = item.paper as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return { id: null, reason: 'no paper' };
  const rawId = str(p.id);
  const parsed = rawId ? parseArxivId(rawId) : null;
  if (!parsed) return { id: rawId, reason: 'not an arXiv id' };
  const title = str(p.title) ?? str(item.title);
  if (!title) return { id: parsed.id, reason: 'no title' };
  // HF's `paper.publishedAt` is arXiv's first-version time; fall back to the day asked when it is missing.
  const publishedAt = isoTime(p.publishedAt) ?? `${date}T00:00:00.000Z`;
  const authors = Array.isArray(p.authors) ? p.authors.map((a) => str((a as { name?: unknown } | null)?.name)).filter((n): n is string => n !== null) : [];
  const submitter = (item.submittedBy ?? null) as Record<string, unknown> | null;
  return {
    paper: {
      id: parsed.id,
      version: parsed.version ?? 1,
      title: normalizeSpace(title),
      abstract: str(p.summary) ?? '',
      authors: authors.map(normalizeSpace),
      categories: [],
      publishedAt,
      updatedAt: publishedAt,
      codeUrl: str(p.githubRepo),
      projectUrl: str(p.projectPage),
    },
    entry: {
      paperId: parsed.id,
      submitterName: submitter && typeof submitter === 'object' ? str(submitter.fullname) : null,
      submitterHandle: submitter && typeof submitter === 'object' ? str(submitter.name) : null,
      organization: organizationName(item.organization),
      // Top-level `publishedAt` is when the paper was submitted to Daily Papers.
      submittedAt: isoTime(item.publishedAt) ?? `${date}T00:00:00.000Z`,
      upvotes: count(p.upvotes),
      numComments: count(item.numComments),
    },
  };
}

/** Reads one date's answer (all its pages); throws on HTTP failure, malformed JSON or a shape that is not an array. */
async function readDay(client: ArxivClient, config: Config, date: string, signal?: AbortSignal): Promise<unknown[]> {
  const all: unknown[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = `${config.hfUrl}/api/daily_papers?date=${date}&limit=${PAGE_SIZE}${page > 0 ? `&p=${page}` : ''}`;
    const res = await client.get(url, signal ? { signal } : {});
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new Error(`${url}: the answer is not JSON (${JSON.stringify(res.body.slice(0, 60))}…)`);
    }
    if (!Array.isArray(body)) throw new Error(`${url}: expected a JSON array of daily papers, got ${body === null ? 'null' : typeof body}`);
    all.push(...body);
    if (body.length < PAGE_SIZE) break;
  }
  return all;
}

/**
 * Imports Hugging Face Daily Papers for each date of from..to (inclusive) through the polite client.
 * A date that fails (HTTP error after retries, malformed JSON, unexpected shape) is skipped with a log
 * line and recorded as the `hf` source's last error; the other dates continue. Throws HfRangeError for
 * a bad range before any request.
 */
export async function importHfDaily(
  db: Kysely<Database>,
  client: ArxivClient,
  config: Config,
  o: { from: string; to: string; log: Logger; signal?: AbortSignal },
): Promise<HfImportSummary> {
  const dates = hfDates(o.from, o.to);
  const summary: HfImportSummary = { dates: [], entries: 0, failedDates: 0 };
  for (const date of dates) {
    o.signal?.throwIfAborted();
    const result: HfDateResult = { date, entries: 0, fromArxiv: 0, fromHf: 0, skipped: [] };
    summary.dates.push(result);
    let rawItems: unknown[];
    try {
      rawItems = await readDay(client, config, date, o.signal);
    } catch (err) {
      if (o.signal?.aborted) throw err;
      result.error = err instanceof Error ? err.message : String(err);
      summary.failedDates++;
      o.log.warn({ source: 'hf', feed_date: date, err: result.error }, 'Hugging Face daily papers: date skipped');
      await recordSourceError(db, 'hf', err);
      continue;
    }

    const items = new Map<string, HfItem>();
    for (const raw of rawItems) {
      const parsed = parseHfItem(raw, date);
      if ('reason' in parsed) {
        result.skipped.push(parsed);
        o.log.warn({ source: 'hf', feed_date: date, paper_id: parsed.id, reason: parsed.reason }, 'Hugging Face item skipped');
      } else {
        items.set(parsed.paper.id, parsed);
      }
    }

    // Papers we do not hold: arXiv's metadata is fuller (categories, versions), so ask it first.
    const ids = [...items.keys()];
    const held = ids.length === 0 ? [] : await db.selectFrom('papers').select('id').where('id', 'in', ids).execute();
    const heldIds = new Set(held.map((r) => r.id));
    const missing = ids.filter((id) => !heldIds.has(id));
    let fromArxiv = new Set<string>();
    if (missing.length > 0) {
      try {
        const r = await fetchPapersByIds(db, client, config, missing, o.log);
        fromArxiv = new Set(r.stored);
      } catch (err) {
        if (o.signal?.aborted) throw err;
        o.log.warn(
          { source: 'hf', feed_date: date, papers: missing.length, err: err instanceof Error ? err.message : String(err) },
          'arXiv could not be reached; storing these papers from the Hugging Face fields',
        );
      }
    }
    const fallback = missing.filter((id) => !fromArxiv.has(id)).map((id) => items.get(id)!.paper);
    const entries: EntryInput[] = [...items.values()].map((i) => ({ ...i.entry, feedDate: date }));
    await db.transaction().execute(async (trx) => {
      if (fallback.length > 0) await upsertPapers(trx, fallback);
      await upsertEntries(trx, entries);
    });
    result.entries = entries.length;
    result.fromArxiv = fromArxiv.size;
    result.fromHf = fallback.length;
    summary.entries += entries.length;
    await recordSourceSuccess(db, 'hf');
    o.log.info(
      { source: 'hf', feed_date: date, entries: result.entries, from_arxiv: result.fromArxiv, from_hf: result.fromHf, skipped: result.skipped.length },
      'Hugging Face daily papers imported',
    );
  }
  return summary;
}
