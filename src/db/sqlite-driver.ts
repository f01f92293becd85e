/**
 * A Kysely driver for better-sqlite3 with a second, read-only connection for plain SELECTs.
 *
 * Why: Kysely's own SQLite driver has one connection behind a mutex, and a transaction holds that mutex
 * across every `await` inside it. Under write load (50 clients voting and commenting) each page render
 * then queued behind every pending transaction, and the daily page took seconds to answer. In WAL mode
 * SQLite lets readers run beside the single writer, so SELECTs outside a transaction go to the reader
 * connection and never wait for the mutex; writes, raw SQL and everything inside a transaction use the
 * writer under the mutex, exactly as before. A read that follows a committed write sees it: better-sqlite3
 * runs statements synchronously, so the commit has finished before the read starts.
 *
 * Prepared statements are cached per connection (by SQL text), which saves re-preparing the same
 * handful of queries on every request.
 */
import type SQLite from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  CompiledQuery as Compiled,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

/** One better-sqlite3 handle with a bounded cache of prepared statements. */
class Handle {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(readonly db: SQLite.Database) {}

  prepare(sqlText: string): SQLite.Statement {
    let stmt = this.statements.get(sqlText);
    if (!stmt) {
      stmt = this.db.prepare(sqlText);
      // Maps keep insertion order: the first key is the oldest. Schema changes (migrations) go through
      // the writer, and SQLite re-prepares a statement whose schema changed by itself.
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sqlText, stmt);
    }
    return stmt;
  }

  run<R>(q: CompiledQuery): QueryResult<R> {
    const stmt = this.prepare(q.sql);
    const params = q.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }
}

/** A FIFO lock: the writer connection is used by one caller (or one transaction) at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that releases the lock. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

/**
 * A query that may go to the reader: a SELECT built with Kysely, or raw SQL (full-text search) that
 * starts with SELECT or WITH. SQLite confirms it writes nothing (`Statement#readonly`) before it is run
 * there, and the connection is read-only anyway, so a misjudged write fails instead of going astray.
 */
function isRead(q: CompiledQuery): boolean {
  return SelectQueryNode.is(q.query) || (q.query.kind === 'RawNode' && /^\s*(select|with)\b/i.test(q.sql));
}

/** What Kysely holds between acquireConnection and releaseConnection. */
class Lease implements DatabaseConnection {
  private release: (() => void) | undefined;
  private inTransaction = false;

  constructor(private readonly driver: SplitSqliteDriver) {}

  async lockWriter(): Promise<void> {
    if (!this.release) this.release = await this.driver.writerLock.lock();
  }

  unlock(): void {
    const release = this.release;
    this.release = undefined;
    this.inTransaction = false;
    release?.();
  }

  async begin(): Promise<void> {
    await this.lockWriter();
    this.driver.writer.run(Compiled.raw('begin'));
    this.inTransaction = true;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const reader = this.driver.reader;
    if (reader && !this.inTransaction && !this.release && isRead(q) && reader.prepare(q.sql).readonly) return reader.run<R>(q);
    await this.lockWriter();
    return this.driver.writer.run<R>(q);
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('SQLite streams only SELECT queries');
    const handle = this.driver.reader && !this.inTransaction && !this.release ? this.driver.reader : this.driver.writer;
    if (handle === this.driver.writer) await this.lockWriter();
    for (const row of handle.prepare(q.sql).iterate(q.parameters as unknown[])) yield { rows: [row as R] };
  }
}

/** The driver: `reader` is omitted for an in-memory database (a second connection would be another database). */
export class SplitSqliteDriver implements Driver {
  readonly writer: Handle;
  readonly reader: Handle | undefined;
  readonly writerLock = new Mutex();

  constructor(writer: SQLite.Database, reader?: SQLite.Database) {
    this.writer = new Handle(writer);
    this.reader = reader ? new Handle(reader) : undefined;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as Lease).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as Lease).unlock();
  }

  async destroy(): Promise<void> {
    this.reader?.db.close();
    this.writer.db.close();
  }
}
