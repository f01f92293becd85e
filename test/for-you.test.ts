/**
 * "For you" end to end on a database built by the real migrations (SQLite, or PostgreSQL with
 * PAPERBOY_TEST_DIALECT=postgres), with the real built-in embedder trained on the 1,000 real papers of
 * testdata/ and the real Semantic service over their stored vectors: a reader who upvotes quantum
 * papers and dismisses computer-vision ones gets quantum papers first, each with why; mutes (author,
 * category, keyword) remove papers; a pasted-text interest ranks by itself; the private Atom feed;
 * the JSON API and its refusals; and the digest's personal picks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { pickPapers } from '../src/digest/compose.ts';
import { picksFromConfig } from '../src/digest/picks.ts';
import { periodOn } from '../src/digest/period.ts';
import { clearModelCache, forYou, personalPicks } from '../src/foryou/recommend.ts';
import { createLogger } from '../src/log.ts';
import { trainBuiltin } from '../src/search/embed/builtin.ts';
import { paperText } from '../src/search/embed/embedder.ts';
import { openSemantic, type Semantic } from '../src/search/semantic.ts';
import { saveModel, upsertEmbeddings } from '../src/store/embeddings.ts';
import { regenerateFeedToken } from '../src/store/feed-tokens.ts';
import { addMute, listMutes } from '../src/store/mutes.ts';
import type { PaperInput } from '../src/store/papers.ts';
import { getUserSubscription, saveUserSubscription } from '../src/store/subscriptions.ts';
import { setVote } from '../src/store/votes.ts';
import { createApp } from '../src/web/app.ts';
import { apiTokenFor, signedInClient } from './helpers/browser-session.ts';
import { loadPapers, readListings } from './helpers/corpus.ts';
import { freshDb, testConfig } from './helpers/db.ts';

const sample: PaperInput[] = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
const isQuantum = (p: { title: string; abstract: string; categories: string[] }) =>
  p.categories.includes('quant-ph') || /\bquantum\b/i.test(p.title);
const isVision = (p: { categories: string[] }) => p.categories[0] === 'cs.CV';
const quantum = sample.filter(isQuantum);
const vision = sample.filter(isVision);
const byId = new Map(sample.map((p) => [p.id, p]));
// The model is trained once for both databases' runs of this file (seconds, not minutes).
const model = trainBuiltin(sample.map(paperText), { dim: 64, minDf: 2 });
const NOW = new Date('2026-07-15T12:00:00Z');
const ALL = 'since=2025-01-01';

let env: Awaited<ReturnType<typeof setup>>;

async function setup() {
  const conn = await freshDb();
  const db = conn.db;
  await loadPapers(db, sample);
  await saveModel(db, { name: model.name, kind: 'builtin', dim: model.dim, params: model.serialize(), corpusSize: sample.length });
  const vectors = model.embedSync(sample.map(paperText));
  await upsertEmbeddings(db, model.name, sample.map((p, i) => ({ paperId: p.id, version: p.version, vector: vectors[i]! })));
  const config = testConfig();
  const log = createLogger('silent');
  const semantic = await openSemantic(db, config, log, { embedder: model, refreshMs: 0 });
  const app = createApp({ db, config, log, semantic, now: () => NOW });
  const bare = createApp({ db, config, log, now: () => NOW });
  const alice = await signedInClient(app, db, { email: 'alice@example.org', handle: 'alice' });
  const token = await apiTokenFor(db, alice.user.id);
  // Alice likes five quantum papers and is not interested in five vision ones.
  const liked = quantum.slice(0, 5).map((p) => p.id);
  for (const id of liked) await setVote(db, alice.user.id, id, true);
  const disliked = vision.slice(0, 5).map((p) => p.id);
  for (const id of disliked) await alice.post('/for-you/feedback', { paper_id: id, kind: 'not_interested', next: '/for-you' }, { csrfFrom: '/for-you' });
  return { conn, db, app, bare, semantic, alice, token, liked, disliked };
}

async function api(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${env.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return env.app.request(path, { ...init, headers });
}

type Item = { paperId: string; title: string; score: number; why: { papers: { id: string; title: string }[]; terms: string[]; interest?: string } };
async function recs(query = ALL): Promise<{ status: string; items: Item[] }> {
  const res = await api(`/api/v1/me/for-you?limit=20&${query}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { status: string; items: Item[] };
}

before(async () => {
  clearModelCache();
  env = await setup();
});
after(async () => {
  (env.semantic as Semantic).close();
  await env.conn.close();
});

describe('recommendations', () => {
  it('a reader who likes quantum papers and dismisses vision ones gets quantum papers first, never what they voted or dismissed', async () => {
    const r = await recs();
    assert.equal(r.status, 'ok');
    assert.equal(r.items.length, 20);
    const top10 = r.items.slice(0, 10).map((i) => byId.get(i.paperId)!);
    const q = top10.filter(isQuantum).length;
    // About 3% of the sample is quantum; the top ten are mostly quantum.
    assert.ok(q >= 7, `quantum papers in the top 10: ${q} (${top10.map((p) => p.title).join(' | ')})`);
    assert.equal(r.items.filter((i) => isVision(byId.get(i.paperId)!)).length <= 2, true, 'hardly any vision paper');
    for (const i of r.items) {
      assert.ok(!env.liked.includes(i.paperId), 'an upvoted paper is not recommended again');
      assert.ok(!env.disliked.includes(i.paperId), 'a dismissed paper is never recommended');
    }
    for (let k = 1; k < r.items.length; k++) assert.ok(r.items[k - 1]!.score >= r.items[k]!.score, 'best first');
  });

  it('each recommendation says why: liked papers it is close to and shared terms', async () => {
    const r = await recs();
    const first = r.items[0]!;
    assert.ok(first.why.papers.length >= 1, 'names at least one liked paper');
    for (const p of first.why.papers) assert.ok(env.liked.includes(p.id), 'the named paper is one the reader liked');
    assert.ok(r.items.some((i) => i.why.terms.length > 0), 'shared terms are given');
    // The page shows the same, with links to the liked papers and the feedback buttons.
    const html = await (await env.alice.get('/for-you')).text();
    assert.match(html, /<h1>For you<\/h1>/);
    assert.match(html, /Why: /);
    assert.match(html, /More like this/);
    assert.match(html, /Not interested/);
  });

  it('"more like this" counts as a like: the model is retrained and the paper leaves the list', async () => {
    const before = await recs();
    const target = before.items.find((i) => !isQuantum(byId.get(i.paperId)!)) ?? before.items[5]!;
    const res = await env.alice.post('/for-you/feedback', { paper_id: target.paperId, kind: 'more', next: '/for-you' }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/for-you');
    const after = await recs();
    assert.ok(!after.items.some((i) => i.paperId === target.paperId));
    assert.ok(after.items.some((i) => i.why.papers.some((p) => p.id === target.paperId)) || after.items.length > 0);
    // Undo: back to the previous state of signals.
    await env.alice.post('/for-you/feedback', { paper_id: target.paperId, kind: 'clear', next: '/for-you' }, { csrfFrom: '/for-you' });
    assert.deepEqual((await recs()).items.map((i) => i.paperId), before.items.map((i) => i.paperId));
  });

  it('the paper page carries the same feedback buttons for signed-in readers, and they return to the paper', async () => {
    const id = quantum[9]!.id;
    const path = `/papers/${id}`;
    assert.doesNotMatch(await (await env.app.request(path)).text(), /More like this/, 'anonymous readers get no buttons');
    assert.match(await (await env.alice.get(path)).text(), /More like this/);
    const res = await env.alice.post('/for-you/feedback', { paper_id: id, kind: 'more', next: path }, { csrfFrom: path });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), path);
    assert.match(await (await env.alice.get(path)).text(), /More like this \(undo\)/);
    await env.alice.post('/for-you/feedback', { paper_id: id, kind: 'clear', next: path }, { csrfFrom: path });
    assert.doesNotMatch(await (await env.alice.get(path)).text(), /\(undo\)/);
  });
});

describe('mutes', () => {
  it('muting the top paper’s first author, a category and a keyword removes those papers', async () => {
    const r = await recs();
    const top = byId.get(r.items[0]!.paperId)!;
    const author = top.authors[0]!;
    let res = await env.alice.post('/for-you/mutes', { kind: 'author', value: `  ${author.toUpperCase()} ` }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 303);
    let after = await recs();
    assert.ok(!after.items.some((i) => byId.get(i.paperId)!.authors.some((a) => a.toLowerCase() === author.toLowerCase())), 'no paper by the muted author');

    res = await env.alice.post('/for-you/mutes', { kind: 'category', value: 'quant-ph' }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 303);
    after = await recs();
    assert.ok(after.items.length > 0);
    assert.ok(!after.items.some((i) => byId.get(i.paperId)!.categories.includes('quant-ph')), 'no quant-ph paper');

    res = await api('/api/v1/me/mutes', { method: 'POST', body: JSON.stringify({ kind: 'keyword', value: 'Quantum' }) });
    assert.equal(res.status, 201);
    after = await recs();
    assert.ok(!after.items.some((i) => /(?<![\p{L}\p{N}])quantum(?![\p{L}\p{N}])/iu.test(paperText(byId.get(i.paperId)!))), 'no paper saying "quantum"');
    // The page is still full: muting most of what the model likes widens the search instead of emptying it.
    assert.equal(after.items.length, r.items.length, `a full page after the mutes: ${after.items.length} of ${r.items.length}`);

    // Unmute everything through the page's forms and the API; the list comes back.
    for (const m of await listMutes(env.db, env.alice.user.id)) {
      const del = m.kind === 'keyword' ? await api(`/api/v1/me/mutes/${m.id}`, { method: 'DELETE' }) : await env.alice.post(`/for-you/mutes/${m.id}/delete`, {}, { csrfFrom: '/for-you' });
      assert.ok(del.status === 204 || del.status === 303);
    }
    assert.deepEqual((await recs()).items.map((i) => i.paperId), r.items.map((i) => i.paperId));
  });

  it('bad mutes are refused with a message, never a 500', async () => {
    let res = await env.alice.post('/for-you/mutes', { kind: 'planet', value: 'x' }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /author, a category or a keyword/);
    res = await api('/api/v1/me/mutes', { method: 'POST', body: JSON.stringify({ kind: 'category', value: 'not a category!' }) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /cs\.CL/);
    res = await api('/api/v1/me/mutes', { method: 'POST', body: '{oops' });
    assert.equal(res.status, 400);
    res = await api('/api/v1/me/mutes/99999', { method: 'DELETE' });
    assert.equal(res.status, 404);
    res = await env.alice.post('/for-you/mutes/abc/delete', {}, { csrfFrom: '/for-you' });
    assert.equal(res.status, 404);
    // A mute is idempotent.
    await addMute(env.db, env.alice.user.id, 'keyword', 'zebra crossing');
    await addMute(env.db, env.alice.user.id, 'keyword', 'Zebra  Crossing');
    assert.equal((await listMutes(env.db, env.alice.user.id)).filter((m) => m.value === 'zebra crossing').length, 1);
  });
});

describe('interests', () => {
  it('a pasted-text interest ranks by itself and is named as the reason', async () => {
    const text =
      'Robots that learn manipulation policies: grasping objects with robot arms, imitation learning from demonstrations, and robot navigation.';
    const res = await env.alice.post('/for-you/interests', { name: 'Robot learning', body: text }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 303);
    const list = (await (await api('/api/v1/me/interests')).json()) as { interests: { id: number; name: string; embedded: boolean }[] };
    const robot = list.interests.find((i) => i.name === 'Robot learning')!;
    assert.equal(robot.embedded, true);
    const r = await recs(`${ALL}&interest=${robot.id}`);
    const top5 = r.items.slice(0, 5).map((i) => byId.get(i.paperId)!);
    const robotic = top5.filter((p) => p.categories.includes('cs.RO') || /robot/i.test(paperText(p))).length;
    assert.ok(robotic >= 4, `robotics papers in the top 5: ${robotic} (${top5.map((p) => p.title).join(' | ')})`);
    assert.equal(r.items[0]!.why.interest, 'Robot learning');
    const html = await (await env.alice.get(`/for-you?interest=${robot.id}`)).text();
    assert.match(html, /For you: Robot learning/);
    assert.match(html, /your interest “Robot learning”/);
  });

  it('refuses bad interests clearly', async () => {
    let res = await env.alice.post('/for-you/interests', { name: 'Short', body: 'too short' }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /at least 20 characters/);
    res = await env.alice.post('/for-you/interests', { name: 'Robot learning', body: 'x'.repeat(40) }, { csrfFrom: '/for-you' });
    assert.equal(res.status, 409);
    res = await api('/api/v1/me/interests', { method: 'POST', body: JSON.stringify({ collectionId: 424242 }) });
    assert.equal(res.status, 404);
    res = await api('/api/v1/me/interests', { method: 'POST', body: '[]' });
    assert.equal(res.status, 400);
    res = await env.alice.get('/for-you?interest=abc');
    assert.equal(res.status, 400);
    res = await env.alice.get('/for-you?interest=999999');
    assert.equal(res.status, 404);
    res = await api('/api/v1/me/for-you?limit=1000');
    assert.equal(res.status, 400);
    res = await api('/api/v1/me/for-you?since=yesterday');
    assert.equal(res.status, 400);
    res = await api('/api/v1/me/feedback', { method: 'POST', body: JSON.stringify({ paperId: '2501.99999', kind: 'more' }) });
    assert.equal(res.status, 404);
    res = await api('/api/v1/me/feedback', { method: 'POST', body: JSON.stringify({ paperId: 'nonsense', kind: 'more' }) });
    assert.equal(res.status, 400);
    res = await env.app.request('/api/v1/me/for-you');
    assert.equal(res.status, 401);
  });
});

describe('pages and feed without signals or embedder', () => {
  it('a new reader is told how to start; without an embedder the page says so (200, not 500)', async () => {
    const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
    let html = await (await bob.get('/for-you')).text();
    assert.match(html, /Nothing to go on yet/);
    assert.match(html, /upvote papers you like/);
    const bobBare = await signedInClient(env.bare, env.db, { email: 'carol@example.org', handle: 'carol' });
    const res = await bobBare.get('/for-you');
    assert.equal(res.status, 200);
    html = await res.text();
    assert.match(html, /has not built yet/);
    // Signed out: sent to sign in.
    const anon = await env.app.request('/for-you');
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location')!, /^\/signin\?next=/);
  });

  it('the private Atom feed lists the recommendations with why; a bad token is a 404', async () => {
    const token = await regenerateFeedToken(env.db, env.alice.user.id);
    // The feed covers the recent window (60 days before NOW); compare with the API on the same window.
    const expected = (await forYou(env.db, env.semantic, env.alice.user.id, { limit: 30, since: new Date(NOW.getTime() - 60 * 86_400_000).toISOString() })).items;
    const res = await env.app.request(`/feeds/for-you.atom?token=${encodeURIComponent(token)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /atom\+xml/);
    assert.match(res.headers.get('cache-control')!, /no-store/);
    const xml = await res.text();
    const feed = new XMLParser({ ignoreAttributes: false }).parse(xml).feed;
    assert.ok(feed.id && feed.title && feed.updated);
    assert.ok(!String(feed.id).includes(token), 'the feed id never holds the token');
    const entries = feed.entry === undefined ? [] : Array.isArray(feed.entry) ? feed.entry : [feed.entry];
    assert.equal(entries.length, expected.length);
    assert.ok(expected.length > 0, 'some recent papers are recommended');
    assert.match(String(entries[0].summary['#text'] ?? entries[0].summary), /^Why: /);
    assert.equal((await env.app.request('/feeds/for-you.atom?token=pbf_nope')).status, 404);
    assert.equal((await env.app.request('/feeds/for-you.atom')).status, 404);
  });
});

/** The Monday after a week in which the sample has a quantum paper that Alice has not voted for. */
function weekWithQuantum(): string {
  const target = quantum.find((p) => !env.liked.includes(p.id) && !p.title.match(/^$/) && new Date(p.publishedAt).getUTCDay() !== 1)!;
  const d = new Date(`${target.publishedAt.slice(0, 10)}T00:00:00Z`);
  return new Date(d.getTime() + ((8 - d.getUTCDay()) % 7 || 7) * 86_400_000).toISOString().slice(0, 10);
}

describe('digest personal picks', () => {
  it('a weekly digest with picks carries quantum papers of its week, "picked for you: close to …"', async () => {
    const user = env.alice.user;
    const sub = await saveUserSubscription(env.db, user, {
      cadence: 'weekly',
      hour: 8,
      timezone: 'UTC',
      include: { top: false, savedSearches: false, follows: false, picks: true },
    });
    const period = periodOn(sub, weekWithQuantum())!;
    const picks = (userId: number, since: string, limit: number) => personalPicks(env.db, env.semantic, userId, { limit, since });
    const items = await pickPapers(env.db, sub, period, { feedTimezone: 'UTC', picks });
    assert.ok(items.length > 0 && items.length <= 5);
    for (const it of items) {
      assert.match(it.reason, /^picked for you: /);
      const p = byId.get(it.paperId)!;
      assert.ok(p.publishedAt >= new Date(period.start.getTime() - 86_400_000).toISOString().slice(0, 10), 'published in the period');
    }
    assert.ok(items.some((it) => /close to “/.test(it.reason)), 'names a liked paper');
    assert.ok(items.some((it) => isQuantum(byId.get(it.paperId)!)), `a quantum paper is picked: ${items.map((i) => byId.get(i.paperId)!.title).join(' | ')}`);
    // Without a picks source (no embedder in this process), include.picks adds nothing.
    assert.deepEqual(await pickPapers(env.db, sub, period, { feedTimezone: 'UTC' }), []);
  });

  it('the worker and CLI source (picksFromConfig) opens its own Semantic service from the stored model and picks the same papers', async () => {
    const sub = (await getUserSubscription(env.db, env.alice.user.id))!;
    const period = periodOn(sub, weekWithQuantum())!;
    const direct = (userId: number, since: string, limit: number) => personalPicks(env.db, env.semantic, userId, { limit, since });
    const fromConfig = picksFromConfig(env.db, testConfig(), createLogger('silent'))!;
    try {
      const expected = await pickPapers(env.db, sub, period, { feedTimezone: 'UTC', picks: direct });
      assert.ok(expected.length > 0);
      assert.deepEqual(await pickPapers(env.db, sub, period, { feedTimezone: 'UTC', picks: fromConfig }), expected);
    } finally {
      fromConfig.close();
    }
    // Given the process's own service (serve --role all), it picks the same and leaves the service open.
    let used = 0;
    let closed = 0;
    const shared: Semantic = { ...env.semantic, index: () => (used++, env.semantic.index()), close: () => void closed++ };
    const sharing = picksFromConfig(env.db, testConfig(), createLogger('silent'), shared)!;
    assert.deepEqual(await pickPapers(env.db, sub, period, { feedTimezone: 'UTC', picks: sharing }), await pickPapers(env.db, sub, period, { feedTimezone: 'UTC', picks: direct }));
    assert.ok(used > 0, 'the shared service answered');
    sharing.close();
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, 0, 'the shared service is not closed by its borrower');
    // PAPERBOY_EMBEDDER=off: no source at all.
    assert.equal(picksFromConfig(env.db, testConfig({ embedder: { ...testConfig().embedder, kind: 'off' } }), createLogger('silent')), undefined);
  });
});
