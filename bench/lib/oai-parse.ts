/** OAI-PMH page parse throughput: the three real 1000-record pages (arXiv and arXivRaw) parsed repeatedly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OaiMetadataPrefix, parseOaiPage } from '../../src/arxiv/oai.ts';
import { REPO_ROOT } from './corpus.ts';

const PAGES: Array<[file: string, prefix: OaiMetadataPrefix]> = [
  ['ListRecords_arXiv_2013-05-24_token-436115-4001.xml', 'arXiv'],
  ['ListRecords_arXiv_2013-05-25_token-436115-405001.xml', 'arXiv'],
  ['ListRecords_arXivRaw_2014-01-16_token-496549-46001.xml', 'arXivRaw'],
];

/** Parses the three recorded pages `rounds` times (after one warm-up pass) and reports records per second. */
export function benchOaiParse(rounds = 5): { records: number; seconds: number; recordsPerSecond: number } {
  const dir = join(REPO_ROOT, 'testdata', 'arxiv', 'oai', 'arxivsync-2013-2014');
  const bodies = PAGES.map(([file, prefix]) => ({ xml: readFileSync(join(dir, file), 'utf8'), prefix }));
  // One untimed pass so the figure is the steady state a long harvest sees, not JIT warm-up.
  for (const b of bodies) parseOaiPage(b.xml, b.prefix);
  let records = 0;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const b of bodies) records += parseOaiPage(b.xml, b.prefix).records.length;
  }
  const seconds = (performance.now() - start) / 1000;
  return { records, seconds, recordsPerSecond: seconds > 0 ? Math.round(records / seconds) : 0 };
}
