/** Opens the database named by a URL: a SQLite path or `sqlite:` URL, or a `postgres://` URL. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { type Driver, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { SplitSqliteDriver } from './sqlite-driver.ts';
import pg from 'pg';
import { isDatabaseUnavailable } from './errors.ts';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: DB;
  dialect: Dialect;
  /** The raw better-sqlite3 handle (SQLite only), for bulk paths that bypass the query builder. */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

// COUNT(*) and bigserial come back as int8, which pg returns as strings by default; our counts fit a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** True when the URL names a PostgreSQL database. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Resolves `sqlite:./x.db`, `sqlite:///abs/x.db`, `sqlite::memory:` or a bare path to a filename. */
export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:' || url === 'sqlite://:memory:') return ':memory:';
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  return url;
}

/**
 * Opens a database. SQLite opens at once (errors thrown here); PostgreSQL connects lazily, so call
 * `checkConnection` at start-up to turn an unreachable server or bad credentials into a clear message.
 */
export function connect(url: string, o: { poolSize?: number } = {}): Connection {
  if (isPostgresUrl(url)) {
    // TCP keep-alive on pooled connections: keeps idle ones alive through NAT/firewalls that drop quiet
    // flows, and lets the kernel eventually notice a server that vanished without closing the socket.
    const pool = new pg.Pool({
      connectionString: url,
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    });
    // An idle client that loses its server emits 'error' on the pool; without a listener that kills the process.
    pool.on('error', () => {});
    // A checked-out client has no pool listener: when its server goes away mid-query, pg rejects the
    // query (the caller sees that, and answers 503) *and* emits 'error' on the client, which would be an
    // uncaught exception. The pool drops such a client on release because it is no longer queryable.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = sqlitePath(url);
  let sqlite: SQLite.Database | undefined;
  try {
    if (file !== ':memory:') makeParentDirs(file);
    sqlite = new SQLite(file);
    // Inside the try: a file that is not a database, or a read-only one, fails here, not at open.
    // WAL lets readers run while a writer imports; NORMAL sync is durable across app crashes in WAL mode.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    // Reads through the OS page cache instead of copying pages into SQLite's own cache: measured
    // 5-10% off keyword search latency at 118k papers (the file is ~350 MB; 1 GiB leaves room to grow).
    sqlite.pragma('mmap_size = 1073741824');
  } catch (err) {
    sqlite?.close();
    // SQLite's own wording ("unable to open database file") does not say what to check.
    const hint = (err as { code?: string }).code === 'SQLITE_CANTOPEN' ? '; check that the path names a file in a writable directory' : '';
    throw new Error(`PAPERBOY_DATABASE_URL: cannot open SQLite database ${file}: ${(err as Error).message}${hint}`);
  }
  const reader = file === ':memory:' ? undefined : openReader(file);
  const driver = new SplitSqliteDriver(sqlite, reader);
  const db = new Kysely<Database>({ dialect: new SplitSqliteDialect(sqlite, driver) });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

/** Kysely's SQLite dialect (compiler, adapter, introspection) over our driver with a read connection. */
class SplitSqliteDialect extends SqliteDialect {
  constructor(
    database: SQLite.Database,
    private readonly driver: SplitSqliteDriver,
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}

/** The read-only connection for SELECTs outside transactions (see src/db/sqlite-driver.ts). */
function openReader(file: string): SQLite.Database {
  const reader = new SQLite(file, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -65536');
  reader.pragma('mmap_size = 1073741824');
  return reader;
}

/**
 * Creates the missing directories above `file`, one level at a time. Not `mkdirSync(…, { recursive })`:
 * on Node 20 that loops forever where mkdir answers ENOENT for an existing parent (e.g. under /proc).
 */
function makeParentDirs(file: string): void {
  const missing: string[] = [];
  for (let dir = dirname(resolve(file)); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (err) {
      // Another process starting at the same moment may have just created it.
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
}

/** Runs `SELECT 1`; throws an Error whose message says what is wrong and which setting to fix. */
export async function checkConnection(conn: Connection, url: string): Promise<void> {
  try {
    await sql`SELECT 1`.execute(conn.db);
  } catch (err) {
    throw new Error(describeConnectionError(err, url));
  }
}

/** Turns a driver error into a sentence naming the host, user or database at fault (never the password). */
export function describeConnectionError(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string };
  if (!isPostgresUrl(url)) return `PAPERBOY_DATABASE_URL: ${e.message ?? String(err)}`;
  let where = 'the PostgreSQL server';
  let user = '';
  let database = '';
  try {
    const u = new URL(url);
    where = `PostgreSQL at ${u.hostname}:${u.port || 5432}`;
    user = decodeURIComponent(u.username);
    database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  } catch {
    /* keep the generic wording */
  }
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `PAPERBOY_DATABASE_URL: cannot reach ${where} (${e.code}); is the server running and the host/port right?`;
    case '28P01':
    case '28000':
      return `PAPERBOY_DATABASE_URL: ${where} refused the credentials of user "${user}" (${e.code}); check the user name and password`;
    case '3D000':
      return `PAPERBOY_DATABASE_URL: database "${database}" does not exist on ${where}; create it with: createdb ${database}`;
    default:
      // Timeouts and dropped connections come without a code; say "cannot reach", not "cannot use".
      if (isDatabaseUnavailable(err)) {
        return `PAPERBOY_DATABASE_URL: cannot reach ${where} (${e.code ?? e.message}); is the server running and the host/port right?`;
      }
      return `PAPERBOY_DATABASE_URL: cannot use ${where}: ${e.message ?? String(err)}`;
  }
}
