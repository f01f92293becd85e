/**
 * Reports and moderation end to end through app.request() on a database built by the real migrations
 * (SQLite, or PostgreSQL with PAPERBOY_TEST_DIALECT=postgres): reporting (once per person while open),
 * /moderation for moderators and admins only, hiding and unhiding with a note, dismissing reports,
 * banning authors (who then cannot post by any route), and the limits on who may ban whom.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../src/config.ts';
import { CommentError, postComment } from '../src/store/comments.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { getUserById } from '../src/store/users.ts';
import { apiTokenFor, signedInClient, TestClient } from './helpers/browser-session.ts';
import { freshApp } from './helpers/db.ts';
import { fileURLToPath } from 'node:url';
import { readListings } from './helpers/corpus.ts';

const papers: PaperInput[] = readListings(fileURLToPath(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url))).slice(0, 2);
const PAPER = papers[0]!.id;
const UNLIMITED: Config['rateLimits'] = { signin: null, signin_ip: null, submit: null, vote: null, comment: null };

type Client = Awaited<ReturnType<typeof signedInClient>>;

describe('reports and moderation', () => {
  let env: Awaited<ReturnType<typeof freshApp>>;
  let alice: Client;
  let bob: Client;
  let carol: Client;
  let mod: Client;
  let admin: Client;
  before(async () => {
    env = await freshApp({ rateLimits: UNLIMITED });
    await upsertPapers(env.db, papers);
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
    bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
    carol = await signedInClient(env.app, env.db, { email: 'carol@example.org', handle: 'carol' });
    mod = await signedInClient(env.app, env.db, { email: 'mod@example.org', handle: 'modder', role: 'moderator' });
    admin = await signedInClient(env.app, env.db, { email: 'admin@example.org', handle: 'boss', role: 'admin' });
  });
  after(() => env.conn.close());

  const report = (client: TestClient, id: number, reason: string) => client.post(`/comments/${id}/report`, { reason }, { csrfFrom: `/papers/${PAPER}` });
  const openReports = (id: number) =>
    env.db.selectFrom('comment_reports').selectAll().where('comment_id', '=', id).where('resolved_at', 'is', null).execute();

  test('/moderation is for moderators and admins only', async () => {
    const anon = await env.app.request('/moderation');
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location') ?? '', /^\/signin\?next=%2Fmoderation/);
    assert.equal((await alice.get('/moderation')).status, 403);
    assert.equal((await mod.get('/moderation')).status, 200);
    assert.equal((await admin.get('/moderation')).status, 200);
    assert.match(await (await mod.get(`/papers/${PAPER}`)).text(), /href="\/moderation"/, 'moderators get a link in the header');
    assert.doesNotMatch(await (await alice.get(`/papers/${PAPER}`)).text(), /href="\/moderation"/);
  });

  test('any signed-in user reports once while the report is open; refusals for self, empty reason, anonymous, missing comment', async () => {
    const id = await postComment(env.db, alice.user, { paperId: PAPER, body: 'buy cheap pills at example.com' });
    const ok = await report(bob, id, 'Spam advertising');
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Thank you/);
    const dup = await report(bob, id, 'Spam again');
    assert.equal(dup.status, 409);
    assert.match(await dup.text(), /already reported/);
    assert.equal((await report(alice, id, 'my own')).status, 400);
    assert.equal((await report(carol, id, '   ')).status, 400);
    assert.equal((await report(carol, 999999, 'gone')).status, 404);
    assert.equal((await new TestClient(env.app).post(`/comments/${id}/report`, { reason: 'anon' })).status, 401);
    assert.equal((await report(carol, id, 'Also spam')).status, 200);
    const open = await openReports(id);
    assert.deepEqual(open.map((r) => [r.reporter_id, r.reason]).sort(), [
      [bob.user.id, 'Spam advertising'],
      [carol.user.id, 'Also spam'],
    ].sort());

    const page = await (await mod.get('/moderation')).text();
    assert.match(page, /buy cheap pills/);
    assert.match(page, /Spam advertising/);
    assert.match(page, /@carol/);
    assert.match(page, new RegExp(`action="/moderation/comments/${id}/hide"`));
  });

  test('dismissing resolves the reports (they leave /moderation) and the same person may report again later', async () => {
    const id = await postComment(env.db, alice.user, { paperId: PAPER, body: 'a strong but fair opinion' });
    assert.equal((await report(bob, id, 'I disagree')).status, 200);
    assert.equal((await alice.post(`/moderation/comments/${id}/dismiss`, {}, { csrfFrom: `/papers/${PAPER}` })).status, 403, 'not by users');
    assert.equal((await openReports(id)).length, 1);
    const res = await mod.post(`/moderation/comments/${id}/dismiss`, {}, { csrfFrom: '/moderation' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/moderation');
    assert.equal((await openReports(id)).length, 0);
    const resolved = await env.db.selectFrom('comment_reports').selectAll().where('comment_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(resolved.resolution, 'dismissed');
    assert.equal(resolved.resolved_by, mod.user.id);
    assert.doesNotMatch(await (await mod.get('/moderation')).text(), /I disagree/);
    assert.equal((await report(bob, id, 'Still bad')).status, 200);
  });

  test('hiding: gone for everyone but moderators (who see it with the note); reports resolved; unhide restores; users cannot hide', async () => {
    const id = await postComment(env.db, alice.user, { paperId: PAPER, body: 'an insulting remark' });
    await report(bob, id, 'Insult');
    const refused = await bob.post(`/moderation/comments/${id}/hide`, { note: 'x' }, { csrfFrom: `/papers/${PAPER}` });
    assert.equal(refused.status, 403);
    const noCsrf = await mod.post(`/moderation/comments/${id}/hide`, { note: 'x' }, { csrfFrom: null });
    assert.equal(noCsrf.status, 403);
    assert.equal((await env.db.selectFrom('comments').select('hidden_at').where('id', '=', id).executeTakeFirstOrThrow()).hidden_at, null);

    const res = await mod.post(`/moderation/comments/${id}/hide`, { note: 'Personal attack', next: `/papers/${PAPER}#comment-${id}` }, { csrfFrom: '/moderation' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${PAPER}#comment-${id}`);
    assert.equal((await openReports(id)).length, 0);

    for (const [who, html] of [
      ['anonymous', await (await env.app.request(`/papers/${PAPER}`)).text()],
      ['the author', await (await alice.get(`/papers/${PAPER}`)).text()],
      ['a user', await (await bob.get(`/papers/${PAPER}`)).text()],
    ] as const) {
      assert.doesNotMatch(html, /insulting remark/, who);
      assert.match(html, /\[hidden by a moderator\]/, who);
      assert.doesNotMatch(html, /Personal attack/, `${who}: the note is for moderators`);
    }
    const api = (await (await env.app.request(`/api/v1/papers/${PAPER}/comments`)).json()) as { comments: Array<{ id: number; hidden: boolean; markdown: string; html: string; author: unknown }> };
    const hidden = api.comments.find((c) => c.id === id)!;
    assert.deepEqual([hidden.hidden, hidden.markdown, hidden.html, hidden.author], [true, '', '', null]);

    const modPage = await (await mod.get(`/papers/${PAPER}`)).text();
    assert.match(modPage, /insulting remark/);
    assert.match(modPage, /Hidden from readers: Personal attack/);
    const modToken = await apiTokenFor(env.db, mod.user.id);
    const modApi = (await (await env.app.request(`/api/v1/papers/${PAPER}/comments`, { headers: { authorization: `Bearer ${modToken}` } })).json()) as {
      comments: Array<{ id: number; markdown: string; hiddenNote: string }>;
    };
    assert.deepEqual(
      [modApi.comments.find((c) => c.id === id)!.markdown, modApi.comments.find((c) => c.id === id)!.hiddenNote],
      ['an insulting remark', 'Personal attack'],
    );
    assert.match(await (await mod.get('/moderation')).text(), /Personal attack/, 'listed under recently hidden');

    // The author can neither edit nor reply-bump a hidden comment.
    assert.equal((await alice.post(`/comments/${id}/edit`, { body: 'sorry' }, { csrfFrom: `/papers/${PAPER}` })).status, 403);
    assert.equal((await bob.post('/comments', { paperId: PAPER, body: 'reply', parentId: String(id) }, { csrfFrom: `/papers/${PAPER}` })).status, 400);

    assert.equal((await mod.post(`/moderation/comments/${id}/unhide`, {}, { csrfFrom: '/moderation' })).status, 303);
    assert.match(await (await env.app.request(`/papers/${PAPER}`)).text(), /insulting remark/);
    assert.equal((await mod.post('/moderation/comments/999999/hide', {}, { csrfFrom: '/moderation' })).status, 404);
  });

  test('banning the author: sessions end, tokens are refused, no route lets them post; reports resolved', async () => {
    const troll = await signedInClient(env.app, env.db, { email: 'troll@example.org', handle: 'troll' });
    const token = await apiTokenFor(env.db, troll.user.id);
    const id = await postComment(env.db, troll.user, { paperId: PAPER, body: 'trolling' });
    await report(bob, id, 'Troll');
    const csrf = await troll.csrf(`/papers/${PAPER}`);

    assert.equal((await alice.post('/moderation/users/ban', { handle: 'troll' }, { csrfFrom: `/papers/${PAPER}` })).status, 403, 'users cannot ban');
    const res = await mod.post('/moderation/users/ban', { handle: 'troll' }, { csrfFrom: '/moderation' });
    assert.equal(res.status, 303);
    assert.ok((await getUserById(env.db, troll.user.id))!.bannedAt);
    assert.equal((await openReports(id)).length, 0);
    assert.match(await (await mod.get('/moderation')).text(), /Unban @troll|Ban or unban/);

    const before = await env.db.selectFrom('comments').select('id').where('user_id', '=', troll.user.id).execute();
    const form = await troll.post('/comments', { paperId: PAPER, body: 'still here', _csrf: csrf });
    assert.ok(form.status === 401 || form.status === 403, `form post by a banned user answered ${form.status}`);
    const api = await env.app.request(`/api/v1/papers/${PAPER}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'via the API' }),
    });
    assert.equal(api.status, 401);
    const banned = (await getUserById(env.db, troll.user.id))!;
    await assert.rejects(postComment(env.db, banned, { paperId: PAPER, body: 'via the store' }), (e: unknown) => e instanceof CommentError && e.kind === 'forbidden');
    assert.deepEqual(await env.db.selectFrom('comments').select('id').where('user_id', '=', troll.user.id).execute(), before);

    // Unban restores the token.
    assert.equal((await mod.post('/moderation/users/unban', { handle: 'troll' }, { csrfFrom: '/moderation' })).status, 303);
    const again = await env.app.request(`/api/v1/papers/${PAPER}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'back, politely' }),
    });
    assert.equal(again.status, 201);
  });

  test('who may ban whom: moderators ban users, not admins, other moderators or themselves; unknown handles 404', async () => {
    const mod2 = await signedInClient(env.app, env.db, { email: 'mod2@example.org', handle: 'modtwo', role: 'moderator' });
    for (const handle of ['boss', 'modtwo', 'modder']) {
      const res = await mod.post('/moderation/users/ban', { handle }, { csrfFrom: '/moderation' });
      assert.equal(res.status, 403, handle);
    }
    assert.equal((await getUserById(env.db, mod2.user.id))!.bannedAt, null);
    assert.equal((await mod.post('/moderation/users/ban', { handle: 'nobody-here' }, { csrfFrom: '/moderation' })).status, 404);
    // An admin may ban a moderator.
    assert.equal((await admin.post('/moderation/users/ban', { handle: 'modtwo' }, { csrfFrom: '/moderation' })).status, 303);
    assert.ok((await getUserById(env.db, mod2.user.id))!.bannedAt);
  });

  test('moderators get hide and history controls on the paper page; users only see report on others\' comments', async () => {
    const id = await postComment(env.db, alice.user, { paperId: papers[1]!.id, body: 'plain comment' });
    const modHtml = await (await mod.get(`/papers/${papers[1]!.id}`)).text();
    assert.match(modHtml, new RegExp(`action="/moderation/comments/${id}/hide"`));
    assert.match(modHtml, new RegExp(`action="/comments/${id}/delete"`));
    const bobHtml = await (await bob.get(`/papers/${papers[1]!.id}`)).text();
    assert.doesNotMatch(bobHtml, /\/moderation\/comments/);
    assert.doesNotMatch(bobHtml, new RegExp(`action="/comments/${id}/delete"`));
    assert.match(bobHtml, new RegExp(`action="/comments/${id}/report"`));
    const aliceHtml = await (await alice.get(`/papers/${papers[1]!.id}`)).text();
    assert.doesNotMatch(aliceHtml, new RegExp(`action="/comments/${id}/report"`), 'no report button on your own comment');
  });
});
