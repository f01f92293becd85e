/** `paperboy ingest hf --from DATE [--to DATE]`: import Hugging Face Daily Papers entries, one line per date. */
import { parseArgs } from 'node:util';
import { clientFromConfig } from '../arxiv/client.ts';
import { HfRangeError, hfDates, importHfDaily } from '../ingest/hf.ts';
import { UsageError, withDatabase } from './common.ts';

/** Checks the range before touching the database, imports it, prints per-date counts; exit 1 if any date failed. */
export async function cmdIngestHf(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from) throw new UsageError('ingest hf needs --from DATE (YYYY-MM-DD); --to defaults to the same date');
  const from = values.from;
  const to = values.to ?? from;
  try {
    hfDates(from, to);
  } catch (err) {
    if (err instanceof HfRangeError) throw new UsageError(`ingest hf: ${err.message}`);
    throw err;
  }

  await withDatabase(async ({ config, log, conn }) => {
    // One polite client for both hosts (Hugging Face and the arXiv API): its pause is per host.
    const client = clientFromConfig(config, log);
    const summary = await importHfDaily(conn.db, client, config, { from, to, log });
    for (const d of summary.dates) {
      if (d.error) {
        process.stdout.write(`${d.date}  skipped: ${d.error}\n`);
        continue;
      }
      const skipped = d.skipped.length > 0 ? `, ${d.skipped.length} items skipped` : '';
      process.stdout.write(`${d.date}  ${d.entries} entries (new papers: ${d.fromArxiv} from arXiv, ${d.fromHf} from Hugging Face fields${skipped})\n`);
    }
    process.stdout.write(`total  ${summary.entries} entries over ${summary.dates.length} dates, ${summary.failedDates} dates skipped\n`);
    if (summary.failedDates > 0) process.exitCode = 1;
  });
}
