/**
 * Upvotes and trending end to end, on a database built by the real migrations (SQLite, or PostgreSQL
 * with PAPERBOY_TEST_DIALECT=postgres): the button without JavaScript (form POST + redirect to a safe
 * `next`), the JSON API (PUT/DELETE idempotent, CSRF with a session), counts on the rows in the vote
 * transaction (imported + local), recountVotes, concurrent votes, the rate limit, upvoters on the paper
 * page, the client script and its CSRF meta, /trending, sort=trending and /about/ranking.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { HALF_LIFE_HOURS, trendingScore, workedExample } from '../src/rank/trending.ts';
import { getEntryForPaper, listEntries, upsertEntries } from '../src/store/entries.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { submitPaper } from '../src/store/submissions.ts';
import { createUser, setBanned } from '../src/store/users.ts';
import { hasVoted, listUpvoters, recountVotes, setVote, toggleVote } from '../src/store/votes.ts';
import { createApp } from '../src/web/app.ts';
import type { AppDeps } from '../src/web/deps.ts';
import { appScript } from '../src/web/views/script.ts';
import { apiTokenFor, csrfFrom, signedInClient, TestClient } from './helpers/browser-session.ts';
import { readListings } from './helpers/corpus.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const papers: PaperInput[] = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname).slice(0, 30);
const pid = (i: number) => papers[i]!.id;
const DAY = '2025-03-20';

async function setup(overrides: Partial<Config> = {}) {
  const conn: Connection = await freshDb();
  await upsertPapers(conn.db, papers);
  const config = testConfig({ feedTimezone: 'UTC', ...overrides });
  const deps: AppDeps = { db: conn.db, config, log: createLogger('silent'), now: () => new Date(`${DAY}T18:00:00Z`) };
  const app = createApp(deps);
  return { app, conn, db: conn.db, config };
}

/** Imported (Hugging Face–like) entries: paper i with `upvotes`, submitted at `at`. */
async function feature(db: Connection['db'], rows: Array<[number, number, string]>) {
  await upsertEntries(
    db,
    rows.map(([i, upvotes, at]) => ({ paperId: pid(i), feedDate: at.slice(0, 10), submittedAt: at, upvotes })),
  );
}

async function countOnRow(db: Connection['db'], i: number) {
  const e = await db.selectFrom('daily_entries').select(['upvotes', 'imported_upvotes', 'trending', 'submitted_at']).where('paper_id', '=', pid(i)).executeTakeFirst();
  const p = await db.selectFrom('papers').select('upvotes').where('id', '=', pid(i)).executeTakeFirstOrThrow();
  return { entry: e, paper: p.upvotes };
}

describe('the upvote button without JavaScript', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let alice: Awaited<ReturnType<typeof signedInClient>>;
  before(async () => {
    env = await setup();
    await feature(env.db, [[0, 10, `${DAY}T12:00:00Z`], [1, 3, `${DAY}T12:00:00Z`]]);
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
  });
  after(() => env.conn.close());

  it('shows signed-out readers a button that goes to sign in and comes back', async () => {
    const html = await (await env.app.request(`/papers/date/${DAY}`)).text();
    assert.match(html, new RegExp(`<form class="votes upvote-form" method="get" action="/signin"><input type="hidden" name="next" value="/papers/date/${DAY}"/>`));
    assert.match(html, /<b>10<\/b>/);
    assert.ok(!html.includes('name="csrf-token"'), 'anonymous pages carry no token');
    assert.ok(html.includes(`<script src="${appScript.href}" defer=""></script>`));
  });

  it('a signed-in reader upvotes with a form POST and is sent back to the page', async () => {
    const page = await (await alice.get(`/papers/date/${DAY}`)).text();
    assert.match(page, new RegExp(`action="/papers/${pid(0)}/upvote" data-paper-id="${pid(0)}"`));
    assert.match(page, /<meta name="csrf-token" content="[^"]+"\/>/);
    const csrf = csrfFrom(page)!;
    const res = await alice.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf, next: `/papers/date/${DAY}`, state: 'on' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/date/${DAY}`);
    const after = await (await alice.get(`/papers/date/${DAY}`)).text();
    assert.match(after, /<b>11<\/b>/);
    assert.match(after, /aria-pressed="true"/);
    assert.match(after, /name="state" value="off"/);
    const row = await countOnRow(env.db, 0);
    assert.deepEqual([row.entry?.upvotes, row.entry?.imported_upvotes, row.paper], [11, 10, 1]);
    assert.equal(row.entry?.trending, trendingScore(11, row.entry!.submitted_at), 'trending rewritten in the vote transaction');
    // The same state again (a double click) changes nothing.
    await alice.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf, state: 'on' });
    assert.equal((await countOnRow(env.db, 0)).entry?.upvotes, 11);
    // Off, then a toggle (no state) back on, then a toggle off.
    await alice.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf, state: 'off' });
    assert.equal((await countOnRow(env.db, 0)).entry?.upvotes, 10);
    await alice.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf });
    assert.equal((await countOnRow(env.db, 0)).entry?.upvotes, 11);
    await alice.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf });
    assert.equal((await countOnRow(env.db, 0)).entry?.upvotes, 10);
  });

  it('redirects only to local paths: next=//evil or a URL goes to /, no next to the paper', async () => {
    const csrf = await alice.csrf(`/papers/${pid(1)}`);
    for (const [next, where] of [
      ['//evil.example/x', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
      ['/search?q=a', '/search?q=a'],
    ]) {
      const res = await alice.post(`/papers/${pid(1)}/upvote`, { _csrf: csrf, next: next!, state: 'on' });
      assert.equal(res.headers.get('location'), where, next);
    }
    const res = await alice.post(`/papers/${pid(1)}/upvote`, { _csrf: csrf, state: 'on' });
    assert.equal(res.headers.get('location'), `/papers/${pid(1)}`);
  });

  it('refuses a POST without CSRF token (403), and sends a signed-out form to sign in', async () => {
    const before = (await countOnRow(env.db, 1)).entry?.upvotes;
    assert.equal((await alice.post(`/papers/${pid(1)}/upvote`, { state: 'off' }, { csrfFrom: null })).status, 403);
    assert.equal((await countOnRow(env.db, 1)).entry?.upvotes, before);
    const anon = new TestClient(env.app);
    const res = await anon.post(`/papers/${pid(1)}/upvote`, { next: `/papers/date/${DAY}` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/signin?next=${encodeURIComponent(`/papers/date/${DAY}`)}`);
    assert.equal((await countOnRow(env.db, 1)).entry?.upvotes, before);
  });

  it('answers 400 for a malformed id and 404 for a paper not stored here', async () => {
    const csrf = await alice.csrf(`/papers/${pid(1)}`);
    assert.equal((await alice.post('/papers/not-an-id/upvote', { _csrf: csrf })).status, 400);
    assert.equal((await alice.post('/papers/2501.99999/upvote', { _csrf: csrf })).status, 404);
  });

  it('lists upvoters on the paper page; a paper outside the feed can be upvoted too', async () => {
    const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob', displayName: 'Bob' });
    const csrf = await bob.csrf(`/papers/${pid(1)}`);
    await bob.post(`/papers/${pid(1)}/upvote`, { _csrf: csrf, state: 'on' });
    const html = await (await env.app.request(`/papers/${pid(1)}`)).text();
    assert.match(html, /<h2>Upvoted by<\/h2><p><span class="handle">@alice<\/span>, <span class="handle" title="Bob">@bob<\/span><\/p>/);
    // Not featured and no votes: no box for anonymous readers; a button for signed-in ones.
    assert.ok(!(await (await env.app.request(`/papers/${pid(5)}`)).text()).includes('upvote-form'));
    const mine = await (await bob.get(`/papers/${pid(5)}`)).text();
    assert.match(mine, new RegExp(`action="/papers/${pid(5)}/upvote"`));
    await bob.post(`/papers/${pid(5)}/upvote`, { _csrf: csrf, state: 'on' });
    assert.equal((await countOnRow(env.db, 5)).paper, 1);
    assert.equal((await countOnRow(env.db, 5)).entry, undefined, 'a vote creates no entry');
    assert.match(await (await env.app.request(`/papers/${pid(5)}`)).text(), /<b>1<\/b><small>upvote<\/small>/);
  });
});

describe('PUT/DELETE /api/v1/papers/{id}/upvote', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let token: string;
  let user: Awaited<ReturnType<typeof signedInClient>>;
  const call = (method: string, id: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    env.app.request(`/api/v1/papers/${id}/upvote`, { method, headers });
  before(async () => {
    env = await setup();
    await feature(env.db, [[2, 4, `${DAY}T09:00:00Z`]]);
    await upsertPapers(env.db, [{ ...papers[3]!, id: 'hep-th/9901001', title: 'An old-style paper' }]);
    user = await signedInClient(env.app, env.db, { email: 'api@example.org', handle: 'apiuser' });
    token = await apiTokenFor(env.db, user.user.id);
  });
  after(() => env.conn.close());

  it('PUT upvotes and DELETE removes, both idempotent, answering {upvotes, upvoted}', async () => {
    for (const [method, body] of [
      ['PUT', { upvotes: 5, upvoted: true }],
      ['PUT', { upvotes: 5, upvoted: true }],
      ['DELETE', { upvotes: 4, upvoted: false }],
      ['DELETE', { upvotes: 4, upvoted: false }],
      ['PUT', { upvotes: 5, upvoted: true }],
    ] as const) {
      const res = await call(method, pid(2));
      assert.equal(res.status, 200, method);
      assert.deepEqual(await res.json(), body);
    }
    assert.deepEqual(await (await call('GET', pid(2), {})).json(), { upvotes: 5, upvoted: false });
    assert.deepEqual(await (await call('GET', `${pid(2)}v3`)).json(), { upvotes: 5, upvoted: true });
    // Old-style ids keep their slash.
    assert.deepEqual(await (await call('PUT', 'hep-th/9901001')).json(), { upvotes: 1, upvoted: true });
  });

  it('answers JSON errors: 401 without or with a bad token, 400 bad id, 404 unknown paper', async () => {
    const err = async (res: Response, status: number) => {
      assert.equal(res.status, status);
      assert.equal(typeof ((await res.json()) as { error: string }).error, 'string');
    };
    await err(await call('PUT', pid(2), {}), 401);
    await err(await call('PUT', pid(2), { authorization: 'Bearer pb_nope' }), 401);
    await err(await call('PUT', 'nonsense'), 400);
    await err(await call('PUT', '2501.99999'), 404);
  });

  it('with a session cookie, needs the X-CSRF-Token header (what app.js sends)', async () => {
    const cookie = user.cookieHeader();
    assert.equal((await call('DELETE', pid(2), { cookie })).status, 403);
    const page = await (await user.get(`/papers/${pid(2)}`)).text();
    const meta = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
    assert.ok(meta, 'the page carries the token for the script');
    const res = await call('DELETE', pid(2), { cookie, 'x-csrf-token': meta });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { upvotes: 4, upvoted: false });
  });

  it('refuses a banned user’s token (401)', async () => {
    const banned = await signedInClient(env.app, env.db, { email: 'ban@example.org', handle: 'banned-one' });
    const t = await apiTokenFor(env.db, banned.user.id);
    await setBanned(env.db, 'banned-one', true);
    assert.equal((await call('PUT', pid(2), { authorization: `Bearer ${t}` })).status, 401);
    assert.equal(await hasVoted(env.db, banned.user.id, pid(2)), false);
  });
});

describe('the vote rate limit', () => {
  it('answers 429 with Retry-After past the limit (form and API)', async () => {
    const base = testConfig();
    const env = await setup({ rateLimits: { ...base.rateLimits, vote: { limit: 3, windowMs: 60_000 } } });
    try {
      const u = await signedInClient(env.app, env.db, { email: 'quick@example.org', handle: 'quick' });
      const token = await apiTokenFor(env.db, u.user.id);
      const csrf = await u.csrf(`/papers/${pid(0)}`);
      for (let i = 0; i < 3; i++) assert.equal((await u.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf })).status, 303);
      const form = await u.post(`/papers/${pid(0)}/upvote`, { _csrf: csrf });
      assert.equal(form.status, 429);
      assert.ok(Number(form.headers.get('retry-after')) > 0);
      const api = await env.app.request(`/api/v1/papers/${pid(0)}/upvote`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
      assert.equal(api.status, 429);
      assert.match(((await api.json()) as { error: string }).error, /Too many requests/);
      assert.equal(await hasVoted(env.db, u.user.id, pid(0)), true, 'three toggles: on, off, on; the refused ones did nothing');
    } finally {
      await env.conn.close();
    }
  });
});

describe('counts on the rows', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.conn.close());

  it('entry upvotes = imported + local, through re-imports and later submissions', async () => {
    const u1 = await createUser(env.db, { email: 'c1@example.org', handle: 'c1' });
    const u2 = await createUser(env.db, { email: 'c2@example.org', handle: 'c2' });
    await feature(env.db, [[6, 10, `${DAY}T08:00:00Z`]]);
    await setVote(env.db, u1.id, pid(6), true);
    assert.equal((await getEntryForPaper(env.db, pid(6)))?.upvotes, 11);
    // Hugging Face's count moves to 12 on a re-import: ours stays on top.
    await feature(env.db, [[6, 12, `${DAY}T08:00:00Z`]]);
    const e = await getEntryForPaper(env.db, pid(6));
    assert.deepEqual([e?.upvotes, e?.importedUpvotes], [13, 12]);
    assert.equal(e?.trending, trendingScore(13, e!.submittedAt));
    // Votes cast before a paper is featured count once it is.
    await setVote(env.db, u1.id, pid(7), true);
    await setVote(env.db, u2.id, pid(7), true);
    const entry = await submitPaper(env.db, { user: { ...u1, role: 'moderator' }, paperId: pid(7) }, env.config, new Date(`${DAY}T18:00:00Z`));
    assert.equal(entry.upvotes, 2);
    assert.equal(entry.trending, trendingScore(2, entry.submittedAt));
    assert.deepEqual((await toggleVote(env.db, u2.id, pid(7)))!, { upvotes: 1, upvoted: false });
  });

  it('recountVotes repairs corrupted counts from the votes table', async () => {
    const good = await countOnRow(env.db, 6);
    await env.db.updateTable('papers').set({ upvotes: 99 }).where('id', '=', pid(6)).execute();
    await env.db.updateTable('papers').set({ upvotes: 5 }).where('id', '=', pid(8)).execute(); // no votes at all
    await env.db.updateTable('daily_entries').set({ upvotes: 0, trending: 0 }).where('paper_id', '=', pid(6)).execute();
    await env.db.updateTable('daily_entries').set({ upvotes: 40 }).where('paper_id', '=', pid(7)).execute();
    const fixed = await recountVotes(env.db);
    assert.deepEqual(fixed, { papers: 2, entries: 2 });
    assert.deepEqual(await countOnRow(env.db, 6), good);
    assert.equal((await countOnRow(env.db, 8)).paper, 0);
    assert.equal((await getEntryForPaper(env.db, pid(7)))?.upvotes, 1);
    assert.deepEqual(await recountVotes(env.db), { papers: 0, entries: 0 }, 'nothing left to repair');
  });

  it('counts every one of many simultaneous votes by different users', async () => {
    await feature(env.db, [[9, 0, `${DAY}T10:00:00Z`]]);
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => createUser(env.db, { email: `v${i}@example.org`, handle: `voter${i}` })));
    const states = await Promise.all(users.map((u) => setVote(env.db, u.id, pid(9), true)));
    assert.ok(states.every((s) => s?.upvoted === true));
    const row = await countOnRow(env.db, 9);
    assert.deepEqual([row.entry?.upvotes, row.paper], [12, 12]);
    assert.equal(row.entry?.trending, trendingScore(12, row.entry!.submitted_at));
    // The same user voting twice at once counts once; half the users withdrawing at once all count.
    await Promise.all([setVote(env.db, users[0]!.id, pid(9), true), setVote(env.db, users[0]!.id, pid(9), true)]);
    await Promise.all(users.slice(0, 6).map((u) => setVote(env.db, u.id, pid(9), false)));
    assert.deepEqual([(await countOnRow(env.db, 9)).entry?.upvotes, (await countOnRow(env.db, 9)).paper], [6, 6]);
    assert.equal((await listUpvoters(env.db, pid(9))).total, 6);
    assert.deepEqual(await recountVotes(env.db), { papers: 0, entries: 0 }, 'the concurrent counts were right');
  });

  it('counts simultaneous votes through the API', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => apiTokenFor(env.db, (await createUser(env.db, { email: `w${i}@example.org`, handle: `web${i}` })).id)),
    );
    const answers = await Promise.all(
      tokens.map((t) => env.app.request(`/api/v1/papers/${pid(10)}/upvote`, { method: 'PUT', headers: { authorization: `Bearer ${t}` } })),
    );
    assert.deepEqual(answers.map((a) => a.status), tokens.map(() => 200));
    assert.equal((await countOnRow(env.db, 10)).paper, 8);
  });
});

describe('trending', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
    // A: a day earlier with 7 imported upvotes (log2 8 = 3); B: a day later with 1 (log2 2 + 1 = 2).
    await feature(env.db, [[11, 7, '2025-03-19T12:00:00Z'], [12, 1, '2025-03-20T12:00:00Z'], [13, 0, '2025-03-01T12:00:00Z']]);
  });
  after(() => env.conn.close());

  const ids = (items: Array<{ paperId?: string; paper?: { id: string } }>) => items.map((i) => i.paperId ?? i.paper!.id);

  it('orders /trending, sort=trending in the API and listEntries by the stored score, which votes move', async () => {
    const list = async () => ids((await listEntries(env.db, { sort: 'trending', from: '2025-03-14', to: DAY })).items);
    assert.deepEqual(await list(), [pid(11), pid(12)]);
    const users = await Promise.all([0, 1, 2].map((i) => createUser(env.db, { email: `t${i}@example.org`, handle: `trend${i}` })));
    for (const u of users) await setVote(env.db, u.id, pid(12), true);
    // B: log2(5) + 1 = 3.32 > 3.
    assert.deepEqual(await list(), [pid(12), pid(11)]);
    const api = (await (await env.app.request(`/api/daily_papers?sort=trending&month=2025-03`)).json()) as Array<{ paper: { id: string } }>;
    assert.deepEqual(ids(api), [pid(12), pid(11), pid(13)]);
    const html = await (await env.app.request('/trending')).text();
    const [b, a] = [html.indexOf(`href="/papers/${pid(12)}"`), html.indexOf(`href="/papers/${pid(11)}"`)];
    assert.ok(b > 0 && a > b, 'B above A on /trending');
    assert.ok(!html.includes(`href="/papers/${pid(13)}"`), 'older than the last 7 feed days: not on /trending');
    assert.match(html, /href="\/about\/ranking"/);
  });

  it('/about/ranking explains the formula with the worked example computed from the code', async () => {
    const html = await (await env.app.request('/about/ranking')).text();
    const ex = workedExample();
    assert.ok(html.includes(`halves every ${HALF_LIFE_HOURS} hours`));
    for (const e of ex.entries) {
      assert.ok(html.includes(`<td>${e.weight.toFixed(4)}</td>`), `weight of ${e.label}`);
      assert.ok(html.includes(`<td>${e.score.toFixed(4)}</td>`), `score of ${e.label}`);
    }
    assert.ok(html.includes('5.6569'), 'the tie of A and B');
  });
});

describe('the client script', () => {
  it('is served under its content hash, cacheable, as JavaScript', async () => {
    const env = await setup();
    try {
      const res = await env.app.request(appScript.href);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.match(res.headers.get('cache-control') ?? '', /immutable/);
      const js = await res.text();
      assert.match(js, /X-CSRF-Token/);
      assert.match(js, /\/api\/v1\/papers\//);
      assert.equal((await env.app.request('/assets/app.0000000000.js')).headers.get('cache-control'), 'public, max-age=300');
    } finally {
      await env.conn.close();
    }
  });
});
