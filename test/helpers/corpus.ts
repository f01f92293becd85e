/** Test helper: the corpus listings format (JSON lines) mapped to PaperInput and loaded into a database. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { parseListingsRecord } from '../../src/arxiv/listings.ts';
import type { Database } from '../../src/db/schema.ts';
import { type PaperInput, upsertPapers } from '../../src/store/papers.ts';

/** Maps one corpus line to a paper exactly as the importer does (src/arxiv/listings.ts). */
export function listingToPaper(line: string): PaperInput {
  const r = parseListingsRecord(JSON.parse(line));
  if ('error' in r) throw new Error(`bad listings line: ${r.error}`);
  return r.paper;
}

/** Reads a listings file (plain or .gz) into papers. */
export function readListings(path: string): PaperInput[] {
  const buf = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map(listingToPaper);
}

/** Inserts papers in batched transactions. */
export async function loadPapers(db: Kysely<Database>, papers: PaperInput[], batch = 2000): Promise<void> {
  for (let i = 0; i < papers.length; i += batch) {
    const chunk = papers.slice(i, i + batch);
    await db.transaction().execute((tx) => upsertPapers(tx, chunk));
  }
}
