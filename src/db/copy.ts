/**
 * Moving house: copies a whole Paperboy instance from one database to another (SQLite -> PostgreSQL is
 * the main case; PostgreSQL -> SQLite and SQLite -> SQLite work the same way).
 *
 * - The destination is migrated first by this build's migrations, so its own full-text index (SQLite
 *   FTS5 triggers, PostgreSQL generated tsvector) is filled as rows arrive; index tables and generated
 *   columns are never copied. The source must be at exactly the same migrations (never modified here).
 * - Tables are discovered from the source's schema (Kysely's bookkeeping, sqlite_* and virtual tables with
 *   their shadow tables are skipped), copied parents before children (foreign keys), each in primary-key
 *   order in batches of one transaction each.
 * - Resumable: rows go in key order and each batch commits whole, so after a kill at any point the
 *   destination holds, per table, exactly the source's first rows. A later run proves that (count and
 *   checksum of the destination's rows equal those of the source's rows up to the same key) and continues
 *   after that key. The same proof is what refuses a destination holding anything else (another
 *   instance, or a copy of a source that has changed since): nothing is ever merged silently.
 * - Verifiable: at the end every table's row count and checksum (sha256 over the rows read in key order
 *   and serialised canonically, computed the same way on both sides) are compared.
 * - Text keys are ordered by bytes on both sides (PostgreSQL `COLLATE "C"`, SQLite's BINARY), so "the
 *   first rows" and "after this key" mean the same thing in both databases whatever the server's locale.
 * The source should not be written to during a copy (stop the server); if it is, verification reports
 * MISMATCH and a later run refuses, rather than producing a quiet hybrid.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { type RawBuilder, sql } from 'kysely';
import { type Connection, connect, describeConnectionError, isPostgresUrl, sqlitePath } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

export interface CopyOptions {
  from: string;
  to: string;
  /** Rows per read and per destination transaction (default 1000). */
  batchSize?: number;
  /** Called after every committed batch (and once when a table starts), then once per table verified. */
  onProgress?: (p: CopyProgress) => void;
}

export interface CopyProgress {
  /** `copy` after each batch; `verify` once per table as its checksums are computed. */
  phase: 'copy' | 'verify';
  table: string;
  /** Rows of this table now in the destination. */
  done: number;
  /** Rows of this table in the source. */
  total: number;
}

export interface TableReport {
  table: string;
  /** Rows inserted by this run (0 on a run after a complete copy). */
  copied: number;
  sourceRows: number;
  destRows: number;
  sourceChecksum: string;
  destChecksum: string;
  ok: boolean;
}

export interface CopyReport {
  tables: TableReport[];
  /** True when every table's count and checksum match. */
  ok: boolean;
  seconds: number;
}

/** A copy that cannot start or go on (bad URL, unreachable database, refused destination). */
export class CopyError extends Error {}

type Dialect = Connection['dialect'];

interface Side {
  /** The command-line option naming this side, for messages. */
  label: '--from' | '--to';
  conn: Connection;
  dialect: Dialect;
}

interface TableInfo {
  /** Ordinary (not generated) columns, in declaration order. */
  columns: string[];
  /** Primary-key columns in key order. */
  keys: string[];
  /** Columns whose values sort as text (they get a byte-order collation on PostgreSQL). */
  textColumns: Set<string>;
  /** Tables this one references by foreign key. */
  parents: string[];
}

/** Kysely's own migration bookkeeping: each database keeps its own. */
const SKIPPED_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);
/** SQLite binds at most 32766 parameters per statement; stay under it whatever the column count. */
const MAX_PARAMS = 30_000;

/** Copies the instance at `from` into `to`; resumes an interrupted copy; verifies every table at the end. */
export async function copyInstance(o: CopyOptions): Promise<CopyReport> {
  const started = Date.now();
  const batchSize = o.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CopyError('batch size must be a positive integer');
  checkUrls(o.from, o.to);
  const src = await open('--from', o.from);
  let dst: Side | undefined;
  try {
    dst = await open('--to', o.to);
    const tables = await prepare(src, dst);
    const copied = new Map<string, number>();
    for (const [table, info] of tables) {
      copied.set(table, await copyTable(src, dst, table, info, batchSize, o.onProgress));
    }
    // Every run ends here, even one that copied nothing, so a resumed copy also gets its sequences right.
    if (dst.dialect === 'postgres') for (const table of tables.keys()) await resetSequences(dst, table);

    const reports: TableReport[] = [];
    for (const [table, info] of tables) {
      o.onProgress?.({ phase: 'verify', table, done: 0, total: 0 });
      const s = await checksum(src, table, info, batchSize);
      const d = await checksum(dst, table, info, batchSize);
      reports.push({
        table,
        copied: copied.get(table) ?? 0,
        sourceRows: s.rows,
        destRows: d.rows,
        sourceChecksum: s.checksum,
        destChecksum: d.checksum,
        ok: s.rows === d.rows && s.checksum === d.checksum,
      });
    }
    return { tables: reports, ok: reports.every((r) => r.ok), seconds: (Date.now() - started) / 1000 };
  } finally {
    await dst?.conn.close();
    await src.conn.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Opening and checking both sides

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Rejects what connect() would misread (unknown schemes, in-memory databases, a missing source file). */
function checkUrls(from: string, to: string): void {
  for (const [label, url] of [['--from', from], ['--to', to]] as const) {
    if (url.trim() === '') throw new CopyError(`${label}: a database URL is required (a SQLite file path, sqlite:PATH or postgres://...)`);
    const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
    if (scheme && !isPostgresUrl(url) && scheme !== 'sqlite') {
      throw new CopyError(`${label}: unsupported database URL scheme "${scheme}://"; use a SQLite file path, sqlite:PATH or postgres://user:password@host:port/database`);
    }
    if (isPostgresUrl(url)) {
      try {
        new URL(url);
      } catch {
        throw new CopyError(`${label}: malformed PostgreSQL URL; expected postgres://user:password@host:port/database`);
      }
    } else if (sqlitePath(url) === ':memory:') {
      throw new CopyError(`${label}: an in-memory SQLite database cannot be copied from or to; name a file`);
    }
  }
  if (!isPostgresUrl(from) && !existsSync(sqlitePath(from))) {
    throw new CopyError(`--from: SQLite database ${sqlitePath(from)} does not exist`);
  }
  if (sameDatabase(from, to)) throw new CopyError('--from and --to name the same database');
}

function sameDatabase(a: string, b: string): boolean {
  if (isPostgresUrl(a) !== isPostgresUrl(b)) return false;
  if (isPostgresUrl(a)) {
    const ua = new URL(a);
    const ub = new URL(b);
    return ua.hostname === ub.hostname && (ua.port || '5432') === (ub.port || '5432') && ua.pathname === ub.pathname;
  }
  const real = (u: string) => (existsSync(sqlitePath(u)) ? realpathSync(sqlitePath(u)) : resolve(sqlitePath(u)));
  return real(a) === real(b);
}

async function open(label: Side['label'], url: string): Promise<Side> {
  let conn: Connection;
  try {
    conn = connect(url, { poolSize: 2 });
  } catch (err) {
    throw new CopyError(`${label}: ${(err as Error).message.replace(/^PAPERBOY_DATABASE_URL: /, '')}`);
  }
  try {
    await sql`SELECT 1`.execute(conn.db);
  } catch (err) {
    await conn.close().catch(() => {});
    // The shared wording names the server variable; here the URL came from an option.
    throw new CopyError(describeConnectionError(err, url).replace(/^PAPERBOY_DATABASE_URL: /, `${label}: `));
  }
  return { label, conn, dialect: conn.dialect };
}

/**
 * Checks that the source is a Paperboy database at this build's migrations, migrates the destination
 * (refusing a non-empty database that is not Paperboy's), and returns the tables to copy, parents first.
 */
async function prepare(src: Side, dst: Side): Promise<Map<string, TableInfo>> {
  const srcTables = await allTables(src);
  if (!srcTables.includes('kysely_migration')) {
    throw new CopyError('--from: not a Paperboy database (it has no kysely_migration table); run `paperboy migrate` on a Paperboy database first');
  }
  const dstTables = await allTables(dst);
  if (dstTables.length > 0 && !dstTables.includes('kysely_migration')) {
    throw new CopyError(`--to: the database is not empty and is not a Paperboy database (it holds ${dstTables.slice(0, 5).join(', ')}); copy into an empty database`);
  }
  try {
    await migrateToLatest(dst.conn.db);
  } catch (err) {
    throw new CopyError(`--to: ${(err as Error).message}`);
  }
  const srcMigrations = await migrationNames(src);
  const dstMigrations = await migrationNames(dst);
  const newer = srcMigrations.filter((m) => !dstMigrations.includes(m));
  if (newer.length > 0) throw new CopyError(`--from: the source was migrated by a newer Paperboy (${newer.join(', ')}); copy with that version`);
  const missing = dstMigrations.filter((m) => !srcMigrations.includes(m));
  if (missing.length > 0) {
    throw new CopyError(`--from: the source lacks migrations ${missing.join(', ')}; run \`PAPERBOY_DATABASE_URL=<source> paperboy migrate\` first`);
  }

  const infos = new Map<string, TableInfo>();
  const dstNames = new Set(await applicationTables(dst));
  for (const table of await applicationTables(src)) {
    const info = await tableInfo(src, table);
    if (info.keys.length === 0) throw new CopyError(`--from: table ${table} has no primary key, so it cannot be copied in a resumable order`);
    if (!dstNames.has(table)) throw new CopyError(`--to: table ${table} is missing after migrating the destination`);
    const d = await tableInfo(dst, table);
    const lacking = info.columns.filter((c) => !d.columns.includes(c));
    if (lacking.length > 0) throw new CopyError(`--to: table ${table} lacks column(s) ${lacking.join(', ')} after migrating`);
    if (d.keys.join() !== info.keys.join()) throw new CopyError(`--to: table ${table} has primary key (${d.keys}) where the source has (${info.keys})`);
    infos.set(table, info);
  }
  return parentsFirst(infos);
}

async function migrationNames(side: Side): Promise<string[]> {
  const r = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(side.conn.db);
  return r.rows.map((x) => x.name);
}

/** Every table of the database (the current schema on PostgreSQL). */
async function allTables(side: Side): Promise<string[]> {
  const r =
    side.dialect === 'postgres'
      ? await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(side.conn.db)
      : await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(side.conn.db);
  return r.rows.map((x) => x.name);
}

/** The tables holding the instance's data: not bookkeeping, not SQLite internals, not full-text index tables. */
async function applicationTables(side: Side): Promise<string[]> {
  let names = (await allTables(side)).filter((t) => !SKIPPED_TABLES.has(t));
  if (side.dialect === 'sqlite') {
    // A virtual table (FTS5) and its shadow tables (papers_fts_data, ...) are an index the destination's
    // triggers rebuild; copying them would corrupt it.
    const r = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`.execute(side.conn.db);
    const virtual = r.rows.map((x) => x.name);
    names = names.filter((t) => !t.startsWith('sqlite_') && !virtual.some((v) => t === v || t.startsWith(`${v}_`)));
  }
  return names;
}

async function tableInfo(side: Side, table: string): Promise<TableInfo> {
  const db = side.conn.db;
  if (side.dialect === 'sqlite') {
    const cols = await sql<{ name: string; type: string; pk: number; hidden: number }>`
      SELECT name, type, pk, hidden FROM pragma_table_xinfo(${table})`.execute(db);
    // hidden: 1 virtual-table column, 2/3 generated column; none of them can be inserted.
    const plain = cols.rows.filter((c) => c.hidden === 0);
    const fks = await sql<{ parent: string }>`SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list(${table})`.execute(db);
    return {
      columns: plain.map((c) => c.name),
      keys: plain.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      textColumns: new Set(plain.filter((c) => /CHAR|CLOB|TEXT/i.test(c.type)).map((c) => c.name)),
      parents: fks.rows.map((f) => f.parent),
    };
  }
  const cols = await sql<{ name: string; type: string; generated: string }>`
    SELECT column_name AS name, data_type AS type, is_generated AS generated FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
  const plain = cols.rows.filter((c) => c.generated !== 'ALWAYS');
  const keys = await sql<{ name: string }>`
    SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = to_regclass(quote_ident(${table})) AND i.indisprimary
    ORDER BY array_position(i.indkey::int2[], a.attnum)`.execute(db);
  const fks = await sql<{ parent: string }>`
    SELECT DISTINCT c.confrelid::regclass::text AS parent FROM pg_constraint c
    WHERE c.contype = 'f' AND c.conrelid = to_regclass(quote_ident(${table}))`.execute(db);
  return {
    columns: plain.map((c) => c.name),
    keys: keys.rows.map((k) => k.name),
    textColumns: new Set(plain.filter((c) => /^(text|character varying|character)$/.test(c.type)).map((c) => c.name)),
    parents: fks.rows.map((f) => f.parent.replace(/^"|"$/g, '')),
  };
}

/** Orders tables so every table comes after the tables it references (ties keep name order). */
function parentsFirst(infos: Map<string, TableInfo>): Map<string, TableInfo> {
  const out = new Map<string, TableInfo>();
  const visit = (t: string, path: Set<string>) => {
    if (out.has(t) || path.has(t)) return; // a reference cycle: keep going, FK errors would name it
    const info = infos.get(t);
    if (!info) return;
    path.add(t);
    for (const p of info.parents) if (p !== t) visit(p, path);
    out.set(t, info);
  };
  for (const t of infos.keys()) visit(t, new Set());
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reading in key order, checksums, copying

type Row = Record<string, unknown>;

/** A key column in ORDER BY / comparisons: byte order for text on PostgreSQL, to agree with SQLite. */
function keyRef(side: Side, info: TableInfo, k: string): RawBuilder<unknown> {
  return side.dialect === 'postgres' && info.textColumns.has(k) ? sql`${sql.id(k)} COLLATE "C"` : sql`${sql.id(k)}`;
}

/**
 * Reads rows of `table` in key order, strictly after `after` and up to `upTo` (both keys, optional), and
 * hands them to `each` in batches.
 *
 * SQLite: keyset pages (`WHERE key > last ORDER BY key LIMIT n`), each served by the primary-key index.
 * PostgreSQL: one server-side cursor inside a read transaction. A byte-order text key (COLLATE "C") cannot
 * use an index built with the database's collation, so keyset pages would sort the table again for every
 * batch (85 ms a page at 118k announcements, quadratic in the table size); the cursor sorts once, and
 * reads one consistent snapshot of the table.
 */
async function eachBatch(
  side: Side,
  table: string,
  info: TableInfo,
  batchSize: number,
  bounds: { after?: unknown[]; upTo?: unknown[] },
  each: (rows: Row[]) => Promise<void>,
): Promise<void> {
  const keyList = sql.join(info.keys.map((k) => keyRef(side, info, k)));
  const cols = sql.join(info.columns.map((c) => sql.id(c)));
  const select = (after: unknown[] | undefined, limit?: number) => {
    const where: RawBuilder<unknown>[] = [];
    if (after) where.push(sql`(${keyList}) > (${sql.join(after)})`);
    if (bounds.upTo) where.push(sql`(${keyList}) <= (${sql.join(bounds.upTo)})`);
    return sql<Row>`SELECT ${cols} FROM ${sql.id(table)}
      ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
      ORDER BY ${keyList} ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
  };

  if (side.dialect === 'postgres') {
    await side.conn.db.transaction().execute(async (trx) => {
      await sql`DECLARE paperboy_copy NO SCROLL CURSOR FOR ${select(bounds.after)}`.execute(trx);
      for (;;) {
        const r = await sql<Row>`FETCH ${sql.raw(String(batchSize))} FROM paperboy_copy`.execute(trx);
        if (r.rows.length > 0) await each(r.rows);
        if (r.rows.length < batchSize) break;
      }
    });
    return;
  }
  let after = bounds.after;
  for (;;) {
    const r = await select(after, batchSize).execute(side.conn.db);
    if (r.rows.length > 0) await each(r.rows);
    if (r.rows.length < batchSize) return;
    const last = r.rows[r.rows.length - 1] as Row;
    after = info.keys.map((k) => last[k]);
  }
}

/**
 * One value as text, the same whichever driver read it: numbers and numeric strings agree ("1" = 1),
 * so an INTEGER read by better-sqlite3 and an int8 read by pg hash alike.
 */
function canonical(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  return JSON.stringify(v);
}

interface Checksum {
  rows: number;
  checksum: string;
  /** The key of the last row read (undefined when there were none). */
  lastKey?: unknown[];
}

/** sha256 over the rows (the source's column list, key order) serialised canonically, one JSON array a line. */
async function checksum(side: Side, table: string, info: TableInfo, batchSize: number, upTo?: unknown[]): Promise<Checksum> {
  const hash = createHash('sha256');
  let rows = 0;
  let last: Row | undefined;
  await eachBatch(side, table, info, Math.max(batchSize, 1000), { upTo }, async (batch) => {
    for (const row of batch) hash.update(`${JSON.stringify(info.columns.map((c) => canonical(row[c])))}\n`);
    rows += batch.length;
    last = batch[batch.length - 1];
  });
  const end = last as Row | undefined; // assigned in the callback, which TypeScript cannot see
  return { rows, checksum: hash.digest('hex'), lastKey: end ? info.keys.map((k) => end[k]) : undefined };
}

function showKey(key: unknown[]): string {
  return `(${key.map((v) => JSON.stringify(v)).join(', ')})`;
}

/**
 * Copies one table: proves the destination holds exactly the source's first rows, then inserts the
 * rest in key order, one transaction per batch. Returns the number of rows inserted.
 */
async function copyTable(
  src: Side,
  dst: Side,
  table: string,
  info: TableInfo,
  batchSize: number,
  onProgress: CopyOptions['onProgress'],
): Promise<number> {
  const total = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.id(table)}`.execute(src.conn.db)).rows[0]?.n ?? 0);
  const have = await checksum(dst, table, info, batchSize);
  if (have.rows > 0 && have.lastKey) {
    const theirs = await checksum(src, table, info, batchSize, have.lastKey);
    if (theirs.rows !== have.rows || theirs.checksum !== have.checksum) {
      throw new CopyError(
        `--to: table ${table} already holds ${have.rows} row(s) that are not a copy of the source's rows up to key ` +
          `${showKey(have.lastKey)}: the destination is another instance, or the source changed since an earlier copy. ` +
          'Refusing to merge; copy into an empty database.',
      );
    }
  }
  let done = have.rows;
  onProgress?.({ phase: 'copy', table, done, total });
  let inserted = 0;
  await eachBatch(src, table, info, batchSize, { after: have.lastKey }, async (batch) => {
    try {
      inserted += await insertBatch(dst, table, info, batch);
    } catch (err) {
      const first = batch[0] as Row;
      throw new CopyError(`--to: inserting into ${table} from key ${showKey(info.keys.map((k) => first[k]))} failed: ${(err as Error).message}`);
    }
    done += batch.length;
    onProgress?.({ phase: 'copy', table, done, total });
  });
  return inserted;
}

/** Inserts a batch in one transaction; rows whose key is already there are skipped (verification catches any difference). */
async function insertBatch(dst: Side, table: string, info: TableInfo, batch: Row[]): Promise<number> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / info.columns.length));
  const cols = sql.join(info.columns.map((c) => sql.id(c)));
  return dst.conn.db.transaction().execute(async (trx) => {
    let n = 0;
    for (let i = 0; i < batch.length; i += perStatement) {
      const values = batch.slice(i, i + perStatement).map((row) => sql`(${sql.join(info.columns.map((c) => bindable(dst.dialect, row[c])))})`);
      const r = await sql`INSERT INTO ${sql.id(table)} (${cols}) VALUES ${sql.join(values)} ON CONFLICT DO NOTHING`.execute(trx);
      n += Number(r.numAffectedRows ?? 0);
    }
    return n;
  });
}

/** better-sqlite3 binds only numbers, strings, bigints, buffers and null. */
function bindable(dialect: Dialect, v: unknown): unknown {
  if (dialect !== 'sqlite') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** PostgreSQL: moves each serial sequence of `table` past the largest copied value, so new rows get fresh ids. */
async function resetSequences(dst: Side, table: string): Promise<void> {
  const db = dst.conn.db;
  const seqs = await sql<{ col: string; seq: string | null }>`
    SELECT a.attname AS col, pg_get_serial_sequence(quote_ident(${table}), a.attname) AS seq FROM pg_attribute a
    WHERE a.attrelid = to_regclass(quote_ident(${table})) AND a.attnum > 0 AND NOT a.attisdropped`.execute(db);
  for (const { col, seq } of seqs.rows) {
    if (!seq) continue;
    // is_called = false: the next nextval() returns exactly max + 1 (1 for an empty table).
    await sql`SELECT setval(${seq}, coalesce((SELECT max(${sql.id(col)}) FROM ${sql.id(table)}), 0) + 1, false)`.execute(db);
  }
}
