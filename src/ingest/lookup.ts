/**
 * On-demand look-ups: papers fetched from the arXiv API by id (`paperboy ingest id`, the paper page
 * of a valid but unknown id, and the announcement reader for announced papers we lack).
 */
import type { Kysely } from 'kysely';
import { parseApiFeed } from '../arxiv/atom.ts';
import { type ArxivClient, ArxivHttpError } from '../arxiv/client.ts';
import { parseArxivId } from '../arxiv/ids.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { upsertPapers } from '../store/papers.ts';
import { recordSourceError, recordSourceSuccess } from '../store/source-status.ts';

/** arXiv's documented maximum for one `id_list` request we keep to (its pages go to 2000, but long URLs fail). */
export const ID_BATCH = 100;

/** Thrown before any request when some inputs are not arXiv ids; `ids` are the offending inputs. */
export class InvalidArxivIdError extends Error {
  constructor(public readonly ids: string[]) {
    super(`not arXiv ids: ${ids.map((i) => JSON.stringify(i)).join(', ')}`);
  }
}

/** Thrown when the API answers with error entries (e.g. "incorrect id format for abc"): arXiv's own messages. */
export class ArxivApiError extends Error {}

/**
 * Canonical ids (versions stripped, URLs and `arXiv:` prefixes accepted), deduplicated in input order,
 * and the inputs that are not arXiv ids.
 */
export function normalizeIds(inputs: string[]): { ids: string[]; invalid: string[] } {
  const ids: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const parsed = parseArxivId(input);
    if (!parsed) {
      invalid.push(input);
      continue;
    }
    if (!seen.has(parsed.id)) {
      seen.add(parsed.id);
      ids.push(parsed.id);
    }
  }
  return { ids, invalid };
}

/** The API URL of one `id_list` batch (ids are encoded one by one, so old-style slashes become %2F as arXiv's own links do). */
export function idListUrl(apiUrl: string, ids: string[]): string {
  return `${apiUrl}?id_list=${ids.map(encodeURIComponent).join(',')}&max_results=${ids.length}`;
}

/** The API explains a refused request (HTTP 400) in an Atom error entry: surface arXiv's words, not just the status. */
async function getBody(client: ArxivClient, url: string): Promise<string> {
  try {
    return (await client.get(url)).body;
  } catch (err) {
    if (err instanceof ArxivHttpError && err.status !== null && err.status >= 400 && err.status < 500 && err.body) {
      let errors: string[] = [];
      try {
        errors = parseApiFeed(err.body).errors;
      } catch {
        // Not an Atom error feed (an HTML error page): the HTTP error says enough.
      }
      if (errors.length > 0) throw new ArxivApiError(`arXiv API error: ${errors.join('; ')} (HTTP ${err.status})`);
    }
    throw err;
  }
}

/**
 * Fetches papers by id from the arXiv API (`id_list`, batches of up to 100 ids, one request per batch),
 * upserts them, records source `api`. Returns ids stored and ids arXiv does not know. Throws ArxivHttpError
 * (or a network error) when arXiv cannot be reached — callers show a clear message.
 * Versions are stripped from the ids: the API then returns the latest version, which is what we keep.
 */
export async function fetchPapersByIds(
  db: Kysely<Database>,
  client: ArxivClient,
  config: Config,
  ids: string[],
  log?: Logger,
): Promise<{ stored: string[]; unknown: string[] }> {
  const { ids: wanted, invalid } = normalizeIds(ids);
  if (invalid.length > 0) throw new InvalidArxivIdError(invalid);
  const stored: string[] = [];
  const unknown: string[] = [];
  if (wanted.length === 0) return { stored, unknown };
  try {
    for (let i = 0; i < wanted.length; i += ID_BATCH) {
      const batch = wanted.slice(i, i + ID_BATCH);
      const url = idListUrl(config.arxiv.apiUrl, batch);
      const feed = parseApiFeed(await getBody(client, url));
      if (feed.errors.length > 0) throw new ArxivApiError(`arXiv API error: ${feed.errors.join('; ')}`);
      for (const s of feed.skipped) log?.warn({ source: 'api', paper_id: s.id, reason: s.reason }, 'arXiv API entry skipped');
      // Keep only what was asked: the API answers an id_list with those papers, but a stray entry must
      // not be reported as stored (nor a renamed id as unknown twice).
      const asked = new Set(batch);
      const papers = feed.papers.filter((p) => asked.has(p.id));
      await db.transaction().execute((trx) => upsertPapers(trx, papers));
      const got = new Set(papers.map((p) => p.id));
      for (const id of batch) (got.has(id) ? stored : unknown).push(id);
      log?.info({ source: 'api', asked: batch.length, stored: got.size }, 'arXiv API id_list batch');
    }
  } catch (err) {
    await recordSourceError(db, 'api', err);
    throw err;
  }
  await recordSourceSuccess(db, 'api');
  if (unknown.length > 0) log?.warn({ source: 'api', unknown }, 'arXiv does not know these ids');
  return { stored, unknown };
}
