/** The benchmark corpus: where it is, and its records streamed from JSON lines (gzip or plain). */
import { createReadStream, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

/** Repository root (bench/lib/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The 118k listings corpus that ships beside the project (not inside it: it is 67 MB). */
export const DEFAULT_CORPUS = join(REPO_ROOT, '..', 'shared', 'data', 'corpus', 'arxiv-listings-2025-2026.jsonl.gz');

/** A record of the listings corpus, as far as the benchmark reads it. */
export interface CorpusRecord {
  id: string;
  title: string;
  authors: string[];
  categories: string[];
  abstract: string;
  comment: string | null;
  listing_date: string;
}

/** The corpus path from the command line, else PAPERBOY_BENCH_CORPUS, else the shared corpus. */
export function resolveCorpusPath(argv: string[], env: NodeJS.ProcessEnv): { path: string; exists: boolean } {
  const given = argv.find((a) => !a.startsWith('-')) ?? env.PAPERBOY_BENCH_CORPUS;
  const path = given ? resolve(given) : DEFAULT_CORPUS;
  return { path, exists: existsSync(path) };
}

/** Streams raw lines of a JSON-lines file, gunzipping `.gz` on the fly. */
export function corpusLines(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  return createInterface({ input, crlfDelay: Infinity });
}

/** Streams parsed records; lines that are not JSON objects with an id and a title are skipped. */
export async function* corpusRecords(path: string): AsyncGenerator<CorpusRecord> {
  for await (const line of corpusLines(path)) {
    if (!line.trim()) continue;
    let rec: Partial<CorpusRecord>;
    try {
      rec = JSON.parse(line) as Partial<CorpusRecord>;
    } catch {
      continue;
    }
    if (typeof rec.id !== 'string' || typeof rec.title !== 'string') continue;
    yield {
      id: rec.id,
      title: rec.title,
      authors: Array.isArray(rec.authors) ? rec.authors : [],
      categories: Array.isArray(rec.categories) ? rec.categories : [],
      abstract: typeof rec.abstract === 'string' ? rec.abstract : '',
      comment: typeof rec.comment === 'string' ? rec.comment : null,
      listing_date: typeof rec.listing_date === 'string' ? rec.listing_date : '',
    };
  }
}
