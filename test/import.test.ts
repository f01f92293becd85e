/** The bulk importer on real snapshot and listings files, broken lines, .gz and truncated .gz. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { importFile } from '../src/ingest/import.ts';
import { countPapers, getPaper } from '../src/store/papers.ts';
import { freshDb } from './helpers/db.ts';

const data = (name: string) => fileURLToPath(new URL(`../testdata/${name}`, import.meta.url));
const SNAPSHOT = data('import/arxiv-snapshot-head200.jsonl');
const LISTINGS = data('arxiv-listings-sample1000.jsonl');
const BROKEN = data('import/broken.jsonl');
const GZ = data('import/listings-50.jsonl.gz');
const TRUNCATED = data('import/listings-50-truncated.jsonl.gz');

const tmp = mkdtempSync(join(tmpdir(), 'paperboy-import-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A real pino logger whose JSON lines are kept for assertions. */
function capturingLogger() {
  const records: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void records.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, warnings: () => records.filter((r) => r.level === 40) };
}

test('the real snapshot head imports with versions, dates and authors; a second import changes nothing', async () => {
  const { db, close } = await freshDb();
  const first = await importFile(db, SNAPSHOT);
  assert.equal(first.read, 200);
  assert.equal(first.inserted, 200);
  assert.equal(first.skipped, 0);
  assert.equal(first.announcements, 0); // the snapshot says nothing about announcement days
  assert.equal(await countPapers(db), 200);

  const p = await getPaper(db, '0704.0027');
  assert.ok(p);
  assert.equal(p.version, 4);
  assert.equal(p.primaryCategory, 'cond-mat.mes-hall');
  const q = await getPaper(db, '0704.0002');
  assert.deepEqual(q?.categories, ['math.CO', 'cs.CG']);
  assert.deepEqual(q?.authors, ['Ileana Streinu', 'Louis Theran']);

  const second = await importFile(db, SNAPSHOT);
  assert.deepEqual([second.read, second.inserted, second.updated, second.unchanged], [200, 0, 0, 200]);
  await close();
});

test('a newer version updates the paper, an older one does not', async () => {
  const { db, close } = await freshDb();
  const line = readFileSync(SNAPSHOT, 'utf8').split('\n')[0]!; // 0704.0001, v1 and v2
  const v1only = JSON.parse(line) as { versions: unknown[]; title: string };
  v1only.versions = v1only.versions.slice(0, 1);
  const olderFile = join(tmp, 'v1.jsonl');
  writeFileSync(olderFile, `${JSON.stringify(v1only)}\n`);
  const newerFile = join(tmp, 'v2.jsonl');
  writeFileSync(newerFile, `${line}\n`);

  let s = await importFile(db, olderFile);
  assert.equal(s.inserted, 1);
  assert.equal((await getPaper(db, '0704.0001'))?.version, 1);
  assert.equal((await getPaper(db, '0704.0001'))?.updatedAt, '2007-04-02T19:18:42.000Z');

  s = await importFile(db, newerFile);
  assert.deepEqual([s.inserted, s.updated], [0, 1]);
  const p = await getPaper(db, '0704.0001');
  assert.equal(p?.version, 2);
  assert.equal(p?.updatedAt, '2007-07-24T20:10:27.000Z');
  assert.equal(p?.publishedAt, '2007-04-02T19:18:42.000Z');

  s = await importFile(db, olderFile);
  assert.deepEqual([s.inserted, s.updated, s.unchanged], [0, 0, 1]);
  assert.equal((await getPaper(db, '0704.0001'))?.version, 2);

  // Both versions in one file, newer first: the older line must not win inside the batch either.
  const { db: db2, close: close2 } = await freshDb();
  const both = join(tmp, 'both.jsonl');
  writeFileSync(both, `${line}\n${JSON.stringify(v1only)}\n`);
  await importFile(db2, both);
  assert.equal((await getPaper(db2, '0704.0001'))?.version, 2);
  await close2();
  await close();
});

test('an old-style id from the snapshot format is stored under its canonical id', async () => {
  const { db, close } = await freshDb();
  const s = await importFile(db, data('import/snapshot-oldstyle.jsonl'));
  assert.equal(s.inserted, 1);
  const p = await getPaper(db, 'astro-ph/0601001');
  assert.equal(p?.journalRef, 'ActaAstron.56:1-50,2006');
  await close();
});

test('the real listings sample imports with announcements; idempotent', async () => {
  const { db, close } = await freshDb();
  const s = await importFile(db, LISTINGS, { batchSize: 300 });
  assert.deepEqual([s.read, s.inserted, s.skipped, s.announcements], [1000, 1000, 0, 1000]);
  const p = await getPaper(db, '2504.07606');
  assert.deepEqual(p?.categories, ['eess.IV', 'cs.CV']); // MSC/ACM codes dropped
  const ann = await db.selectFrom('announcements').selectAll().where('paper_id', '=', '2504.07606').execute();
  assert.deepEqual(ann, [{ paper_id: '2504.07606', date: p?.publishedAt.slice(0, 10), kind: 'new', category: 'eess.IV' }]);

  const again = await importFile(db, LISTINGS);
  assert.deepEqual([again.inserted, again.updated, again.unchanged, again.announcements], [0, 0, 1000, 0]);
  assert.equal(await countPapers(db), 1000);
  await close();
});

test('--limit stops early, and the format is detected from the first line', async () => {
  const { db, close } = await freshDb();
  const s = await importFile(db, LISTINGS, { limit: 25 });
  assert.deepEqual([s.read, s.inserted, s.announcements], [25, 25, 25]);
  const t = await importFile(db, SNAPSHOT, { limit: 10 });
  assert.deepEqual([t.read, t.inserted, t.announcements], [10, 10, 0]);
  assert.equal(await countPapers(db), 35);
  await close();
});

test('every bad line is skipped with its line number and reason; the good ones import', async () => {
  const { db, close } = await freshDb();
  const { log, warnings } = capturingLogger();
  const s = await importFile(db, BROKEN, { log });
  // 10 lines: 3 good, line 3 blank (ignored), 6 bad.
  assert.equal(s.read, 9);
  assert.equal(s.inserted, 3);
  assert.equal(s.skipped, 6);
  assert.deepEqual(s.skippedReasons, {
    'invalid JSON': 1,
    'missing id': 1,
    'missing title': 2,
    'unparseable id': 1,
    'not a JSON object': 1,
  });
  const skipped = warnings().map((w) => [w.line, w.reason]);
  assert.deepEqual(skipped, [
    [2, 'invalid JSON'],
    [4, 'missing id'],
    [5, 'missing title'],
    [6, 'unparseable id'],
    [8, 'missing title'],
    [9, 'not a JSON object'],
  ]);
  const lines = readFileSync(BROKEN, 'utf8').split('\n');
  for (const n of [1, 7, 10]) {
    const id = (JSON.parse(lines[n - 1]!) as { id: string }).id;
    assert.ok(await getPaper(db, id), `line ${n} (${id}) imported`);
  }
  await close();
});

test('a gzipped file imports, detected by name or by its magic bytes', async () => {
  const { db, close } = await freshDb();
  const s = await importFile(db, GZ);
  assert.deepEqual([s.read, s.inserted, s.skipped], [50, 50, 0]);
  // Same bytes under a name without .gz.
  const renamed = join(tmp, 'listings-no-extension');
  writeFileSync(renamed, readFileSync(GZ));
  const t = await importFile(db, renamed);
  assert.deepEqual([t.read, t.unchanged], [50, 50]);
  await close();
});

test('a truncated .gz imports what came before and reports the cut line', async () => {
  const { db, close } = await freshDb();
  const { log, warnings } = capturingLogger();
  const s = await importFile(db, TRUNCATED, { log });
  // The first 29 lines survive the cut; line 30 is cut in the middle.
  assert.equal(s.inserted, 29);
  assert.equal(s.read, 30);
  assert.deepEqual(s.skippedReasons, { 'truncated line (file ends early)': 1 });
  assert.ok(warnings().some((w) => w.line === 30 && w.reason === 'truncated line (file ends early)'));
  await close();
});

test('a missing file or an unreadable gzip gives a clear error', async () => {
  const { db, close } = await freshDb();
  await assert.rejects(importFile(db, join(tmp, 'nope.jsonl')), /cannot import .*nope\.jsonl: no such file/);
  await assert.rejects(importFile(db, tmp), /cannot import .*: not a regular file/);
  const fake = join(tmp, 'not-really.jsonl.gz');
  writeFileSync(fake, readFileSync(LISTINGS).subarray(0, 5000));
  await assert.rejects(importFile(db, fake), /cannot import .*not-really\.jsonl\.gz: cannot decompress/);
  // Garbage after a valid gzip header is a corrupt file, not a truncation.
  const corrupt = join(tmp, 'corrupt.jsonl.gz');
  const gz = gzipSync(readFileSync(LISTINGS));
  gz.fill(0x55, 20, 4000);
  writeFileSync(corrupt, gz);
  await assert.rejects(importFile(db, corrupt), /cannot decompress/);
  await close();
});

test('a file that is one huge line is skipped without holding it in memory', async () => {
  const { db, close } = await freshDb();
  const huge = join(tmp, 'huge.jsonl');
  const good = readFileSync(LISTINGS, 'utf8').split('\n')[0]!;
  writeFileSync(huge, `${'x'.repeat(9 * 1024 * 1024)}\n${good}\n`);
  const s = await importFile(db, huge);
  assert.deepEqual(s.skippedReasons, { 'line too long': 1 });
  assert.equal(s.inserted, 1);
  await close();
});

test('a later listing keeps the first date, moves the update date, and re-importing either file changes nothing', async () => {
  const { db, close } = await freshDb();
  try {
    const line = readFileSync(LISTINGS, 'utf8').split('\n')[0]!;
    const rec = JSON.parse(line) as Record<string, unknown>;
    const early = join(tmp, 'early.jsonl');
    const late = join(tmp, 'late.jsonl');
    writeFileSync(early, JSON.stringify({ ...rec, listing_date: '2025-01-01' }) + '\n');
    writeFileSync(late, JSON.stringify({ ...rec, listing_date: '2025-01-02' }) + '\n');
    assert.equal((await importFile(db, early)).inserted, 1);
    assert.equal((await importFile(db, late)).updated, 1); // its last-update date moves on
    for (const file of [early, late, early]) {
      const s = await importFile(db, file);
      assert.deepEqual([s.inserted, s.updated, s.unchanged], [0, 0, 1], file);
    }
    const p = await getPaper(db, rec.id as string);
    assert.equal(p?.publishedAt.slice(0, 10), '2025-01-01');
    assert.equal(p?.updatedAt.slice(0, 10), '2025-01-02');
  } finally {
    await close();
  }
});

test('control characters (NUL) inside fields are removed, so the batch imports on every database', async () => {
  const { db, close } = await freshDb();
  try {
    const rec = JSON.parse(readFileSync(LISTINGS, 'utf8').split('\n')[1]!) as Record<string, unknown>;
    const file = join(tmp, 'nul.jsonl');
    writeFileSync(file, JSON.stringify({ ...rec, title: `T\u0000itle with a NUL\u0007`, abstract: `Ab\u0000stract` }) + '\n');
    const s = await importFile(db, file);
    assert.equal(s.inserted, 1);
    const p = await getPaper(db, rec.id as string);
    assert.equal(p?.title, 'Title with a NUL');
    assert.equal(p?.abstract, 'Abstract');
  } finally {
    await close();
  }
});
