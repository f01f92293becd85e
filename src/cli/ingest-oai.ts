/** `paperboy ingest oai`: the scheduled OAI-PMH harvest, run by hand (same function, same checkpoints). */
import { parseArgs } from 'node:util';
import { clientFromConfig } from '../arxiv/client.ts';
import { harvestSets } from '../ingest/harvest.ts';
import { isValidDate } from '../time.ts';
import { UsageError, withDatabase } from './common.ts';

/** Parses `[--from DATE] [--until DATE] [--set SET]... [--prefix arXiv|arXivRaw]`, harvests, prints a summary per set. */
export async function cmdIngestOai(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      until: { type: 'string' },
      set: { type: 'string', multiple: true },
      prefix: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`ingest oai takes no positional arguments, got ${positionals.join(' ')}`);
  for (const name of ['from', 'until'] as const) {
    const v = values[name];
    if (v !== undefined && !isValidDate(v)) throw new UsageError(`--${name} accepts a date YYYY-MM-DD, got ${v}`);
  }
  if (values.from && values.until && values.from > values.until) throw new UsageError(`--from ${values.from} is after --until ${values.until}`);
  const prefix = values.prefix ?? 'arXivRaw';
  if (prefix !== 'arXiv' && prefix !== 'arXivRaw') throw new UsageError(`--prefix accepts arXiv or arXivRaw, got ${prefix}`);
  const badSet = values.set?.find((s) => !/^[a-z-]+(:[A-Za-z.-]+)*$/.test(s));
  if (badSet !== undefined) throw new UsageError(`--set accepts an OAI-PMH set such as cs or physics:hep-th, got ${badSet}`);

  const failed = await withDatabase(async ({ config, log, conn }) => {
    const sets = values.set ?? config.arxiv.oaiSets;
    const client = clientFromConfig(config, log);
    const outcomes = await harvestSets(conn.db, client, config, sets, { prefix, from: values.from, until: values.until, log });
    for (const x of outcomes) {
      if (x.ok) {
        const r = x.result;
        process.stdout.write(
          `oai ${prefix} set ${x.set || '(all)'}: ${r.window.from}..${r.window.until}${r.resumed ? ' (resumed)' : ''}: ` +
            `${r.pages} pages, ${r.records} records, ${r.deleted} deleted, ${x.seconds.toFixed(1)} s\n`,
        );
      } else {
        process.stderr.write(`paperboy: OAI-PMH harvest of set ${x.set || '(all)'} failed: ${x.error.message}\n`);
      }
    }
    return outcomes.filter((x) => !x.ok).length;
  });
  if (failed > 0) process.exitCode = 1;
}
