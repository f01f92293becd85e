/** The `paperboy` command line, run as a real child process through the package's bin. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import SQLite from 'better-sqlite3';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'paperboy.js');
/** A small real fixture: every 118th record of the listings corpus. */
const LISTINGS = join(ROOT, 'testdata', 'arxiv-listings-sample1000.jsonl');

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `paperboy ARGS` with a clean Paperboy environment plus `env`. */
function paperboy(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...base, LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('paperboy config prints every variable and hides passwords', () => {
  const r = paperboy(['config'], { PAPERBOY_DATABASE_URL: 'postgres://paperboy:s3cret@db.example.org/papers' });
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['PAPERBOY_DATABASE_URL', 'PORT', 'PAPERBOY_BASE_URL', 'PAPERBOY_FEED_TIMEZONE', 'LOG_LEVEL']) {
    assert.match(r.stdout, new RegExp(`^${name}=`, 'm'));
  }
  assert.ok(!r.stdout.includes('s3cret'), 'the database password must not be printed');
});

test('a bad PORT stops with exit 2 and a message naming PORT and what it accepts', () => {
  const r = paperboy(['config'], { PORT: 'eighty' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /port number/i);
  assert.equal(r.stdout, '');
});

test('a bad time zone is named too', () => {
  const r = paperboy(['config'], { PAPERBOY_FEED_TIMEZONE: 'Mars/Olympus_Mons' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PAPERBOY_FEED_TIMEZONE/);
});

test('an unknown command prints the usage and exits 2', () => {
  const r = paperboy(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command: frobnicate/);
  assert.match(r.stderr, /Usage: paperboy/);
});

test('a bad option prints the usage and exits 2', () => {
  const r = paperboy(['import', LISTINGS, '--limit', 'lots'], { PAPERBOY_DATABASE_URL: join(dir, 'unused.db') });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--limit/);
  assert.match(r.stderr, /Usage: paperboy/);
  assert.equal(existsSync(join(dir, 'unused.db')), false, 'nothing is created for a rejected command line');
});

test('paperboy migrate builds a fresh database file, and a second run has nothing to do', () => {
  const file = join(dir, 'migrate', 'paperboy.db');
  const first = paperboy(['migrate'], { PAPERBOY_DATABASE_URL: file });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /applied: .*initial/);
  const db = new SQLite(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all() as string[];
    for (const t of ['papers', 'papers_fts', 'announcements', 'daily_entries']) assert.ok(tables.includes(t), `table ${t} exists`);
  } finally {
    db.close();
  }
  const second = paperboy(['migrate'], { PAPERBOY_DATABASE_URL: `sqlite:${file}` });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /up to date/);
});

test('paperboy import prints a summary, and importing again inserts nothing', () => {
  const file = join(dir, 'import.db');
  const first = paperboy(['import', LISTINGS, '--limit', '50'], { PAPERBOY_DATABASE_URL: file });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /read:\s+50\b/);
  assert.match(first.stdout, /inserted:\s+50\b/);
  assert.match(first.stdout, /skipped:\s+0\b/);
  const db = new SQLite(file, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT count(*) FROM papers').pluck().get(), 50);
  } finally {
    db.close();
  }
  const again = paperboy(['import', LISTINGS, '--limit', '50'], { PAPERBOY_DATABASE_URL: file });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /inserted:\s+0\b/);
  assert.match(again.stdout, /unchanged:\s+50\b/);
});

test('paperboy import of a missing file fails with a message, not a stack trace', () => {
  const r = paperboy(['import', join(dir, 'nope.jsonl')], { PAPERBOY_DATABASE_URL: join(dir, 'missing.db') });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.jsonl/);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
});
