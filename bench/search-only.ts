/**
 * Keyword search alone, repeated: the benchmark's 200 queries against an already-imported database
 * and a bare FTS5 database, without the import and page measurements of `npm run bench` running
 * around it (those leave the machine busy, which shows in the tail latencies).
 *
 *   npx tsx bench/search-only.ts PAPERBOY_DB BARE_DB [CORPUS] [ROUNDS]
 *
 * BARE_DB is built from the corpus when it does not exist yet.
 */
import { existsSync } from 'node:fs';
import { connect } from '../src/db/connect.ts';
import { bareInsert } from './lib/baseline.ts';
import { DEFAULT_CORPUS } from './lib/corpus.ts';
import { buildQueries } from './lib/queries.ts';
import { benchSearch } from './lib/search.ts';

const [dbFile, bareFile, corpus = DEFAULT_CORPUS, rounds = '3'] = process.argv.slice(2);
if (!dbFile || !bareFile || !existsSync(dbFile) || !existsSync(corpus)) {
  process.stderr.write('usage: npx tsx bench/search-only.ts PAPERBOY_DB BARE_DB [CORPUS] [ROUNDS]\n  (PAPERBOY_DB must exist: paperboy import the corpus into it first)\n');
  process.exit(1);
}
if (!existsSync(bareFile)) await bareInsert(bareFile, corpus);
const conn = connect(dbFile);
const queries = await buildQueries(corpus);
const ms = (x: number) => x.toFixed(1).padStart(6);
process.stdout.write('round  paperboy p50    p95   bare p50    p95   p95 ratio\n');
for (let i = 1; i <= Number(rounds); i++) {
  const r = await benchSearch(conn.db, bareFile, queries);
  const p = r.paperboy.latency;
  const b = r.bare.latency;
  process.stdout.write(`${String(i).padStart(5)}  ${ms(p.p50)}       ${ms(p.p95)}  ${ms(b.p50)}     ${ms(b.p95)}   ${(p.p95 / b.p95).toFixed(2)}x\n`);
}
await conn.close();
