/**
 * PostgreSQL for tests: PAPERBOY_TEST_POSTGRES_URL names a server and a database we may use to create
 * throw-away databases (one per call). Absent locally → tests skip with a printed reason; in CI (.ci/run
 * starts PostgreSQL and sets it) they never skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Connection, connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export const POSTGRES_URL = process.env.PAPERBOY_TEST_POSTGRES_URL;

/** The reason to skip PostgreSQL tests, or undefined when they can run. Fails loudly in CI. */
export function postgresSkipReason(): string | undefined {
  if (POSTGRES_URL) return undefined;
  if (process.env.CI) throw new Error('PAPERBOY_TEST_POSTGRES_URL is not set in CI; .ci/run must start PostgreSQL');
  const reason = 'PostgreSQL tests skipped: set PAPERBOY_TEST_POSTGRES_URL=postgres://user@host:port/db to run them';
  process.stderr.write(`${reason}\n`);
  return reason;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database on the test server; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('PAPERBOY_TEST_POSTGRES_URL is not set');
  const name = `paperboy_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(POSTGRES_URL, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A fresh migrated PostgreSQL database; `close()` also drops it. */
export async function freshPostgres(): Promise<Connection & { url: string }> {
  const { url, drop } = await createTestDatabase();
  const conn = connect(url);
  await migrateToLatest(conn.db);
  return {
    ...conn,
    url,
    close: async () => {
      await conn.close();
      await drop();
    },
  };
}
