/**
 * Submitting papers to the daily feed, end to end through app.request() on a database built by the real
 * migrations (SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres): ids and arXiv URLs, papers
 * fetched from arXiv (a local server replaying real recordings), and every rule with its refusal —
 * window, daily quota (moderators exempt), duplicates, feed date by time zone and cut-off, comment and
 * organization limits, CSRF, bans, the rate limit — plus the Hugging Face–style POST /api/papers/submit,
 * and the hostile corpus through the submission comment and organization on the daily page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { getEntryForPaper } from '../src/store/entries.ts';
import { getPaper, type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { feedDateAt, SubmissionError, submitPaper } from '../src/store/submissions.ts';
import { setBanned } from '../src/store/users.ts';
import { createApp } from '../src/web/app.ts';
import type { AppDeps } from '../src/web/deps.ts';
import { pageArxivClient } from '../src/web/paperFetch.ts';
import { HOSTILE_INPUTS } from './fixtures/hostile-inputs.ts';
import { type ReplayServer, recording, startReplayServer } from './helpers/arxiv-server.ts';
import { apiTokenFor, signedInClient, TestClient } from './helpers/browser-session.ts';
import { readListings } from './helpers/corpus.ts';
import { freshDb, testConfig } from './helpers/db.ts';
import { assertNoExecutableMarkup, assertSameMarkup, benignTwin } from './helpers/xss.ts';

const papers: PaperInput[] = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname).slice(0, 40);
const API_1707 = recording('api/arxivpy-2026-recorded/id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml');
const API_EMPTY = recording('api/arxivpy-2026-recorded/id_0000.0000_s0_m100_8b51d9633a68.status200.xml');
const atom = (body: string) => ({ body, headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
const idList = (id: string) => (u: URL) => u.pathname === '/api/query' && u.searchParams.get('id_list') === id;

/** A settable clock for deps.now. */
class Clock {
  constructor(public t: Date) {}
  now = () => this.t;
}

async function setup(overrides: Partial<Config> = {}, extra: Partial<AppDeps> = {}) {
  const conn: Connection = await freshDb();
  await upsertPapers(conn.db, papers);
  const base = testConfig();
  const config = testConfig({ feedTimezone: 'America/New_York', feedCutoffHour: 0, submitWindowDays: 14, submitDailyQuota: 2, ...overrides, arxiv: base.arxiv });
  // 2025-03-27 15:00 UTC = 11:00 in New York: feed date 2025-03-27; the sample's papers are from 2025-03-18 on.
  const clock = new Clock(new Date('2025-03-27T15:00:00Z'));
  const deps: AppDeps = { db: conn.db, config, log: createLogger('silent'), now: clock.now, ...extra };
  const app = createApp(deps);
  return { app, conn, db: conn.db, config, clock, deps };
}

const pid = (i: number) => papers[i]!.id;

describe('feed date by time zone and cut-off hour', () => {
  it('is the local date, or the day before while the local hour is before the cut-off', () => {
    // 03:30 UTC on the 20th is 23:30 on the 19th in New York (EDT, UTC-4).
    assert.equal(feedDateAt(new Date('2025-03-20T03:30:00Z'), 'America/New_York', 0), '2025-03-19');
    assert.equal(feedDateAt(new Date('2025-03-20T04:30:00Z'), 'America/New_York', 0), '2025-03-20');
    // Cut-off 3: 02:30 local on the 20th still counts for the 19th; 03:30 is the 20th.
    assert.equal(feedDateAt(new Date('2025-03-20T06:30:00Z'), 'America/New_York', 3), '2025-03-19');
    assert.equal(feedDateAt(new Date('2025-03-20T07:30:00Z'), 'America/New_York', 3), '2025-03-20');
    assert.equal(feedDateAt(new Date('2025-03-20T23:30:00Z'), 'UTC', 0), '2025-03-20');
    assert.equal(feedDateAt(new Date('2025-03-01T00:30:00Z'), 'UTC', 1), '2025-02-28');
  });
});

describe('submitting through the form', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let alice: Awaited<ReturnType<typeof signedInClient>>;
  before(async () => {
    env = await setup();
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice', displayName: 'Alice Liddell' });
  });
  after(() => env.conn.close());

  it('sends signed-out readers to sign in and back', async () => {
    const res = await env.app.request('/submit');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/signin?next=%2Fsubmit');
    const post = await new TestClient(env.app).post('/submit', { paper: pid(0) });
    assert.notEqual(post.status, 303, 'a signed-out POST is refused');
    assert.equal(await getEntryForPaper(env.db, pid(0)), undefined);
  });

  it('features a paper by id with comment and organization, recording the submitter', async () => {
    const form = await alice.get('/submit');
    assert.equal(form.status, 200);
    assert.match(await form.text(), /You can submit 2 more today/);
    const res = await alice.post('/submit', { paper: pid(0), comment: '  A clear\nread\u0007 ', organization: 'Example\u0000 Lab\u001b' }, { csrfFrom: '/submit' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${pid(0)}`);
    const e = await getEntryForPaper(env.db, pid(0));
    assert.ok(e);
    assert.equal(e.feedDate, '2025-03-27');
    assert.equal(e.submitterHandle, 'alice');
    assert.equal(e.submitterName, 'Alice Liddell');
    assert.equal(e.submitterUserId, alice.user.id);
    assert.equal(e.comment, 'A clear read', 'control characters and runs of spaces removed');
    assert.equal(e.organization, 'Example Lab');
    assert.equal(e.submittedAt, '2025-03-27T15:00:00.000Z');
    assert.equal(e.upvotes, 0);
    const page = await (await env.app.request('/papers/date/2025-03-27')).text();
    assert.match(page, /A clear read/);
    assert.match(page, /Example Lab/);
    const paperPage = await (await env.app.request(`/papers/${pid(0)}`)).text();
    assert.match(paperPage, /submitted by Alice Liddell/);
  });

  it('accepts any arXiv URL (abs with version, pdf)', async () => {
    const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
    let res = await bob.post('/submit', { paper: `https://arxiv.org/abs/${pid(1)}v2` }, { csrfFrom: '/submit' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${pid(1)}`);
    res = await bob.post('/submit', { paper: `http://export.arxiv.org/pdf/${pid(2)}.pdf` }, { csrfFrom: '/submit' });
    assert.equal(res.status, 303);
    assert.equal((await getEntryForPaper(env.db, pid(2)))?.submitterHandle, 'bob');
  });

  it('refuses a duplicate, naming when and by whom it was submitted (409)', async () => {
    const carol = await signedInClient(env.app, env.db, { email: 'carol@example.org', handle: 'carol' });
    const res = await carol.post('/submit', { paper: `arXiv:${pid(0)}` }, { csrfFrom: '/submit' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), new RegExp(`arXiv:${pid(0).replace('.', '\\.')} was already submitted on 2025-03-27 by @alice`));
    assert.equal((await getEntryForPaper(env.db, pid(0)))?.submitterHandle, 'alice');
  });

  it('refuses a paper outside the window, with its date', async () => {
    const dave = await signedInClient(env.app, env.db, { email: 'dave@example.org', handle: 'dave' });
    const p = (await getPaper(env.db, pid(3)))!;
    env.clock.t = new Date(Date.parse(p.publishedAt) + 15 * 86_400_000);
    try {
      const res = await dave.post('/submit', { paper: p.id }, { csrfFrom: '/submit' });
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(html, new RegExp(`first appeared on ${p.publishedAt.slice(0, 10)}`));
      assert.match(html, /at most 14 days old/);
      assert.equal(await getEntryForPaper(env.db, p.id), undefined);
      // Inside the window (14 days exactly) it is accepted.
      env.clock.t = new Date(Date.parse(p.publishedAt) + 14 * 86_400_000);
      assert.equal((await dave.post('/submit', { paper: p.id }, { csrfFrom: '/submit' })).status, 303);
    } finally {
      env.clock.t = new Date('2025-03-27T15:00:00Z');
    }
  });

  it('enforces the daily quota per feed day, with Retry-After until the day turns over; moderators are exempt', async () => {
    const erin = await signedInClient(env.app, env.db, { email: 'erin@example.org', handle: 'erin' });
    assert.equal((await erin.post('/submit', { paper: pid(10) }, { csrfFrom: '/submit' })).status, 303);
    assert.equal((await erin.post('/submit', { paper: pid(11) }, { csrfFrom: '/submit' })).status, 303);
    const third = await erin.post('/submit', { paper: pid(12) }, { csrfFrom: '/submit' });
    assert.equal(third.status, 429);
    assert.match(await third.text(), /reached today(&#39;|')s limit of 2 submissions/);
    // 15:00 UTC = 11:00 EDT: 13 hours to local midnight.
    assert.equal(third.headers.get('retry-after'), String(13 * 3600));
    assert.equal(await getEntryForPaper(env.db, pid(12)), undefined);
    // The next feed day (after local midnight, 04:00 UTC) has a fresh quota.
    env.clock.t = new Date('2025-03-28T04:30:00Z');
    try {
      assert.equal((await erin.post('/submit', { paper: pid(12) }, { csrfFrom: '/submit' })).status, 303);
      assert.equal((await getEntryForPaper(env.db, pid(12)))?.feedDate, '2025-03-28');
    } finally {
      env.clock.t = new Date('2025-03-27T15:00:00Z');
    }
    const mod = await signedInClient(env.app, env.db, { email: 'mod@example.org', handle: 'moddy', role: 'moderator' });
    for (const i of [13, 14, 15]) assert.equal((await mod.post('/submit', { paper: pid(i) }, { csrfFrom: '/submit' })).status, 303);
    assert.match(await (await mod.get('/submit')).text(), /no daily limit/);
  });

  it('refuses bad input with clear messages and keeps what was typed', async () => {
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ paper: '' }, 400, /Give the paper/],
      [{ paper: 'not an id <b>' }, 400, /is not an arXiv id or arXiv URL/],
      [{ paper: 'https://example.org/abs/2503.11677' }, 400, /is not an arXiv id/],
      [{ paper: pid(20), comment: 'x'.repeat(501) }, 400, /comment is too long: at most 500/],
      [{ paper: pid(20), organization: 'y'.repeat(101) }, 400, /organization name is too long: at most 100/],
      [{ paper: '2501.99999' }, 404, /not in this instance, and this instance does not look papers up on arXiv/],
    ];
    for (const [form, status, message] of cases) {
      const res = await alice.post('/submit', form, { csrfFrom: '/submit' });
      assert.equal(res.status, status, JSON.stringify(form).slice(0, 60));
      const html = await res.text();
      assert.match(html, message);
      if (form.paper) assert.ok(html.includes(`value="${form.paper.replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`), 'the typed value is kept');
    }
    assert.equal(await getEntryForPaper(env.db, pid(20)), undefined);
  });

  it('refuses a form without a CSRF token (403)', async () => {
    const res = await alice.post('/submit', { paper: pid(21) }, { csrfFrom: null });
    assert.equal(res.status, 403);
    assert.equal(await getEntryForPaper(env.db, pid(21)), undefined);
  });

  it('refuses banned users: their session and tokens stop working, and the store refuses them too', async () => {
    const mallory = await signedInClient(env.app, env.db, { email: 'mallory@example.org', handle: 'mallory' });
    const token = await apiTokenFor(env.db, mallory.user.id);
    const csrf = await mallory.csrf('/submit');
    const banned = await setBanned(env.db, 'mallory', true);
    const res = await mallory.post('/submit', { paper: pid(22), _csrf: csrf });
    assert.equal(res.status, 403);
    const api = await env.app.request('/api/papers/submit', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ paperId: pid(22) }),
    });
    assert.equal(api.status, 401);
    await assert.rejects(submitPaper(env.db, { user: banned, paperId: pid(22) }, env.config), (e: unknown) => e instanceof SubmissionError && e.status === 403);
    assert.equal(await getEntryForPaper(env.db, pid(22)), undefined);
  });
});

describe('the feed cut-off hour decides the feed date', () => {
  it('a submission before the cut-off counts for the previous day', async () => {
    const env = await setup({ feedCutoffHour: 3 });
    try {
      const u = await signedInClient(env.app, env.db, { email: 'night@example.org', handle: 'night' });
      env.clock.t = new Date('2025-03-27T06:30:00Z'); // 02:30 in New York
      assert.equal((await u.post('/submit', { paper: pid(5) }, { csrfFrom: '/submit' })).status, 303);
      env.clock.t = new Date('2025-03-27T07:30:00Z'); // 03:30
      assert.equal((await u.post('/submit', { paper: pid(6) }, { csrfFrom: '/submit' })).status, 303);
      assert.equal((await getEntryForPaper(env.db, pid(5)))?.feedDate, '2025-03-26');
      assert.equal((await getEntryForPaper(env.db, pid(6)))?.feedDate, '2025-03-27');
    } finally {
      await env.conn.close();
    }
  });
});

describe('the submit rate limit', () => {
  it('answers 429 with Retry-After once the limit is reached, before any work', async () => {
    const base = testConfig();
    const env = await setup({ rateLimits: { ...base.rateLimits, submit: { limit: 2, windowMs: 3_600_000 } } });
    try {
      const u = await signedInClient(env.app, env.db, { email: 'fast@example.org', handle: 'fast', role: 'moderator' });
      assert.equal((await u.post('/submit', { paper: pid(7) }, { csrfFrom: '/submit' })).status, 303);
      assert.equal((await u.post('/submit', { paper: 'nonsense' }, { csrfFrom: '/submit' })).status, 400);
      const third = await u.post('/submit', { paper: pid(8) }, { csrfFrom: '/submit' });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      assert.equal(await getEntryForPaper(env.db, pid(8)), undefined);
    } finally {
      await env.conn.close();
    }
  });
});

describe('papers fetched from arXiv on submission', () => {
  let server: ReplayServer;
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    server = await startReplayServer();
    server.route(idList('1707.08567'), atom(API_1707));
    server.route(idList('2501.99999'), atom(API_EMPTY));
    server.route(idList('2502.00001'), { status: 503, body: 'down', headers: { 'retry-after': '1' } });
    const base = testConfig();
    const arxiv = { ...base.arxiv, apiUrl: `${server.url}/api/query`, delayMs: 0, timeoutMs: 3000 };
    const config = testConfig({ arxiv });
    env = await setup({}, { arxivClient: pageArxivClient(config) });
    (env.deps as { config: Config }).config = { ...env.config, arxiv };
  });
  after(async () => {
    await server.close();
    await env.conn.close();
  });

  it('fetches an unknown paper, then applies the rules to it', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'fetch@example.org', handle: 'fetcher' });
    // Its first version is 2017-07-27: submit "two days later".
    env.clock.t = new Date('2017-07-29T15:00:00Z');
    const res = await u.post('/submit', { paper: 'https://arxiv.org/abs/1707.08567v1' }, { csrfFrom: '/submit' });
    assert.equal(res.status, 303);
    assert.equal((await getPaper(env.db, '1707.08567'))?.publishedAt.slice(0, 10), '2017-07-27');
    assert.equal((await getEntryForPaper(env.db, '1707.08567'))?.feedDate, '2017-07-29');
  });

  it('answers 404 when arXiv does not know the id, and 503 (not 500) when arXiv is down', async () => {
    const u = await signedInClient(env.app, env.db, { email: 'fetch2@example.org', handle: 'fetcher2' });
    const unknown = await u.post('/submit', { paper: '2501.99999' }, { csrfFrom: '/submit' });
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /arXiv does not know a paper arXiv:2501\.99999/);
    const down = await u.post('/submit', { paper: '2502.00001' }, { csrfFrom: '/submit' });
    assert.equal(down.status, 503);
    assert.match(await down.text(), /arXiv could not be reached/);
    assert.equal(down.headers.get('retry-after'), '60');
  });
});

describe('POST /api/papers/submit (Hugging Face style, Bearer token)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let token: string;
  const submit = (body: unknown, auth: string | null = token, raw?: string) =>
    env.app.request('/api/papers/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  before(async () => {
    env = await setup();
    const u = await signedInClient(env.app, env.db, { email: 'api@example.org', handle: 'apiuser' });
    token = await apiTokenFor(env.db, u.user.id);
  });
  after(() => env.conn.close());

  it('features the paper and answers 201 with the daily-papers item', async () => {
    const res = await submit({ paperId: pid(30), comment: 'via the API', organization: 'API Lab' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const item = (await res.json()) as { paper: { id: string; upvotes: number }; submittedBy: { name: string } | null };
    assert.equal(item.paper.id, pid(30));
    assert.equal(item.paper.upvotes, 0);
    assert.equal(item.submittedBy?.name, 'apiuser');
    const e = await getEntryForPaper(env.db, pid(30));
    assert.equal(e?.comment, 'via the API');
    assert.equal(e?.organization, 'API Lab');
  });

  it('answers JSON errors: 409 duplicate, 400 bad body, 401 without a token, 429 over the quota', async () => {
    const dup = await submit({ paperId: `https://arxiv.org/pdf/${pid(30)}` });
    assert.equal(dup.status, 409);
    assert.match(((await dup.json()) as { error: string }).error, /already submitted on 2025-03-27 by @apiuser/);
    for (const [body, raw] of [[{}, undefined], [{ paperId: 42 }, undefined], [{ paperId: 'nope' }, undefined], [null, '{not json'], [{ paperId: pid(31), comment: 7 }, undefined]] as const) {
      const res = await submit(body, token, raw);
      assert.equal(res.status, 400, JSON.stringify(body) + (raw ?? ''));
      assert.ok(((await res.json()) as { error: string }).error.length > 0);
    }
    assert.equal((await submit({ paperId: pid(31) }, null)).status, 401);
    assert.equal((await submit({ paperId: pid(31) }, 'pb_forged')).status, 401);
    assert.equal((await submit({ paperId: pid(31) })).status, 201);
    const over = await submit({ paperId: pid(32) });
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.match(((await over.json()) as { error: string }).error, /today's limit of 2/);
  });
});

describe('hostile submission comment and organization on the daily page', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let mod: Awaited<ReturnType<typeof signedInClient>>;
  before(async () => {
    const base = testConfig();
    env = await setup({ rateLimits: { ...base.rateLimits, submit: null } });
    mod = await signedInClient(env.app, env.db, { email: 'xss@example.org', handle: 'xss', role: 'moderator' });
  });
  after(() => env.conn.close());

  /** Submits pid(35) with `text` as comment and organization; returns the answer's HTML and the daily page's. */
  async function render(text: string): Promise<{ form: string; daily: string | null }> {
    await env.db.deleteFrom('daily_entries').where('paper_id', '=', pid(35)).execute();
    const res = await mod.post('/submit', { paper: pid(35), comment: text, organization: text.slice(0, 100) }, { csrfFrom: '/submit' });
    const form = res.status === 303 ? '' : await res.text();
    if (res.status !== 303) return { form, daily: null };
    const daily = await env.app.request('/papers/date/2025-03-27');
    assert.equal(daily.status, 200);
    return { form, daily: await daily.text() };
  }

  for (const h of HOSTILE_INPUTS) {
    it(h.name, async () => {
      const hostile = await render(h.input);
      const benign = await render(benignTwin(h.input));
      if (hostile.form) assertNoExecutableMarkup(hostile.form, { page: true, label: `${h.name} (form)` });
      if (hostile.daily === null) {
        // Refused (too long): the refusal page echoes the input, safely.
        assert.equal(benign.daily, null);
        return;
      }
      assertNoExecutableMarkup(hostile.daily, { page: true, label: h.name });
      assertSameMarkup(hostile.daily, benign.daily!, h.name);
    });
  }
});
