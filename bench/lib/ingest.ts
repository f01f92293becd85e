/**
 * arXiv ingestion figures for `npm run bench`: OAI-PMH page parsing (records/s) next to a bare
 * fast-xml-parser pass over the same bytes, and an end-to-end harvest against the local replay server
 * (politeness delay 0) next to the parse figure, so the ratio is what HTTP, checkpoints and upserts add.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { REPO_ROOT } from './corpus.ts';
import { benchHarvest } from './harvest.ts';
import { benchOaiParse } from './oai-parse.ts';
import { type ResultRow, row } from './report.ts';

const PAGES = [
  'ListRecords_arXiv_2013-05-24_token-436115-4001.xml',
  'ListRecords_arXiv_2013-05-25_token-436115-405001.xml',
  'ListRecords_arXivRaw_2014-01-16_token-496549-46001.xml',
];

/** The floor: fast-xml-parser turning the same pages into objects, nothing else (no checks, no mapping). */
function bareParse(rounds: number): number {
  const dir = join(REPO_ROOT, 'testdata', 'arxiv', 'oai', 'arxivsync-2013-2014');
  const bodies = PAGES.map((f) => readFileSync(join(dir, f), 'utf8'));
  const parser = new XMLParser({ ignoreAttributes: false });
  for (const b of bodies) parser.parse(b);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const b of bodies) parser.parse(b);
  const seconds = (performance.now() - start) / 1000;
  return (rounds * 3000) / seconds;
}

export interface IngestBench {
  rows: ResultRow[];
  details: { parse: ReturnType<typeof benchOaiParse>; bareParseRecordsPerSecond: number; harvest: Awaited<ReturnType<typeof benchHarvest>> };
}

/** Runs the ingestion benchmarks; the bare parse and ours alternate so machine noise hits both. */
export async function benchIngest(rounds = 5): Promise<IngestBench> {
  const bare = bareParse(rounds);
  const parse = benchOaiParse(rounds);
  const harvest = await benchHarvest();
  const rows: ResultRow[] = [
    row({ name: 'OAI parse: bare fast-xml-parser', value: bare, unit: 'records/s' }),
    row({ name: 'OAI parse: Paperboy (checked, mapped)', value: parse.recordsPerSecond, unit: 'records/s', baseline: bare }),
    row({ name: 'OAI harvest end to end (delay 0)', value: harvest.recordsPerSecond, unit: 'records/s', baseline: parse.recordsPerSecond }),
    row({ name: 'OAI harvest: wall time', value: harvest.seconds, unit: 's' }),
  ];
  return { rows, details: { parse, bareParseRecordsPerSecond: bare, harvest } };
}
