/**
 * Community write load (issue 5): the daily page's requests/s while 50 API clients upvote, un-upvote
 * and comment at the same time, next to the same page without the write load (measured in the same
 * run on the same server), the writes/s achieved, every error, and afterwards a recount: each paper's
 * upvote count must equal its `votes` rows (and each entry's count its imported + local votes).
 *
 * The server is the real `paperboy serve` child (bench/lib/server.ts) with the write rate limits
 * lifted; the users and their API tokens are made with the store functions before it starts. The
 * load generators (autocannon and the 50 clients) share this one Node process, as in bench/lib/pages.ts.
 * The bench WRITES to `dbFile` (users, tokens, votes, comments): give it a scratch copy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import autocannon from 'autocannon';
import { connect } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { ensureDemoData } from '../../src/ingest/demo.ts';
import { createLogger } from '../../src/log.ts';
import { trendingScore } from '../../src/rank/trending.ts';
import { createSession } from '../../src/store/sessions.ts';
import { createApiToken } from '../../src/store/tokens.ts';
import { createUser } from '../../src/store/users.ts';
import { SESSION_COOKIE } from '../../src/web/auth.ts';
import { seedBenchEntries } from './entries.ts';
import { type ResultRow, row } from './report.ts';
import { startServer } from './server.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';

/** One kind of write: how many succeeded, failed with a non-2xx answer, or failed on the socket. */
export interface WriteCounts {
  ok: number;
  non2xx: number;
  socketErrors: number;
  /** The first few failures, for the report ("PUT 500 …", "POST fetch failed …"). */
  samples: string[];
}

/** One autocannon measurement of a page. */
export interface PageLoad {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  requests: number;
  /** The one checked request before autocannon starts. */
  firstMs?: number;
}

/** Everything measured, for bench/results/*.json. */
export interface CommunityDetails {
  seconds: number;
  clients: number;
  /** The papers the clients vote on and comment: the 30 most recent entries (the latest feed date, `/`, first). */
  papers: number;
  feedDate: string;
  users: number;
  baseline: { anonymous: PageLoad; signedIn: PageLoad };
  underLoad: { anonymous: PageLoad; signedIn: PageLoad };
  /** The same, while the writers pause about a second after each action (a busy community, not a flood). */
  underPacedLoad: { anonymous: PageLoad; signedIn: PageLoad; votesPerSec: number; commentsPerSec: number; errors: number };
  /** Wall time the 50 clients ran (both measurements under load). */
  writeSeconds: number;
  votes: WriteCounts & { perSec: number; latencyP50Ms: number; latencyP99Ms: number };
  comments: WriteCounts & { perSec: number; latencyP50Ms: number; latencyP99Ms: number; replies: number };
  recount: {
    /** Papers whose `papers.upvotes` differs from their number of `votes` rows. */
    paperMismatches: number;
    /** Entries whose `upvotes` differs from imported_upvotes + papers.upvotes, or whose trending score is stale. */
    entryMismatches: number;
    votesRows: number;
    /** Comment rows written during the run, against the 201 answers counted. */
    commentRows: number;
    examples: string[];
  };
}

const pct = (xs: number[], p: number) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!);

function pageLoad(r: Awaited<ReturnType<typeof autocannon>>): PageLoad {
  return {
    requestsPerSec: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requests: r.requests.total,
  };
}

/** autocannon on `url` for `seconds` with 10 connections, after one checked request. */
async function loadPage(url: string, seconds: number, headers: Record<string, string> = {}): Promise<PageLoad> {
  const t = performance.now();
  const first = await fetch(url, { headers });
  await first.arrayBuffer();
  const firstMs = performance.now() - t;
  if (first.status !== 200) throw new Error(`${url} answered ${first.status} before the measurement`);
  return { ...pageLoad(await autocannon({ url, connections: 10, duration: seconds, headers })), firstMs };
}

/** Prepares the database: migrations, demo data when it holds no paper, entries when none is featured. */
async function prepare(dbFile: string, clients: number, runId: string) {
  const conn = connect(dbFile);
  try {
    await migrateToLatest(conn.db);
    const anyPaper = await conn.db.selectFrom('papers').select('id').limit(1).executeTakeFirst();
    if (!anyPaper) await ensureDemoData(conn.db, createLogger('silent'));
    const anyEntry = await conn.db.selectFrom('daily_entries').select('id').limit(1).executeTakeFirst();
    if (!anyEntry) await seedBenchEntries(conn.db);
    const latest = await sql<{ d: string }>`SELECT max(feed_date) AS d FROM daily_entries`.execute(conn.db);
    const feedDate = latest.rows[0]!.d;
    // The front page's papers: the latest day's entries, topped up with the most recent earlier ones to 30.
    const papers = (await conn.db.selectFrom('daily_entries').select('paper_id').orderBy('feed_date', 'desc').orderBy('upvotes', 'desc').limit(30).execute()).map(
      (r) => r.paper_id,
    );
    const users: Array<{ id: number; token: string }> = [];
    for (let i = 0; i < clients; i++) {
      const handle = `bench-${runId}-${i}`;
      const user = await createUser(conn.db, { email: `${handle}@bench.example.org`, handle });
      users.push({ id: user.id, token: (await createApiToken(conn.db, user.id, 'community bench')).token });
    }
    // A signed-in reader for the uncached daily page: its own session, not one of the writers.
    const reader = await createUser(conn.db, { email: `bench-${runId}-reader@bench.example.org`, handle: `bench-${runId}-reader` });
    const session = await createSession(conn.db, reader.id);
    const comments = await conn.db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { feedDate, papers, users, sessionId: session.id, commentsBefore: Number(comments.n) };
  } finally {
    await conn.close();
  }
}

/** The paper path of the API (old-style ids keep their slash). */
const apiPaper = (id: string) => `/api/v1/papers/${id.split('/').map(encodeURIComponent).join('/')}`;

/** Pause of a paced writer after each action: about one action per second per client. */
const PACED_THINK_MS = 1000;

/**
 * Runs `users.length` clients until `stop()`: each loops PUT upvote, DELETE upvote (on independently
 * chosen papers, so votes accumulate and some DELETEs are no-ops), and every third round a comment —
 * a reply to its own first comment on that paper half the time it has one. With `thinkMs`, each client
 * pauses that long (±50 %) after every action, like a person; without, it writes as fast as answered.
 */
function startWriters(baseUrl: string, users: Array<{ token: string }>, papers: string[], thinkMs = 0) {
  const votes: WriteCounts = { ok: 0, non2xx: 0, socketErrors: 0, samples: [] };
  const comments: WriteCounts & { replies: number } = { ok: 0, non2xx: 0, socketErrors: 0, samples: [], replies: 0 };
  const voteMs: number[] = [];
  const commentMs: number[] = [];
  let running = true;

  async function send(kind: WriteCounts, ms: number[], method: string, path: string, token: string, body?: unknown): Promise<unknown> {
    const t = performance.now();
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      ms.push(performance.now() - t);
      if (res.status >= 200 && res.status < 300) {
        kind.ok++;
        return text ? JSON.parse(text) : undefined;
      }
      kind.non2xx++;
      if (kind.samples.length < 5) kind.samples.push(`${method} ${path} ${res.status} ${text.slice(0, 200)}`);
    } catch (err) {
      kind.socketErrors++;
      if (kind.samples.length < 5) kind.samples.push(`${method} ${path} ${err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err)}`);
    }
    return undefined;
  }

  async function client(i: number, token: string): Promise<void> {
    const rand = mulberry32(1000 + i);
    const pick = () => papers[Math.floor(rand() * papers.length)]!;
    const roots = new Map<string, number>();
    const think = async () => {
      if (thinkMs > 0 && running) await sleep(thinkMs * (0.5 + rand()));
    };
    for (let round = 0; running; round++) {
      await send(votes, voteMs, 'PUT', `${apiPaper(pick())}/upvote`, token);
      await think();
      if (!running) break;
      await send(votes, voteMs, 'DELETE', `${apiPaper(pick())}/upvote`, token);
      await think();
      if (!running || round % 3 !== 2) continue;
      const paper = pick();
      const root = roots.get(paper);
      const reply = root !== undefined && rand() < 0.5;
      const body = reply
        ? `Following up (client ${i}, round ${round}): the **ablation** in the appendix answers this.`
        : `Client ${i}, round ${round}: is the code for the _main table_ available? See https://arxiv.org/abs/${paper}.`;
      const answer = (await send(comments, commentMs, 'POST', `${apiPaper(paper)}/comments`, token, reply ? { body, parentId: root } : { body })) as
        | { comment?: { id: number } }
        | undefined;
      if (answer?.comment && reply) comments.replies++;
      if (answer?.comment && root === undefined) roots.set(paper, answer.comment.id);
      await think();
    }
  }

  const started = performance.now();
  const all = Promise.all(users.map((u, i) => client(i, u.token)));
  return {
    async stop() {
      running = false;
      await all;
      const seconds = (performance.now() - started) / 1000;
      return {
        seconds,
        votes: { ...votes, perSec: votes.ok / seconds, latencyP50Ms: pct(voteMs, 50), latencyP99Ms: pct(voteMs, 99) },
        comments: { ...comments, perSec: comments.ok / seconds, latencyP50Ms: pct(commentMs, 50), latencyP99Ms: pct(commentMs, 99) },
      };
    },
  };
}

/** Recounts every vote and compares with the stored counts (run after the server has stopped). */
async function recount(dbFile: string, commentsBefore: number): Promise<CommunityDetails['recount']> {
  const conn = connect(dbFile);
  try {
    const db = conn.db;
    const counted = new Map((await sql<{ paper_id: string; n: number }>`SELECT paper_id, count(*) AS n FROM votes GROUP BY paper_id`.execute(db)).rows.map((r) => [r.paper_id, Number(r.n)]));
    const stored = await sql<{ id: string; upvotes: number }>`SELECT id, upvotes FROM papers WHERE upvotes <> 0`.execute(db);
    const examples: string[] = [];
    const ids = new Set([...counted.keys(), ...stored.rows.map((r) => r.id)]);
    const storedOf = new Map(stored.rows.map((r) => [r.id, Number(r.upvotes)]));
    let paperMismatches = 0;
    for (const id of ids) {
      const want = counted.get(id) ?? 0;
      const have = storedOf.get(id) ?? 0;
      if (want !== have) {
        paperMismatches++;
        if (examples.length < 5) examples.push(`paper ${id}: upvotes ${have}, votes rows ${want}`);
      }
    }
    const entries = await sql<{ paper_id: string; upvotes: number; imported_upvotes: number; trending: number; submitted_at: string; paper_upvotes: number }>`
      SELECT e.paper_id, e.upvotes, e.imported_upvotes, e.trending, e.submitted_at, p.upvotes AS paper_upvotes
      FROM daily_entries e JOIN papers p ON p.id = e.paper_id
      WHERE p.upvotes <> 0`.execute(db);
    let entryMismatches = 0;
    for (const e of entries.rows) {
      const upvotes = Number(e.upvotes);
      const okCount = upvotes === Number(e.imported_upvotes) + (counted.get(e.paper_id) ?? 0);
      const okScore = Math.abs(Number(e.trending) - trendingScore(upvotes, e.submitted_at)) < 1e-9;
      if (!okCount || !okScore) {
        entryMismatches++;
        if (examples.length < 10) examples.push(`entry ${e.paper_id}: upvotes ${upvotes}, imported ${e.imported_upvotes}, votes rows ${counted.get(e.paper_id) ?? 0}, trending ${e.trending}`);
      }
    }
    const votesRows = [...counted.values()].reduce((a, b) => a + b, 0);
    const comments = await db.selectFrom('comments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { paperMismatches, entryMismatches, votesRows, commentRows: Number(comments.n) - commentsBefore, examples };
  } finally {
    await conn.close();
  }
}

/**
 * Runs the community benchmark on the SQLite file `dbFile` (demo data is imported into an empty one;
 * entries are seeded when none is featured). Returns report rows and the full details.
 */
export async function benchCommunity(o: { dbFile: string; seconds?: number; clients?: number }): Promise<{ rows: ResultRow[]; details: CommunityDetails }> {
  const seconds = o.seconds ?? 5;
  const clients = o.clients ?? 50;
  const runId = Date.now().toString(36);
  const prep = await prepare(o.dbFile, clients, runId);
  if (prep.papers.length === 0) throw new Error('no featured papers to vote on');
  const server = await startServer(o.dbFile, { env: { PAPERBOY_RATE_LIMITS: 'vote=off,comment=off,submit=off' } });
  let result: Awaited<ReturnType<ReturnType<typeof startWriters>['stop']>>;
  let baseline: CommunityDetails['baseline'];
  let underLoad: CommunityDetails['underLoad'];
  let underPacedLoad: CommunityDetails['underPacedLoad'];
  const cookie = { cookie: `${SESSION_COOKIE}=${prep.sessionId}` };
  try {
    // Warm-up (JIT, page cache, SQLite page cache), then the page alone, then the page under writes.
    await autocannon({ url: `${server.url}/`, connections: 10, duration: 1 });
    baseline = { anonymous: await loadPage(`${server.url}/`, seconds), signedIn: await loadPage(`${server.url}/`, seconds, cookie) };
    const writers = startWriters(server.url, prep.users, prep.papers);
    try {
      underLoad = { anonymous: await loadPage(`${server.url}/`, seconds), signedIn: await loadPage(`${server.url}/`, seconds, cookie) };
    } finally {
      result = await writers.stop();
    }
    const paced = startWriters(server.url, prep.users, prep.papers, PACED_THINK_MS);
    let pacedPages: { anonymous: PageLoad; signedIn: PageLoad };
    try {
      pacedPages = { anonymous: await loadPage(`${server.url}/`, seconds), signedIn: await loadPage(`${server.url}/`, seconds, cookie) };
    } finally {
      const r = await paced.stop();
      underPacedLoad = {
        ...pacedPages!,
        votesPerSec: r.votes.perSec,
        commentsPerSec: r.comments.perSec,
        errors: r.votes.non2xx + r.votes.socketErrors + r.comments.non2xx + r.comments.socketErrors,
      };
      result.votes.ok += r.votes.ok;
      result.comments.ok += r.comments.ok;
    }
  } finally {
    await server.stop();
  }
  const rc = await recount(o.dbFile, prep.commentsBefore);
  const details: CommunityDetails = {
    seconds,
    clients,
    papers: prep.papers.length,
    feedDate: prep.feedDate,
    users: prep.users.length,
    baseline,
    underLoad,
    underPacedLoad,
    writeSeconds: result.seconds,
    votes: result.votes,
    comments: result.comments,
    recount: rc,
  };
  const pageErrors = (p: PageLoad) => p.non2xx + p.errors;
  const rows: ResultRow[] = [
    row({
      database: 'sqlite',
      name: `daily page / during ${clients} writers (anonymous)`,
      value: underLoad.anonymous.requestsPerSec,
      unit: 'req/s',
      baseline: baseline.anonymous.requestsPerSec,
    }),
    row({
      database: 'sqlite',
      name: `daily page / during ${clients} writers (signed in)`,
      value: underLoad.signedIn.requestsPerSec,
      unit: 'req/s',
      baseline: baseline.signedIn.requestsPerSec,
    }),
    // Latency too: when renders stall longer than the window, req/s alone reads 0 without saying why.
    row({
      database: 'sqlite',
      name: 'daily page / first answer during writers (anonymous)',
      value: underLoad.anonymous.firstMs ?? 0,
      unit: 'ms',
      baseline: baseline.anonymous.firstMs,
    }),
    row({
      database: 'sqlite',
      name: 'daily page / p99 during writers (signed in)',
      value: underLoad.signedIn.latencyP99Ms,
      unit: 'ms',
      baseline: baseline.signedIn.latencyP99Ms,
    }),
    row({ database: 'sqlite', name: 'upvote API (PUT+DELETE) during page load', value: result.votes.perSec, unit: 'votes/s' }),
    row({
      database: 'sqlite',
      name: `daily page / during ${clients} paced writers (anonymous)`,
      value: underPacedLoad.anonymous.requestsPerSec,
      unit: 'req/s',
      baseline: baseline.anonymous.requestsPerSec,
    }),
    row({
      database: 'sqlite',
      name: `daily page / during ${clients} paced writers (signed in)`,
      value: underPacedLoad.signedIn.requestsPerSec,
      unit: 'req/s',
      baseline: baseline.signedIn.requestsPerSec,
    }),
    row({ database: 'sqlite', name: 'paced writers: votes + comments', value: underPacedLoad.votesPerSec + underPacedLoad.commentsPerSec, unit: 'writes/s' }),
    row({ database: 'sqlite', name: 'comment API (POST) during page load', value: result.comments.perSec, unit: 'comments/s' }),
    ...(
      [
        [
          'daily page errors (non-2xx + socket)',
          pageErrors(underLoad.anonymous) + pageErrors(underLoad.signedIn) + pageErrors(baseline.anonymous) + pageErrors(baseline.signedIn) +
            pageErrors(underPacedLoad.anonymous) + pageErrors(underPacedLoad.signedIn),
        ],
        ['paced writer errors (non-2xx + socket)', underPacedLoad.errors],
        ['vote errors (non-2xx + socket)', result.votes.non2xx + result.votes.socketErrors],
        ['comment errors (non-2xx + socket)', result.comments.non2xx + result.comments.socketErrors],
        ['upvote recount mismatches (papers + entries)', rc.paperMismatches + rc.entryMismatches],
        ['comment rows vs 201 answers (difference)', Math.abs(rc.commentRows - result.comments.ok)],
      ] as const
    ).map(([name, value]) => row({ database: 'sqlite', name, value, unit: 'count', target: '= 0', pass: value === 0 })),
  ];
  return { rows, details };
}
