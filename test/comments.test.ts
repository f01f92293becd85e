/**
 * Comments end to end through app.request() on a database built by the real migrations (SQLite, or
 * PostgreSQL with PAPERBOY_TEST_DIALECT=postgres): posting, replies and their depth, edits with
 * history, soft deletes, badges, daily_entries.num_comments, validation, CSRF, authorisation, rate
 * limits, and the v1 JSON API. Papers are real ones from testdata/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Hono } from 'hono';
import type { Config } from '../src/config.ts';
import type { DB } from '../src/db/connect.ts';
import { claimAuthorship, decideClaim } from '../src/store/claims.ts';
import { CommentError, editComment, postComment } from '../src/store/comments.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { renderMarkdown } from '../src/text/markdown.ts';
import { apiTokenFor, csrfFrom, signedInClient, TestClient } from './helpers/browser-session.ts';
import { freshApp } from './helpers/db.ts';
import { fileURLToPath } from 'node:url';
import { readListings } from './helpers/corpus.ts';

const sample: PaperInput[] = readListings(fileURLToPath(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url))).slice(0, 3);
const oldStyle: PaperInput = JSON.parse(readFileSync(new URL('../testdata/pages/astro-ph-0601001.json', import.meta.url), 'utf8'));
const [P1, P2] = [sample[0]!, sample[1]!];

const UNLIMITED: Config['rateLimits'] = { signin: null, signin_ip: null, submit: null, vote: null, comment: null };

async function setup(overrides: Partial<Config> = {}) {
  const env = await freshApp({ rateLimits: UNLIMITED, ...overrides });
  await upsertPapers(env.db, [...sample, oldStyle]);
  return env;
}

/** The comment rows of a paper, oldest first. */
const rows = (db: DB, paperId: string) => db.selectFrom('comments').selectAll().where('paper_id', '=', paperId).orderBy('id').execute();

/** Posts a comment through the form as `client`; returns the new comment's id from the redirect. */
async function postForm(client: TestClient, paperId: string, body: string, parentId?: number): Promise<number> {
  const res = await client.post('/comments', { paperId, body, ...(parentId ? { parentId: String(parentId) } : {}) }, { csrfFrom: `/papers/${paperId}` });
  assert.equal(res.status, 303, `posting answered ${res.status}: ${res.status === 303 ? '' : (await res.text()).slice(0, 300)}`);
  const m = /#comment-(\d+)$/.exec(res.headers.get('location') ?? '');
  assert.ok(m, `redirect to the comment: ${res.headers.get('location')}`);
  return Number(m[1]);
}

interface ApiTree {
  count: number;
  comments: Array<{ id: number; parentId: number | null; depth: number; author: { handle: string } | null; badges: string[]; markdown: string; html: string; editedAt: string | null; deleted: boolean; hidden: boolean; replies: ApiTree['comments'] }>;
}

async function apiThread(app: Hono, paperId: string, headers: Record<string, string> = {}): Promise<ApiTree> {
  const res = await app.request(`/api/v1/papers/${paperId}/comments`, { headers });
  assert.equal(res.status, 200);
  return (await res.json()) as ApiTree;
}

describe('posting and reading comments', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let alice: Awaited<ReturnType<typeof signedInClient>>;
  let bob: Awaited<ReturnType<typeof signedInClient>>;
  before(async () => {
    env = await setup();
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice', displayName: 'Alice A.' });
    bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
  });
  after(() => env.conn.close());

  test('a signed-in reader posts Markdown; it is stored with the HTML rendered at write time and shown under the paper', async () => {
    const body = 'Nice **result**; see [the code](https://github.com/example/repo).\n\n<script>alert(1)</script>';
    const id = await postForm(alice, P1.id, body);
    const [row] = await rows(env.db, P1.id);
    assert.equal(row!.id, id);
    assert.equal(row!.body, body);
    assert.equal(row!.body_html, renderMarkdown(body));
    assert.match(row!.body_html, /<strong>result<\/strong>/);
    assert.match(row!.body_html, /rel="nofollow ugc noopener"/);

    const html = await (await env.app.request(`/papers/${P1.id}`)).text();
    assert.match(html, new RegExp(`id="comment-${id}"`));
    assert.match(html, /<strong>result<\/strong>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'raw HTML shows as text');
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /Alice A\./);
    assert.match(html, /@alice/);
    assert.match(html, /Comments \(1\)/);
  });

  test('anonymous readers get a sign-in link and no forms (the page stays cacheable); posting needs a session', async () => {
    const res = await env.app.request(`/papers/${P1.id}`);
    const html = await res.text();
    assert.match(html, /href="\/signin\?next=[^"]*#?comments/);
    assert.equal(csrfFrom(html), undefined, 'no CSRF field on the anonymous page');
    assert.doesNotMatch(html, /action="\/comments"/);
    assert.equal(res.headers.getSetCookie().length, 0, 'no cookie set for anonymous readers');

    const before = (await rows(env.db, P1.id)).length;
    const anon = new TestClient(env.app);
    const refused = await anon.post('/comments', { paperId: P1.id, body: 'anonymous' });
    assert.equal(refused.status, 401);
    assert.equal((await rows(env.db, P1.id)).length, before);
  });

  test('a form post without the CSRF token is refused with 403 and stores nothing', async () => {
    const before = (await rows(env.db, P1.id)).length;
    const res = await alice.post('/comments', { paperId: P1.id, body: 'forged' }, { csrfFrom: null });
    assert.equal(res.status, 403);
    const wrong = await alice.post('/comments', { paperId: P1.id, body: 'forged', _csrf: 'x'.repeat(43) });
    assert.equal(wrong.status, 403);
    assert.equal((await rows(env.db, P1.id)).length, before);
  });

  test('bad bodies are refused with a message and the draft kept; nothing is stored', async () => {
    const before = (await rows(env.db, P1.id)).length;
    const empty = await alice.post('/comments', { paperId: P1.id, body: '  \n\t ' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /The comment is empty/);
    const long = 'word '.repeat(4001) + 'end';
    const tooLong = await alice.post('/comments', { paperId: P1.id, body: long }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(tooLong.status, 400);
    const page = await tooLong.text();
    assert.match(page, /too long/);
    assert.ok(page.includes('word word word'), 'the draft comes back in the form');
    const noPaper = await alice.post('/comments', { paperId: 'not-an-id', body: 'x' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(noPaper.status, 400);
    const unknown = await alice.post('/comments', { paperId: '2001.99999', body: 'x' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(unknown.status, 404);
    const badParent = await alice.post('/comments', { paperId: P1.id, body: 'x', parentId: 'abc' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(badParent.status, 400);
    assert.equal((await rows(env.db, P1.id)).length, before);
  });

  test('replies thread under their parent, oldest first; a parent on another paper is refused', async () => {
    const top = await postForm(bob, P2.id, 'first top-level');
    const second = await postForm(alice, P2.id, 'second top-level');
    const reply = await postForm(alice, P2.id, 'reply to first', top);
    const reply2 = await postForm(bob, P2.id, 'another reply to first', top);
    const tree = await apiThread(env.app, P2.id);
    assert.deepEqual(
      tree.comments.map((c) => [c.id, c.replies.map((r) => r.id)]),
      [
        [top, [reply, reply2]],
        [second, []],
      ],
    );
    assert.equal(tree.comments[0]!.replies[0]!.depth, 1);
    assert.equal(tree.comments[0]!.replies[0]!.parentId, top);

    const html = await (await env.app.request(`/papers/${P2.id}`)).text();
    const order = [top, reply, reply2, second].map((id) => html.indexOf(`id="comment-${id}"`));
    assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)), `reading order ${order}`);

    const before = (await rows(env.db, P1.id)).length;
    const cross = await alice.post('/comments', { paperId: P1.id, body: 'wrong paper', parentId: String(top) }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(cross.status, 400);
    assert.match(await cross.text(), /not on this paper/);
    const missing = await alice.post('/comments', { paperId: P1.id, body: 'no parent', parentId: '999999' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(missing.status, 400);
    assert.equal((await rows(env.db, P1.id)).length, before);
  });

  test('deep threads are shown at most 6 levels deep, deeper replies at the cap with an "in reply to" link', async () => {
    const paper = sample[2]!.id;
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(await postForm(i % 2 ? bob : alice, paper, `level ${i}`, ids[i - 1]));
    const html = await (await env.app.request(`/papers/${paper}`)).text();
    const depthOf = (id: number) => new RegExp(`class="comment depth-(\\d+)" id="comment-${id}"`).exec(html)?.[1];
    assert.deepEqual(ids.map(depthOf), ['0', '1', '2', '3', '4', '5', '5', '5', '5']);
    assert.match(html, new RegExp(`href="#comment-${ids[6]}">in reply to @alice`));
    const api = await apiThread(env.app, paper);
    let node = api.comments[0]!;
    while (node.replies.length > 0) node = node.replies[0]!;
    assert.equal(node.depth, 8, 'the API keeps the true depth');
  });

  test('old-style ids with a slash work in the form and the API', async () => {
    const id = await postForm(alice, oldStyle.id, 'on an old paper');
    const res = await env.app.request(`/api/v1/papers/${oldStyle.id}/comments`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as ApiTree & { paperId: string };
    assert.equal(body.paperId, oldStyle.id);
    assert.equal(body.comments[0]!.id, id);
    assert.match(await (await env.app.request(`/papers/${oldStyle.id}`)).text(), /on an old paper/);
  });
});

describe('editing and deleting', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let alice: Awaited<ReturnType<typeof signedInClient>>;
  let bob: Awaited<ReturnType<typeof signedInClient>>;
  let mod: Awaited<ReturnType<typeof signedInClient>>;
  before(async () => {
    env = await setup();
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
    bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
    mod = await signedInClient(env.app, env.db, { email: 'mod@example.org', handle: 'modder', role: 'moderator' });
  });
  after(() => env.conn.close());

  test('the author edits: the previous body goes to the history, the page says "edited", the HTML is re-rendered', async () => {
    const id = await postForm(alice, P1.id, 'first *draft*');
    const res = await alice.post(`/comments/${id}/edit`, { body: 'second **version**' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/papers/${P1.id}#comment-${id}`);
    const row = (await rows(env.db, P1.id)).find((r) => r.id === id)!;
    assert.equal(row.body, 'second **version**');
    assert.equal(row.body_html, renderMarkdown('second **version**'));
    assert.ok(row.edited_at);
    const revs = await env.db.selectFrom('comment_revisions').selectAll().where('comment_id', '=', id).execute();
    assert.deepEqual(
      revs.map((r) => [r.body, r.written_at]),
      [['first *draft*', row.created_at]],
    );
    const html = await (await env.app.request(`/papers/${P1.id}`)).text();
    assert.match(html, /· edited/);
    assert.match(html, /<strong>version<\/strong>/);
    assert.doesNotMatch(html, /first <em>draft/);

    // An unchanged body adds no revision.
    await alice.post(`/comments/${id}/edit`, { body: 'second **version**' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal((await env.db.selectFrom('comment_revisions').selectAll().where('comment_id', '=', id).execute()).length, 1);
  });

  test('someone else cannot edit (403, body unchanged), not even a moderator; an empty edit is refused', async () => {
    const id = await postForm(alice, P1.id, 'mine');
    for (const other of [bob, mod]) {
      const res = await other.post(`/comments/${id}/edit`, { body: 'hijacked' }, { csrfFrom: `/papers/${P1.id}` });
      assert.equal(res.status, 403);
    }
    const empty = await alice.post(`/comments/${id}/edit`, { body: '' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(empty.status, 400);
    assert.equal((await rows(env.db, P1.id)).find((r) => r.id === id)!.body, 'mine');
    const missing = await alice.post('/comments/99999/edit', { body: 'x' }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(missing.status, 404);
    const html = await (await bob.get(`/papers/${P1.id}`)).text();
    assert.doesNotMatch(html, new RegExp(`action="/comments/${id}/edit"`), 'no edit form for others');
    assert.match(await (await alice.get(`/papers/${P1.id}`)).text(), new RegExp(`action="/comments/${id}/edit"`));
  });

  test('the history is for the author and moderators only', async () => {
    const id = await postForm(alice, P2.id, 'original words');
    await editComment(env.db, alice.user, id, 'changed words');
    const forMod = await mod.get(`/comments/${id}/history`);
    assert.equal(forMod.status, 200);
    const text = await forMod.text();
    assert.match(text, /original words/);
    assert.match(text, /changed words/);
    assert.equal((await alice.get(`/comments/${id}/history`)).status, 200);
    assert.equal((await bob.get(`/comments/${id}/history`)).status, 403);
    const anon = await env.app.request(`/comments/${id}/history`);
    assert.equal(anon.status, 303, 'anonymous readers are sent to sign in');
  });

  test('the author deletes: "[deleted]" keeps the thread shape, the text leaves the page and the API', async () => {
    const parent = await postForm(alice, sample[2]!.id, 'regrettable words');
    const child = await postForm(bob, sample[2]!.id, 'a reply that stays', parent);
    assert.equal((await bob.post(`/comments/${parent}/delete`, {}, { csrfFrom: `/papers/${P1.id}` })).status, 403, 'not by others');
    const res = await alice.post(`/comments/${parent}/delete`, {}, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(res.status, 303);
    const html = await (await env.app.request(`/papers/${sample[2]!.id}`)).text();
    assert.doesNotMatch(html, /regrettable/);
    assert.match(html, /\[deleted\]/);
    assert.match(html, /a reply that stays/);
    const api = await apiThread(env.app, sample[2]!.id);
    assert.equal(api.comments[0]!.id, parent);
    assert.equal(api.comments[0]!.deleted, true);
    assert.equal(api.comments[0]!.markdown, '');
    assert.equal(api.comments[0]!.author, null);
    assert.equal(api.comments[0]!.replies[0]!.id, child);
    // Moderators can still read what was said.
    assert.match(await (await mod.get(`/comments/${parent}/history`)).text(), /regrettable words/);
    // A deleted comment takes no replies and no edits.
    const reply = await bob.post('/comments', { paperId: sample[2]!.id, body: 'late', parentId: String(parent) }, { csrfFrom: `/papers/${P1.id}` });
    assert.equal(reply.status, 400);
    assert.equal((await alice.post(`/comments/${parent}/edit`, { body: 'again' }, { csrfFrom: `/papers/${P1.id}` })).status, 400);
  });

  test('a moderator may delete anyone\'s comment', async () => {
    const id = await postForm(bob, P2.id, 'spam spam');
    assert.equal((await mod.post(`/comments/${id}/delete`, {}, { csrfFrom: `/papers/${P1.id}` })).status, 303);
    const row = (await rows(env.db, P2.id)).find((r) => r.id === id)!;
    assert.ok(row.deleted_at);
    assert.equal(row.deleted_by, mod.user.id);
  });
});

describe('badges and comment counts', () => {
  test('"submitter" for whoever featured the paper, "author" for an approved claimed author; num_comments follows visible comments', async () => {
    const env = await setup();
    try {
      const sub = await signedInClient(env.app, env.db, { email: 'sub@example.org', handle: 'submitter1' });
      const author = await signedInClient(env.app, env.db, { email: 'au@example.org', handle: 'author1' });
      const reader = await signedInClient(env.app, env.db, { email: 'r@example.org', handle: 'reader1' });
      const mod = await signedInClient(env.app, env.db, { email: 'm@example.org', handle: 'mod1', role: 'moderator' });
      await upsertEntries(env.db, [{ paperId: P1.id, feedDate: '2025-03-20', submittedAt: '2025-03-20T08:00:00Z', submitterHandle: 'someone-on-hf' }]);
      await env.db.updateTable('daily_entries').set({ submitter_user_id: sub.user.id }).where('paper_id', '=', P1.id).execute();
      const claim = await claimAuthorship(env.db, { paperId: P1.id, userId: author.user.id, authorName: P1.authors[0]! });
      await decideClaim(env.db, claim.id, mod.user.id, 'approved');

      const a = await postForm(sub, P1.id, 'I submitted this');
      const b = await postForm(author, P1.id, 'I wrote this');
      const c = await postForm(reader, P1.id, 'I read this');
      const api = await apiThread(env.app, P1.id);
      assert.deepEqual(
        api.comments.map((x) => [x.id, x.badges]),
        [
          [a, ['submitter']],
          [b, ['author']],
          [c, []],
        ],
      );
      const html = await (await env.app.request(`/papers/${P1.id}`)).text();
      assert.match(html, /class="badge badge-submitter"/);
      assert.match(html, /class="badge badge-author"/);

      const count = async () => (await env.db.selectFrom('daily_entries').select('num_comments').where('paper_id', '=', P1.id).executeTakeFirstOrThrow()).num_comments;
      assert.equal(await count(), 3);
      await reader.post(`/comments/${c}/delete`, {}, { csrfFrom: `/papers/${P1.id}` });
      assert.equal(await count(), 2);
      await mod.post(`/moderation/comments/${b}/hide`, { note: 'test' }, { csrfFrom: '/moderation' });
      assert.equal(await count(), 1);
      await mod.post(`/moderation/comments/${b}/unhide`, {}, { csrfFrom: '/moderation' });
      assert.equal(await count(), 2);
      assert.equal(api.count, 3);
    } finally {
      await env.conn.close();
    }
  });
});

describe('comment counts under concurrency', () => {
  test('30 comments posted at once leave num_comments at 30 (the entry row is locked first on PostgreSQL)', async () => {
    const env = await setup();
    try {
      await upsertEntries(env.db, [{ paperId: P2.id, feedDate: '2025-03-20', submittedAt: '2025-03-20T08:00:00Z' }]);
      const users = await Promise.all(
        Array.from({ length: 6 }, (_, i) => signedInClient(env.app, env.db, { email: `u${i}@example.org`, handle: `user${i}` })),
      );
      await Promise.all(Array.from({ length: 30 }, (_, i) => postComment(env.db, users[i % 6]!.user, { paperId: P2.id, body: `comment ${i}` })));
      const entry = await env.db.selectFrom('daily_entries').select('num_comments').where('paper_id', '=', P2.id).executeTakeFirstOrThrow();
      assert.equal(entry.num_comments, 30);
    } finally {
      await env.conn.close();
    }
  });
});

describe('rate limit', () => {
  test("the 'comment' limit answers 429 with Retry-After, on pages and the API", async () => {
    const env = await setup({ rateLimits: { ...UNLIMITED, comment: { limit: 2, windowMs: 600_000 } } });
    try {
      const alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice' });
      await postForm(alice, P1.id, 'one');
      await postForm(alice, P1.id, 'two');
      const third = await alice.post('/comments', { paperId: P1.id, body: 'three' }, { csrfFrom: `/papers/${P1.id}` });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
      const token = await apiTokenFor(env.db, alice.user.id);
      const api = await env.app.request(`/api/v1/papers/${P1.id}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'four' }),
      });
      assert.equal(api.status, 429);
      assert.ok(Number(api.headers.get('retry-after')) > 0);
      assert.match(((await api.json()) as { error: string }).error, /Too many/);
      assert.equal((await rows(env.db, P1.id)).length, 2);
      // Another user has their own budget.
      const bob = await signedInClient(env.app, env.db, { email: 'bob@example.org', handle: 'bob' });
      await postForm(bob, P1.id, 'bob one');
    } finally {
      await env.conn.close();
    }
  });
});

describe('API v1', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let alice: Awaited<ReturnType<typeof signedInClient>>;
  let token: string;
  before(async () => {
    env = await setup();
    alice = await signedInClient(env.app, env.db, { email: 'alice@example.org', handle: 'alice', displayName: 'Alice' });
    token = await apiTokenFor(env.db, alice.user.id);
  });
  after(() => env.conn.close());

  const post = (paperId: string, body: unknown, headers: Record<string, string> = {}) =>
    env.app.request(`/api/v1/papers/${paperId}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('POST with a token creates a comment (201) and a reply; GET returns the thread with html and markdown', async () => {
    const res = await post(P1.id, { body: 'API *comment*' });
    assert.equal(res.status, 201);
    const { comment } = (await res.json()) as { comment: ApiTree['comments'][0] & { createdAt: string } };
    assert.equal(comment.markdown, 'API *comment*');
    assert.equal(comment.html, renderMarkdown('API *comment*'));
    assert.deepEqual(comment.author, { handle: 'alice', displayName: 'Alice' });
    assert.equal(comment.parentId, null);
    assert.ok(!Number.isNaN(Date.parse(comment.createdAt)));
    const reply = await post(P1.id, { body: 'reply', parentId: comment.id });
    assert.equal(reply.status, 201);
    const tree = await apiThread(env.app, P1.id);
    assert.equal(tree.count, 2);
    assert.equal(tree.comments.length, 1);
    assert.equal(tree.comments[0]!.replies[0]!.markdown, 'reply');
    assert.equal(tree.comments[0]!.editedAt, null);
    assert.equal(tree.comments[0]!.hidden, false);
  });

  test('refusals: no token 401, bad token 401, bad JSON 400, empty body 400, bad parentId 400, parent elsewhere 400, unknown paper 404, not an id 400', async () => {
    const before = (await rows(env.db, P2.id)).length;
    const noAuth = await env.app.request(`/api/v1/papers/${P2.id}/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"body":"x"}' });
    assert.equal(noAuth.status, 401);
    assert.ok(((await noAuth.json()) as { error: string }).error);
    assert.equal((await post(P2.id, { body: 'x' }, { authorization: 'Bearer pb_forged' })).status, 401);
    assert.equal((await post(P2.id, '{not json')).status, 400);
    assert.equal((await post(P2.id, '[1,2]')).status, 400);
    assert.equal((await post(P2.id, { body: '' })).status, 400);
    assert.equal((await post(P2.id, { body: 42 })).status, 400);
    assert.equal((await post(P2.id, { body: 'x', parentId: 'one' })).status, 400);
    assert.equal((await post(P2.id, { body: 'x', parentId: -1 })).status, 400);
    assert.equal((await post(P2.id, { body: 'x', parentId: 2 ** 40 })).status, 400);
    const other = (await rows(env.db, P1.id))[0]!.id;
    const cross = await post(P2.id, { body: 'x', parentId: other });
    assert.equal(cross.status, 400);
    assert.match(((await cross.json()) as { error: string }).error, /not on this paper/);
    assert.equal((await post('2001.99999', { body: 'x' })).status, 404);
    assert.equal((await post('nonsense', { body: 'x' })).status, 400);
    assert.equal((await env.app.request('/api/v1/papers/nonsense/comments')).status, 400);
    assert.equal((await env.app.request('/api/v1/papers/2001.99999/comments')).status, 404);
    assert.equal((await rows(env.db, P2.id)).length, before);
  });

  test('with the session cookie instead of a token, the X-CSRF-Token header is required', async () => {
    const init = (headers: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ body: 'from the browser' }),
    });
    const without = await alice.request(`/api/v1/papers/${P2.id}/comments`, init({}));
    assert.equal(without.status, 403);
    const csrf = csrfFrom(await (await alice.get(`/papers/${P2.id}`)).text())!;
    const withIt = await alice.request(`/api/v1/papers/${P2.id}/comments`, init({ 'x-csrf-token': csrf }));
    assert.equal(withIt.status, 201);
  });

  test('canEdit/canDelete describe the caller', async () => {
    const id = await postComment(env.db, alice.user, { paperId: sample[2]!.id, body: 'mine' });
    const mine = await apiThread(env.app, sample[2]!.id, { authorization: `Bearer ${token}` });
    const anon = await apiThread(env.app, sample[2]!.id);
    const find = (t: ApiTree) => t.comments.find((c) => c.id === id) as unknown as { canEdit: boolean; canDelete: boolean };
    assert.deepEqual([find(mine).canEdit, find(mine).canDelete], [true, true]);
    assert.deepEqual([find(anon).canEdit, find(anon).canDelete], [false, false]);
  });

  test('the store refuses a banned author whatever the route', async () => {
    const banned = { ...alice.user, bannedAt: new Date().toISOString() };
    await assert.rejects(postComment(env.db, banned, { paperId: P1.id, body: 'x' }), (e: unknown) => e instanceof CommentError && e.kind === 'forbidden');
  });
});
