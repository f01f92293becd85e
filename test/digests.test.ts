/**
 * Digests end to end on a database built by the migrations (SQLite, or PostgreSQL with
 * PAPERBOY_TEST_DIALECT=postgres), with real mail received by smtp-server on 127.0.0.1 and parsed by
 * mailparser: the planner in far time zones across DST changes, double opt-in, the mail's headers,
 * parts and reasons, every link followed with app.request (view, feedback, one-click unsubscribe),
 * forged and re-addressed tokens refused, never the same paper twice, temporary and permanent SMTP
 * failures, and the settings API.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../src/config.ts';
import type { Connection } from '../src/db/connect.ts';
import { planDigests } from '../src/digest/plan.ts';
import { makeDigestToken } from '../src/digest/tokens.ts';
import { createHandlerRegistry, digestHandlers } from '../src/jobs/handlers.ts';
import { runUntilIdle } from '../src/jobs/worker.ts';
import { createLogger } from '../src/log.ts';
import { listDigestSends, recordFeedback } from '../src/store/digests.ts';
import { setPaperFeedback } from '../src/store/feedback.ts';
import { pickPapers } from '../src/digest/compose.ts';
import { periodOn } from '../src/digest/period.ts';
import { follow } from '../src/store/follows.ts';
import { listJobs } from '../src/store/jobs.ts';
import { createSavedSearch } from '../src/store/saved-searches.ts';
import { getSubscription, getSubscriptionByEmail, saveUserSubscription, DEFAULT_SETTINGS } from '../src/store/subscriptions.ts';
import { createUser } from '../src/store/users.ts';
import { createApp } from '../src/web/app.ts';
import { loadSecret } from '../src/web/secret.ts';
import { apiTokenFor, csrfFrom, TestClient } from './helpers/browser-session.ts';
import { freshDb, testConfig } from './helpers/db.ts';
import { seedDigestData } from './helpers/digest-seed.ts';
import { type SmtpReceiver, startSmtpReceiver } from './helpers/smtp.ts';

const log = createLogger('silent');
const pathOf = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};
/** A header as sent (mailparser structures List-* headers, so read the raw line, unfolded). */
const header = (m: ParsedMail, name: string) => {
  const line = m.headerLines.find((h) => h.key === name.toLowerCase())?.line ?? '';
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
};
/** Papers linked from a digest's text part. */
const papersIn = (m: ParsedMail) => [...(m.text ?? '').matchAll(/\/papers\/(\S+)\s/g)].map((x) => x[1]!);

/** An app and worker over a fresh database whose mail goes to `smtpUrl`. */
async function setup(smtpUrl: string, overrides: Partial<Config> = {}) {
  const conn: Connection = await freshDb();
  const config = testConfig({ smtpUrl, digestRate: 0, ...overrides });
  const app = createApp({ db: conn.db, config, log });
  const featured = await seedDigestData(conn.db);
  const handlers = createHandlerRegistry(digestHandlers(config));
  /** Runs due jobs at `now`. */
  const work = (now: Date) => runUntilIdle({ db: conn.db, log, handlers, now: () => now });
  return { conn, db: conn.db, config, app, featured, work };
}

const SEPT = new Date('2026-09-01T00:00:00Z');

describe('planner: due in the reader’s own time zone', () => {
  let conn: Connection;
  before(async () => {
    conn = await freshDb();
  });
  after(() => conn.close());

  test('Auckland (UTC+12 → UTC+13 on the NZ DST day), Honolulu (UTC-10), New York (US DST end): each period once, at hour 8 local', async () => {
    const db = conn.db;
    const mk = async (handle: string, timezone: string, cadence: 'daily' | 'weekly' = 'daily') => {
      const u = await createUser(db, { email: `${handle}@example.org`, handle });
      return saveUserSubscription(db, u, { ...DEFAULT_SETTINGS, cadence, hour: 8, timezone }, { now: SEPT });
    };
    const akl = await mk('akl', 'Pacific/Auckland');
    const hnl = await mk('hnl', 'Pacific/Honolulu');
    const aklWeekly = await mk('aklw', 'Pacific/Auckland', 'weekly');
    const plannedAt = new Map<string, string>(); // `${sub}|${period}` -> tick
    // NZ DST starts 2026-09-27 02:00 local (+12 → +13): hourly ticks over three days around it.
    for (let t = Date.parse('2026-09-25T12:00:00Z'); t <= Date.parse('2026-09-28T06:00:00Z'); t += 3_600_000) {
      for (const p of await planDigests(db, new Date(t))) {
        const key = `${p.subscription.id}|${p.period}`;
        assert.ok(!plannedAt.has(key), `${key} planned twice`);
        plannedAt.set(key, new Date(t).toISOString());
      }
    }
    // 08:00 NZST (+12) on the 26th, 08:00 NZDT (+13) on the 27th and 28th.
    assert.equal(plannedAt.get(`${akl.id}|daily:2026-09-26`), '2026-09-25T20:00:00.000Z');
    assert.equal(plannedAt.get(`${akl.id}|daily:2026-09-27`), '2026-09-26T19:00:00.000Z');
    assert.equal(plannedAt.get(`${akl.id}|daily:2026-09-28`), '2026-09-27T19:00:00.000Z');
    // Honolulu has no DST: 08:00 HST is 18:00 UTC every day.
    assert.equal(plannedAt.get(`${hnl.id}|daily:2026-09-25`), '2026-09-25T18:00:00.000Z');
    assert.equal(plannedAt.get(`${hnl.id}|daily:2026-09-26`), '2026-09-26T18:00:00.000Z');
    assert.equal(plannedAt.get(`${hnl.id}|daily:2026-09-27`), '2026-09-27T18:00:00.000Z');
    // Monday 2026-09-28 08:00 in Auckland is still Sunday in UTC.
    assert.equal(plannedAt.get(`${aklWeekly.id}|weekly:2026-W40`), '2026-09-27T19:00:00.000Z');
    const weekly = [...plannedAt.keys()].filter((k) => k.startsWith(`${aklWeekly.id}|`));
    assert.deepEqual(weekly, [`${aklWeekly.id}|weekly:2026-W40`], 'one weekly digest in the three days');
    // Exactly one job per send, with the send's unique key.
    const jobs = await listJobs(db, { name: 'digest-send', limit: 1000 });
    assert.equal(jobs.length, plannedAt.size);
    assert.ok(jobs.every((j) => /^digest-send@\d+$/.test(j.uniqueKey ?? '')));

    // US DST ends 2026-11-01: 08:00 EDT (12:00 UTC) on the 31st, 08:00 EST (13:00 UTC) on the 1st.
    const u = await createUser(db, { email: 'nyc@example.org', handle: 'nyc' });
    const nyc = await saveUserSubscription(db, u, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'America/New_York' }, { now: SEPT });
    const at = async (iso: string) => (await planDigests(db, new Date(iso))).filter((p) => p.subscription.id === nyc.id).map((p) => p.period);
    assert.deepEqual(await at('2026-10-31T11:59:00Z'), [], 'the 30th fell due 24 h ago: too late, skipped');
    assert.deepEqual(await at('2026-10-31T12:00:00Z'), ['daily:2026-10-31']);
    assert.deepEqual(await at('2026-11-01T12:30:00Z'), [], '12:30 UTC is 07:30 EST: not yet');
    assert.deepEqual(await at('2026-11-01T13:00:00Z'), ['daily:2026-11-01']);
  });

  test('a period more than 20 hours late is skipped, and a subscription confirmed after its hour starts the next day', async () => {
    const db = conn.db;
    const u = await createUser(db, { email: 'late@example.org', handle: 'late' });
    const s = await saveUserSubscription(db, u, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'UTC' }, { now: new Date('2026-12-01T09:00:00Z') });
    const mine = async (iso: string) => (await planDigests(db, new Date(iso))).filter((p) => p.subscription.id === s.id).map((p) => p.period);
    assert.deepEqual(await mine('2026-12-01T10:00:00Z'), [], 'confirmed at 09:00, after the 08:00 digest');
    assert.deepEqual(await mine('2026-12-03T07:00:00Z'), [], 'the 2nd was due 23 hours ago: skipped');
    assert.deepEqual(await mine('2026-12-03T08:00:00Z'), ['daily:2026-12-03']);
  });
});

describe('digest mail', () => {
  let smtp: SmtpReceiver;
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    smtp = await startSmtpReceiver();
    env = await setup(smtp.url);
  });
  after(async () => {
    await env.conn.close();
    await smtp.close();
  });

  test('double opt-in: nothing is sent before the mailed link is confirmed (GET shows a button, POST confirms)', async () => {
    const browser = new TestClient(env.app);
    const form = await browser.get('/digest/subscribe');
    assert.equal(form.status, 200);
    const before = smtp.messages.length;
    const res = await browser.post('/digest/subscribe', { email: 'Reader@Example.org', cadence: 'daily', hour: '8', timezone: 'Pacific/Honolulu' }, { csrfFrom: '/digest/subscribe' });
    assert.equal(res.status, 200);
    const [confirm] = (await smtp.waitFor(before + 1)).slice(before);
    assert.match(confirm!.subject ?? '', /Confirm your Paperboy daily digest/);
    const link = /(https?:\/\/\S+\/digest\/confirm\?token=[A-Za-z0-9_-]+)/.exec(confirm!.text ?? '')?.[1];
    assert.ok(link, 'a confirmation link in the mail');
    // Not confirmed: the planner ignores it even when its hour has come.
    assert.deepEqual(await planDigests(env.db, new Date('2026-02-05T18:00:00Z')), []);
    assert.equal((await getSubscriptionByEmail(env.db, 'reader@example.org'))!.confirmedAt, null);
    // Following the link (a GET, as a mail scanner would) does not confirm either.
    const page = await browser.get(pathOf(link));
    assert.equal(page.status, 200);
    assert.equal((await getSubscriptionByEmail(env.db, 'reader@example.org'))!.confirmedAt, null);
    const token = new URL(link).searchParams.get('token')!;
    const ok = await browser.post('/digest/confirm', { token, _csrf: csrfFrom(await page.text())! });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /You are subscribed/);
    // A used link does not work twice.
    assert.equal((await browser.post('/digest/confirm', { token }, { csrfFrom: '/digest/subscribe' })).status, 400);
    // Confirmed now (at the real time, after 2026): the next due period is planned and sent.
    const sub = (await getSubscriptionByEmail(env.db, 'reader@example.org'))!;
    assert.ok(sub.confirmedAt);
    await env.db.updateTable('subscriptions').set({ confirmed_at: '2026-01-01T00:00:00.000Z' }).where('id', '=', sub.id).execute();
    const planned = await planDigests(env.db, new Date('2026-02-04T18:00:00Z'));
    assert.deepEqual(planned.map((p) => p.period), ['daily:2026-02-04']);
    const n = smtp.messages.length;
    await env.work(new Date('2026-02-04T18:00:01Z'));
    const [digest] = (await smtp.waitFor(n + 1)).slice(n);
    assert.match(header(digest!, 'x-paperboy-digest'), /daily:2026-02-04/);
    assert.ok(papersIn(digest!).length > 0);
    assert.match(digest!.text ?? '', /Why: top of the day/);
  });

  test('headers, both parts, reasons, and every link works when followed; forged and re-addressed tokens are refused', async () => {
    const { db, app, featured } = env;
    const alice = await createUser(db, { email: 'alice@example.org', handle: 'alice' });
    const sub = await saveUserSubscription(db, alice, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'Pacific/Auckland' }, { now: new Date('2026-01-01T00:00:00Z') });
    // A saved search matching a paper listed on 2026-02-04, and a followed author of another.
    await createSavedSearch(db, alice.id, { name: 'Greeks <b>& friends</b>', query: 'Malliavin Greeks', filters: {} });
    await follow(db, alice.id, 'author', 'Sayan Biswas');
    // 08:00 NZDT on 2026-02-05 is 19:00 UTC on the 4th.
    const planned = await planDigests(db, new Date('2026-02-04T19:00:00Z'));
    assert.deepEqual(planned.filter((p) => p.subscription.id === sub.id).map((p) => p.period), ['daily:2026-02-05']);
    const n = smtp.messages.length;
    await env.work(new Date('2026-02-04T19:00:01Z'));
    const mail = (await smtp.waitFor(n + 1)).slice(n).find((m) => JSON.stringify(m.to).includes('alice@'))!;
    assert.ok(mail, 'alice got her digest');

    // RFC 8058 headers: an https-or-http URL and a mailto:, plus the one-click marker.
    const lu = header(mail, 'list-unsubscribe');
    const unsubscribe = /<(https?:\/\/[^>]+\/unsubscribe\?token=[^>]+)>/.exec(lu)?.[1];
    assert.ok(unsubscribe, `List-Unsubscribe has the URL: ${lu}`);
    assert.match(lu, /<mailto:[^>]+>/);
    assert.equal(header(mail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    // Both parts.
    assert.ok(mail.text && mail.text.length > 200, 'a plain-text part');
    assert.ok(typeof mail.html === 'string' && mail.html.includes('<table'), 'an HTML part');
    assert.match(mail.html as string, /<meta name="color-scheme" content="light dark">/);
    assert.match(mail.html as string, /@media \(prefers-color-scheme: dark\)/);
    assert.ok((mail.html as string).includes(unsubscribe.replace(/&/g, '&amp;')), 'a visible unsubscribe link');
    // Reasons, with the saved search's name escaped in HTML.
    assert.match(mail.text!, /Why: top of the day/);
    assert.match(mail.text!, /Why: matched saved search "Greeks <b>& friends<\/b>"/);
    assert.match(mail.text!, /Why: followed author Sayan Biswas/);
    assert.ok((mail.html as string).includes('matched saved search &quot;Greeks &lt;b&gt;&amp; friends&lt;/b&gt;&quot;'));
    assert.ok(!(mail.html as string).includes('<b>& friends'), 'user text never raw in HTML');
    const ids = papersIn(mail);
    assert.ok(ids.includes('2602.02811'), 'the saved search found the Malliavin paper');
    assert.ok(ids.includes('2602.04352'), 'the followed author’s paper is in');
    assert.ok(ids.includes(featured[0]!.id) || ids.length >= 10);

    // View in browser.
    const view = /View in your browser: (\S+)/.exec(mail.text!)![1]!;
    const viewed = await app.request(pathOf(view));
    assert.equal(viewed.status, 200);
    assert.ok((await viewed.text()).includes('Malliavin'));
    // Feedback: more like this, not interested.
    const more = /More like this: (\S+)/.exec(mail.text!)![1]!;
    const fb = await app.request(pathOf(more));
    assert.equal(fb.status, 200);
    const notInterested = [...mail.text!.matchAll(/Not interested: (\S+)/g)].map((m) => m[1]!);
    assert.equal((await app.request(pathOf(notInterested[1]!))).status, 200);
    const rows = await db.selectFrom('digest_feedback').selectAll().where('subscription_id', '=', sub.id).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.kind), ['more', 'not_interested']);
    assert.equal(rows[0]!.user_id, alice.id);

    // Forged: a changed signature, a changed payload, a token of another purpose, a token made for another address.
    const token = new URL(unsubscribe).searchParams.get('token')!;
    const [body, sig] = token.split('.') as [string, string];
    const flipped = `${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const bob = await createUser(db, { email: 'bob@example.org', handle: 'bob' });
    const bobSub = await saveUserSubscription(db, bob, DEFAULT_SETTINGS, { now: new Date('2026-01-01T00:00:00Z') });
    const otherBody = Buffer.from(JSON.stringify({ s: bobSub.id }), 'utf8').toString('base64url');
    const key = await loadSecret(db, env.config);
    const forAnotherAddress = makeDigestToken(key, 'digest-unsubscribe', { s: bobSub.id }, 'alice@example.org');
    const viewToken = new URL(view).searchParams.get('token')!;
    for (const bad of [flipped, `${otherBody}.${sig}`, forAnotherAddress, viewToken, 'garbage', '']) {
      const r = await app.request(`/unsubscribe?token=${encodeURIComponent(bad)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(r.status, 400, `refused: ${bad.slice(0, 30)}`);
    }
    assert.equal((await app.request(`/digest/feedback?token=${encodeURIComponent(flipped)}`)).status, 400);
    assert.equal((await app.request(`/digest/view/${planned[0]!.sendId + 999}?token=${encodeURIComponent(viewToken)}`)).status, 400);
    assert.equal((await getSubscription(db, bobSub.id))!.disabledAt, null, 'bob is still subscribed');

    // GET shows a confirmation button and changes nothing; the one-click POST (no cookie, no CSRF token) unsubscribes.
    const confirmPage = await app.request(pathOf(unsubscribe));
    assert.equal(confirmPage.status, 200);
    assert.equal((await getSubscription(db, sub.id))!.disabledAt, null);
    const oneClick = await app.request(pathOf(unsubscribe), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.com' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(oneClick.status, 200);
    const after = (await getSubscription(db, sub.id))!;
    assert.equal(after.disabledReason, 'unsubscribed');
    const later = await planDigests(db, new Date('2026-02-05T19:00:00Z'));
    assert.ok(!later.some((p) => p.subscription.id === sub.id), 'no digest after unsubscribing');
  });

  test('never the same paper twice to one reader, over days whose windows overlap', async () => {
    const { db } = env;
    const carol = await createUser(db, { email: 'carol@example.org', handle: 'carol' });
    await saveUserSubscription(db, carol, { ...DEFAULT_SETTINGS, hour: 6, timezone: 'UTC' }, { now: new Date('2026-01-01T00:00:00Z') });
    await follow(db, carol.id, 'category', 'cs.LG');
    const seen: string[] = [];
    for (const day of ['2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06']) {
      const n = smtp.messages.length;
      const planned = (await planDigests(db, new Date(`${day}T06:00:00Z`))).filter((p) => p.subscription.email === 'carol@example.org');
      assert.equal(planned.length, 1);
      await env.work(new Date(`${day}T06:00:01Z`));
      const send = (await listDigestSends(db, { subscriptionId: planned[0]!.subscription.id })).find((s) => s.period === `daily:${day}`)!;
      if (send.status === 'skipped') continue;
      assert.equal(send.status, 'sent');
      const mail = (await smtp.waitFor(n + 1)).slice(n).find((m) => JSON.stringify(m.to).includes('carol@'))!;
      seen.push(...papersIn(mail));
    }
    assert.ok(seen.length >= 10, `carol got papers (${seen.length})`);
    assert.equal(new Set(seen).size, seen.length, 'no paper twice');
    const ledger = await db.selectFrom('digest_mailed').select('paper_id').where('recipient', '=', 'carol@example.org').execute();
    assert.equal(ledger.length, seen.length);
  });
});

/** An SMTP server that refuses the first `failures` recipients with `code`, then accepts (and keeps) mail. */
async function flakySmtp(failures: number, code: number) {
  const messages: ParsedMail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      if (refused < failures) {
        refused++;
        const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
        err.responseCode = code;
        return cb(err);
      }
      cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => (messages.push(m), cb()), cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, messages, refusedCount: () => refused, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('"not interested" anywhere leaves a paper out of every section', () => {
  test('a paper dismissed on the site or in a digest is out of top, saved-search and follow sections', async () => {
    const conn = await freshDb();
    try {
      const db = conn.db;
      const featured = await seedDigestData(db);
      const bob = await createUser(db, { email: 'bob@example.org', handle: 'bob' });
      const sub = await saveUserSubscription(db, bob, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'Pacific/Auckland' }, { now: new Date('2026-01-01T00:00:00Z') });
      await createSavedSearch(db, bob.id, { name: 'Greeks', query: 'Malliavin Greeks', filters: {} });
      await follow(db, bob.id, 'author', 'Sayan Biswas');
      const period = periodOn(sub, '2026-02-05')!;
      const pick = async () => (await pickPapers(db, sub, period, { feedTimezone: 'UTC' })).map((r) => r.paperId);
      const before = await pick();
      const top = featured[0]!.id;
      for (const id of ['2602.02811', '2602.04352', top]) assert.ok(before.includes(id), `${id} is in the digest before any feedback: ${before}`);
      // On the site: the saved search's paper and the top paper; in the digest itself: the followed author's.
      await setPaperFeedback(db, bob.id, '2602.02811', 'not_interested');
      await setPaperFeedback(db, bob.id, top, 'not_interested');
      await recordFeedback(db, { subscriptionId: sub.id, userId: bob.id, paperId: '2602.04352', kind: 'not_interested' });
      const after = await pick();
      for (const id of ['2602.02811', '2602.04352', top]) assert.ok(!after.includes(id), `${id} is left out after "not interested": ${after}`);
      // Everything else stays (another top paper may move up into the freed place).
      for (const id of before.filter((x) => !['2602.02811', '2602.04352', top].includes(x))) assert.ok(after.includes(id), `${id} stays`);
      // "More like this" excludes nothing.
      await setPaperFeedback(db, bob.id, '2602.02811', 'more');
      assert.ok((await pick()).includes('2602.02811'), 'a paper marked "more like this" comes back');
    } finally {
      await conn.close();
    }
  });
});

describe('SMTP failures', () => {
  test('a temporary failure (451) puts the send back and the job retries it later; it is delivered once', async () => {
    const smtp = await flakySmtp(2, 451);
    const env = await setup(smtp.url);
    try {
      const u = await createUser(env.db, { email: 'temp@example.org', handle: 'temp' });
      const sub = await saveUserSubscription(env.db, u, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'UTC' }, { now: new Date('2026-01-01T00:00:00Z') });
      const t0 = new Date('2026-02-04T08:00:00Z');
      const [p] = await planDigests(env.db, t0);
      const r1 = await env.work(t0);
      assert.deepEqual(r1.map((r) => r.outcome), ['retry']);
      let send = (await listDigestSends(env.db, { subscriptionId: sub.id }))[0]!;
      assert.equal(send.status, 'planned');
      assert.match(send.lastError ?? '', /temporary: .*451/);
      assert.equal((await env.db.selectFrom('digest_mailed').select('paper_id').where('send_id', '=', p!.sendId).execute()).length, 0, 'papers released');
      // Not before the backoff (30 s), then again (second refusal), then delivered.
      assert.deepEqual(await env.work(new Date(t0.getTime() + 10_000)), []);
      assert.deepEqual((await env.work(new Date(t0.getTime() + 31_000))).map((r) => r.outcome), ['retry']);
      assert.deepEqual((await env.work(new Date(t0.getTime() + 200_000))).map((r) => r.outcome), ['done']);
      send = (await listDigestSends(env.db, { subscriptionId: sub.id }))[0]!;
      assert.equal(send.status, 'sent');
      assert.equal(send.attempts, 3);
      assert.ok(send.messageId && send.messageId.length > 5, 'the Message-ID is recorded');
      assert.equal(smtp.messages.length, 1);
      assert.equal(smtp.messages[0]!.messageId, send.messageId);
    } finally {
      await env.conn.close();
      await smtp.close();
    }
  });

  test('a permanent failure (550) fails the send, counts a bounce, and disables the address after PAPERBOY_DIGEST_MAX_BOUNCES', async () => {
    const smtp = await flakySmtp(100, 550);
    const env = await setup(smtp.url, { digestMaxBounces: 2 });
    try {
      const u = await createUser(env.db, { email: 'gone@example.org', handle: 'gone' });
      const sub = await saveUserSubscription(env.db, u, { ...DEFAULT_SETTINGS, hour: 8, timezone: 'UTC' }, { now: new Date('2026-01-01T00:00:00Z') });
      await planDigests(env.db, new Date('2026-02-04T08:00:00Z'));
      assert.deepEqual((await env.work(new Date('2026-02-04T08:00:01Z'))).map((r) => r.outcome), ['done'], 'no retry of a 5xx');
      let s = (await getSubscription(env.db, sub.id))!;
      assert.equal(s.bounceCount, 1);
      assert.equal(s.disabledAt, null);
      const sends = await listDigestSends(env.db, { subscriptionId: sub.id });
      assert.equal(sends[0]!.status, 'failed');
      assert.match(sends[0]!.lastError ?? '', /^permanent: .*550/);
      await planDigests(env.db, new Date('2026-02-05T08:00:00Z'));
      await env.work(new Date('2026-02-05T08:00:01Z'));
      s = (await getSubscription(env.db, sub.id))!;
      assert.equal(s.bounceCount, 2);
      assert.equal(s.disabledReason, 'bounced');
      assert.deepEqual((await planDigests(env.db, new Date('2026-02-06T08:00:00Z'))).length, 0, 'nothing more for a bounced address');
      assert.equal(smtp.messages.length, 0);
      assert.equal(smtp.refusedCount(), 2);
    } finally {
      await env.conn.close();
      await smtp.close();
    }
  });
});

describe('settings API', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup('smtp://127.0.0.1:1');
  });
  after(() => env.conn.close());

  test('GET/PUT /api/v1/me/subscription and saved searches with a Bearer token; JSON errors', async () => {
    const { app, db } = env;
    const u = await createUser(db, { email: 'api@example.org', handle: 'apiuser' });
    const auth = { authorization: `Bearer ${await apiTokenFor(db, u.id)}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const get = await app.request('/api/v1/me/subscription', { headers: auth });
    assert.equal(get.status, 200);
    assert.deepEqual(await get.json(), { subscribed: false, active: false, cadence: 'daily', hour: 8, timezone: 'UTC', include: DEFAULT_SETTINGS.include, disabledReason: null });
    const put = await app.request('/api/v1/me/subscription', {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ cadence: 'weekly', hour: 7, timezone: 'Europe/Paris', include: { top: false } }),
    });
    assert.equal(put.status, 200);
    const body = (await put.json()) as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.cadence, 'weekly');
    assert.deepEqual(body.include, { top: false, savedSearches: true, follows: true, picks: true });
    for (const bad of [{ hour: 24 }, { timezone: 'Mars/Olympus' }, { cadence: 'hourly' }, { include: { nope: true } }, 'x']) {
      const r = await app.request('/api/v1/me/subscription', { method: 'PUT', headers: json, body: JSON.stringify(bad) });
      assert.equal(r.status, 400);
      assert.ok(typeof ((await r.json()) as { error: string }).error === 'string');
    }
    const stop = await app.request('/api/v1/me/subscription', { method: 'PUT', headers: json, body: JSON.stringify({ active: false }) });
    assert.equal(((await stop.json()) as { active: boolean }).active, false);
    assert.equal((await app.request('/api/v1/me/subscription')).status, 401);

    const created = await app.request('/api/v1/me/saved-searches', { method: 'POST', headers: json, body: JSON.stringify({ query: 'diffusion', filters: { category: 'cs.CV' } }) });
    assert.equal(created.status, 201);
    const s = (await created.json()) as { id: number; name: string };
    assert.equal(s.name, 'diffusion');
    assert.equal((await app.request('/api/v1/me/saved-searches', { method: 'POST', headers: json, body: JSON.stringify({ query: 'diffusion', filters: { category: 'cs.CV' } }) })).status, 409);
    assert.equal((await app.request('/api/v1/me/saved-searches', { method: 'POST', headers: json, body: '{"query": ""}' })).status, 400);
    const list = (await (await app.request('/api/v1/me/saved-searches', { headers: auth })).json()) as { savedSearches: unknown[] };
    assert.equal(list.savedSearches.length, 1);
    const other = await createUser(db, { email: 'other@example.org', handle: 'other' });
    const otherAuth = { authorization: `Bearer ${await apiTokenFor(db, other.id)}` };
    assert.equal((await app.request(`/api/v1/me/saved-searches/${s.id}`, { method: 'DELETE', headers: otherAuth })).status, 404, 'not theirs');
    assert.equal((await app.request(`/api/v1/me/saved-searches/${s.id}`, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal((await app.request('/api/v1/me/saved-searches/abc', { method: 'DELETE', headers: auth })).status, 400);
  });
});
