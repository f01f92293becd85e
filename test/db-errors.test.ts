/**
 * Database connection problems at start-up: `paperboy serve`, `migrate`, `import` (and `copy`) run as
 * real child processes against an unreachable host, a wrong password, a missing database, a host
 * name that does not resolve and unusable SQLite paths. Each must exit non-zero quickly with one
 * line naming PAPERBOY_DATABASE_URL and the problem: no stack trace, never the password.
 *
 * Also: isDatabaseUnavailable (src/db/errors.ts) on real driver errors, which decides 503 vs 500.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { connect } from '../src/db/connect.ts';
import { isDatabaseUnavailable } from '../src/db/errors.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { POSTGRES_URL, postgresSkipReason } from './helpers/postgres.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'paperboy.js');
const LISTINGS = join(ROOT, 'testdata', 'arxiv-listings-sample1000.jsonl');
/** A password that must never show up in any output. */
const SECRET = 'Wr0ng-s3cret-pw';
/** "Quickly": tsx start-up is ~2-3 s here; pg's connection timeout is 5 s. */
const QUICK_MS = 15_000;

const skipPg = postgresSkipReason();

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-dberr-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `paperboy ARGS` asynchronously (so cases run side by side) with a clean Paperboy environment. */
function paperboy(args: string[], env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'warn', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PORT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // A command that hangs (e.g. `serve` that started after all) is killed, and the assertions say so.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** The three commands that open PAPERBOY_DATABASE_URL. */
const COMMANDS: string[][] = [['serve', '--port', '1'], ['migrate'], ['import', LISTINGS, '--limit', '5']];

/** Runs every command against `url` and checks the one-line answer; `reason` must match it. */
async function expectClearFailure(url: string, reason: RegExp): Promise<void> {
  const runs = await Promise.all(COMMANDS.map((args) => paperboy(args, { PAPERBOY_DATABASE_URL: url })));
  runs.forEach((r, i) => {
    const what = `paperboy ${COMMANDS[i]![0]} with ${url.replace(SECRET, '***')}: ${JSON.stringify(r.stderr)}`;
    assert.equal(r.status, 1, `${what} exits 1`);
    assert.ok(r.ms < QUICK_MS, `${what} took ${r.ms} ms`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what} prints one line`);
    assert.match(lines[0]!, /^paperboy: PAPERBOY_DATABASE_URL: /, what);
    assert.match(lines[0]!, reason, what);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${what} has no stack trace`);
    assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET), `${what} never shows the password`);
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

/** The test server's URL with some parts replaced. */
function pgUrl(change: { password?: string; database?: string; host?: string; port?: number }): string {
  const u = new URL(POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  if (change.password !== undefined) u.password = change.password;
  if (change.database !== undefined) u.pathname = `/${change.database}`;
  if (change.host !== undefined) u.hostname = change.host;
  if (change.port !== undefined) u.port = String(change.port);
  return u.toString();
}

describe('start-up with a PostgreSQL URL that cannot work', () => {
  // These two need no server at all, so they run without PAPERBOY_TEST_POSTGRES_URL too.
  test('nothing listening on the port: "cannot reach", with host and port', async () => {
    const port = await closedPort();
    await expectClearFailure(pgUrl({ host: '127.0.0.1', port, password: SECRET }), new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  });

  test('a host name that does not resolve: "cannot reach", naming the host', async () => {
    // .invalid never resolves (RFC 2606).
    await expectClearFailure(pgUrl({ host: 'paperboy-db.invalid', password: SECRET }), /cannot reach PostgreSQL at paperboy-db\.invalid:\d+ \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  test('a wrong password: the user is named, the password is not', { skip: skipPg }, async () => {
    await expectClearFailure(pgUrl({ password: SECRET }), /refused the credentials of user "[^"]+" \(28P01\); check the user name and password/);
  });

  test('a database that does not exist: named, with the command that creates it', { skip: skipPg }, async () => {
    await expectClearFailure(pgUrl({ database: 'paperboy_no_such_db' }), /database "paperboy_no_such_db" does not exist on PostgreSQL at .*createdb paperboy_no_such_db/);
  });

  test('copy names --to (its own setting) for a wrong password, in one line', { skip: skipPg }, async () => {
    const from = join(dir, 'copy-source.db');
    const conn = connect(from);
    await migrateToLatest(conn.db);
    await conn.close();
    const r = await paperboy(['copy', '--from', from, '--to', pgUrl({ password: SECRET })], {});
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^paperboy copy: --to: .*\(28P01\)/);
    assert.ok(!r.stderr.includes(SECRET));
  });
});

describe('start-up with a SQLite path that cannot work', () => {
  test('a path below a regular file (the directory cannot exist)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory\n');
    await expectClearFailure(join(file, 'paperboy.db'), /cannot open SQLite database .*a-file\/paperboy\.db: .*writable directory/);
  });

  test('a file that is not a SQLite database', async () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'These are my notes, not a database. '.repeat(50));
    await expectClearFailure(file, /cannot open SQLite database .*notes\.db: file is not a database/);
  });

  test('a directory without write permission', { skip: process.getuid?.() === 0 ? 'running as root, which may write anywhere' : false }, async () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro, { mode: 0o555 });
    await expectClearFailure(join(ro, 'sub', 'paperboy.db'), /cannot open SQLite database .*(EACCES|permission)/i);
  });

  test('a directory that cannot be created (under /proc) fails at once instead of hanging', { skip: process.platform !== 'linux' ? 'needs Linux /proc' : false }, async () => {
    // Node 20's mkdirSync(…, { recursive: true }) loops forever here; connect() creates directories itself.
    await expectClearFailure('/proc/paperboy-nope/paperboy.db', /cannot open SQLite database \/proc\/paperboy-nope\/paperboy\.db: ENOENT/);
  });
});

describe('isDatabaseUnavailable on real errors', () => {
  /** The error a promise rejects with. */
  async function errorOf(p: Promise<unknown>): Promise<unknown> {
    try {
      await p;
    } catch (err) {
      return err;
    }
    assert.fail('expected the promise to reject');
  }

  test('PostgreSQL not listening: unavailable', async () => {
    const conn = connect(pgUrl({ host: '127.0.0.1', port: await closedPort() }));
    try {
      const err = await errorOf(sql`SELECT 1`.execute(conn.db));
      assert.equal(isDatabaseUnavailable(err), true, String(err));
    } finally {
      await conn.close();
    }
  });

  test('PostgreSQL: wrong password and SQL errors are not outages; a terminated backend is', { skip: skipPg }, async () => {
    const bad = connect(pgUrl({ password: SECRET }));
    try {
      assert.equal(isDatabaseUnavailable(await errorOf(sql`SELECT 1`.execute(bad.db))), false, 'a wrong password is a configuration error');
    } finally {
      await bad.close();
    }
    const conn = connect(POSTGRES_URL!, { poolSize: 1 });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const syntax = await errorOf(sql`SELEC 1`.execute(conn.db));
      assert.equal((syntax as { code?: string }).code, '42601');
      assert.equal(isDatabaseUnavailable(syntax), false, 'a syntax error is a bug, not an outage');
      const missing = await errorOf(sql`SELECT * FROM paperboy_no_such_table`.execute(conn.db));
      assert.equal(isDatabaseUnavailable(missing), false);

      // An administrator (or a failover) ends our backend while a query runs: 57P01 → unavailable.
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn.db);
      const running = errorOf(sql`SELECT pg_sleep(10)`.execute(conn.db));
      await new Promise((r) => setTimeout(r, 200));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      const terminated = await running;
      assert.equal((terminated as { code?: string }).code, '57P01', String(terminated));
      assert.equal(isDatabaseUnavailable(terminated), true);
      // The pool drops that client and a later query gets a fresh one. The very next query may still
      // draw the dying client (its socket closes a moment after the error message): that is an outage
      // error too (a 503), never anything else.
      let one: number | undefined;
      for (let attempt = 0; attempt < 5 && one === undefined; attempt++) {
        try {
          one = (await sql<{ one: number }>`SELECT 1 AS one`.execute(conn.db)).rows[0]!.one;
        } catch (err) {
          assert.equal(isDatabaseUnavailable(err), true, String(err));
        }
      }
      assert.equal(one, 1);
    } finally {
      await admin.end();
      await conn.close();
    }
  });

  test('SQLite: a write blocked past busy_timeout is unavailable; a constraint or syntax error is not', async () => {
    const file = join(dir, 'busy.db');
    const conn = connect(file);
    await migrateToLatest(conn.db);
    conn.sqlite!.pragma('busy_timeout = 100');
    const other = new SQLite(file);
    try {
      other.exec('BEGIN IMMEDIATE'); // holds the write lock, like a long import in another process
      const busy = await errorOf(sql`INSERT INTO meta (key, value) VALUES ('k', 'v')`.execute(conn.db));
      assert.match(String((busy as { code?: string }).code), /^SQLITE_BUSY/);
      assert.equal(isDatabaseUnavailable(busy), true);
      other.exec('ROLLBACK');
      await sql`INSERT INTO meta (key, value) VALUES ('k', 'v')`.execute(conn.db);
      const dup = await errorOf(sql`INSERT INTO meta (key, value) VALUES ('k', 'v')`.execute(conn.db));
      assert.match(String((dup as { code?: string }).code), /^SQLITE_CONSTRAINT/);
      assert.equal(isDatabaseUnavailable(dup), false);
      assert.equal(isDatabaseUnavailable(await errorOf(sql`SELEC 1`.execute(conn.db))), false);
    } finally {
      other.close();
      await conn.close();
    }
  });

  test('non-errors and plain errors are not outages; a wrapped cause is followed', () => {
    for (const v of [undefined, null, 'ECONNREFUSED', 42, new Error('boom'), new TypeError('x is undefined')]) {
      assert.equal(isDatabaseUnavailable(v), false, String(v));
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    assert.equal(isDatabaseUnavailable(new Error('query failed', { cause: refused })), true);
    assert.equal(isDatabaseUnavailable(new AggregateError([refused], 'all addresses failed')), true);
  });
});
