/**
 * Real recorded OAI-PMH ListRecords pages, chained for a replay server: the records are the recorded ones,
 * byte for byte; only the page envelope is rebuilt (the records re-cut into pages of `perPage`, and each
 * page's resumptionToken rewritten so that it names the next page of THIS chain; the last page gets an
 * empty <resumptionToken/>, as arXiv sends). Used by the harvest tests, the crash test and the benchmark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TESTDATA = join(import.meta.dirname, '..', '..', 'testdata', 'arxiv', 'oai');

/** The recorded arXiv-format pages (2 × 1000 records, no id in common). */
export const ARXIV_PAGES = ['arxivsync-2013-2014/ListRecords_arXiv_2013-05-24_token-436115-4001.xml', 'arxivsync-2013-2014/ListRecords_arXiv_2013-05-25_token-436115-405001.xml'];
/** The recorded arXivRaw page (1000 records). */
export const ARXIV_RAW_PAGES = ['arxivsync-2013-2014/ListRecords_arXivRaw_2014-01-16_token-496549-46001.xml'];

/** A chain: pages[0] answers the first request, pages[i] the request carrying tokens[i]. */
export interface OaiChain {
  pages: string[];
  /** tokens[0] is null (the first page is asked for by metadataPrefix/from/until/set). */
  tokens: Array<string | null>;
  /** The arXiv ids of every record, in order. */
  ids: string[];
}

/** Reads a recording under testdata/arxiv/oai. */
export function oaiRecording(path: string): string {
  return readFileSync(join(TESTDATA, path), 'utf8');
}

/** Splits real ListRecords pages into their envelope head and their <record> elements. */
function splitPage(xml: string): { head: string; records: string[] } {
  const start = xml.indexOf('<ListRecords>');
  const end = xml.lastIndexOf('<resumptionToken');
  if (start < 0) throw new Error('not a ListRecords page');
  const head = xml.slice(0, start);
  const body = xml.slice(start + '<ListRecords>'.length, end < 0 ? xml.lastIndexOf('</ListRecords>') : end);
  const records = body.match(/<record>[\s\S]*?<\/record>/g) ?? [];
  return { head, records };
}

/** Chains the records of `files` (in order) into pages of `perPage` records (default: 1000, arXiv's page size). */
export function chainPages(files: string[], o: { perPage?: number; listId?: string } = {}): OaiChain {
  const perPage = o.perPage ?? 1000;
  const listId = o.listId ?? '900001';
  let head = '';
  const records: string[] = [];
  for (const f of files) {
    const split = splitPage(oaiRecording(f));
    head ||= split.head;
    records.push(...split.records);
  }
  const total = records.length;
  const pages: string[] = [];
  const tokens: Array<string | null> = [];
  for (let cursor = 0, i = 0; cursor < total; cursor += perPage, i++) {
    const chunk = records.slice(cursor, cursor + perPage);
    const next = cursor + perPage;
    // arXiv's tokens look like `{list}|{next cursor + 1}`; ours follow that shape.
    const token = next < total ? `<resumptionToken cursor='${cursor}' completeListSize='${total}'>${listId}|${next + 1}</resumptionToken>` : `<resumptionToken cursor='${cursor}' completeListSize='${total}'/>`;
    tokens.push(i === 0 ? null : `${listId}|${cursor + 1}`);
    pages.push(`${head}<ListRecords>\n${chunk.join('\n')}\n${token}\n</ListRecords>\n</OAI-PMH>\n`);
  }
  const ids = records.map((r) => /<identifier>oai:arXiv\.org:([^<]+)<\/identifier>/.exec(r)![1]!);
  return { pages, tokens, ids };
}

/** The page of `chain` a ListRecords URL asks for, or -1 when it names no page of the chain. */
export function chainPageIndex(chain: OaiChain, u: URL): number {
  if (u.searchParams.get('verb') !== 'ListRecords') return -1;
  const token = u.searchParams.get('resumptionToken');
  return token === null ? 0 : chain.tokens.indexOf(token);
}
