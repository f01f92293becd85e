/**
 * The built-in embedder at corpus scale: training time (wall and CPU) and peak memory on the 118k
 * corpus, embedding throughput (papers/s), and the embed-papers job end to end on a SQLite file
 * (reading papers, embedding, writing vectors). Baselines measured in the same run: one bare
 * tokenising pass over the corpus (what any TF-IDF method pays) for training and embedding, and the
 * bare embedSync loop for the job. Prints a table and writes bench/results/*.json.
 *
 *   npx tsx bench/embed.ts [CORPUS] [--limit N] [--job-papers N]     (or: npm run bench -- --only embed)
 *
 * CPU seconds are reported next to wall seconds because the benchmark machine may be shared: the CPU
 * figure is what the work costs, the wall figure what it cost on that machine at that moment.
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { loadConfig } from '../src/config.ts';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createLogger } from '../src/log.ts';
import { trainBuiltin, BUILTIN_DEFAULTS } from '../src/search/embed/builtin.ts';
import { paperText } from '../src/search/embed/embedder.ts';
import { embedPapers } from '../src/search/embed/job.ts';
import { textTerms } from '../src/search/embed/text.ts';
import { countEmbeddings, saveModel } from '../src/store/embeddings.ts';
import { loadPapers, listingToPaper } from '../test/helpers/corpus.ts';
import { corpusLines, DEFAULT_CORPUS, resolveCorpusPath } from './lib/corpus.ts';
import { formatTable, type ResultRow, row, writeResults } from './lib/report.ts';

const log = (msg: string) => process.stderr.write(`[bench embed] ${msg}\n`);
const JOB_DB = '/tmp/paperboy-embed-job.db';

/** Wall and CPU seconds of a synchronous or asynchronous piece of work. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const mib = (bytes: number) => bytes / 2 ** 20;

/** Runs the benchmark; returns the exit status. */
export async function benchEmbed(argv = process.argv.slice(2)): Promise<number> {
  const num = (flag: string, dflt: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const valueOf = new Set(['--limit', '--job-papers', '--only']);
  const corpus = resolveCorpusPath(argv.filter((a, i) => !a.startsWith('--') && !valueOf.has(argv[i - 1] ?? '') && a !== 'embed'), process.env);
  if (!corpus.exists) {
    process.stderr.write(`bench embed: corpus not found at ${corpus.path} (default ${DEFAULT_CORPUS})\n`);
    return 1;
  }
  const limit = num('--limit', Number.POSITIVE_INFINITY);
  const jobPapers = num('--job-papers', 20_000);

  log(`reading ${corpus.path}`);
  const lines: string[] = [];
  for await (const line of corpusLines(corpus.path)) {
    if (line.trim()) lines.push(line);
    if (lines.length >= limit) break;
  }
  const papers = lines.map(listingToPaper);
  const docs = papers.map(paperText);
  const n = docs.length;
  const rows: ResultRow[] = [];

  log(`baseline: one tokenising pass over ${n} papers`);
  const tok = await timed(() => {
    let terms = 0;
    for (const d of docs) terms += textTerms(d, true).length;
    return terms;
  });

  const rssBefore = process.memoryUsage().rss;
  log(`training the built-in model (defaults ${JSON.stringify(BUILTIN_DEFAULTS)}) on ${n} papers`);
  const train = await timed(() => trainBuiltin(docs));
  const model = train.value;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  log(`  ${model.name}: ${train.wall.toFixed(1)} s wall, ${train.cpu.toFixed(1)} s CPU, vocabulary ${model.vocabularySize}, dim ${model.dim}`);

  log(`embedding ${n} papers`);
  const emb = await timed(() => {
    for (let i = 0; i < n; i += 1000) model.embedSync(docs.slice(i, i + 1000));
  });

  rows.push(row({ name: `training on ${n} papers (wall)`, value: train.wall, unit: 's', baseline: tok.wall }));
  rows.push(row({ name: `training on ${n} papers (CPU)`, value: train.cpu, unit: 's', baseline: tok.cpu }));
  rows.push(row({ name: 'peak RSS (corpus in memory + training)', value: mib(peakRss), unit: 'MiB', baseline: mib(rssBefore) }));
  rows.push(row({ name: 'stored model size', value: mib(model.serialize().byteLength), unit: 'MiB' }));
  rows.push(row({ name: 'embedding throughput (wall)', value: n / emb.wall, unit: 'papers/s', baseline: n / tok.wall }));
  rows.push(row({ name: 'embedding throughput (CPU)', value: n / emb.cpu, unit: 'papers/s', baseline: n / tok.cpu }));

  // The job end to end: papers read from SQLite, embedded in batches, vectors written back.
  const jobN = Math.min(jobPapers, n);
  let job: { embedded: number; wall: number; cpu: number; stored: number } | undefined;
  if (jobN > 0) {
    log(`embed-papers job on a SQLite file with ${jobN} papers`);
    rmSync(JOB_DB, { force: true });
    rmSync(`${JOB_DB}-wal`, { force: true });
    rmSync(`${JOB_DB}-shm`, { force: true });
    const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_DATABASE_URL: `sqlite:${JOB_DB}` });
    const conn = connect(config.databaseUrl);
    try {
      await migrateToLatest(conn.db);
      await loadPapers(conn.db, papers.slice(0, jobN));
      await saveModel(conn.db, { name: model.name, kind: 'builtin', dim: model.dim, params: model.serialize(), corpusSize: model.corpusSize });
      const bare = await timed(() => {
        for (let i = 0; i < jobN; i += config.embedder.batch) model.embedSync(docs.slice(i, i + config.embedder.batch));
      });
      const run = await timed(() => embedPapers(conn.db, config, createLogger('silent')));
      const stored = await countEmbeddings(conn.db, model.name);
      job = { embedded: run.value.embedded, wall: run.wall, cpu: run.cpu, stored };
      rows.push(row({ name: `embed-papers job, ${jobN} papers, batch ${config.embedder.batch} (wall)`, value: jobN / run.wall, unit: 'papers/s', baseline: jobN / bare.wall }));
      rows.push(row({ name: `embed-papers job, ${jobN} papers (CPU)`, value: jobN / run.cpu, unit: 'papers/s', baseline: jobN / bare.cpu }));
      if (stored !== jobN) throw new Error(`the job stored ${stored} vectors for ${jobN} papers`);
    } finally {
      await conn.close();
      rmSync(JOB_DB, { force: true });
      rmSync(`${JOB_DB}-wal`, { force: true });
      rmSync(`${JOB_DB}-shm`, { force: true });
    }
  }

  const details = {
    corpus: corpus.path,
    papers: n,
    model: { name: model.name, dim: model.dim, vocabulary: model.vocabularySize, options: model.options },
    tokenize: { wall: tok.wall, cpu: tok.cpu, terms: tok.value },
    train: { wall: train.wall, cpu: train.cpu, peakRssMiB: mib(peakRss), rssBeforeMiB: mib(rssBefore) },
    embed: { wall: emb.wall, cpu: emb.cpu },
    job,
    machine: { cpus: cpus().length, loadavg: loadavg() },
  };
  const file = writeResults({ date: new Date().toISOString(), rows, details: { embed: details } });
  process.stdout.write(
    `\nPaperboy built-in embedder benchmark (${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, Node ${process.version})\n` +
      `baselines: one bare tokenising pass over the corpus (training, throughput); the bare embedSync loop (job); RSS before training (memory)\n\n` +
      `${formatTable(rows)}\n`,
  );
  process.stdout.write(`Results: ${file}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await benchEmbed();
