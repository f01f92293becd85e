/**
 * Report rows for CPU time, two web processes and PostgreSQL, each next to its counterpart from the
 * same run: on a shared machine the ratios are the figures to quote, not the absolute numbers.
 */
import type { PageResult } from './pages.ts';
import type { ImportResult, PostgresBench } from './pg-run.ts';
import { type ResultRow, row } from './report.ts';
import type { SearchBenchResult } from './search.ts';

type Pages = Record<string, PageResult>;

const pageOk = (p: PageResult | undefined) => !!p && p.status === 200 && p.non2xx === 0 && p.errors === 0;
const papersOf = (i: ImportResult) => i.summary.inserted + i.summary.updated + i.summary.unchanged;

/** The pages compared across deployments, with their row labels. */
const COMPARED = { daily: 'daily /', paper: 'paper /papers/{id}' } as const;

/** Rows whose value could not be measured (CPU time of a remote server) are left out, not shown as 0. */
function defined(rows: Array<ResultRow | undefined>): ResultRow[] {
  return rows.filter((r): r is ResultRow => r !== undefined && Number.isFinite(r.value));
}

/** SQLite CPU rows, and the two-web-process rows against the single process. */
export function sqliteScaleRows(o: { bareCpuMs: number; imp: ImportResult; search: SearchBenchResult; single: Pages; pair: Pages }): ResultRow[] {
  const out: Array<ResultRow | undefined> = [
    row({ database: 'sqlite', name: 'import: CPU time', value: o.imp.cpuMs / 1000, unit: 's', baseline: o.bareCpuMs / 1000 }),
    row({ database: 'sqlite', name: 'search: CPU per query', value: o.search.cpuMsPerQuery, unit: 'ms', baseline: o.search.bareCpuMsPerQuery }),
  ];
  for (const [key, label] of Object.entries(COMPARED)) {
    const one = o.single[key];
    const two = o.pair[key];
    if (one?.cpuMsPerRequest !== undefined) out.push(row({ database: 'sqlite', name: `page: ${label}, CPU per request`, value: one.cpuMsPerRequest, unit: 'ms' }));
    if (!two) continue;
    out.push(
      row({ database: 'sqlite', name: `page: ${label}, 2 web processes`, value: two.requestsPerSec, unit: 'req/s', baseline: one?.requestsPerSec, pass: pageOk(two) }),
    );
    if (two.cpuMsPerRequest !== undefined) {
      out.push(row({ database: 'sqlite', name: `page: ${label}, 2 web, CPU per request`, value: two.cpuMsPerRequest, unit: 'ms', baseline: one?.cpuMsPerRequest }));
    }
  }
  return defined(out);
}

/** PostgreSQL rows, each with the SQLite figure of the same run as its baseline. */
export function postgresRows(o: { pg: PostgresBench; imp: ImportResult; search: SearchBenchResult; pair: Pages; dailyTarget: number }): ResultRow[] {
  const { pg } = o;
  const db = 'postgres' as const;
  const pgPapers = papersOf(pg.import);
  const sqlitePapers = papersOf(o.imp);
  const pgCpu = pg.import.serverCpuMs === undefined ? Number.NaN : pg.import.cpuMs + pg.import.serverCpuMs;
  const ps = pg.search.paperboy;
  const ss = o.search.paperboy;
  const out: Array<ResultRow | undefined> = [
    row({ database: db, name: 'import: wall time', value: pg.import.seconds, unit: 's', baseline: o.imp.seconds }),
    row({ database: db, name: 'import: papers/s', value: pgPapers / pg.import.seconds, unit: 'papers/s', baseline: sqlitePapers / o.imp.seconds }),
    row({ database: db, name: 'import: peak RSS (Node only)', value: pg.import.peakRssMb, unit: 'MB', baseline: o.imp.peakRssMb }),
    row({ database: db, name: 'import: CPU time (Node + server)', value: pgCpu / 1000, unit: 's', baseline: o.imp.cpuMs / 1000 }),
    row({ database: db, name: 'import: papers stored', value: pgPapers, unit: 'papers', baseline: sqlitePapers, target: '= SQLite', pass: pgPapers === sqlitePapers }),
    row({ database: db, name: 'search: p50', value: ps.latency.p50, unit: 'ms', baseline: ss.latency.p50 }),
    row({ database: db, name: 'search: p95', value: ps.latency.p95, unit: 'ms', baseline: ss.latency.p95 }),
    row({ database: db, name: 'search: mean', value: ps.latency.mean, unit: 'ms', baseline: ss.latency.mean }),
    row({
      database: db,
      name: 'search: CPU per query (Node + server)',
      value: pg.search.serverCpuMsPerQuery === undefined ? Number.NaN : pg.search.cpuMsPerQuery,
      unit: 'ms',
      baseline: o.search.cpuMsPerQuery,
    }),
    row({ database: db, name: 'search: exact title ranked 1st', value: 100 * ps.titleTop1, unit: '%', baseline: 100 * ss.titleTop1 }),
    row({ database: db, name: 'search: description in top 10', value: 100 * ps.descriptionTop10, unit: '%', baseline: 100 * ss.descriptionTop10 }),
    row({ database: db, name: 'search: zero-result queries', value: ps.zeroResults, unit: 'queries', baseline: ss.zeroResults }),
  ];
  for (const [key, label] of Object.entries(COMPARED)) {
    const p = pg.pages[key];
    const s = o.pair[key];
    if (!p) continue;
    const daily = key === 'daily';
    out.push(
      row({
        database: db,
        name: `page: ${label}, 2 web processes`,
        value: p.requestsPerSec,
        unit: 'req/s',
        baseline: s?.requestsPerSec,
        target: daily ? `> ${o.dailyTarget.toLocaleString('en-US')}` : undefined,
        pass: pageOk(p) && (!daily || p.requestsPerSec > o.dailyTarget),
      }),
    );
    if (p.cpuMsPerRequest !== undefined) {
      out.push(row({ database: db, name: `page: ${label}, 2 web, CPU per request`, value: p.cpuMsPerRequest, unit: 'ms', baseline: s?.cpuMsPerRequest }));
    }
  }
  return defined(out);
}
