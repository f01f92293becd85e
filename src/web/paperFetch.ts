/**
 * Fetch-on-demand for the paper page: a valid arXiv id we do not hold is looked up with the arXiv API
 * (`fetchPapersByIds`) while the reader waits, then rendered.
 *
 * Why the guards: a paper page is public, so crawlers and typos can ask for thousands of ids we lack.
 * - Ids arXiv said it does not know are remembered for a few minutes and answered 404 at once.
 * - Concurrent requests for the same id share one look-up; at most MAX_IN_FLIGHT distinct look-ups run
 *   at a time (the client sends one request per delayMs to arXiv anyway), more are answered "busy".
 * - The reader waits at most the client's timeout: a look-up still running then keeps going in the
 *   background (and stores the paper when it arrives), while the page says to try again in a minute.
 */
import { type ArxivClient, createArxivClient, userAgent } from '../arxiv/client.ts';
import type { Config } from '../config.ts';
import { fetchPapersByIds } from '../ingest/lookup.ts';
import type { Logger } from '../log.ts';
import type { AppDeps } from './deps.ts';

/** stored: now held; unknown: arXiv does not know the id; unreachable: no answer (or a bad one) in time; busy: too many look-ups running. */
export type FetchOutcome = 'stored' | 'unknown' | 'unreachable' | 'busy';

/** Looks papers up for the paper page; see createPaperFetcher. */
export interface PaperFetcher {
  fetch(id: string): Promise<FetchOutcome>;
}

const UNKNOWN_TTL_MS = 5 * 60 * 1000;
const MAX_UNKNOWN = 10_000;
const MAX_IN_FLIGHT = 8;
/** A reader does not wait a harvest's minute: page look-ups give up after this long at most. */
const PAGE_TIMEOUT_CAP_MS = 20_000;

/**
 * The client the web role uses for look-ups: the configured delay and User-Agent, no retries and a
 * timeout of at most 20 s, because a person is waiting (the background jobs retry patiently instead).
 */
export function pageArxivClient(config: Config, log?: Logger): ArxivClient {
  return createArxivClient({
    delayMs: config.arxiv.delayMs,
    timeoutMs: pageTimeoutMs(config),
    userAgent: userAgent(config),
    retries: 0,
    ...(log ? { log } : {}),
  });
}

function pageTimeoutMs(config: Config): number {
  return Math.min(config.arxiv.timeoutMs, PAGE_TIMEOUT_CAP_MS);
}

/** A fetcher using `client`; create one per app (its memory of unknown ids and look-ups in flight lives here). */
export function createPaperFetcher(deps: AppDeps, client: ArxivClient): PaperFetcher {
  const unknownUntil = new Map<string, number>();
  const inFlight = new Map<string, Promise<'stored' | 'unknown'>>();
  const waitMs = pageTimeoutMs(deps.config);

  function rememberUnknown(id: string): void {
    // Oldest first in a Map: drop the oldest when full, so the memory stays bounded.
    if (unknownUntil.size >= MAX_UNKNOWN) unknownUntil.delete(unknownUntil.keys().next().value!);
    unknownUntil.set(id, Date.now() + UNKNOWN_TTL_MS);
  }

  function lookUp(id: string): Promise<'stored' | 'unknown'> {
    let p = inFlight.get(id);
    if (!p) {
      p = fetchPapersByIds(deps.db, client, deps.config, [id], deps.log)
        .then((r) => {
          if (r.stored.includes(id)) return 'stored' as const;
          rememberUnknown(id);
          return 'unknown' as const;
        })
        .finally(() => inFlight.delete(id));
      inFlight.set(id, p);
    }
    return p;
  }

  return {
    async fetch(id) {
      const until = unknownUntil.get(id);
      if (until !== undefined) {
        if (until > Date.now()) return 'unknown';
        unknownUntil.delete(id);
      }
      if (!inFlight.has(id) && inFlight.size >= MAX_IN_FLIGHT) return 'busy';
      const lookup = lookUp(id);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'unreachable'>((resolve) => {
        timer = setTimeout(() => resolve('unreachable'), waitMs);
      });
      try {
        return await Promise.race([lookup, timeout]);
      } catch (err) {
        // ArxivHttpError, a network error, a timeout, or an answer that is not the API's Atom: all mean
        // "arXiv could not be asked right now" to a reader. The `api` source status records it too.
        deps.log.warn({ paper_id: id, err: err instanceof Error ? err.message : String(err) }, 'arXiv look-up for the paper page failed');
        return 'unreachable';
      } finally {
        clearTimeout(timer);
        // A look-up that outlives the page still settles in the background: never an unhandled rejection.
        lookup.catch(() => {});
      }
    },
  };
}
