/**
 * Page throughput of several `paperboy serve` processes on one database, with the CPU each request
 * costs (server processes plus, on PostgreSQL, the database backends): the CPU figure is what to compare
 * on a shared machine, where wall-clock throughput also measures the neighbours.
 */
import { totalCpuMs } from './cpu.ts';
import { benchPage, benchPages, type PageResult } from './pages.ts';
import { startServer } from './server.ts';

/** Starts measuring some CPU; the returned function gives the milliseconds used since. */
export type CpuMeter = () => Promise<() => Promise<number | undefined>>;

/**
 * Starts `processes` servers (role `web` when more than one, as a scaled-out deployment runs them;
 * the default role for one, as `paperboy serve` runs) and measures each path on all of them at once.
 */
export async function benchServers(
  dbUrl: string,
  paths: Record<string, string>,
  o: { processes: number; databaseCpu?: CpuMeter },
): Promise<Record<string, PageResult & { perServer?: number[] }>> {
  const servers = [];
  const out: Record<string, PageResult & { perServer?: number[] }> = {};
  try {
    for (let i = 0; i < o.processes; i++) servers.push(await startServer(dbUrl, o.processes > 1 ? { role: 'web' } : {}));
    const pids = servers.map((s) => s.pid);
    for (const [name, path] of Object.entries(paths)) {
      const stopDb = await o.databaseCpu?.();
      const cpu0 = totalCpuMs(pids);
      const r = servers.length === 1 ? await benchPage(servers[0]!.url, path) : await benchPages(servers.map((s) => s.url), path);
      const cpu1 = totalCpuMs(pids);
      const dbMs = stopDb ? await stopDb() : 0;
      // Unknown when any part could not be read: a partial sum would flatter PostgreSQL.
      const cpu = cpu0 === undefined || cpu1 === undefined || dbMs === undefined ? undefined : cpu1 - cpu0 + dbMs;
      out[name] = { ...r, cpuMsPerRequest: cpu !== undefined && r.requests ? cpu / r.requests : undefined };
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return out;
}
