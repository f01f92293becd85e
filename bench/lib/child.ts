/**
 * Child-process entry for the write benchmarks: `child.ts baseline|import DB_FILE CORPUS`.
 * Each runs in its own process so its wall time and peak memory are its own; the result is printed
 * as one JSON line on stdout.
 */
import { bareInsert } from './baseline.ts';
import { startRssSampler } from './rss.ts';

async function main(): Promise<void> {
  const [mode, dbFile, corpus] = process.argv.slice(2);
  if (!mode || !dbFile || !corpus) throw new Error('usage: child.ts baseline|import DB_FILE CORPUS');
  const rss = startRssSampler();
  let result: Record<string, unknown>;
  if (mode === 'baseline') {
    result = await bareInsert(dbFile, corpus);
  } else if (mode === 'import') {
    // Imported lazily so the baseline child never loads the app.
    const { connect } = await import('../../src/db/connect.ts');
    const { migrateToLatest } = await import('../../src/db/migrate.ts');
    const { importFile } = await import('../../src/ingest/import.ts');
    const conn = connect(dbFile);
    await migrateToLatest(conn.db);
    const start = performance.now();
    const summary = await importFile(conn.db, corpus, { format: 'listings' });
    const seconds = (performance.now() - start) / 1000;
    await conn.close();
    result = { seconds, summary };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: rss.stop() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
