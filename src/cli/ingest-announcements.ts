/** `paperboy ingest announcements`: the scheduled announcement reader, run by hand (same function). */
import { parseArgs } from 'node:util';
import { clientFromConfig } from '../arxiv/client.ts';
import { isCategory, readAnnouncements } from '../ingest/announcements.ts';
import { UsageError, withDatabase } from './common.ts';

/** Parses `[--category CAT]...` (default: the configured categories), reads the feeds, prints a summary per category. */
export async function cmdIngestAnnouncements(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { category: { type: 'string', multiple: true } },
  });
  if (positionals.length > 0) throw new UsageError(`ingest announcements takes no positional arguments, got ${positionals.join(' ')}`);
  const bad = values.category?.find((c) => !isCategory(c));
  if (bad !== undefined) throw new UsageError(`--category accepts an arXiv category such as cs.LG, got ${bad}`);

  const failed = await withDatabase(async ({ config, log, conn }) => {
    const client = clientFromConfig(config, log);
    const r = await readAnnouncements(conn.db, client, config, { categories: values.category, log });
    for (const c of r.categories) {
      const date = c.feedDate ?? '-';
      switch (c.status) {
        case 'updated':
          process.stdout.write(
            `${c.category} ${date}: ${c.items} announced (${c.new} new, ${c.cross} cross-lists, ${c.replace} replacements), ${c.held} held` +
              `${c.skipped ? `, ${c.skipped} skipped` : ''}\n`,
          );
          break;
        case 'empty':
          process.stdout.write(`${c.category} ${date}: no announcements (weekend or holiday)\n`);
          break;
        case 'not-modified':
          process.stdout.write(`${c.category}: feed not modified since the last read\n`);
          break;
        case 'error':
          process.stderr.write(`paperboy: announcement feed of ${c.category} failed: ${c.error}\n`);
          break;
      }
    }
    process.stdout.write(`fetched ${r.fetched} papers from the arXiv API; ${r.announcementsAdded} announcements recorded\n`);
    if (r.unknown.length > 0) process.stdout.write(`unknown to the arXiv API (retried by the next runs): ${r.unknown.join(', ')}\n`);
    if (r.apiError) {
      process.stderr.write(
        `paperboy: arXiv API unreachable (${r.apiError}); the feed items are kept and the next run fetches the missing papers\n`,
      );
    }
    return r.categories.filter((c) => c.status === 'error').length + (r.apiError ? 1 : 0);
  });
  if (failed > 0) process.exitCode = 1;
}
