/**
 * `paperboy copy`: a real instance (the 1000-paper listings sample, entries, announcements, meta, a job)
 * copied SQLite -> PostgreSQL, PostgreSQL -> SQLite and SQLite -> SQLite; resumed after SIGKILL of a real
 * child process; refused into an unrelated destination. PostgreSQL parts skip with a printed reason when
 * PAPERBOY_TEST_POSTGRES_URL is unset.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { type Connection, connect } from '../src/db/connect.ts';
import { CopyError, type CopyReport, copyInstance } from '../src/db/copy.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { importFile } from '../src/ingest/import.ts';
import { searchPapers } from '../src/search/lexical.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { getJob, insertJob } from '../src/store/jobs.ts';
import { getPaper, upsertPapers } from '../src/store/papers.ts';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.ts';

const ROOT = join(import.meta.dirname, '..');
const LISTINGS = join(ROOT, 'testdata', 'arxiv-listings-sample1000.jsonl');
/** An old-style id (astro-ph/0601001): text keys that sort after the new-style ones. */
const OLDSTYLE = join(ROOT, 'testdata', 'import', 'snapshot-oldstyle.jsonl');
const SNAPSHOT = join(ROOT, 'testdata', 'import', 'arxiv-snapshot-head200.jsonl');
/**
 * Every application table the migrations create (not FTS5 or Kysely bookkeeping), by name, and the tables
 * each references. Read from the source's own schema in before(), so a new migration's tables are covered
 * without editing this file.
 */
const TABLES: string[] = [];
const PARENTS = new Map<string, string[]>();

async function readSchema(db: Connection['db']): Promise<void> {
  const names = (
    await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
      AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'papers_fts%' ORDER BY name`.execute(db)
  ).rows.map((r) => r.name);
  for (const n of names) {
    const fks = (await sql<{ table: string }>`SELECT "table" FROM pragma_foreign_key_list(${n})`.execute(db)).rows;
    PARENTS.set(n, fks.map((f) => f.table).filter((t) => t !== n));
  }
  TABLES.push(...names);
}

/** The copy's tables: exactly the application tables, each after the tables it references. */
function assertTableOrder(copied: string[]): void {
  assert.deepEqual([...copied].sort(), [...TABLES].sort(), 'application tables only (no FTS, sqlite_* or kysely tables)');
  for (const [i, t] of copied.entries()) {
    for (const p of PARENTS.get(t) ?? []) assert.ok(copied.indexOf(p) < i, `${p} is copied before ${t}, which references it`);
  }
}

/** A title from the sample, searched for on the destinations. */
const KNOWN_ID = '2503.11677';
const KNOWN_TITLE = 'Simulation of prosthetic vision with PRIMA system and enhancement of face representation';

const pgSkip = postgresSkipReason();
let dir = '';
let source = '';
/** Row counts of the source, per table. */
const sourceCounts: Record<string, number> = {};

async function counts(db: Connection['db']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.id(t)}`.execute(db)).rows[0]?.n);
  return out;
}

/** A SQLite instance with every kind of row: papers and announcements from real listings, entries, meta, jobs. */
async function buildSource(file: string): Promise<void> {
  const conn = connect(file);
  await migrateToLatest(conn.db);
  await importFile(conn.db, LISTINGS, { format: 'listings' });
  await importFile(conn.db, OLDSTYLE, { format: 'snapshot' });
  const ids = (await conn.db.selectFrom('papers').select('id').orderBy('num').limit(30).execute()).map((r) => r.id);
  await conn.db.transaction().execute((trx) =>
    upsertEntries(trx, [
      ...ids.slice(0, 20).map((paperId, i) => ({
        paperId,
        feedDate: `2025-03-${String(10 + (i % 5)).padStart(2, '0')}`,
        submitterName: i % 2 ? 'Ada Lovelace' : null,
        submitterHandle: i % 2 ? 'ada' : null,
        submittedAt: `2025-03-10T12:00:${String(i).padStart(2, '0')}.000Z`,
        upvotes: i * 3,
      })),
      { paperId: 'astro-ph/0601001', feedDate: '2025-03-14', submitterName: 'Zoë Ünal', submittedAt: '2025-03-14T08:00:00.000Z', upvotes: 7 },
    ]),
  );
  // Keys whose order differs between byte order and a linguistic collation ('B' < 'a' < 'é' in bytes).
  await conn.db
    .insertInto('meta')
    .values([
      { key: 'a_key', value: 'lower' },
      { key: 'B_key', value: 'upper' },
      { key: 'é_key', value: 'accent ✓' },
      { key: 'demo_data', value: 'false' },
    ])
    .execute();
  const now = new Date('2025-03-10T00:00:00.000Z');
  await insertJob(conn.db, { name: 'harvest', payload: '{"day":"2025-03-10"}', runAt: now.toISOString(), maxAttempts: 5, uniqueKey: 'harvest@2025-03-10' }, now);
  await insertJob(conn.db, { name: 'digest', payload: '{}', runAt: now.toISOString(), maxAttempts: 3, uniqueKey: null }, now);
  await readSchema(conn.db);
  Object.assign(sourceCounts, await counts(conn.db));
  await conn.close();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-copy-'));
  source = join(dir, 'source.db');
  await buildSource(source);
});
after(() => rm(dir, { recursive: true, force: true }));

function assertVerified(report: CopyReport): void {
  assertTableOrder(report.tables.map((t) => t.table));
  for (const t of report.tables) {
    assert.ok(t.ok, `${t.table}: ${t.sourceRows}/${t.sourceChecksum} vs ${t.destRows}/${t.destChecksum}`);
    assert.equal(t.sourceRows, sourceCounts[t.table], `${t.table} source rows`);
    assert.equal(t.destRows, sourceCounts[t.table], `${t.table} destination rows`);
    assert.equal(t.sourceChecksum, t.destChecksum);
  }
  assert.ok(report.ok);
}

/** `paperboy copy` as a child process; resolves with its exit status or signal and output. */
function spawnCopy(from: string, to: string, batchSize: number): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'copy', '--from', from, '--to', to, '--batch-size', String(batchSize)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/**
 * Runs the copy in a child and SIGKILLs it once `table` is partly copied in the destination (polled);
 * returns how many rows of it the killed child left there.
 */
async function killMidTable(from: string, to: string, table: string, dest: () => Promise<Connection>): Promise<number> {
  const { child, done } = spawnCopy(from, to, 5);
  let seen = -1;
  let conn: Connection | undefined;
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        conn ??= await dest();
        const n = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.id(table)}`.execute(conn.db)).rows[0]?.n);
        if (n > 0 && n < sourceCounts[table]!) {
          child.kill('SIGKILL');
          seen = n;
          break;
        }
      } catch {
        // The child has not created the table yet.
      }
      await sleep(5);
    }
  } finally {
    await conn?.close();
  }
  const r = await done;
  assert.equal(r.signal, 'SIGKILL', `the copy was to be killed mid-way through ${table}, but it ended: ${r.code} ${r.stderr}`);
  assert.ok(seen > 0, `never saw ${table} partly copied`);
  // A batch or two may have committed between the poll and the kill: count what the dead child left.
  const c = await dest();
  const left = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.id(table)}`.execute(c.db)).rows[0]?.n);
  await c.close();
  assert.ok(left >= seen && left < sourceCounts[table]!, `${table}: ${left} of ${sourceCounts[table]} rows after the kill`);
  return left;
}

describe('copy SQLite -> SQLite', () => {
  test('copies every table, keeps the FTS index working, and a second run is a no-op', async () => {
    const dest = join(dir, 'sqlite-copy.db');
    const first = await copyInstance({ from: source, to: `sqlite:${dest}` });
    assertVerified(first);
    assert.deepEqual(Object.fromEntries(first.tables.map((t) => [t.table, t.copied])), sourceCounts);

    const conn = connect(dest);
    try {
      // The destination's own triggers filled its FTS5 index: an exact title comes first.
      const hits = await searchPapers(conn.db, { q: KNOWN_TITLE });
      assert.equal(hits.hits[0]?.paper.id, KNOWN_ID);
      await sql`INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')`.execute(conn.db);
      const src = connect(source);
      assert.deepEqual(await getPaper(conn.db, 'astro-ph/0601001'), await getPaper(src.db, 'astro-ph/0601001'));
      await src.close();
    } finally {
      await conn.close();
    }

    const second = await copyInstance({ from: source, to: dest });
    assertVerified(second);
    assert.deepEqual(second.tables.map((t) => t.copied), TABLES.map(() => 0));
    assert.deepEqual(second.tables.map((t) => t.destChecksum), first.tables.map((t) => t.destChecksum));
  });

  test('resumes after SIGKILL mid-table (papers, then the composite-key announcements) to an identical copy', async () => {
    const dest = join(dir, 'sqlite-resume.db');
    const open = async () => connect(dest);
    const papersAtKill = await killMidTable(source, dest, 'papers', open);
    const annAtKill = await killMidTable(source, dest, 'announcements', open);
    const r = await copyInstance({ from: source, to: dest });
    assertVerified(r);
    // Nothing was copied twice: the resumed run inserted exactly what was missing.
    assert.equal(r.tables[0]!.copied, 0, 'papers were completed by the second child');
    assert.equal(r.tables[1]!.copied, sourceCounts.announcements! - annAtKill);
    assert.ok(papersAtKill > 0);
    const conn = connect(dest);
    await sql`INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')`.execute(conn.db);
    assert.equal((await searchPapers(conn.db, { q: KNOWN_TITLE })).hits[0]?.paper.id, KNOWN_ID);
    await conn.close();
  });

  test('refuses a destination holding another instance, and one whose rows conflict with the source', async () => {
    const other = join(dir, 'other.db');
    const conn = connect(other);
    await migrateToLatest(conn.db);
    await importFile(conn.db, SNAPSHOT, { format: 'snapshot' });
    const before = await counts(conn.db);
    await conn.close();
    await assert.rejects(copyInstance({ from: source, to: other }), (err: Error) => {
      assert.ok(err instanceof CopyError);
      assert.match(err.message, /table papers already holds 200 row\(s\) that are not a copy of the source/);
      assert.match(err.message, /Refusing to merge/);
      return true;
    });
    const after = connect(other);
    assert.deepEqual(await counts(after.db), before, 'the refused destination is untouched');
    await after.close();

    // A copy of this very source, whose one paper was later edited in the destination: conflicting content.
    const edited = join(dir, 'edited.db');
    assertVerified(await copyInstance({ from: source, to: edited }));
    const e = connect(edited);
    await e.db.transaction().execute(async (trx) => {
      const p = await getPaper(trx, KNOWN_ID);
      await upsertPapers(trx, [{ ...p!, version: p!.version + 1, title: 'Edited elsewhere' }]);
    });
    await e.close();
    await assert.rejects(copyInstance({ from: source, to: edited }), /table papers already holds 1001 row\(s\) that are not a copy/);
  });

  test('a source written to during the copy is reported as MISMATCH, not as a good copy', async () => {
    const dest = join(dir, 'moving-target.db');
    const writer = connect(source);
    const original = (await getPaper(writer.db, KNOWN_ID))!;
    let edited = false;
    try {
      const report = await copyInstance({
        from: source,
        to: dest,
        onProgress: ({ table }) => {
          // Once papers are copied, the live source changes one of them.
          if (table === 'announcements' && !edited) {
            edited = true;
            writer.sqlite!.prepare('UPDATE papers SET comment = ? WHERE id = ?').run('changed during the copy', KNOWN_ID);
          }
        },
      });
      assert.equal(report.ok, false);
      const papers = report.tables.find((t) => t.table === 'papers')!;
      assert.equal(papers.ok, false);
      assert.equal(papers.sourceRows, papers.destRows, 'same count, different content');
      assert.ok(report.tables.filter((t) => t.table !== 'papers').every((t) => t.ok));
      // And a later run refuses instead of merging the changed row.
      await assert.rejects(copyInstance({ from: source, to: dest }), /not a copy of the source/);
    } finally {
      writer.sqlite!.prepare('UPDATE papers SET comment = ? WHERE id = ?').run(original.comment, KNOWN_ID);
      await writer.close();
    }
  });

  test('bad URLs and unreachable databases give clear errors; the CLI exits non-zero', async () => {
    await assert.rejects(copyInstance({ from: source, to: 'mysql://db/x' }), /--to: unsupported database URL scheme "mysql:\/\/"/);
    await assert.rejects(copyInstance({ from: join(dir, 'nope.db'), to: join(dir, 'x.db') }), /--from: SQLite database .*nope\.db does not exist/);
    await assert.rejects(copyInstance({ from: source, to: source }), /--from and --to name the same database/);
    await assert.rejects(copyInstance({ from: source, to: 'sqlite::memory:' }), /in-memory/);
    await assert.rejects(
      copyInstance({ from: source, to: 'postgres://paperboy:pw@127.0.0.1:1/paperboy' }),
      /--to: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    );
    // A SQLite file that is not a Paperboy database.
    const plain = join(dir, 'plain.db');
    const p = connect(plain);
    await sql`CREATE TABLE notes (id integer primary key, body text)`.execute(p.db);
    await p.close();
    await assert.rejects(copyInstance({ from: plain, to: join(dir, 'y.db') }), /--from: not a Paperboy database/);
    await assert.rejects(copyInstance({ from: source, to: plain }), /--to: the database is not empty and is not a Paperboy database \(it holds notes\)/);

    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'copy', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    const unreachable = cli(['--from', source, '--to', 'postgres://u:secret@127.0.0.1:1/db']);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /paperboy copy: --to: cannot reach PostgreSQL/);
    assert.ok(!unreachable.stderr.includes('secret'));
    const usage = cli(['--from', source]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /copy needs --from URL and --to URL/);
  });
});

describe('copy SQLite <-> PostgreSQL', { skip: pgSkip }, () => {
  test('SQLite -> PostgreSQL: counts and checksums match, search works, sequences reset; PostgreSQL -> SQLite round-trips', async () => {
    const pgDb = await createTestDatabase();
    try {
      const report = await copyInstance({ from: `sqlite:${source}`, to: pgDb.url, batchSize: 300 });
      assertVerified(report);

      const conn = connect(pgDb.url);
      try {
        // The generated tsvector indexed the copied rows (search_vector itself was never copied).
        const found = await sql<{ id: string }>`
          SELECT id FROM papers WHERE search_vector @@ plainto_tsquery('english', ${KNOWN_TITLE})`.execute(conn.db);
        assert.deepEqual(found.rows.map((r) => r.id), [KNOWN_ID]);
        // And the application's own search finds it first on the new database.
        assert.equal((await searchPapers(conn.db, { q: KNOWN_TITLE })).hits[0]?.paper.id, KNOWN_ID);
        const src = connect(source);
        assert.deepEqual(await getPaper(conn.db, KNOWN_ID), await getPaper(src.db, KNOWN_ID));
        await src.close();

        // Sequences were moved past the copied ids: new rows get fresh ones instead of colliding.
        const maxNum = Number((await sql<{ n: number }>`SELECT max(num) AS n FROM papers`.execute(conn.db)).rows[0]?.n);
        await conn.db.transaction().execute(async (trx) => {
          await upsertPapers(trx, [{ id: '2599.00001', version: 1, title: 'A paper added after the move', abstract: 'x', authors: ['A. Person'], categories: ['cs.DL'], publishedAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }]);
          await upsertEntries(trx, [{ paperId: '2599.00001', feedDate: '2026-01-02', submittedAt: '2026-01-02T00:00:00.000Z' }]);
        });
        assert.equal(Number((await getPaper(conn.db, '2599.00001'))!.num), maxNum + 1);
        const entryId = (await conn.db.selectFrom('daily_entries').select('id').where('paper_id', '=', '2599.00001').executeTakeFirstOrThrow()).id;
        assert.equal(Number(entryId), sourceCounts.daily_entries! + 1);
        const now = new Date();
        const jobId = await insertJob(conn.db, { name: 'after-move', payload: '{}', runAt: now.toISOString(), maxAttempts: 1, uniqueKey: null }, now);
        assert.equal(jobId, sourceCounts.jobs! + 1);
        assert.equal((await getJob(conn.db, 1))?.uniqueKey, 'harvest@2025-03-10');
      } finally {
        await conn.close();
      }

      // Back to SQLite: the same checksums as the original SQLite source (plus the three rows added above).
      const back = join(dir, 'from-postgres.db');
      const r = await copyInstance({ from: pgDb.url, to: back });
      assert.ok(r.ok);
      assert.deepEqual(
        Object.fromEntries(r.tables.map((t) => [t.table, t.destRows])),
        Object.fromEntries(TABLES.map((t) => [t, sourceCounts[t]! + (t === 'papers' || t === 'daily_entries' || t === 'jobs' ? 1 : 0)])),
      );
      const b = connect(back);
      assert.equal((await searchPapers(b.db, { q: 'added after the move' })).hits[0]?.paper.id, '2599.00001');
      await b.close();
    } finally {
      await pgDb.drop();
    }
  });

  test('SQLite -> PostgreSQL resumes after SIGKILL mid-table; a second full run is a no-op', async () => {
    const pgDb = await createTestDatabase();
    try {
      const open = async () => connect(pgDb.url, { poolSize: 1 });
      await killMidTable(source, pgDb.url, 'papers', open);
      const annAtKill = await killMidTable(source, pgDb.url, 'announcements', open);
      const resumed = spawnCopy(source, pgDb.url, 1000);
      const r = await resumed.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^announcements\s+(\d+)\s/m);
      assert.equal(Number(/^announcements\s+(\d+)\s/m.exec(r.stdout)![1]), sourceCounts.announcements! - annAtKill, 'only the missing rows were inserted');
      for (const t of TABLES) assert.match(r.stdout, new RegExp(`^${t}\\s.*\\sOK$`, 'm'));
      assert.match(r.stdout, /copy verified/);

      const again = await copyInstance({ from: source, to: pgDb.url });
      assertVerified(again);
      assert.deepEqual(again.tables.map((t) => t.copied), TABLES.map(() => 0));

      const conn = connect(pgDb.url);
      const indexed = await sql<{ n: number }>`SELECT count(*) AS n FROM papers WHERE search_vector IS NOT NULL`.execute(conn.db);
      assert.equal(Number(indexed.rows[0]?.n), sourceCounts.papers);
      await conn.close();
    } finally {
      await pgDb.drop();
    }
  });

  test('a PostgreSQL database with a linguistic collation agrees with SQLite on key order', async () => {
    // ICU en-US sorts 'a_key' before 'B_key'; bytes (SQLite) the other way round. Without a byte-order
    // collation on PostgreSQL the checksums (and resume points) of text-keyed tables would disagree.
    const name = `paperboy_test_icu_${Date.now()}`;
    const admin = new pg.Client({ connectionString: process.env.PAPERBOY_TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    const url = new URL(process.env.PAPERBOY_TEST_POSTGRES_URL!);
    url.pathname = `/${name}`;
    try {
      const check = connect(url.toString());
      const order = await sql<{ k: string }>`SELECT k FROM (VALUES ('a_key'), ('B_key')) v(k) ORDER BY k`.execute(check.db);
      assert.deepEqual(order.rows.map((r) => r.k), ['a_key', 'B_key'], 'the database really sorts linguistically');
      await check.close();
      assertVerified(await copyInstance({ from: source, to: url.toString(), batchSize: 3 }));
      const back = join(dir, 'from-icu.db');
      const r = await copyInstance({ from: url.toString(), to: back, batchSize: 3 });
      assert.ok(r.ok);
      assert.deepEqual(Object.fromEntries(r.tables.map((t) => [t.table, t.destRows])), sourceCounts);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  test('refuses a PostgreSQL destination holding another instance; reports bad credentials clearly', async () => {
    const pgDb = await createTestDatabase();
    try {
      const conn = connect(pgDb.url);
      await migrateToLatest(conn.db);
      await importFile(conn.db, SNAPSHOT, { format: 'snapshot' });
      await conn.close();
      await assert.rejects(copyInstance({ from: source, to: pgDb.url }), /--to: table papers already holds 200 row\(s\) that are not a copy/);
      const bad = new URL(pgDb.url);
      bad.password = 'wrong-password';
      await assert.rejects(copyInstance({ from: source, to: bad.toString() }), /--to: PostgreSQL at .* refused the credentials/);
      const missing = new URL(pgDb.url);
      missing.pathname = '/paperboy_no_such_db';
      await assert.rejects(copyInstance({ from: missing.toString(), to: join(dir, 'z.db') }), /--from: database "paperboy_no_such_db" does not exist/);
    } finally {
      await pgDb.drop();
    }
  });
});
