/**
 * PostgreSQL for the benchmark: which server to use (PAPERBOY_BENCH_POSTGRES_URL, else
 * PAPERBOY_TEST_POSTGRES_URL), a throw-away database on it, and the CPU time of the server backends
 * serving that database (read from /proc when the server runs on this machine).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/db/connect.ts';
import { processCpuMs, processName } from './cpu.ts';

/** The admin URL to create the bench database with, or the line to print when PostgreSQL rows are skipped. */
export function postgresBenchTarget(env: NodeJS.ProcessEnv): { url: string } | { skip: string } {
  const url = env.PAPERBOY_BENCH_POSTGRES_URL || env.PAPERBOY_TEST_POSTGRES_URL;
  if (url) return { url };
  return {
    skip:
      'PostgreSQL rows skipped: set PAPERBOY_BENCH_POSTGRES_URL (or PAPERBOY_TEST_POSTGRES_URL) to a server ' +
      'where the user may create databases, e.g. postgres://postgres:secret@127.0.0.1:5432/postgres',
  };
}

/** The same server URL with another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The URL without its password, for logs and the JSON report. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Creates an empty database for one benchmark run; `drop()` removes it (disconnecting any leftover session). */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  // Lower-case letters, digits and _ only, so the name needs no quoting.
  const name = `paperboy_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { url: withDatabase(adminUrl, name), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** True when the URL's server is this machine, so its backend pids are ours to read in /proc. */
export function isLocalServer(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || /^%2f/i.test(host);
}

/**
 * CPU milliseconds so far of every server backend connected to `db`'s database, by pid; undefined when
 * the server is not local or a pid is unreadable (so no half-measured number is ever reported).
 */
export async function backendCpu(db: DB, url: string): Promise<Map<number, number> | undefined> {
  if (!isLocalServer(url)) return undefined;
  const r = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(db);
  const out = new Map<number, number>();
  for (const { pid } of r.rows) {
    // A pid that is not a postgres process here belongs to another machine's server (e.g. in a container).
    if (!processName(pid)?.startsWith('postgres')) return undefined;
    const ms = processCpuMs(pid);
    if (ms === undefined) return undefined;
    out.set(pid, ms);
  }
  return out;
}

/**
 * CPU used between two `backendCpu` snapshots. A backend that started in between counts whole; one
 * that ended in between is lost (pools close only idle connections, so that is little).
 */
export function backendCpuDelta(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!before || !after) return undefined;
  let sum = 0;
  for (const [pid, ms] of after) sum += Math.max(0, ms - (before.get(pid) ?? 0));
  return sum;
}

/** Starts measuring the backends' CPU of `db`'s database; the returned function gives the milliseconds since. */
export async function startBackendCpu(db: DB, url: string): Promise<() => Promise<number | undefined>> {
  const before = await backendCpu(db, url);
  return async () => backendCpuDelta(before, await backendCpu(db, url));
}
