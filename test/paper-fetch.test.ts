/**
 * The paper page of a valid arXiv id we do not hold: fetched from the arXiv API (a local server replaying
 * real recordings from testdata/arxiv/api/) and rendered; 404 when arXiv does not know it (remembered);
 * a clear 503 — never a 500 — when arXiv is down, hangs, or answers garbage.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { Connection } from '../src/db/connect.ts';
import { createLogger } from '../src/log.ts';
import { getPaper } from '../src/store/papers.ts';
import { createApp } from '../src/web/app.ts';
import { pageArxivClient } from '../src/web/paperFetch.ts';
import { type ReplayServer, recording, startReplayServer } from './helpers/arxiv-server.ts';
import { freshApp, freshDb, testConfig } from './helpers/db.ts';

const REC = 'api/arxivpy-2026-recorded/';
const API_1707 = recording(`${REC}id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml`);
const API_OLD = recording(`${REC}id_astro-ph_0601001_s0_m100_3150dca9dc76.status200.xml`);
/** A real answer listing no paper: what arXiv says for an id it does not know. */
const API_EMPTY = recording(`${REC}id_0000.0000_s0_m100_8b51d9633a68.status200.xml`);
const atom = (body: string) => ({ body, headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
const idList = (id: string) => (u: URL) => u.pathname === '/api/query' && u.searchParams.get('id_list') === id;

/** An app whose paper page looks papers up at `apiUrl`. */
async function appFor(apiUrl: string, timeoutMs = 5000): Promise<{ app: Hono; conn: Connection }> {
  const conn = await freshDb();
  const config = testConfig({ arxiv: { ...testConfig().arxiv, apiUrl, delayMs: 0, timeoutMs } });
  const log = createLogger('silent');
  const app = createApp({ db: conn.db, config, log, arxivClient: pageArxivClient(config) });
  return { app, conn };
}

async function get(app: Hono, path: string) {
  const res = await app.request(path);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('paper page fetch-on-demand with arXiv answering', () => {
  let server: ReplayServer;
  let app: Hono;
  let conn: Connection;
  const apiRequests = () => server.requests.filter((r) => r.url.pathname === '/api/query');

  before(async () => {
    server = await startReplayServer();
    server.route(idList('1707.08567'), atom(API_1707));
    server.route(idList('astro-ph/0601001'), atom(API_OLD));
    server.route(idList('2501.99999'), atom(API_EMPTY));
    server.route(idList('2502.00001'), atom(API_1707)); // answered broken by a 'malformed' fault
    ({ app, conn } = await appFor(`${server.url}/api/query`));
  });
  after(async () => {
    await server.close();
    await conn.close();
  });

  it('fetches a paper we do not hold, stores it and renders its page', async () => {
    const { status, html } = await get(app, '/papers/1707.08567');
    assert.equal(status, 200);
    assert.match(html, /<h1>Proceedings of Workshop AEW10: Concepts in Information Theory and Communications<\/h1>/);
    assert.equal(apiRequests().length, 1);
    assert.ok(await getPaper(conn.db, '1707.08567'), 'the paper is stored');
    // Held now: the next view asks arXiv nothing.
    assert.equal((await get(app, '/papers/1707.08567')).status, 200);
    assert.equal(apiRequests().length, 1);
  });

  it('works for old-style ids too', async () => {
    const { status, html } = await get(app, '/papers/astro-ph/0601001');
    assert.equal(status, 200);
    assert.ok(html.includes('astro-ph/0601001'));
  });

  it('answers the existing 404 when arXiv does not know the id, and remembers it', async () => {
    const before = apiRequests().length;
    const first = await get(app, '/papers/2501.99999');
    assert.equal(first.status, 404);
    assert.match(first.html, /arXiv:2501\.99999 is not in this instance/);
    assert.equal(apiRequests().length, before + 1);
    const again = await get(app, '/papers/2501.99999');
    assert.equal(again.status, 404);
    assert.equal(apiRequests().length, before + 1, 'an id arXiv did not know is not asked again right away');
  });

  it('concurrent views of the same unknown id share one look-up', async () => {
    server.route(idList('2503.00002'), atom(API_EMPTY));
    const before = apiRequests().length;
    const answers = await Promise.all([1, 2, 3, 4].map(() => get(app, '/papers/2503.00002')));
    assert.deepEqual(answers.map((a) => a.status), [404, 404, 404, 404]);
    assert.equal(apiRequests().length, before + 1);
  });

  it('a malformed arXiv answer gives the clear 503, not a 500', async () => {
    server.fault(idList('2502.00001'), { kind: 'malformed' });
    const { status, html, headers } = await get(app, '/papers/2502.00001');
    assert.equal(status, 503);
    assert.match(html, /arXiv could not be reached to look up arXiv:2502\.00001; try again in a minute\./);
    assert.equal(headers.get('retry-after'), '60');
  });
});

describe('paper page fetch-on-demand with arXiv unreachable', () => {
  it('a closed port gives a 503 page with the arxiv.org link, never a 500', async () => {
    const { app, conn } = await appFor(`http://127.0.0.1:${await closedPort()}/api/query`);
    try {
      const { status, html } = await get(app, '/papers/1707.08567');
      assert.equal(status, 503);
      assert.match(html, /arXiv could not be reached/);
      assert.match(html, /try again in a minute/);
      assert.ok(html.includes('href="https://arxiv.org/abs/1707.08567"'));
      assert.equal(await getPaper(conn.db, '1707.08567'), undefined);
      // The JSON API path is untouched by this (it answers from the database only).
      assert.equal((await app.request('/api/papers/1707.08567')).status, 404);
    } finally {
      await conn.close();
    }
  });

  it('a hanging arXiv blocks the page no longer than the client timeout', async () => {
    const server = await startReplayServer();
    server.fault(idList('1707.08567'), { kind: 'hang' });
    const { app, conn } = await appFor(`${server.url}/api/query`, 400);
    try {
      const t0 = performance.now();
      const { status, html } = await get(app, '/papers/1707.08567');
      const ms = performance.now() - t0;
      assert.equal(status, 503);
      assert.match(html, /arXiv could not be reached/);
      assert.ok(ms < 3000, `answered after ${Math.round(ms)} ms`);
    } finally {
      await server.close();
      await conn.close();
    }
  });

  it('without an arXiv client (tests, offline instances) the page is the plain 404', async () => {
    const { app, conn } = await freshApp();
    try {
      const { status, html } = await get(app, '/papers/1707.08567');
      assert.equal(status, 404);
      assert.match(html, /not in this instance/);
    } finally {
      await conn.close();
    }
  });
});
