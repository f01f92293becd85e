/** `paperboy ingest id ID [ID...]`: fetch papers from the arXiv API by id or URL, as the paper page does for an unknown id. */
import { parseArgs } from 'node:util';
import { createArxivClient, userAgent } from '../arxiv/client.ts';
import { ArxivApiError, fetchPapersByIds, normalizeIds } from '../ingest/lookup.ts';
import { getPapers } from '../store/papers.ts';
import { UsageError, withDatabase } from './common.ts';

/** Parses the ids (all checked before any request), fetches them, prints each stored id with its title and the unknown ones. */
export async function cmdIngestId(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('ingest id needs at least one arXiv id (e.g. 2509.08826 or https://arxiv.org/abs/2509.08826)');
  const { ids, invalid } = normalizeIds(positionals);
  if (invalid.length > 0) throw new UsageError(`not arXiv ids: ${invalid.join(', ')}`);

  await withDatabase(async ({ config, log, conn }) => {
    // A person is waiting: one quick retry instead of the background jobs' four with long backoffs,
    // and a Retry-After honoured for at most half a minute.
    const client = createArxivClient({
      delayMs: config.arxiv.delayMs,
      timeoutMs: config.arxiv.timeoutMs,
      userAgent: userAgent(config),
      retries: 1,
      backoffMs: 1000,
      maxRetryAfterMs: 30_000,
      log,
    });
    let result: { stored: string[]; unknown: string[] };
    try {
      result = await fetchPapersByIds(conn.db, client, config, ids, log);
    } catch (err) {
      if (err instanceof ArxivApiError) throw err;
      throw new Error(`arXiv API unreachable at ${config.arxiv.apiUrl}: ${(err as Error).message}`);
    }
    const papers = await getPapers(conn.db, result.stored);
    for (const p of papers) process.stdout.write(`${p.id}v${p.version}  ${p.title}\n`);
    if (result.unknown.length > 0) process.stdout.write(`unknown to arXiv: ${result.unknown.join(', ')}\n`);
  });
}
