/** Test helpers: a fresh database built by the real migrations, and an app around it. */
import { loadConfig, type Config } from '../../src/config.ts';
import { type Connection, connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { createApp } from '../../src/web/app.ts';

/** A fresh in-memory SQLite database with every migration applied. */
export async function freshDb(): Promise<Connection> {
  const conn = connect('sqlite::memory:');
  await migrateToLatest(conn.db);
  return conn;
}

/** The test configuration: defaults, with overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off' }, overrides);
}

/** An app over a fresh database; close the connection when done. */
export async function freshApp(overrides: Partial<Config> = {}) {
  const conn = await freshDb();
  const config = testConfig(overrides);
  const log = createLogger('silent');
  const app = createApp({ db: conn.db, config, log });
  return { app, conn, db: conn.db, config };
}
