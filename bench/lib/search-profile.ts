/**
 * Where keyword-search time goes: time per SQL statement (and the rest, in JS) over the benchmark
 * queries, after one warm-up pass, with p50/p95 per kind. Usage: tsx bench/lib/search-profile.ts [db]
 */
import type SQLite from 'better-sqlite3';
import { connect } from '../../src/db/connect.ts';
import { searchPapers } from '../../src/search/lexical.ts';
import { buildQueries } from './search-queries.ts';

const conn = connect(process.argv[2] ?? '/tmp/search-bench.db');
const s = conn.sqlite as SQLite.Database;
const orig = s.prepare.bind(s);
const times = new Map<string, number>();
// Wraps every prepared statement so its run time is added up under its first 90 characters.
(s as unknown as { prepare: (src: string) => SQLite.Statement }).prepare = (src: string) => {
  const t0 = performance.now();
  const st = orig(src);
  times.set('(prepare)', (times.get('(prepare)') ?? 0) + performance.now() - t0);
  const key = src.replace(/\s+/g, ' ').slice(0, 90);
  const rec = st as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['all', 'get', 'run', 'iterate'] as const) {
    const f = rec[m]!.bind(st);
    rec[m] = (...a: unknown[]) => {
      const t = performance.now();
      const r = f(...a);
      times.set(key, (times.get(key) ?? 0) + performance.now() - t);
      return r;
    };
  }
  return st;
};

const qs = await buildQueries(conn.db, 50, 7);
for (const q of qs) await searchPapers(conn.db, { q: q.q });
times.clear();
const per: Record<string, number[]> = {};
let total = 0;
for (const q of qs) {
  const t = performance.now();
  await searchPapers(conn.db, { q: q.q });
  const ms = performance.now() - t;
  total += ms;
  (per[q.kind] ??= []).push(ms);
}
const sqlTotal = [...times.values()].reduce((a, b) => a + b, 0);
console.log(`ms over ${qs.length} queries: total ${total.toFixed(0)}, SQL ${sqlTotal.toFixed(0)}, other (JS, highlighting) ${(total - sqlTotal).toFixed(0)}`);
for (const [k, v] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(v.toFixed(0).padStart(6), k);
const pick = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * p))]!.toFixed(1);
const all = Object.values(per).flat();
console.log('all p50', pick(all, 0.5), 'p95', pick(all, 0.95));
for (const [k, v] of Object.entries(per)) console.log(k, 'p50', pick(v, 0.5), 'p95', pick(v, 0.95));
await conn.close();
