/**
 * Bulk import of arXiv metadata from JSON lines (the public snapshot or the listings format),
 * plain or gzipped: streamed with bounded memory, committed in batches, idempotent, and never
 * aborted by a bad line (each one is logged with its line number and counted by reason).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parseListingsRecord } from '../arxiv/listings.ts';
import { isParseFailure, type ParseFailure, type ParsedRecord, parseSnapshotRecord } from '../arxiv/snapshot.ts';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import { type AnnouncementInput, addAnnouncements } from '../store/announcements.ts';
import { type PaperInput, upsertPapers } from '../store/papers.ts';

export type ImportFormat = 'snapshot' | 'listings';

export interface ImportOptions {
  /** Record format; detected from the first good line when absent. */
  format?: ImportFormat;
  /** Stop after this many (non-blank) lines, good or bad. */
  limit?: number;
  /** Records per transaction (default 1000). */
  batchSize?: number;
  /** Called every batch with the lines read so far and compressed bytes consumed of the file. */
  onProgress?: (p: { read: number; bytes: number; totalBytes: number }) => void;
  log?: Logger;
}

export interface ImportSummary {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Count of skipped lines per reason. */
  skippedReasons: Record<string, number>;
  announcements: number;
  seconds: number;
}

const PARSERS: Record<ImportFormat, (obj: unknown) => ParsedRecord | ParseFailure> = {
  snapshot: parseSnapshotRecord,
  listings: parseListingsRecord,
};

/** A line longer than this is skipped without being held in memory (real records are < 100 kB). */
const MAX_LINE_CHARS = 8 * 1024 * 1024;

/** The format a decoded line looks like, or null when it looks like neither. */
export function detectFormat(obj: unknown): ImportFormat | null {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const r = obj as Record<string, unknown>;
  if ('listing_date' in r || Array.isArray(r.authors)) return 'listings';
  if ('versions' in r || 'authors_parsed' in r || typeof r.categories === 'string') return 'snapshot';
  return null;
}

async function isGzipFile(file: string): Promise<boolean> {
  if (file.endsWith('.gz')) return true;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** zlib's error for a gzip stream that stops before its end (a truncated download). */
function isTruncation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message ?? '');
}

/**
 * Imports a JSON-lines file into the papers table (and, for listings, announcements). Throws an
 * Error naming the file when it cannot be read or decompressed; bad lines are skipped.
 */
export async function importFile(db: DB, file: string, o: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  let totalBytes: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    totalBytes = st.size;
  } catch (err) {
    const why = (err as { code?: string }).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new Error(`cannot import ${file}: ${why}`);
  }
  const gzip = await isGzipFile(file);
  const batchSize = Math.max(1, o.batchSize ?? 1000);
  const log = o.log;
  const summary: ImportSummary = {
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    skippedReasons: {},
    announcements: 0,
    seconds: 0,
  };
  let format = o.format ?? null;
  let papers: PaperInput[] = [];
  let announcements: AnnouncementInput[] = [];

  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let source: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    // pipe() does not forward errors; a read error of the file must still end the loop below.
    raw.on('error', (err) => gunzip.destroy(err));
    source = raw.pipe(gunzip);
  }
  source.setEncoding('utf8');

  const skip = (line: number, reason: string, detail?: string) => {
    summary.skipped++;
    summary.skippedReasons[reason] = (summary.skippedReasons[reason] ?? 0) + 1;
    log?.warn({ file, line, reason, ...(detail ? { detail } : {}) }, 'import: skipped a bad line');
  };

  const flush = async () => {
    if (papers.length === 0 && announcements.length === 0) return;
    const batch = papers;
    const anns = announcements;
    papers = [];
    announcements = [];
    await db.transaction().execute(async (trx) => {
      const r = await upsertPapers(trx, batch);
      summary.inserted += r.inserted;
      summary.updated += r.updated;
      summary.unchanged += r.unchanged;
      if (anns.length > 0) summary.announcements += await addAnnouncements(trx, anns);
    });
    o.onProgress?.({ read: summary.read, bytes: raw.bytesRead, totalBytes });
  };

  const handleLine = (text: string, lineNo: number) => {
    summary.read++;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      skip(lineNo, 'invalid JSON', text.slice(0, 80));
      return;
    }
    if (!format) {
      format = detectFormat(obj);
      if (!format) {
        skip(lineNo, 'unknown format');
        return;
      }
      log?.info({ file, format }, 'import: detected format');
    }
    const parsed = PARSERS[format](obj);
    if (isParseFailure(parsed)) {
      skip(lineNo, parsed.error, parsed.detail);
      return;
    }
    papers.push(parsed.paper);
    if (parsed.listingDate) {
      announcements.push({ paperId: parsed.paper.id, date: parsed.listingDate, kind: 'new', category: parsed.listingCategory ?? null });
    }
  };

  // A hand-written line splitter instead of readline: readline's async iterator does not reject
  // when its input errors (a truncated .gz), and we need the partial last line to report it.
  let pending = '';
  let lineNo = 0;
  let overlong = false;
  const limitReached = () => o.limit !== undefined && summary.read >= o.limit;
  try {
    outer: for await (const chunk of source as AsyncIterable<string>) {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf('\n', start)) !== -1) {
        const piece = chunk.slice(start, nl);
        start = nl + 1;
        lineNo++;
        if (overlong) {
          overlong = false;
          pending = '';
          continue;
        }
        const text = (pending === '' ? piece : pending + piece).trim();
        pending = '';
        // Blank lines carry no record; they are not counted as read or skipped.
        if (text === '') continue;
        handleLine(text, lineNo);
        if (papers.length >= batchSize) await flush();
        if (limitReached()) break outer;
      }
      if (!overlong) {
        pending += chunk.slice(start);
        if (pending.length > MAX_LINE_CHARS) {
          summary.read++;
          skip(lineNo + 1, 'line too long');
          overlong = true;
          pending = '';
        }
      }
    }
    if (!limitReached() && !overlong && pending.trim() !== '') {
      // A last line without a final newline is still a record.
      handleLine(pending.trim(), ++lineNo);
    }
  } catch (err) {
    if (!gzip || !isTruncation(err)) {
      await flush();
      const why = gzip ? `cannot decompress (${(err as Error).message}); is it a gzip file?` : (err as Error).message;
      throw new Error(`cannot import ${file}: ${why} (after ${summary.read} lines)`);
    }
    // The records before the cut are good; only the cut line is lost.
    if (!overlong && pending.trim() !== '') {
      summary.read++;
      skip(lineNo + 1, 'truncated line (file ends early)');
    }
    log?.warn({ file, line: lineNo + 1 }, 'import: the gzip file ends early (truncated); imported what came before');
  } finally {
    source.destroy();
    raw.destroy();
  }
  await flush();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
