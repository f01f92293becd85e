// Placeholder, being written.
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';

export type ImportFormat = 'snapshot' | 'listings';

export interface ImportOptions {
  format?: ImportFormat;
  limit?: number;
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

export async function importFile(_db: DB, _file: string, _o: ImportOptions = {}): Promise<ImportSummary> {
  throw new Error('not yet');
}
