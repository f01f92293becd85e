/**
 * Child-process entry for the write benchmarks: `child.ts baseline|import DB_URL CORPUS`, where DB_URL
 * is a SQLite file (or a postgres:// URL for `import`). Each runs in its own process so its wall time,
 * CPU time and peak memory are its own; the result is printed as one JSON line on stdout.
 */
import { bareInsert } from './baseline.ts';
import { ownCpuMs } from './cpu.ts';
import { startRssSampler } from './rss.ts';

async function main(): Promise<void> {
  const [mode, dbUrl, corpus] = process.argv.slice(2);
  if (!mode || !dbUrl || !corpus) throw new Error('usage: child.ts baseline|import DB_URL CORPUS');
  const rss = startRssSampler();
  let result: Record<string, unknown>;
  if (mode === 'baseline') {
    const cpu0 = ownCpuMs();
    result = { ...(await bareInsert(dbUrl, corpus)), cpuMs: ownCpuMs() - cpu0 };
  } else if (mode === 'import') {
    // Imported lazily so the baseline child never loads the app.
    const { connect } = await import('../../src/db/connect.ts');
    const { migrateToLatest } = await import('../../src/db/migrate.ts');
    const { importFile } = await import('../../src/ingest/import.ts');
    const { backendCpu, backendCpuDelta } = await import('./pg.ts');
    const conn = connect(dbUrl);
    await migrateToLatest(conn.db);
    const pg = conn.dialect === 'postgres';
    // The server's share of the work: on PostgreSQL much of an import is spent in the server process.
    const server0 = pg ? await backendCpu(conn.db, dbUrl) : undefined;
    const cpu0 = ownCpuMs();
    const start = performance.now();
    const summary = await importFile(conn.db, corpus, { format: 'listings' });
    const seconds = (performance.now() - start) / 1000;
    const cpuMs = ownCpuMs() - cpu0;
    const serverCpuMs = pg ? backendCpuDelta(server0, await backendCpu(conn.db, dbUrl)) : undefined;
    await conn.close();
    result = { seconds, summary, cpuMs, serverCpuMs };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: rss.stop() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
