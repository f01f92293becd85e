/** `paperboy user …` run as a real child process against a SQLite file, then checked through the app. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { createSession } from '../src/store/sessions.ts';
import { getUserByHandle } from '../src/store/users.ts';
import { createApp } from '../src/web/app.ts';
import { SESSION_COOKIE } from '../src/web/auth.ts';
import { testConfig } from './helpers/db.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'paperboy.js');

let dir = '';
let file = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-cli-user-'));
  file = join(dir, 'paperboy.db');
});
after(() => rm(dir, { recursive: true, force: true }));

function paperboy(args: string[]) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const r = spawnSync(process.execPath, [BIN, 'user', ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_DATABASE_URL: file },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fn` on the same database file the CLI wrote. */
async function withDb<T>(fn: (db: ReturnType<typeof connect>['db']) => Promise<T>): Promise<T> {
  const conn = connect(file);
  try {
    return await fn(conn.db);
  } finally {
    await conn.close();
  }
}

test('user create makes an account with a role; a taken handle or address exits 1 with a message', async () => {
  const r = paperboy(['create', '--email', 'Admin@Example.org', '--handle', 'boss', '--role', 'admin', '--name', 'The Boss']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /created @boss <admin@example\.org> \(admin\)/);
  const u = await withDb((db) => getUserByHandle(db, 'boss'));
  assert.equal(u?.role, 'admin');
  assert.equal(u?.displayName, 'The Boss');

  const dupHandle = paperboy(['create', '--email', 'other@example.org', '--handle', 'BOSS']);
  assert.equal(dupHandle.status, 1);
  assert.match(dupHandle.stderr, /handle "boss" is taken/);
  const dupEmail = paperboy(['create', '--email', 'admin@example.org', '--handle', 'boss2']);
  assert.equal(dupEmail.status, 1);
  assert.match(dupEmail.stderr, /already exists/);
  const badHandle = paperboy(['create', '--email', 'x@example.org', '--handle', 'no way']);
  assert.equal(badHandle.status, 1);
  assert.match(badHandle.stderr, /2 to 30 characters/);
});

test('a bad command line exits 2 with the usage, before touching the database', () => {
  for (const args of [['create', '--email', 'a@example.org'], ['create', '--email', 'a@example.org', '--handle', 'abc', '--role', 'god'], ['promote'], ['fly'], []]) {
    const r = paperboy(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /Usage: paperboy/);
  }
});

test('promote sets the role (moderator by default); unknown handles exit 1', async () => {
  assert.equal(paperboy(['create', '--email', 'mod@example.org', '--handle', 'mody']).status, 0);
  const r = paperboy(['promote', 'mody']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /@mody is now moderator/);
  assert.equal((await withDb((db) => getUserByHandle(db, 'mody')))?.role, 'moderator');
  assert.equal(paperboy(['promote', 'mody', '--role', 'admin']).status, 0);
  assert.equal((await withDb((db) => getUserByHandle(db, 'mody')))?.role, 'admin');
  const missing = paperboy(['promote', 'ghost']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no user with the handle "ghost"/);
});

test('user token prints a working personal API token; ban stops it and the sessions, unban restores the token', async () => {
  assert.equal(paperboy(['create', '--email', 'bot@example.org', '--handle', 'botty']).status, 0);
  const r = paperboy(['token', 'botty']);
  assert.equal(r.status, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^pb_[A-Za-z0-9_-]{43}$/, 'only the token on stdout');

  const check = () =>
    withDb(async (db) => {
      const app = createApp({ db, config: testConfig(), log: createLogger('silent') });
      const res = await app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    });
  const ok = await check();
  assert.equal(ok.status, 200);
  assert.equal(ok.body.handle, 'botty');

  const sid = await withDb(async (db) => (await createSession(db, (await getUserByHandle(db, 'botty'))!.id)).id);
  const ban = paperboy(['ban', 'botty']);
  assert.equal(ban.status, 0, ban.stderr);
  assert.match(ban.stdout, /@botty is banned/);
  assert.equal((await check()).status, 401);
  const sessionWorks = await withDb(async (db) => {
    const app = createApp({ db, config: testConfig(), log: createLogger('silent') });
    return (await app.request('/settings', { headers: { cookie: `${SESSION_COOKIE}=${sid}` } })).status;
  });
  assert.equal(sessionWorks, 303, 'the session no longer signs in');

  const unban = paperboy(['unban', 'botty']);
  assert.equal(unban.status, 0);
  assert.match(unban.stdout, /no longer banned/);
  assert.equal((await check()).status, 200);
  assert.equal(paperboy(['token', 'nobody']).status, 1);
});
