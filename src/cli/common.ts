/** What every `paperboy` command shares: the usage error, config loading, and an open, migrated database. */
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { checkConnection, connect, type Connection } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createLogger, type Logger } from '../log.ts';

/** Thrown for a wrong command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

/** The configuration, or exit 2 with the message naming the bad variable. */
export function loadOrExit(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`paperboy: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** What a command that works on the database gets. */
export interface CommandContext {
  config: Config;
  log: Logger;
  conn: Connection;
}

/** Runs `fn` with the config, a logger and a connected, migrated database, closing it afterwards. */
export async function withDatabase<T>(fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = loadOrExit();
  const log = createLogger(config.logLevel);
  const conn = connect(config.databaseUrl);
  try {
    await checkConnection(conn, config.databaseUrl);
    await migrateToLatest(conn.db);
    return await fn({ config, log, conn });
  } finally {
    await conn.close();
  }
}
