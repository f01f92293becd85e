/**
 * The demo dataset shipped in demo/ (built by scripts/build-demo.ts from real data): imported
 * into an empty database so a fresh `npm start` shows a living site, and flagged in the meta
 * table so the pages can say that it is demo data.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import { type EntryInput, upsertEntries } from '../store/entries.ts';
import { type PaperInput, countPapers, upsertPapers } from '../store/papers.ts';
import { importFile } from './import.ts';

/** Resolved from this file, not the working directory, so `paperboy serve` works from anywhere. */
const demoFile = (name: string) => fileURLToPath(new URL(`../../demo/${name}`, import.meta.url));

const META_KEY = 'demo_data';

async function getMeta(db: DB, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

async function setMeta(db: DB, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** True when the database holds the shipped demo dataset (the pages say "demo data"). */
export async function isDemoData(db: DB): Promise<boolean> {
  return (await getMeta(db, META_KEY)) === 'true';
}

/**
 * Imports the shipped demo dataset when the database holds no papers (or when an earlier demo
 * import was interrupted). Returns true if it imported. Safe to call on every start.
 */
export async function ensureDemoData(db: DB, log: Logger): Promise<boolean> {
  const state = await getMeta(db, META_KEY);
  // 'partial' marks an import that was interrupted; every step below is idempotent, so redo it.
  if (state !== 'partial' && (await countPapers(db)) > 0) return false;
  log.info('empty database: importing the demo dataset (set PAPERBOY_DEMO_DATA=off to skip)');
  await setMeta(db, META_KEY, 'partial');
  const summary = await importFile(db, demoFile('papers.jsonl.gz'), { format: 'listings', log });
  const hfPapers = JSON.parse(readFileSync(demoFile('hf-papers.json'), 'utf8')) as PaperInput[];
  const entries = JSON.parse(readFileSync(demoFile('entries.json'), 'utf8')) as EntryInput[];
  await db.transaction().execute(async (trx) => {
    await upsertPapers(trx, hfPapers);
    await upsertEntries(trx, entries);
    await setMeta(trx, META_KEY, 'true');
  });
  log.info(
    { papers: summary.inserted + hfPapers.length, entries: entries.length, announcements: summary.announcements, seconds: summary.seconds },
    'demo dataset imported',
  );
  return true;
}
