/**
 * Author claims, code/project links and single-paper BibTeX, end to end through app.request() on a
 * database built by the real migrations (SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres):
 * who may claim and decide, who may edit links (and every refusal), link validation, links kept when
 * arXiv data is re-imported, and the BibTeX answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { Connection } from '../src/db/connect.ts';
import { claimedAuthorUserIds, listClaims } from '../src/store/claims.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { getPaper, type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { createUser, setBanned } from '../src/store/users.ts';
import { LINKS_REFUSAL } from '../src/web/routes/links.tsx';
import { apiTokenFor, signedInClient, TestClient } from './helpers/browser-session.ts';
import { readListings } from './helpers/corpus.ts';
import { freshApp } from './helpers/db.ts';

const SAMPLE = readListings(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url).pathname);
/** Real papers with at least three authors (one per scenario below). */
const [PAPER, OTHER, THIRD] = SAMPLE.filter((p) => p.authors.length >= 3) as [PaperInput, PaperInput, PaperInput];
const OLD_STYLE: PaperInput = { ...THIRD, id: 'hep-th/9901001', title: 'An old-style id: {braces} \\ and 100% of $x$' };

/** The text of the <p> after an error heading, unescaped enough to compare messages. */
async function pageText(res: Response): Promise<string> {
  return (await res.text()).replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

let app: Hono;
let conn: Connection;
let submitter: Awaited<ReturnType<typeof signedInClient>>;
let author: Awaited<ReturnType<typeof signedInClient>>;
let rival: Awaited<ReturnType<typeof signedInClient>>;
let stranger: Awaited<ReturnType<typeof signedInClient>>;
let moderator: Awaited<ReturnType<typeof signedInClient>>;

before(async () => {
  const made = await freshApp();
  app = made.app;
  conn = made.conn;
  await upsertPapers(conn.db, [PAPER, OTHER, THIRD, OLD_STYLE]);
  submitter = await signedInClient(app, conn.db, { email: 'sub@example.org', handle: 'sub' });
  author = await signedInClient(app, conn.db, { email: 'author@example.org', handle: 'author1' });
  rival = await signedInClient(app, conn.db, { email: 'rival@example.org', handle: 'rival' });
  stranger = await signedInClient(app, conn.db, { email: 'stranger@example.org', handle: 'stranger' });
  moderator = await signedInClient(app, conn.db, { email: 'mod@example.org', handle: 'mod1', role: 'moderator' });
  await upsertEntries(conn.db, [{ paperId: PAPER.id, feedDate: '2025-03-20', submittedAt: '2025-03-20T09:00:00Z', submitterName: 'Sub', submitterHandle: 'sub' }]);
  // The submission route records the submitter's account; here the entry is made directly.
  await conn.db.updateTable('daily_entries').set({ submitter_user_id: submitter.user.id }).where('paper_id', '=', PAPER.id).execute();
});
after(() => conn?.close());

const paperUrl = (id: string) => `/papers/${id}`;

describe('authorship claims', () => {
  it('refuses anonymous claims (sign in first) and claims without a CSRF token', async () => {
    const anon = new TestClient(app);
    const res = await anon.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[0]! });
    assert.equal(res.status, 401);
    const noCsrf = await author.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[0]! }, { csrfFrom: null });
    assert.equal(noCsrf.status, 403);
    assert.equal((await listClaims(conn.db)).length, 0);
  });

  it('offers signed-in readers a claim form listing the paper\'s author names; anonymous readers a sign-in link', async () => {
    const html = await (await author.get(paperUrl(PAPER.id))).text();
    assert.match(html, new RegExp(`action="/papers/${PAPER.id}/claim"`));
    for (const name of PAPER.authors) assert.ok(html.includes(`<option value="${name}">`), name);
    const anonHtml = await (await app.request(paperUrl(PAPER.id))).text();
    assert.doesNotMatch(anonHtml, /\/claim"/);
    assert.match(anonHtml, /Sign in<\/a> to claim authorship/);
  });

  it('refuses a name that is not one of the listed authors (400) and an unknown paper (404)', async () => {
    const res = await author.post(`${paperUrl(PAPER.id)}/claim`, { author: 'Somebody Else' }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choose one of the names listed as authors/);
    const unknown = await author.post('/papers/2501.99999/claim', { author: 'X' }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(unknown.status, 404);
    const bad = await author.post('/papers/not-an-id/claim', { author: 'X' }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(bad.status, 400);
  });

  it('records a pending claim, shows it as pending, and refuses a second claim (409)', async () => {
    const res = await author.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[1]! }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${PAPER.id}#links`);
    const html = await pageText(await author.get(paperUrl(PAPER.id)));
    assert.ok(html.includes(`Your claim to be ${PAPER.authors[1]} on this paper is waiting for a moderator.`));
    assert.equal((await claimedAuthorUserIds(conn.db, PAPER.id)).size, 0, 'pending is not claimed');
    const again = await author.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[2]! }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(again.status, 409);
    assert.match(await pageText(again), /already claimed to be/);
  });

  it('lists pending claims for moderators only', async () => {
    assert.equal((await author.get('/moderation/claims')).status, 403);
    const anon = await app.request('/moderation/claims');
    assert.equal(anon.status, 303, 'anonymous readers are sent to sign in');
    const html = await pageText(await moderator.get('/moderation/claims'));
    assert.ok(html.includes('@author1'));
    assert.ok(html.includes(`<strong>${PAPER.authors[1]}</strong>`));
    assert.match(html, /1 claim waiting/);
  });

  it('refuses decisions by non-moderators and without CSRF, then lets a moderator approve', async () => {
    const [claim] = await listClaims(conn.db, { status: 'pending' });
    assert.ok(claim);
    assert.equal((await author.post(`/moderation/claims/${claim.id}/approve`, {}, { csrfFrom: paperUrl(PAPER.id) })).status, 403);
    assert.equal((await moderator.post(`/moderation/claims/${claim.id}/approve`, {}, { csrfFrom: null })).status, 403);
    assert.equal((await moderator.post('/moderation/claims/999999/approve', {}, { csrfFrom: '/moderation/claims' })).status, 404);
    const res = await moderator.post(`/moderation/claims/${claim.id}/approve`, {}, { csrfFrom: '/moderation/claims' });
    assert.equal(res.status, 303);
    assert.match(await (await moderator.get(res.headers.get('location')!)).text(), /Claim approved\./);
    assert.deepEqual([...(await claimedAuthorUserIds(conn.db, PAPER.id))], [author.user.id]);
    const again = await moderator.post(`/moderation/claims/${claim.id}/reject`, {}, { csrfFrom: '/moderation/claims' });
    assert.equal(again.status, 409, 'a decided claim stays decided');
  });

  it('shows the claimed-author badge next to the name, to everyone', async () => {
    const html = await (await app.request(paperUrl(PAPER.id))).text();
    assert.match(html, new RegExp(`>${PAPER.authors[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</a><span class="badge claimed"[^>]*> ✓ @author1</span>`));
    const mine = await pageText(await author.get(paperUrl(PAPER.id)));
    assert.ok(mine.includes(`You are a claimed author of this paper (${PAPER.authors[1]}).`));
    // A claimed name is no longer offered to others.
    const rivalHtml = await rival.get(paperUrl(PAPER.id)).then((r) => r.text());
    // Only the claim form: the follow box next to it lists every author, claimed or not.
    const claimForm = /<form[^>]*class="inline-form claim-form"[^>]*>[\s\S]*?<\/form>/.exec(rivalHtml)?.[0];
    assert.ok(claimForm?.includes(`<option value="${PAPER.authors[0]}">`), 'the claim form lists the unclaimed names');
    assert.ok(!claimForm!.includes(`<option value="${PAPER.authors[1]}">`), 'the claimed name is not offered');
  });

  it('refuses to approve a second account for a name already claimed on the paper (409)', async () => {
    const res = await rival.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[1]! }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(res.status, 303, 'the claim itself is recorded for a moderator to judge');
    const [claim] = await listClaims(conn.db, { status: 'pending', userId: rival.user.id });
    const approve = await moderator.post(`/moderation/claims/${claim!.id}/approve`, {}, { csrfFrom: '/moderation/claims' });
    assert.equal(approve.status, 409);
    assert.match(await approve.text(), /already claimed by @author1/);
    const reject = await moderator.post(`/moderation/claims/${claim!.id}/reject`, {}, { csrfFrom: '/moderation/claims' });
    assert.equal(reject.status, 303);
    assert.match(await pageText(await rival.get(paperUrl(PAPER.id))), /was rejected by a moderator/);
    const retry = await rival.post(`${paperUrl(PAPER.id)}/claim`, { author: PAPER.authors[2]! }, { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(retry.status, 409);
    assert.deepEqual([...(await claimedAuthorUserIds(conn.db, PAPER.id))], [author.user.id]);
  });

  it('refuses a banned user', async () => {
    const banned = await signedInClient(app, conn.db, { email: 'banned@example.org', handle: 'banned1' });
    const csrf = await banned.csrf(paperUrl(OTHER.id));
    await setBanned(conn.db, 'banned1', true);
    const res = await banned.post(`${paperUrl(OTHER.id)}/claim`, { author: OTHER.authors[0]!, _csrf: csrf });
    assert.ok(res.status === 401 || res.status === 403, `status ${res.status}`);
    assert.equal((await listClaims(conn.db, { paperId: OTHER.id })).length, 0);
  });
});

describe('code and project links', () => {
  const linksPath = `${paperUrl(PAPER.id)}/links`;
  const form = (code: string, project: string) => ({ code_url: code, project_url: project });

  it('shows the links form only to people allowed to use it', async () => {
    for (const [who, client] of [['submitter', submitter], ['claimed author', author], ['moderator', moderator]] as const) {
      const html = await (await client.get(paperUrl(PAPER.id))).text();
      assert.match(html, new RegExp(`action="/papers/${PAPER.id}/links"`), who);
    }
    for (const client of [stranger, rival]) assert.doesNotMatch(await (await client.get(paperUrl(PAPER.id))).text(), /\/links"/);
    assert.doesNotMatch(await (await app.request(paperUrl(PAPER.id))).text(), /name="code_url"/);
  });

  it('refuses others with a clear message and changes nothing', async () => {
    const res = await stranger.post(linksPath, form('https://github.com/evil/repo', ''), { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(res.status, 403);
    assert.ok((await pageText(res)).includes(LINKS_REFUSAL));
    const anon = new TestClient(app);
    assert.equal((await anon.post(linksPath, form('https://github.com/evil/repo', ''))).status, 401);
    assert.equal((await submitter.post(linksPath, form('https://github.com/evil/repo', ''), { csrfFrom: null })).status, 403);
    // A pending claim gives no rights.
    await stranger.post(`${paperUrl(OTHER.id)}/claim`, { author: OTHER.authors[0]! }, { csrfFrom: paperUrl(OTHER.id) });
    assert.equal((await stranger.post(`${paperUrl(OTHER.id)}/links`, form('https://github.com/x/y', ''), { csrfFrom: paperUrl(OTHER.id) })).status, 403);
    const paper = await getPaper(conn.db, PAPER.id);
    assert.equal(paper!.codeUrl, null);
  });

  it('lets the submitter set both links, shown on the paper page', async () => {
    const res = await submitter.post(linksPath, form(' https://github.com/org/repo ', 'https://project.example.org/page'), { csrfFrom: paperUrl(PAPER.id) });
    assert.equal(res.status, 303);
    const paper = await getPaper(conn.db, PAPER.id);
    assert.equal(paper!.codeUrl, 'https://github.com/org/repo');
    assert.equal(paper!.projectUrl, 'https://project.example.org/page');
    const html = await (await app.request(paperUrl(PAPER.id))).text();
    assert.match(html, /<a class="button" href="https:\/\/github.com\/org\/repo" rel="noopener nofollow">\s*Code/);
    assert.match(html, /href="https:\/\/project.example.org\/page"/);
  });

  it('refuses anything but plain https links, naming the field', async () => {
    const bad = ['javascript:alert(1)', 'http://github.com/org/repo', 'https://user:pw@github.com/x', 'https://exa mple.org', 'data:text/html,<script>alert(1)</script>', 'https:github.com', '//github.com/x', `https://e.org/${'a'.repeat(2100)}`];
    for (const value of bad) {
      const res = await submitter.post(linksPath, form(value, ''), { csrfFrom: paperUrl(PAPER.id) });
      assert.equal(res.status, 400, value);
      assert.match(await res.text(), /The code repository link must be an https:\/\/ link/, value);
      const res2 = await submitter.post(linksPath, form('', value), { csrfFrom: paperUrl(PAPER.id) });
      assert.equal(res2.status, 400, value);
      assert.match(await res2.text(), /The project page link must be/, value);
    }
    const paper = await getPaper(conn.db, PAPER.id);
    assert.equal(paper!.codeUrl, 'https://github.com/org/repo', 'unchanged after refusals');
  });

  it('lets an approved claimed author and a moderator edit; empty removes a link', async () => {
    assert.equal((await author.post(linksPath, form('https://github.com/author/repo', 'https://project.example.org/page'), { csrfFrom: paperUrl(PAPER.id) })).status, 303);
    assert.equal((await getPaper(conn.db, PAPER.id))!.codeUrl, 'https://github.com/author/repo');
    assert.equal((await moderator.post(linksPath, form('https://github.com/author/repo', ''), { csrfFrom: paperUrl(PAPER.id) })).status, 303);
    assert.equal((await getPaper(conn.db, PAPER.id))!.projectUrl, null);
    // Moderators may edit any paper, featured or not.
    assert.equal((await moderator.post(`${paperUrl(OTHER.id)}/links`, form('https://gitlab.com/o/r', ''), { csrfFrom: paperUrl(OTHER.id) })).status, 303);
    assert.equal((await getPaper(conn.db, OTHER.id))!.codeUrl, 'https://gitlab.com/o/r');
  });

  it('keeps community links when the paper is re-imported from arXiv (newer version, no links)', async () => {
    const before = await getPaper(conn.db, PAPER.id);
    await upsertPapers(conn.db, [{ ...PAPER, version: 2, title: `${PAPER.title} (v2)`, updatedAt: '2026-01-01T00:00:00Z', codeUrl: null, projectUrl: null }]);
    const after = await getPaper(conn.db, PAPER.id);
    assert.equal(after!.version, 2);
    assert.equal(after!.title, `${PAPER.title} (v2)`);
    assert.equal(after!.codeUrl, before!.codeUrl);
    assert.equal(after!.codeUrl, 'https://github.com/author/repo');
  });

  it('PUT /api/v1/papers/{id}/links: Bearer token, JSON errors with the right status', async () => {
    const url = `/api/v1/papers/${PAPER.id}/links`;
    const put = (token: string | null, body: unknown) =>
      app.request(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const none = await put(null, { codeUrl: 'https://github.com/a/b' });
    assert.equal(none.status, 401);
    assert.ok(((await none.json()) as { error: string }).error);
    const strangerToken = await apiTokenFor(conn.db, stranger.user.id);
    const refused = await put(strangerToken, { codeUrl: 'https://github.com/a/b' });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: string }).error, LINKS_REFUSAL);
    const token = await apiTokenFor(conn.db, submitter.user.id);
    const invalid = await put(token, { codeUrl: 'javascript:alert(1)' });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: string }).error, /https:\/\//);
    assert.equal((await put(token, { codeUrl: 42 })).status, 400);
    assert.equal((await put(token, [1])).status, 400);
    const ok = await put(token, { projectUrl: 'https://new.example.org/' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { id: PAPER.id, codeUrl: 'https://github.com/author/repo', projectUrl: 'https://new.example.org/' });
    const cleared = await put(token, { codeUrl: null });
    assert.deepEqual(await cleared.json(), { id: PAPER.id, codeUrl: null, projectUrl: 'https://new.example.org/' });
    assert.equal((await put(token, {})).status, 200);
    const missing = await app.request('/api/v1/papers/2501.99999/links', { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(missing.status, 404);
  });
});

describe('GET /papers/{id}/bibtex', () => {
  it('answers the entry as text/plain, linked from the paper page', async () => {
    const res = await app.request(`${paperUrl(OTHER.id)}/bibtex`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/i);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const text = await res.text();
    assert.match(text, /^@misc\{[a-z0-9]+,\n/);
    assert.ok(text.includes(`  eprint = {${OTHER.id}},\n`));
    assert.ok(text.includes('  archivePrefix = {arXiv},\n'));
    assert.ok(text.includes(`  primaryClass = {${OTHER.categories[0]}},\n`));
    assert.ok(text.includes(`  url = {https://arxiv.org/abs/${OTHER.id}},\n`));
    assert.ok(text.includes(`  year = {${OTHER.publishedAt.slice(0, 4)}},\n`));
    const html = await (await app.request(paperUrl(OTHER.id))).text();
    assert.ok(html.includes(`href="/papers/${OTHER.id}/bibtex"`));
  });

  it('works for old-style ids and escapes TeX specials in the title', async () => {
    const res = await app.request('/papers/hep-th/9901001/bibtex');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.includes('  eprint = {hep-th/9901001},\n'));
    assert.ok(text.includes('title = {An old-style id: \\textbraceleft{}braces\\textbraceright{} \\textbackslash{} and 100\\% of \\$x\\$},'), text);
  });

  it('answers 404 for an unknown paper and 400 for a malformed id; the paper page is unaffected', async () => {
    assert.equal((await app.request('/papers/2501.99999/bibtex')).status, 404);
    assert.equal((await app.request('/papers/nonsense/bibtex')).status, 400);
    assert.equal((await app.request('/papers/%E0%A4%A/bibtex')).status, 400);
    assert.equal((await app.request(paperUrl(OTHER.id))).status, 200);
  });
});

// Users without sessions exist too (created by the CLI): a claim needs an account, not a session.
describe('claims store', () => {
  it('claimedAuthorUserIds is empty for a paper nobody claimed', async () => {
    await createUser(conn.db, { email: 'cli@example.org', handle: 'cliuser' });
    assert.equal((await claimedAuthorUserIds(conn.db, THIRD.id)).size, 0);
  });
});
