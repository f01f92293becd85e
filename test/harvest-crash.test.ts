/**
 * THE CRASH TEST: a real harvest process (test/helpers/harvest-process.ts) harvesting a 40-page window of
 * real recorded OAI records from the replay server is killed with SIGKILL at (seeded) random moments,
 * at least 10 times, restarted each time, and finally left to finish. The database must then hold
 * exactly what an uninterrupted run stores, and the checkpoint counters must show every page applied
 * exactly once. Half of the kills are aimed just after a page's body arrived, i.e. into its parse or
 * its transaction. SQLite file always; PostgreSQL too when PAPERBOY_TEST_POSTGRES_URL is set.
 * HARVEST_CRASH_SEED=<n> reproduces a run (the seed is printed).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createArxivClient } from '../src/arxiv/client.ts';
import { loadConfig } from '../src/config.ts';
import { type DB, connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { harvestOai } from '../src/ingest/harvest.ts';
import { createLogger } from '../src/log.ts';
import { getHarvestState } from '../src/store/harvest-state.ts';
import { type ReplayServer, startReplayServer } from './helpers/arxiv-server.ts';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.ts';
import { ARXIV_PAGES, type OaiChain, chainPageIndex, chainPages } from './helpers/oai-pages.ts';
import { mulberry32 } from './helpers/prng.ts';

const ROOT = join(import.meta.dirname, '..');
const FROM = '2013-05-20';
const UNTIL = '2013-05-24';
const KILLS = 10;
/** Each page is answered this late, so a harvest takes a few seconds and kills land mid-window. */
const SERVER_DELAY_MS = 25;
const SEED = Number(process.env.HARVEST_CRASH_SEED ?? Date.now() % 1_000_000);

type Event = Record<string, unknown> & { event: string };

interface Proc {
  child: ChildProcess;
  events: Event[];
  next(pred: (e: Event) => boolean, timeoutMs?: number): Promise<Event | null>;
  exited: Promise<number | null>;
}

function spawnHarvest(dbUrl: string, oaiUrl: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/harvest-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEST_DB_URL: dbUrl, OAI_URL: oaiUrl, FROM, UNTIL, SET: 'cs', PREFIX: 'arXiv', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Event[] = [];
  let waiter: { pred: (e: Event) => boolean; resolve: (e: Event | null) => void } | null = null;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let e: Event;
    try {
      e = JSON.parse(line) as Event;
    } catch {
      return;
    }
    events.push(e);
    if (waiter?.pred(e)) {
      const w = waiter;
      waiter = null;
      w.resolve(e);
    }
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  void exited.then(() => {
    const w = waiter;
    waiter = null;
    w?.resolve(null);
  });
  return {
    child,
    events,
    exited,
    /** Resolves with the next event matching `pred` (null if the process exits first). */
    next: (pred, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(null);
        const t = setTimeout(() => reject(new Error('harvest process: timed out waiting for an event')), timeoutMs);
        waiter = { pred, resolve: (e) => (clearTimeout(t), resolve(e)) };
      }),
  };
}

async function paperRows(db: DB) {
  return db.selectFrom('papers').select(['id', 'version', 'title', 'updated_at']).orderBy('id').execute();
}

let server: ReplayServer;
let chain: OaiChain;
let oaiUrl = '';
let expected: Awaited<ReturnType<typeof paperRows>> = [];
const dir = mkdtempSync(join(tmpdir(), 'paperboy-harvest-crash-'));

before(async () => {
  server = await startReplayServer();
  chain = chainPages(ARXIV_PAGES, { perPage: 50 });
  server.route(
    (u) => u.pathname === '/oai' && chainPageIndex(chain, u) >= 0,
    async (u) => {
      await sleep(SERVER_DELAY_MS);
      return { body: chain.pages[chainPageIndex(chain, u)]!, headers: { 'content-type': 'text/xml' } };
    },
  );
  oaiUrl = `${server.url}/oai`;
  // The reference: one uninterrupted run into a fresh database.
  const ref = connect('sqlite::memory:');
  await migrateToLatest(ref.db);
  const config = loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_ARXIV_SYNC: 'off', PAPERBOY_ARXIV_OAI_URL: oaiUrl, PAPERBOY_ARXIV_DELAY_MS: '0' });
  const client = createArxivClient({ delayMs: 0, timeoutMs: 10_000, userAgent: 'paperboy-test', retries: 0 });
  await harvestOai(ref.db, client, config, { set: 'cs', prefix: 'arXiv', from: FROM, until: UNTIL, log: createLogger('silent') });
  expected = await paperRows(ref.db);
  await ref.close();
  assert.equal(expected.length, 2000);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Kills and restarts the harvest KILLS times, lets it finish, and checks the result. */
async function crashAndCheck(dbUrl: string, label: string): Promise<void> {
  // Migrations run here once, so a kill never lands in a migration (that is the migrator's concern).
  const setup = connect(dbUrl);
  await migrateToLatest(setup.db);
  await setup.close();

  const rnd = mulberry32(SEED);
  let kills = 0;
  let inApply = 0;
  const progress: number[] = [];
  while (kills < KILLS) {
    const p = spawnHarvest(dbUrl, oaiUrl);
    if (!(await p.next((e) => e.event === 'ready'))) assert.fail(`harvest process exited before it was ready (code ${await p.exited})`);
    // Let 0 or 1 more pages commit, then kill somewhere in the next page's cycle: half of the kills
    // aimed just after its body arrived (so they land in its parse or its transaction), half anywhere
    // in the cycle (request, server delay, transfer, parse, transaction). At most 3 pages commit per run,
    // so 10 runs never finish the 40-page window, however fast the machine.
    for (let k = Math.floor(rnd() * 2); k > 0; k--) await p.next((e) => e.event === 'page');
    let fetched: Event | null = null;
    if (rnd() < 0.5) {
      fetched = await p.next((e) => e.event === 'fetched');
      await sleep(Math.floor(rnd() * 6));
    } else {
      await sleep(Math.floor(rnd() * SERVER_DELAY_MS * 2));
    }
    if (p.child.exitCode !== null) assert.fail(`${label}: the harvest finished before kill ${kills + 1}; make it slower (seed ${SEED})`);
    p.child.kill('SIGKILL');
    await p.exited;
    kills++;
    // A kill between a body's arrival and its commit: the checkpoint has not reached that page.
    const conn = connect(dbUrl);
    const s = await getHarvestState(conn.db, 'oai:arXiv:cs');
    await conn.close();
    progress.push(s?.pages ?? 0);
    if (fetched && s && chainIndexOf(fetched) > s.pages) inApply++;
  }

  const last = spawnHarvest(dbUrl, oaiUrl);
  assert.equal(await last.exited, 0, `${label}: the final run must complete`);
  const done = last.events.find((e) => e.event === 'done');
  assert.equal(done?.resumed, true, 'the final run resumed the interrupted window');

  const conn = connect(dbUrl);
  try {
    assert.deepEqual(await paperRows(conn.db), expected, `${label}: papers differ from an uninterrupted run (seed ${SEED})`);
    const s = await getHarvestState(conn.db, 'oai:arXiv:cs');
    assert.equal(s?.status, 'idle');
    assert.equal(s?.harvested_until, UNTIL);
    assert.equal(s?.resumption_token, null);
    // The counters are advanced in each page's transaction: any page applied twice, or lost, shows here.
    assert.deepEqual([s?.pages, s?.records], [chain.pages.length, 2000], `${label}: every page applied exactly once (seed ${SEED})`);
  } finally {
    await conn.close();
  }
  process.stderr.write(`# ${label}: seed ${SEED}, ${kills} SIGKILLs (${inApply} between a page's arrival and its commit), pages committed after each kill: ${progress.join(' ')}\n`);
  assert.ok(kills >= 10);
  assert.ok(progress[progress.length - 1]! < chain.pages.length, 'the last kill still landed mid-window');
}

/** The page number (1-based) a `fetched` event's token names. */
function chainIndexOf(e: Event): number {
  const token = e.token as string | null;
  return chainPageIndex(chain, new URL(`http://x/oai?verb=ListRecords${token === null ? '' : `&resumptionToken=${encodeURIComponent(token)}`}`)) + 1;
}

describe('harvest crash test', () => {
  test('SQLite file: SIGKILLed at random points and restarted, it ends with exactly an uninterrupted run', { timeout: 180_000 }, async () => {
    await crashAndCheck(join(dir, 'crash.db'), 'sqlite');
  });

  const skip = postgresSkipReason();
  test('PostgreSQL: SIGKILLed at random points and restarted, it ends with exactly an uninterrupted run', { skip, timeout: 180_000 }, async () => {
    const { url, drop } = await createTestDatabase();
    try {
      await crashAndCheck(url, 'postgres');
    } finally {
      await drop();
    }
  });
});
