/**
 * The PostgreSQL half of `npm run bench`: the same corpus imported into a fresh database (created and
 * dropped here), the same 200 keyword queries, and the daily and paper pages served by two
 * `paperboy serve --role web` processes, with the same daily entries as the SQLite run.
 */
import { sql } from 'kysely';
import { connect } from '../../src/db/connect.ts';
import type { ImportSummary } from '../../src/ingest/import.ts';
import { seedBenchEntries } from './entries.ts';
import type { PageResult } from './pages.ts';
import { createBenchDatabase, redactUrl, startBackendCpu } from './pg.ts';
import type { BenchQuery } from './queries.ts';
import { benchPaperboySearch } from './search.ts';
import { runChildJson } from './spawn.ts';
import { benchServers } from './web-pair.ts';

/** What the import child reports (see child.ts). */
export interface ImportResult {
  seconds: number;
  summary: ImportSummary;
  peakRssMb: number;
  cpuMs: number;
  serverCpuMs?: number;
}

export interface PostgresBench {
  database: string;
  import: ImportResult;
  /** VACUUM ANALYZE after the import (not in the import time), as autovacuum would soon do anyway. */
  vacuumSeconds: number;
  search: Awaited<ReturnType<typeof benchPaperboySearch>>;
  pages: Record<string, PageResult & { perServer?: number[] }>;
}

/**
 * Runs the PostgreSQL measurements on a new database on the server at `adminUrl`. `featuredIds` are
 * the papers featured in the SQLite run: seeding here must feature the same ones, or the pages differ.
 */
export async function benchPostgres(o: {
  adminUrl: string;
  corpus: string;
  queries: BenchQuery[];
  paths: Record<string, string>;
  featuredIds: string[];
  keep: boolean;
  log: (msg: string) => void;
}): Promise<PostgresBench> {
  const { log } = o;
  const target = await createBenchDatabase(o.adminUrl);
  log(`PostgreSQL database ${target.name} on ${redactUrl(o.adminUrl)}`);
  try {
    log('PostgreSQL: Paperboy import');
    const imp = await runChildJson<ImportResult>('child.ts', ['import', target.url, o.corpus]);
    log(`  ${imp.summary.inserted + imp.summary.updated + imp.summary.unchanged} papers in ${imp.seconds.toFixed(1)} s`);
    const conn = connect(target.url);
    try {
      // A bulk load leaves GIN pending-list entries and no planner statistics; measure the steady
      // state autovacuum reaches a minute later, not that minute.
      const t0 = performance.now();
      await sql`VACUUM ANALYZE`.execute(conn.db);
      const vacuumSeconds = (performance.now() - t0) / 1000;

      log(`PostgreSQL: keyword search, ${o.queries.length} queries`);
      const search = await benchPaperboySearch(conn.db, o.queries, () => startBackendCpu(conn.db, target.url));

      const featured = await seedBenchEntries(conn.db);
      if (featured.paperIds.join() !== o.featuredIds.join()) {
        throw new Error(`PostgreSQL features other papers than SQLite (${featured.paperIds.slice(0, 3).join()} vs ${o.featuredIds.slice(0, 3).join()})`);
      }

      log('PostgreSQL: page throughput, 2 web processes');
      const pages = await benchServers(target.url, o.paths, { processes: 2, databaseCpu: () => startBackendCpu(conn.db, target.url) });
      for (const [name, p] of Object.entries(pages)) log(`  ${name} ${p.path}: ${Math.round(p.requestsPerSec)} req/s`);
      return { database: target.name, import: imp, vacuumSeconds, search, pages };
    } finally {
      await conn.close();
    }
  } finally {
    if (o.keep) log(`kept PostgreSQL database ${target.name}`);
    else await target.drop();
  }
}
