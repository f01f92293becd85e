/**
 * A database outage while serving: a small TCP proxy sits between Paperboy and the real PostgreSQL;
 * closing it (and cutting its open connections) is the outage, reopening it on the same port is the
 * recovery. During the outage pages answer a 503 HTML page, /api a 503 JSON {"error"}, both with
 * Retry-After, /healthz 503, and the process keeps running; afterwards everything answers 200 again.
 *
 * Checked twice: in-process over createApp (which also proves a query cut off mid-flight raises no
 * uncaught 'error' event), and on a real `paperboy serve --role all` child process, where a crash
 * would show as an exit and where the worker loop must run a job once the database is back.
 * SQLite: in WAL mode readers are never blocked, so pages cannot see an outage; what can is a writer
 * (the job worker) blocked past busy_timeout, checked last.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connect } from '../src/db/connect.ts';
import { isDatabaseUnavailable } from '../src/db/errors.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { importFile } from '../src/ingest/import.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { createHandlerRegistry } from '../src/jobs/handlers.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { createLogger } from '../src/log.ts';
import { getJob } from '../src/store/jobs.ts';
import { createApp } from '../src/web/app.ts';
import { RETRY_AFTER_SECONDS } from '../src/web/routes/errors.tsx';
import { testConfig } from './helpers/db.ts';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'paperboy.js');
const LISTINGS = join(ROOT, 'testdata', 'arxiv-listings-sample1000.jsonl');
/** The first record of the listings fixture: a paper page that exists once the fixture is imported. */
const PAPER_ID = '2503.11677';

const skipPg = postgresSkipReason();

/** A TCP proxy to host:port that can be cut (an outage) and reopened on the same port (recovery). */
class OutageProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (again) on the same port as before, or on a free one the first time. */
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        // Either side failing ends the pair, as a dead server or network would.
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** The outage: refuse new connections and reset every open one. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** `url` with its host and port pointed at the proxy. */
function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/** A migrated test database holding the first 20 papers of the real listings fixture. */
async function seededDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const created = await createTestDatabase();
  const conn = connect(created.url);
  try {
    await migrateToLatest(conn.db);
    await importFile(conn.db, LISTINGS, { limit: 20 });
  } finally {
    await conn.close();
  }
  return created;
}

/** Requests that must all be 200 before and after, and 503 during the outage. */
const PATHS = ['/', `/papers/${PAPER_ID}`, '/api/daily_papers', '/healthz'];

/** Requests to `PATHS`; a unique query string keeps any page cache out of the picture. */
async function fetchAll(get: (path: string) => Promise<Response>): Promise<Response[]> {
  const bust = `cb=${Date.now()}${Math.random().toString(36).slice(2)}`;
  return Promise.all(PATHS.map((p) => get(`${p}${p.includes('?') ? '&' : '?'}${bust}`)));
}

/** Checks the outage answers: 503, Retry-After on pages and API, HTML for pages, JSON under /api. */
async function assertUnavailable(answers: Response[]): Promise<void> {
  const [home, paper, api, health] = answers as [Response, Response, Response, Response];
  for (const [name, r] of [
    ['/', home],
    ['paper page', paper],
    ['/api/daily_papers', api],
    ['/healthz', health],
  ] as const) {
    assert.equal(r.status, 503, `${name} answers 503 during the outage`);
  }
  for (const r of [home, paper]) {
    assert.equal(r.headers.get('retry-after'), String(RETRY_AFTER_SECONDS));
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    const html = await r.text();
    assert.match(html, /Temporarily unavailable/);
    assert.match(html, /cannot reach its database/);
  }
  assert.equal(api.headers.get('retry-after'), String(RETRY_AFTER_SECONDS));
  const body = (await api.json()) as { error?: string };
  assert.match(body.error ?? '', /cannot reach its database/);
  assert.equal(((await health.json()) as { status: string }).status, 'unavailable');
}

/** Polls until every path answers 200 (the database is back); returns how long that took. */
async function waitForRecovery(get: (path: string) => Promise<Response>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answers = await fetchAll(get);
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    if (statuses.every((s) => s === 200)) return Date.now() - started;
    // While recovering, only 200 or 503: a 500 would mean an outage error was not recognised.
    assert.ok(statuses.every((s) => s === 200 || s === 503), `statuses during recovery: ${statuses}`);
    if (Date.now() - started > timeoutMs) assert.fail(`not recovered after ${timeoutMs} ms: ${statuses}`);
    await sleep(200);
  }
}

async function assertAllOk(get: (path: string) => Promise<Response>): Promise<void> {
  const answers = await fetchAll(get);
  for (const [i, r] of answers.entries()) assert.equal(r.status, 200, `${PATHS[i]}: ${r.status} ${await r.text()}`);
}

describe('PostgreSQL outage', { skip: skipPg }, () => {
  let db: { url: string; drop: () => Promise<void> };
  let pgHost = '';
  let pgPort = 0;
  before(async () => {
    db = await seededDatabase();
    const u = new URL(db.url);
    pgHost = u.hostname;
    pgPort = Number(u.port || 5432);
  });
  after(() => db?.drop());

  test('in-process app: 200, then 503 (not 500) during the outage, then 200 again', async () => {
    const proxy = new OutageProxy(pgHost, pgPort);
    await proxy.open();
    const conn = connect(viaProxy(db.url, proxy.port));
    const app = createApp({ db: conn.db, config: testConfig(), log: createLogger('silent') });
    const get = async (path: string) => app.request(path);
    try {
      await assertAllOk(get);

      // A query in flight when the connection is cut: it fails as an outage, and the client's
      // 'error' event does not become an uncaught exception (that would fail this test file).
      const inFlight = sql`SELECT pg_sleep(5)`.execute(conn.db).then(
        () => assert.fail('the query should have been cut off'),
        (err: unknown) => err,
      );
      await sleep(200);
      await proxy.cut();
      const cutOff = await inFlight;
      assert.equal(isDatabaseUnavailable(cutOff), true, String(cutOff));

      await assertUnavailable(await fetchAll(get));
      await assertUnavailable(await fetchAll(get)); // and again: nothing got stuck after the first failure

      await proxy.open();
      const ms = await waitForRecovery(get);
      process.stderr.write(`in-process app recovered ${ms} ms after the database came back\n`);
      await assertAllOk(get);
    } finally {
      await proxy.cut();
      await conn.close();
    }
  });

  test('`paperboy serve --role all` child process: survives the outage and recovers, worker included', async () => {
    const proxy = new OutageProxy(pgHost, pgPort);
    await proxy.open();
    const url = viaProxy(db.url, proxy.port);
    const port = await freePort();
    const child = spawnServe(url, port);
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    try {
      await waitForListening(child.proc, port);
      await assertAllOk(get);

      await proxy.cut();
      await assertUnavailable(await fetchAll(get));
      // Give the worker and scheduler loops time to hit the dead database, then ask again.
      await sleep(1500);
      await assertUnavailable(await fetchAll(get));
      assert.equal(child.proc.exitCode, null, `serve exited during the outage:\n${child.output()}`);
      assert.equal(child.proc.signalCode, null);

      await proxy.open();
      const ms = await waitForRecovery(get);
      process.stderr.write(`paperboy serve recovered ${ms} ms after the database came back\n`);
      await assertAllOk(get);

      // The worker loop outlived the outage: a job enqueued now is run by this process.
      const direct = connect(db.url);
      try {
        const id = await enqueue(direct.db, 'noop');
        assert.ok(id !== null);
        const deadline = Date.now() + 40_000; // the worker's back-off is at most 30 s
        let status = (await getJob(direct.db, id))?.status;
        while (status !== 'done' && Date.now() < deadline) {
          await sleep(200);
          status = (await getJob(direct.db, id))?.status;
        }
        assert.equal(status, 'done', `the job was not run after the outage:\n${child.output()}`);
      } finally {
        await direct.close();
      }
      assert.match(child.output(), /worker cannot reach the database|scheduler tick failed/, 'the loops did see the outage');
      assert.doesNotMatch(child.output(), /uncaught|unhandled error/i);
      assert.equal(await child.stop(), 0, `serve shut down cleanly:\n${child.output()}`);
    } finally {
      await child.stop();
      await proxy.cut();
    }
  });
});

describe('SQLite: the job worker survives a database locked past busy_timeout', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'paperboy-outage-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a writer in another process holds the lock: the worker backs off, then runs the job', async () => {
    const file = join(dir, 'paperboy.db');
    const conn = connect(file);
    await migrateToLatest(conn.db);
    const id = await enqueue(conn.db, 'noop');
    assert.ok(id !== null);
    // Like `sqlite3 paperboy.db` left inside a transaction, or another process's long import.
    conn.sqlite!.pragma('busy_timeout = 100');
    const holder = new SQLite(file);
    holder.exec('BEGIN IMMEDIATE');
    const errors: unknown[] = [];
    const log = createLogger('silent');
    log.error = ((obj: { err?: unknown }) => {
      errors.push(obj.err);
    }) as typeof log.error;
    const worker = startWorker({ db: conn.db, log, handlers: createHandlerRegistry(), pollMs: 50 });
    try {
      const deadline = Date.now() + 5000;
      while (errors.length < 2 && Date.now() < deadline) await sleep(50);
      assert.ok(errors.length >= 2, 'the worker retried while the database was locked');
      assert.ok(errors.every((e) => isDatabaseUnavailable(e)), `errors: ${errors.map(String)}`);
      assert.equal((await getJob(conn.db, id))?.status, 'queued', 'reads still work in WAL mode');

      holder.exec('ROLLBACK');
      const until = Date.now() + 10_000;
      while ((await getJob(conn.db, id))?.status !== 'done' && Date.now() < until) await sleep(50);
      assert.equal((await getJob(conn.db, id))?.status, 'done');
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await worker.stop();
      await conn.close();
    }
  });
});

/** Waits until the child answers HTTP on `port` (it has booted), failing early if it exits. */
async function waitForListening(proc: ChildProcess, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    assert.ok(proc.exitCode === null, 'serve exited during start-up');
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) assert.fail(`serve did not start within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address() as { port: number };
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

/** `paperboy serve --role all` as a child process; its output is kept for failure messages. */
function spawnServe(url: string, port: number): { proc: ChildProcess; output: () => string; stop: () => Promise<number | null> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const proc = spawn(process.execPath, [BIN, 'serve', '--role', 'all', '--port', String(port)], {
    cwd: ROOT,
    env: { ...base, PAPERBOY_DATABASE_URL: url, PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  return {
    proc,
    output: () => out.slice(-4000),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
