/**
 * A real harvest process for test/harvest-crash.test.ts: `node --import tsx test/helpers/harvest-process.ts`
 * with TEST_DB_URL (SQLite file or postgres:// URL, already migrated), OAI_URL, FROM, UNTIL, SET and
 * PREFIX in the environment. It harvests that window with harvestOai, exactly as `paperboy ingest oai`
 * does, and prints one JSON event per line on stdout so the parent can time its SIGKILLs:
 * `ready` (connected), `fetched` (a page's body arrived: parsing and the page's transaction come next),
 * `page` (a page was committed), `done`. Stdout is a pipe, and pipe writes are synchronous on Linux, so
 * an event is out before the next step starts. Logs go to stderr.
 */
import { pino } from 'pino';
import { type ArxivClient, createArxivClient } from '../../src/arxiv/client.ts';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { harvestOai } from '../../src/ingest/harvest.ts';

const env = process.env;
const url = env.TEST_DB_URL;
if (!url || !env.OAI_URL || !env.FROM || !env.UNTIL || env.SET === undefined) {
  process.stderr.write('harvest-process: TEST_DB_URL, OAI_URL, FROM, UNTIL and SET are required\n');
  process.exit(2);
}
const prefix = env.PREFIX === 'arXivRaw' ? 'arXivRaw' : 'arXiv';
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const log = pino({ level: env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_OAI_URL: env.OAI_URL, PAPERBOY_ARXIV_DELAY_MS: '0' });
const conn = connect(url, { poolSize: 2 });

const http = createArxivClient({ delayMs: 0, timeoutMs: 10_000, userAgent: 'paperboy-crash-test', retries: 2, backoffMs: 20 });
// The same client, telling the parent when a body has arrived (the parse + transaction window starts).
const client: ArxivClient = {
  async get(u, o) {
    const r = await http.get(u, o);
    emit({ event: 'fetched', token: new URL(u).searchParams.get('resumptionToken') });
    return r;
  },
};

emit({ event: 'ready', pid: process.pid });
try {
  const r = await harvestOai(conn.db, client, config, {
    set: env.SET,
    prefix,
    from: env.FROM,
    until: env.UNTIL,
    log,
    onPage: (p) => emit({ event: 'page', page: p.page, records: p.records }),
  });
  emit({ event: 'done', pages: r.pages, records: r.records, resumed: r.resumed });
  await conn.close();
  process.exit(0);
} catch (err) {
  process.stderr.write(`harvest-process: ${(err as Error).stack ?? String(err)}\n`);
  await conn.close();
  process.exit(1);
}
