/**
 * The community write benchmark alone (bench/lib/community.ts): the daily page while 50 API clients
 * upvote and comment, on a scratch SQLite database with the demo data (or a copy of DATABASE_FILE).
 *
 *   npx tsx bench/community.ts [--seconds N] [--clients N] [DATABASE_FILE]
 *
 * DATABASE_FILE is copied first (the bench writes users, votes and comments), so a corpus database
 * built by `npm run bench -- --keep` can be reused without being changed.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCommunity } from './lib/community.ts';
import { formatTable } from './lib/report.ts';

const { values, positionals } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, clients: { type: 'string', default: '50' } },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
if (!Number.isInteger(seconds) || seconds < 1 || !Number.isInteger(clients) || clients < 1 || positionals.length > 1) {
  process.stderr.write('usage: npx tsx bench/community.ts [--seconds N] [--clients N] [DATABASE_FILE]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-community-'));
try {
  const dbFile = join(dir, 'paperboy.db');
  const source = positionals[0];
  if (source) {
    if (!existsSync(source)) throw new Error(`no such database file: ${source}`);
    copyFileSync(source, dbFile);
    for (const ext of ['-wal', '-shm']) if (existsSync(source + ext)) copyFileSync(source + ext, dbFile + ext);
  }
  process.stderr.write(`[bench] community: ${clients} writers, ${seconds} s per measurement, ${source ?? 'demo data'} (scratch ${dir})\n`);
  const { rows, details } = await benchCommunity({ dbFile, seconds, clients });
  process.stdout.write(`\nPaperboy community benchmark (${cpus().length} CPUs, Node ${process.version})\n\n${formatTable(rows)}\n`);
  const d = details;
  process.stdout.write(
    `\n${d.papers} featured papers of ${d.feedDate}; writers ran ${d.writeSeconds.toFixed(1)} s: ` +
      `${d.votes.ok} votes (p50 ${d.votes.latencyP50Ms.toFixed(1)} ms, p99 ${d.votes.latencyP99Ms.toFixed(1)} ms), ` +
      `${d.comments.ok} comments incl. ${d.comments.replies} replies (p50 ${d.comments.latencyP50Ms.toFixed(1)} ms, p99 ${d.comments.latencyP99Ms.toFixed(1)} ms); ` +
      `${d.recount.votesRows} votes rows after the run.\n` +
      `Daily page p99: anonymous ${d.baseline.anonymous.latencyP99Ms} ms alone, ${d.underLoad.anonymous.latencyP99Ms} ms under writes; ` +
      `signed in ${d.baseline.signedIn.latencyP99Ms} ms alone, ${d.underLoad.signedIn.latencyP99Ms} ms under writes.\n`,
  );
  for (const s of [...d.votes.samples, ...d.comments.samples, ...d.recount.examples]) process.stdout.write(`  ${s}\n`);
  process.exitCode = rows.some((r) => r.pass === false) ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
