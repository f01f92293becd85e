/**
 * Personal picks for digests composed outside the web process (the digest-send job, `paperboy
 * digest send|preview`): the process opens its own Semantic service once, on first use, and picks
 * come from the reader's For-you model (src/foryou/recommend.ts).
 */
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';
import { personalPicks } from '../foryou/recommend.ts';
import type { Logger } from '../log.ts';
import { openSemantic, type Semantic } from '../search/semantic.ts';
import type { PicksSource } from './compose.ts';

/** How often a worker's index reads vectors embedded since (a digest needs the day's papers, not the minute's). */
const REFRESH_MS = 10 * 60_000;

/**
 * A PicksSource backed by the process's Semantic service when it has one (`serve --role all` shares the
 * web side's index), else by one opened on first use; undefined when no embedder is configured.
 * A failing recommender yields no picks (compose logs and sends the rest of the digest).
 */
export function picksFromConfig(db: DB, config: Config, log: Logger, shared?: Semantic): (PicksSource & { close(): void }) | undefined {
  if (config.embedder.kind === 'off') return undefined;
  let semantic: Promise<Semantic> | undefined = shared && Promise.resolve(shared);
  const source = async (userId: number, since: string, limit: number) => {
    semantic ??= openSemantic(db, config, log, { refreshMs: REFRESH_MS });
    return personalPicks(db, await semantic, userId, { limit, since, log });
  };
  return Object.assign(source, {
    // A shared service belongs to its owner, who closes it.
    close: () => {
      if (!shared) void semantic?.then((s) => s.close());
    },
  });
}
