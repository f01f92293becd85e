/** What every route needs: the database, the frozen configuration and the logger. */
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';

export interface AppDeps {
  db: DB;
  config: Config;
  log: Logger;
  /** How long rendered anonymous pages may be served from memory (see pageCache.ts); 0 or absent disables it. */
  pageCacheTtlMs?: number;
}
