/** The `paperboy` command line: serve, migrate, import, ingest, copy, config. */
import { parseArgs } from 'node:util';
// Heavy modules (the web app, the job worker, the copier) are imported by the commands that use them, so a
// quick command such as `migrate` or `config` starts without loading the whole application.
import { INGEST_USAGE, cmdIngest } from './cli/ingest.ts';
import { UsageError, loadOrExit, withDatabase } from './cli/common.ts';
import { USER_USAGE, cmdUser } from './cli/user.ts';
import { REINDEX_USAGE } from './cli/reindex.ts';
import { describeConfig } from './config.ts';
import { checkConnection, connect } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { ensureDemoData } from './ingest/demo.ts';
import { type ImportFormat, importFile } from './ingest/import.ts';
import { createProgressBar } from './ingest/progress.ts';
import { createLogger } from './log.ts';

const USAGE = `Usage: paperboy <command> [options]

Commands:
  serve [--port N] [--role all|web|worker]
                                        run the site and/or the job worker (default all); migrates first and
                                        imports demo data into an empty database
  migrate                               apply pending database migrations
  import FILE [--format snapshot|listings] [--limit N]
                                        import arXiv metadata (JSON lines, .gz accepted)
${INGEST_USAGE}
${USER_USAGE}
${REINDEX_USAGE}
  digest preview --user HANDLE [--period YYYY-MM-DD] [--out FILE]
                                        print a reader's digest (FILE: .html for the HTML part, else the whole .eml)
  digest send [--dry-run] [--now ISO-TIME]
                                        plan and send the digests due at that time (default now)
  config                                print the effective configuration (secrets hidden)
  copy --from URL --to URL [--batch-size N]
                                        copy a whole instance between databases (SQLite <-> PostgreSQL);
                                        resumable, verified by per-table counts and checksums

Configuration comes from environment variables; see README.md.`;

async function cmdServe(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, role: { type: 'string' } }, strict: true });
  const role = values.role ?? 'all';
  if (role !== 'all' && role !== 'web' && role !== 'worker') throw new UsageError(`--role accepts all, web or worker, got ${role}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port accepts a TCP port number (1-65535), got ${values.port}`);
  }
  const config = loadOrExit(port ? { port } : {});
  const log = createLogger(config.logLevel);
  const conn = connect(config.databaseUrl);
  await checkConnection(conn, config.databaseUrl);
  const applied = await migrateToLatest(conn.db);
  if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
  if (config.demoData === 'auto' && (await ensureDemoData(conn.db, log)) && config.embedder.kind !== 'off') {
    // Vectors for the demo papers first, ahead of the arXiv catch-up jobs (whose slots are older), so a
    // fresh instance searches by meaning within minutes; the recurring embed-papers job does the rest.
    const { enqueue } = await import('./jobs/queue.ts');
    await enqueue(conn.db, 'embed-papers', {}, { uniqueKey: 'embed-papers@demo-data', runAt: new Date(0) });
  }

  // Every worker process also runs a scheduler: slot keys make extra schedulers harmless, so no
  // process has to be special (see src/jobs/schedule.ts).
  const [{ serve }, { createHandlerRegistry, digestHandlers, ingestHandlers }, { schedulesFor, startScheduler }, { startWorker }, { createApp }, { pageArxivClient }] =
    await Promise.all([
      import('@hono/node-server'),
      import('./jobs/handlers.ts'),
      import('./jobs/schedule.ts'),
      import('./jobs/worker.ts'),
      import('./web/app.ts'),
      import('./web/paperFetch.ts'),
    ]);
  const schedules = schedulesFor({ arxivSync: config.arxiv.sync });
  const scheduler = role === 'web' ? undefined : startScheduler({ db: conn.db, log, schedules });
  // Search by meaning: never fails to open (keyword search alone when there is no embedder or model yet).
  // With `--role all` the digest worker shares it (one index per process); a worker alone opens its own on first use.
  const semantic = role === 'worker' ? undefined : await (await import('./search/semantic.ts')).openSemantic(conn.db, config, log);
  const worker = role === 'web' ? undefined : startWorker({ db: conn.db, log, handlers: createHandlerRegistry({ ...ingestHandlers(config), ...digestHandlers(config, { semantic }) }) });
  let server: import('node:http').Server | import('node:http2').Http2Server | undefined;
  if (role !== 'worker') {
    // Anonymous pages may be up to 5 s stale; that keeps the daily page in the thousands of requests/s.
    // One arXiv client per process for the paper page's on-demand look-ups (its politeness gate is per client).
    const app = createApp({ db: conn.db, config, log, pageCacheTtlMs: 5000, arxivClient: pageArxivClient(config, log), semantic });
    server = serve({ fetch: app.fetch, port: config.port }, (info) => {
      log.info({ port: info.port, url: config.baseUrl, role }, `Paperboy is serving on http://localhost:${info.port}`);
    });
  } else {
    log.info({ role }, 'Paperboy worker started');
  }
  const stop = async () => {
    log.info('shutting down');
    // A job cut off here is picked up again by another worker once its lease runs out.
    setTimeout(() => process.exit(0), 10_000).unref();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    semantic?.close();
    await scheduler?.stop();
    await worker?.stop();
    await conn.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

async function cmdMigrate(): Promise<void> {
  const config = loadOrExit();
  const conn = connect(config.databaseUrl);
  try {
    await checkConnection(conn, config.databaseUrl);
    const applied = await migrateToLatest(conn.db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await conn.close();
  }
}

async function cmdImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { format: { type: 'string' }, limit: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('import takes exactly one FILE');
  const format = values.format as ImportFormat | undefined;
  if (format !== undefined && format !== 'snapshot' && format !== 'listings') throw new UsageError('--format accepts snapshot or listings');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError('--limit accepts a positive integer');
  await withDatabase(async ({ conn, log }) => {
    const bar = createProgressBar(process.stderr);
    const summary = await importFile(conn.db, file, { format, limit, log, onProgress: bar.update });
    bar.done();
    const reasons = Object.entries(summary.skippedReasons).map(([r, n]) => `    ${r}: ${n}`);
    process.stdout.write(
      [
        `imported ${file} in ${summary.seconds.toFixed(1)} s`,
        `  read:      ${summary.read}`,
        `  inserted:  ${summary.inserted}`,
        `  updated:   ${summary.updated}`,
        `  unchanged: ${summary.unchanged}`,
        `  skipped:   ${summary.skipped}`,
        ...reasons,
        `  announcements recorded: ${summary.announcements}`,
        '',
      ].join('\n'),
    );
  });
}

async function cmdCopy(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, 'batch-size': { type: 'string' } },
    strict: true,
  });
  if (!values.from || !values.to) throw new UsageError('copy needs --from URL and --to URL');
  const batchSize = values['batch-size'] === undefined ? 1000 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch-size accepts a positive integer');
  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  const { CopyError, copyInstance } = await import('./db/copy.ts');
  let report;
  try {
    report = await copyInstance({
      from: values.from,
      to: values.to,
      batchSize,
      onProgress: ({ phase, table, done, total }) => {
        if (!tty) return;
        if (phase === 'verify') {
          process.stderr.write(`\rverifying ${table.padEnd(40)}`);
          return;
        }
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        process.stderr.write(`\rcopying ${table.padEnd(16)} ${String(done).padStart(9)} / ${total} rows${done >= total ? '\n' : ' '}`);
      },
    });
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof CopyError) {
      process.stderr.write(`paperboy copy: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (tty) process.stderr.write(`\r${' '.repeat(50)}\r`);
  const rows = [['table', 'copied', 'source rows', 'dest rows', 'source sha256', 'dest sha256', '']];
  for (const t of report.tables) {
    const short = (h: string) => h.slice(0, 16);
    rows.push([t.table, String(t.copied), String(t.sourceRows), String(t.destRows), short(t.sourceChecksum), short(t.destChecksum), t.ok ? 'OK' : 'MISMATCH']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.push(report.ok ? `copy verified in ${report.seconds.toFixed(1)} s` : 'copy NOT verified: the tables marked MISMATCH differ (was the source written to during the copy?)');
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!report.ok) process.exitCode = 1;
}

function cmdConfig(): void {
  loadOrExit(); // validates, exits with a message on a bad value
  for (const v of describeConfig()) process.stdout.write(`${v.name}=${v.value}\n    ${v.help}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return cmdServe(rest);
    case 'migrate':
      return cmdMigrate();
    case 'import':
      return cmdImport(rest);
    case 'ingest':
      return cmdIngest(rest);
    case 'user':
      return cmdUser(rest);
    case 'digest':
      return (await import('./cli/digest.ts')).cmdDigest(rest);
    case 'config':
      return cmdConfig();
    case 'reindex':
      return (await import('./cli/reindex.ts')).cmdReindex(rest);
    case 'copy':
      return cmdCopy(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`paperboy: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`paperboy: ${(err as Error).message}\n`);
  process.exit(1);
});
