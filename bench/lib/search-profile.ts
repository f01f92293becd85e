import { connect } from '../../src/db/connect.ts';
import { searchPapers } from '../../src/search/lexical.ts';
import { buildQueries } from './search-queries.ts';
const conn = connect('/tmp/search-bench.db');
const s = conn.sqlite!;
const orig = s.prepare.bind(s);
const times = new Map<string, number>();
(s as any).prepare = (src: string) => {
  const st = orig(src);
  const key = src.replace(/\s+/g, ' ').slice(0, 90);
  for (const m of ['all', 'get', 'run', 'iterate'] as const) {
    const f = (st as any)[m].bind(st);
    (st as any)[m] = (...a: any[]) => { const t = performance.now(); const r = f(...a); times.set(key, (times.get(key) ?? 0) + performance.now() - t); return r; };
  }
  return st;
};
const mod = await import('./search-queries.ts');

const qs = await (mod as any).buildQueries(conn.db, 50, 7);
const per: Record<string, number[]> = {};
for (const q of qs) { const t = performance.now(); await searchPapers(conn.db, { q: q.q }); (per[q.kind] ??= []).push(performance.now() - t); }
times.clear();
for (const q of qs) { const t = performance.now(); await searchPapers(conn.db, { q: q.q }); }
for (const [k, v] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(v.toFixed(0).padStart(6), k);
const all = Object.values(per).flat().sort((a, b) => a - b);
console.log('p50', all[100]!.toFixed(1), 'p95', all[190]!.toFixed(1));
for (const [k, v] of Object.entries(per)) { v.sort((a, b) => a - b); console.log(k, v[Math.floor(v.length / 2)]!.toFixed(1), v[Math.floor(v.length * 0.95)]!.toFixed(1)); }
