// Placeholder, being written.
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';

/** Imports the shipped demo dataset when the database holds no papers. Returns true if it did. */
export async function ensureDemoData(_db: DB, _log: Logger): Promise<boolean> {
  return false;
}
