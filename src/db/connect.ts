/** Opens the database named by a URL: a SQLite path or `sqlite:` URL (PostgreSQL arrives with issue 3). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;

export interface Connection {
  db: DB;
  dialect: 'sqlite';
  /** The raw better-sqlite3 handle, for bulk paths that bypass the query builder. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/** Resolves `sqlite:./x.db`, `sqlite:///abs/x.db`, `sqlite::memory:` or a bare path to a filename. */
export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:' || url === 'sqlite://:memory:') return ':memory:';
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  return url;
}

/** Opens a database; throws an Error with an actionable message when it cannot. */
export function connect(url: string): Connection {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PAPERBOY_DATABASE_URL: PostgreSQL is not supported yet; use a SQLite path');
  }
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (err) {
    throw new Error(`PAPERBOY_DATABASE_URL: cannot open SQLite database ${file}: ${(err as Error).message}`);
  }
  // WAL lets readers run while a writer imports; NORMAL sync is durable across app crashes in WAL mode.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    async close() {
      await db.destroy();
    },
  };
}
