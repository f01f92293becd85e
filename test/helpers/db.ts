/**
 * Test helpers: a fresh database built by the real migrations, and an app around it.
 * SQLite (in memory) by default; PAPERBOY_TEST_DIALECT=postgres gives a fresh PostgreSQL database
 * instead (on the server of PAPERBOY_TEST_POSTGRES_URL; close() drops it), so the same integration
 * tests run on both databases (scripts/test.ts runs them twice).
 */
import { loadConfig, type Config } from '../../src/config.ts';
import { type Connection, connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { createApp } from '../../src/web/app.ts';
import { freshPostgres } from './postgres.ts';

/** The database the integration tests run on: PAPERBOY_TEST_DIALECT, default sqlite. */
export const TEST_DIALECT: 'sqlite' | 'postgres' = testDialect(process.env.PAPERBOY_TEST_DIALECT);

function testDialect(v: string | undefined): 'sqlite' | 'postgres' {
  if (v === undefined || v === '' || v === 'sqlite') return 'sqlite';
  if (v === 'postgres') {
    if (!process.env.PAPERBOY_TEST_POSTGRES_URL) throw new Error('PAPERBOY_TEST_DIALECT=postgres needs PAPERBOY_TEST_POSTGRES_URL');
    return 'postgres';
  }
  throw new Error(`PAPERBOY_TEST_DIALECT: expected sqlite or postgres, got ${JSON.stringify(v)}`);
}

/** A fresh database with every migration applied: in-memory SQLite, or PostgreSQL (see above). */
export async function freshDb(): Promise<Connection> {
  if (TEST_DIALECT === 'postgres') return freshPostgres();
  const conn = connect('sqlite::memory:');
  await migrateToLatest(conn.db);
  return conn;
}

/** The test configuration: defaults, with overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off' }, overrides);
}

/** An app over a fresh database; close the connection when done. */
export async function freshApp(overrides: Partial<Config> = {}) {
  const conn = await freshDb();
  const config = testConfig(overrides);
  const log = createLogger('silent');
  const app = createApp({ db: conn.db, config, log });
  return { app, conn, db: conn.db, config };
}
