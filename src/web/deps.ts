/** What every route needs: the database, the frozen configuration and the logger. */
import type { ArxivClient } from '../arxiv/client.ts';
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/transport.ts';
import type { RateLimiter } from './rateLimit.ts';
import type { Semantic } from '../search/semantic.ts';

export interface AppDeps {
  db: DB;
  config: Config;
  log: Logger;
  /** How long rendered anonymous pages may be served from memory (see pageCache.ts); 0 or absent disables it. */
  pageCacheTtlMs?: number;
  /**
   * Client for on-demand arXiv look-ups (the paper page of a valid id we do not hold; see paperFetch.ts).
   * Absent: no look-ups, such a page answers 404 (tests and offline instances never reach arXiv).
   */
  arxivClient?: ArxivClient;
  /** Where mail goes; absent: built from the config by createApp (SMTP, or the log without PAPERBOY_SMTP_URL). */
  mailer?: Mailer;
  /** The rate limiter; absent: createApp makes one from config.rateLimits (tests pass one with a fake clock). */
  rateLimiter?: RateLimiter;
  /** The clock for rules that depend on the date (submission window, quota day); absent: the real time. Tests pass a fixed one. */
  now?: () => Date;
  /** Search by meaning, similar papers and For you (src/search/semantic.ts); absent: keyword search only. */
  semantic?: Semantic;
}
