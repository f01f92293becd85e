/**
 * Author-page look-ups (src/store/authors.ts) against an imported database: p50/p95 of one page
 * (count + first 25 papers) for 300 author names sampled from the database and for the commonest
 * names, beside the plain exact scan it replaces (`json_each` / `jsonb ?` over every paper). Read-only.
 *
 *   npx tsx bench/authors.ts DATABASE_URL     (a SQLite path or postgres:// URL holding the corpus)
 */
import { sql } from 'kysely';
import { connect } from '../src/db/connect.ts';
import { isPostgres } from '../src/db/dialect.ts';
import { papersByAuthor } from '../src/store/authors.ts';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: npx tsx bench/authors.ts DATABASE_URL\n');
  process.exit(1);
}
const conn = connect(url);
const db = conn.db;
const rows = await sql<{ authors: string }>`SELECT authors FROM papers ORDER BY num`.execute(db);
const counts = new Map<string, number>();
const sampled: string[] = [];
rows.rows.forEach((r, i) => {
  const names = JSON.parse(r.authors) as string[];
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  if (i % Math.floor(rows.rows.length / 300) === 0 && names[0]) sampled.push(names[0]);
});
const common = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([n]) => n);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const scan = (name: string) =>
  isPostgres(db)
    ? sql`SELECT id FROM papers WHERE (authors::jsonb) ? ${name} ORDER BY published_at DESC LIMIT 25`.execute(db)
    : sql`SELECT id FROM papers p WHERE EXISTS (SELECT 1 FROM json_each(p.authors) WHERE value = ${name}) ORDER BY published_at DESC LIMIT 25`.execute(db);

for (const [label, names] of [['sampled', sampled], ['commonest 20', common]] as const) {
  for (const n of names.slice(0, 5)) await papersByAuthor(db, n, { limit: 25 }); // warm-up
  const ours: number[] = [];
  for (const n of names) ours.push(await time(() => papersByAuthor(db, n, { limit: 25 })));
  const bare: number[] = [];
  for (const n of names.slice(0, 20)) bare.push(await time(() => scan(n)));
  process.stdout.write(
    `${conn.dialect} ${rows.rows.length} papers, ${label} (${names.length} names): author page p50 ${pct(ours, 50).toFixed(1)} ms, p95 ${pct(ours, 95).toFixed(1)} ms, max ${Math.max(...ours).toFixed(1)} ms; exact scan p50 ${pct(bare, 50).toFixed(1)} ms (20 names)\n`,
  );
}
await conn.close();
