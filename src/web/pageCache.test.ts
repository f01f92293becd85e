import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { type Page, PageCache } from './pageCache.ts';

/** An app whose page body counts how often it was built. */
function counting(ttlMs: number, status: 200 | 404 = 200) {
  let builds = 0;
  const cache = new PageCache(ttlMs, 2);
  const app = new Hono();
  app.get('/*', (c) => cache.serve(c, async (): Promise<Page> => ({ status, html: `<p>build ${++builds}</p>` })));
  return { app, builds: () => builds };
}

describe('page cache', () => {
  it('serves the same render within the TTL, per path and query', async () => {
    const { app, builds } = counting(60_000);
    assert.equal(await (await app.request('/a')).text(), '<p>build 1</p>');
    const again = await app.request('/a');
    assert.equal(await again.text(), '<p>build 1</p>');
    assert.match(again.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(await (await app.request('/a?page=2')).text(), '<p>build 2</p>');
    assert.equal(builds(), 2);
  });

  it('renders every time with a TTL of 0', async () => {
    const { app, builds } = counting(0);
    await app.request('/a');
    await app.request('/a');
    assert.equal(builds(), 2);
  });

  it('does not cache error pages and keeps at most maxEntries', async () => {
    const errors = counting(60_000, 404);
    await errors.app.request('/a');
    const res = await errors.app.request('/a');
    assert.equal(res.status, 404);
    assert.equal(errors.builds(), 2);

    const { app, builds } = counting(60_000);
    await app.request('/a');
    await app.request('/b');
    await app.request('/c'); // evicts /a, the oldest
    await app.request('/a');
    assert.equal(builds(), 4);
  });

  it('rebuilds after the TTL', async () => {
    const { app, builds } = counting(5);
    await app.request('/a');
    await new Promise((r) => setTimeout(r, 15));
    assert.equal(await (await app.request('/a')).text(), '<p>build 2</p>');
    assert.equal(builds(), 2);
  });
});
