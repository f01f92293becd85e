/**
 * End-to-end OAI-PMH harvest throughput: the real recorded ListRecords pages (two 1000-record `arXiv`
 * pages chained by token, then the 1000-record `arXivRaw` page) served by the local replay server,
 * harvested with the politeness delay at 0 into a fresh migrated SQLite file. Measures HTTP + XML
 * validation and parsing + upserts + per-page checkpoint transactions, i.e. what a real harvest costs
 * us once arXiv's 3 s pause is taken out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArxivClient } from '../../src/arxiv/client.ts';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { harvestOai } from '../../src/ingest/harvest.ts';
import { createLogger } from '../../src/log.ts';
import { startReplayServer } from '../../test/helpers/arxiv-server.ts';
import { ARXIV_PAGES, ARXIV_RAW_PAGES, chainPageIndex, chainPages } from '../../test/helpers/oai-pages.ts';

/** Harvests the recorded pages end to end; pages and records over both formats, wall-clock seconds. */
export async function benchHarvest(): Promise<{ pages: number; records: number; seconds: number; recordsPerSecond: number }> {
  const server = await startReplayServer();
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-harvest-'));
  const conn = connect(join(dir, 'harvest.db'));
  try {
    const chains = { arXiv: chainPages(ARXIV_PAGES), arXivRaw: chainPages(ARXIV_RAW_PAGES, { listId: '900002' }) } as const;
    for (const [prefix, chain] of Object.entries(chains)) {
      server.route(
        (u) => u.pathname === `/${prefix}/oai` && chainPageIndex(chain, u) >= 0,
        (u) => ({ body: chain.pages[chainPageIndex(chain, u)]!, headers: { 'content-type': 'text/xml' } }),
      );
    }
    await migrateToLatest(conn.db);
    const log = createLogger('silent');
    let pages = 0;
    let records = 0;
    const started = performance.now();
    // One client for the whole run, as in production (politeness spans every set).
    const client = createArxivClient({ delayMs: 0, timeoutMs: 30_000, userAgent: 'paperboy-bench', retries: 0 });
    for (const prefix of ['arXiv', 'arXivRaw'] as const) {
      const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_OAI_URL: `${server.url}/${prefix}/oai`, PAPERBOY_ARXIV_DELAY_MS: '0' });
      const r = await harvestOai(conn.db, client, config, { set: 'cs', prefix, from: '2013-05-20', until: '2013-05-24', log });
      pages += r.pages;
      records += r.records;
    }
    const seconds = (performance.now() - started) / 1000;
    return { pages, records, seconds, recordsPerSecond: records / seconds };
  } finally {
    await conn.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
