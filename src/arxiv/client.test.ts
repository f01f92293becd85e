/** The polite arXiv client against the local replay server: politeness, User-Agent, faults, retries, caps. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { nockReplies, recording, sequence, startReplayServer, type ReplayServer } from '../../test/helpers/arxiv-server.ts';
import { loadConfig, type Config } from '../config.ts';
import { ArxivHttpError, clientFromConfig, createArxivClient, parseRetryAfter, userAgent, type ArxivClientOptions } from './client.ts';

const API_BODY = recording('api/arxivpy-2026-recorded/id_1707.08567_s0_m100_6a1afebfc6a3.status200.xml');
const OAI_BODY = recording('oai/arXivOAIHarvester-2015/ListRecordsResponse.xml');
const UA = 'Paperboy/test (+http://localhost:8080; mailto:ops@example.org)';

/** Like testConfig() in test/helpers/db.ts, without importing the web app (this file tests the client alone). */
function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off' }, overrides);
}

let server: ReplayServer;
beforeEach(async () => {
  server = await startReplayServer();
  server.route((u) => u.pathname === '/api/query', { body: API_BODY, headers: { 'content-type': 'application/atom+xml' } });
  server.route((u) => u.pathname === '/oai', { body: OAI_BODY, headers: { 'content-type': 'text/xml' } });
});
afterEach(() => server.close());

/** A client with no delay, quick backoff and a recording fake sleep unless told otherwise. */
function client(over: Partial<ArxivClientOptions> = {}) {
  const sleeps: number[] = [];
  const c = createArxivClient({
    delayMs: 0,
    timeoutMs: 2000,
    userAgent: UA,
    backoffMs: 10,
    sleep: async (ms) => void sleeps.push(ms),
    ...over,
  });
  return { c, sleeps };
}

const oaiUrl = () => `${server.url}/oai?verb=ListRecords&metadataPrefix=arXiv&set=cs`;
const isOai = (u: URL) => u.pathname === '/oai';

describe('politeness', () => {
  it('spaces requests to one host by delayMs, also for concurrent callers', async () => {
    const { c } = client({ delayMs: 200, sleep: undefined });
    const t0 = performance.now();
    const results = await Promise.all([1, 2, 3, 4].map((i) => c.get(`${server.url}/api/query?id_list=${i}`)));
    const elapsed = performance.now() - t0;
    assert.equal(results.length, 4);
    assert.ok(results.every((r) => r.status === 200 && r.body === API_BODY));
    const at = server.requests.map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    console.log(`delayMs 200: gaps seen by the server ${gaps.map((g) => g.toFixed(1)).join(', ')} ms; 4 requests in ${elapsed.toFixed(0)} ms`);
    assert.equal(gaps.length, 3);
    for (const g of gaps) assert.ok(g >= 195, `gap ${g} ms is shorter than the 200 ms delay`);
    // FIFO: the callers are served in the order they called.
    assert.deepEqual(server.requests.map((r) => r.url.searchParams.get('id_list')), ['1', '2', '3', '4']);
  });

  it('with delayMs 0 does not wait', async () => {
    const { c } = client({ delayMs: 0, sleep: undefined });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await c.get(`${server.url}/api/query?id_list=${i}`);
    const elapsed = performance.now() - t0;
    console.log(`delayMs 0: 5 sequential requests in ${elapsed.toFixed(1)} ms`);
    assert.equal(server.requests.length, 5);
    assert.ok(elapsed < 1500, `5 requests took ${elapsed} ms`); // generous: CI machines are slow, a 3 s default delay is not
  });

  it('keeps one request in flight per host: a slow reply delays the next caller', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.route(
      (u) => u.pathname === '/slow',
      async () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 50));
        inFlight--;
        return { body: 'ok' };
      },
    );
    const { c } = client({ delayMs: 0, sleep: undefined });
    await Promise.all([1, 2, 3].map(() => c.get(`${server.url}/slow`)));
    assert.equal(maxInFlight, 1);
  });
});

describe('User-Agent', () => {
  it('names Paperboy, the site and the contact address from config; the server sees it', async () => {
    const config = testConfig({ contactEmail: 'ops@example.org', baseUrl: 'https://papers.example.org' });
    const ua = userAgent(config);
    assert.match(ua, /^Paperboy\/\d+\.\d+\.\d+ \(\+https:\/\/papers\.example\.org; mailto:ops@example\.org\)$/);
    const c = clientFromConfig(testConfig({ ...config, arxiv: { ...config.arxiv, delayMs: 0 } }));
    await c.get(`${server.url}/api/query?id_list=1707.08567`);
    assert.equal(server.requests[0]!.headers['user-agent'], ua);
  });

  it('without a contact address is still descriptive', () => {
    const ua = userAgent(testConfig({ contactEmail: undefined, baseUrl: 'https://papers.example.org' }));
    assert.match(ua, /^Paperboy\/\d+\.\d+\.\d+ \(\+https:\/\/papers\.example\.org\)$/);
  });
});

describe('faults and retries', () => {
  it('aborts a hung request after timeoutMs and retries it', async () => {
    server.fault(isOai, { kind: 'hang', times: 2 });
    const { c, sleeps } = client({ timeoutMs: 150, retries: 2 });
    const t0 = performance.now();
    const r = await c.get(oaiUrl());
    const elapsed = performance.now() - t0;
    assert.equal(r.body, OAI_BODY);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(sleeps, [10, 20]);
    assert.ok(elapsed >= 290 && elapsed < 2000, `two 150 ms timeouts took ${elapsed} ms`);
  });

  it('after the retries, a hang gives ArxivHttpError naming the URL and the timeout', async () => {
    server.fault(isOai, { kind: 'hang', times: 10 });
    const { c } = client({ timeoutMs: 100, retries: 1 });
    const err = await c.get(oaiUrl()).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ArxivHttpError);
    assert.equal(err.status, null);
    assert.equal(err.url, oaiUrl());
    assert.ok(err.message.includes(oaiUrl()), err.message);
    assert.match(err.message, /timed out after 100 ms.*gave up after 2 attempts/);
    assert.equal(server.requests.length, 2);
  });

  it('retries a connection reset before the response', async () => {
    server.fault(isOai, { kind: 'reset', times: 2 });
    const { c, sleeps } = client({ retries: 3 });
    const r = await c.get(oaiUrl());
    assert.equal(r.status, 200);
    assert.equal(r.body, OAI_BODY);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(sleeps, [10, 20]);
  });

  it('retries a body cut short of its Content-Length (reset mid-body)', async () => {
    server.fault(isOai, { kind: 'truncate', times: 2 });
    const { c } = client({ retries: 3 });
    const r = await c.get(oaiUrl());
    assert.equal(r.body, OAI_BODY);
    assert.equal(server.requests.length, 3);
  });

  it('gives up on endless truncation with a clear error', async () => {
    server.fault(isOai, { kind: 'truncate', times: 10 });
    const { c } = client({ retries: 2 });
    await assert.rejects(c.get(oaiUrl()), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError);
      assert.match(e.message, /connection lost while reading the body|truncated body/);
      assert.match(e.message, /gave up after 3 attempts/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  it('hands a malformed (complete but cut) XML reply to the caller: parsing is not the client\'s job', async () => {
    server.fault(isOai, { kind: 'malformed' });
    const { c } = client();
    const r = await c.get(oaiUrl());
    assert.equal(r.status, 200);
    assert.equal(r.body, OAI_BODY.slice(0, r.body.length));
    assert.ok(r.body.length < OAI_BODY.length * 0.6);
    assert.equal(server.requests.length, 1);
  });

  it('retries 5xx with exponential backoff and counts the attempts', async () => {
    server.route((u) => u.pathname === '/flaky', sequence([{ status: 500, body: 'boom' }, { status: 502, body: 'bad gateway' }, { body: 'fine' }]));
    const { c, sleeps } = client({ backoffMs: 100 });
    const r = await c.get(`${server.url}/flaky`);
    assert.equal(r.body, 'fine');
    assert.equal(server.requests.length, 3);
    assert.deepEqual(sleeps, [100, 200]);
  });

  it('stops after `retries` retries of a 5xx: status and body on the error', async () => {
    server.route((u) => u.pathname === '/down', { status: 502, body: 'bad gateway' });
    const { c, sleeps } = client({ retries: 4, backoffMs: 10 });
    await assert.rejects(c.get(`${server.url}/down`), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError);
      assert.equal(e.status, 502);
      assert.equal(e.body, 'bad gateway');
      assert.match(e.message, /HTTP 502.*gave up after 5 attempts/);
      return true;
    });
    assert.equal(server.requests.length, 5);
    assert.deepEqual(sleeps, [10, 20, 40, 80]);
  });
});

describe('Retry-After', () => {
  const RECORDED = 'oai/paperhive-nock-2018-2020/listrecords_should-list-identifiers-from-arxiv.json';

  it('replays the real arXiv 503 + Retry-After: 10 exchange: waits 10 000 ms, then succeeds', async () => {
    const [first, second] = nockReplies(RECORDED);
    assert.equal(first!.status, 503);
    assert.equal(first!.headers!['Retry-After'], '10');
    assert.match(first!.body as string, /Retry after 10 seconds/);
    server.route((u) => u.pathname === '/oai2', sequence([first!, second!]));
    const { c, sleeps } = client({ delayMs: 3000 });
    const url = `${server.url}/oai2?metadataPrefix=arXiv&from=2015-01-01&until=2015-01-03&verb=ListRecords`;
    const r = await c.get(url);
    assert.equal(r.status, 200);
    assert.equal(r.body, second!.body);
    assert.match(r.body, /<identifier>oai:arXiv.org:1412.8544<\/identifier>/);
    assert.equal(server.requests.length, 2);
    // The first wait is exactly what the server asked for (not the 10 ms backoff); the politeness gate
    // may add its own remainder afterwards, never less.
    assert.equal(sleeps[0], 10_000);
  });

  it('honours the HTTP-date form', async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    server.route((u) => u.pathname === '/busy', sequence([{ status: 503, body: 'busy', headers: { 'Retry-After': when } }, { body: 'ok' }]));
    const { c, sleeps } = client();
    assert.equal((await c.get(`${server.url}/busy`)).body, 'ok');
    assert.ok(sleeps[0]! > 28_000 && sleeps[0]! <= 30_000, `waited ${sleeps[0]}`);
  });

  it('caps Retry-After at maxRetryAfterMs', async () => {
    server.fault((u) => u.pathname === '/api/query', { kind: 'status503', retryAfter: 3600 });
    const { c, sleeps } = client({ maxRetryAfterMs: 5000 });
    const r = await c.get(`${server.url}/api/query?id_list=1707.08567`);
    assert.equal(r.body, API_BODY);
    assert.equal(sleeps[0], 5000);
  });

  it('honours Retry-After on 429 too', async () => {
    server.route((u) => u.pathname === '/limited', sequence([{ status: 429, body: 'slow down', headers: { 'Retry-After': '7' } }, { body: 'ok' }]));
    const { c, sleeps } = client();
    assert.equal((await c.get(`${server.url}/limited`)).body, 'ok');
    assert.equal(sleeps[0], 7000);
  });

  it('parses delta-seconds and dates; ignores garbage', () => {
    assert.equal(parseRetryAfter('10'), 10_000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter('Thu, 21 Jun 2018 14:31:01 GMT', Date.parse('Thu, 21 Jun 2018 14:30:51 GMT')), 10_000);
    assert.equal(parseRetryAfter('Thu, 21 Jun 2018 14:30:41 GMT', Date.parse('Thu, 21 Jun 2018 14:30:51 GMT')), 0);
    assert.equal(parseRetryAfter('soon'), null);
    assert.equal(parseRetryAfter(null), null);
  });
});

describe('size cap', () => {
  it('refuses a declared Content-Length over maxBytes, without retrying', async () => {
    const { c } = client({ maxBytes: 1000 });
    await assert.rejects(c.get(oaiUrl()), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError);
      assert.match(e.message, /10705 bytes is over the 1000-byte limit/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('stops reading an endless body once past maxBytes (no unbounded buffering)', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    server.route(
      (u) => u.pathname === '/endless',
      () => ({
        body: Readable.from(
          (function* () {
            for (;;) {
              produced += chunk.length;
              yield chunk;
            }
          })(),
        ),
      }),
    );
    const { c } = client({ maxBytes: 256 * 1024 });
    await assert.rejects(c.get(`${server.url}/endless`), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError);
      assert.match(e.message, /over the 262144-byte limit/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 50)); // let the server see the closed socket
    const settled = produced;
    await new Promise((r) => setTimeout(r, 100));
    console.log(`endless body: the server produced ${(produced / 1024 / 1024).toFixed(1)} MiB before the client hung up`);
    assert.equal(produced, settled, 'the server is still streaming: the client did not stop the transfer');
    assert.ok(produced < 32 * 1024 * 1024, `server produced ${produced} bytes`);
    assert.equal(server.requests.length, 1);
  });
});

describe('compression', () => {
  it('asks for and decodes gzip; the size cap counts decoded bytes', async () => {
    server.route((u) => u.pathname === '/gz', { body: gzipSync(OAI_BODY), headers: { 'content-encoding': 'gzip', 'content-type': 'text/xml' } });
    const { c } = client();
    const r = await c.get(`${server.url}/gz`);
    assert.equal(r.body, OAI_BODY);
    assert.match(String(server.requests[0]!.headers['accept-encoding']), /gzip/);
    const small = client({ maxBytes: 5000 }).c; // the gzip body is ~3 KB, the decoded one 10.7 KB
    await assert.rejects(small.get(`${server.url}/gz`), /over the 5000-byte limit/);
  });
});

describe('conditional GET', () => {
  it('sends If-None-Match / If-Modified-Since and reports a 304 as notModified', async () => {
    const etag = '"abc123"';
    const lastModified = 'Wed, 26 Nov 2025 01:00:00 GMT';
    server.route(
      (u) => u.pathname === '/rss/cs.LG',
      (_u, req) =>
        req.headers['if-none-match'] === etag
          ? { status: 304, body: '' }
          : { body: '<rss/>', headers: { etag, 'last-modified': lastModified } },
    );
    const { c } = client();
    const first = await c.get(`${server.url}/rss/cs.LG`);
    assert.equal(first.notModified, false);
    assert.equal(first.body, '<rss/>');
    assert.equal(first.headers.get('etag'), etag);
    const second = await c.get(`${server.url}/rss/cs.LG`, {
      validators: { etag: first.headers.get('etag'), lastModified: first.headers.get('last-modified') },
    });
    assert.equal(second.status, 304);
    assert.equal(second.notModified, true);
    assert.equal(second.body, '');
    assert.equal(server.requests[0]!.headers['if-none-match'], undefined);
    assert.equal(server.requests[1]!.headers['if-none-match'], etag);
    assert.equal(server.requests[1]!.headers['if-modified-since'], lastModified);
  });
});

describe('4xx', () => {
  it('the recorded API 400 for id_list=abc: ArxivHttpError at once, with the error feed as body', async () => {
    const rec = JSON.parse(recording('api/arxivpy-2026-recorded/id_abc_s0_m100_b79c8dcf6bc3.json')) as { status_code: number; body: string };
    server.route((u) => u.pathname === '/api/query' && u.searchParams.get('id_list') === 'abc', {
      status: rec.status_code,
      body: rec.body,
      headers: { 'content-type': 'application/atom+xml' },
    });
    const { c, sleeps } = client();
    const url = `${server.url}/api/query?id_list=abc`;
    await assert.rejects(c.get(url), (e: unknown) => {
      assert.ok(e instanceof ArxivHttpError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.url, url);
      assert.match(e.message, /HTTP 400/);
      assert.match(e.body ?? '', /incorrect id format for abc/);
      return true;
    });
    assert.equal(server.requests.length, 1);
    assert.deepEqual(sleeps, []);
  });

  it('404 is not retried either', async () => {
    const { c } = client();
    await assert.rejects(c.get(`${server.url}/nowhere`), (e: unknown) => e instanceof ArxivHttpError && e.status === 404);
    assert.equal(server.requests.length, 1);
  });
});

describe('AbortSignal', () => {
  it('cancels a request in flight', async () => {
    server.fault(isOai, { kind: 'hang' });
    const { c } = client({ timeoutMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    await assert.rejects(c.get(oaiUrl(), { signal: ac.signal }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('cancels a caller waiting for its turn at the host', async () => {
    const { c } = client({ delayMs: 5000, sleep: undefined });
    await c.get(oaiUrl());
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    await assert.rejects(c.get(oaiUrl(), { signal: ac.signal }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('cancels a backoff wait', async () => {
    server.fault(isOai, { kind: 'reset' });
    const { c } = client({ backoffMs: 10_000, sleep: undefined });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    await assert.rejects(c.get(oaiUrl(), { signal: ac.signal }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(server.requests.length, 1);
  });

  it('a queued caller that gives up does not block the ones behind it', async () => {
    server.fault(isOai, { kind: 'hang' });
    const { c } = client({ timeoutMs: 300, retries: 0, sleep: undefined });
    const ac = new AbortController();
    const first = c.get(oaiUrl()).catch((e: unknown) => e);
    const second = c.get(oaiUrl(), { signal: ac.signal });
    const third = c.get(oaiUrl());
    ac.abort();
    await assert.rejects(second, (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok((await first) instanceof ArxivHttpError);
    assert.equal((await third).body, OAI_BODY);
    assert.equal(server.requests.length, 2);
  });
});

describe('replay server', () => {
  it('routes OAI pages by query string (latest route wins), 404s the rest, and closes with a hung request open', async () => {
    const s = await startReplayServer();
    try {
      s.route((u) => u.searchParams.get('verb') === 'ListRecords', { body: 'page 1' });
      s.route((u) => u.searchParams.get('resumptionToken') === 'tok-2', { body: 'page 2' });
      const { c } = client({ retries: 0 });
      assert.equal((await c.get(`${s.url}/oai?verb=ListRecords&metadataPrefix=arXiv`)).body, 'page 1');
      assert.equal((await c.get(`${s.url}/oai?verb=ListRecords&resumptionToken=tok-2`)).body, 'page 2');
      await assert.rejects(c.get(`${s.url}/elsewhere`), (e: unknown) => e instanceof ArxivHttpError && e.status === 404);
      s.fault(() => true, { kind: 'hang' });
      const hung = c.get(`${s.url}/oai?verb=ListRecords`).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      await s.close();
      assert.ok(performance.now() - t0 < 500);
      assert.ok((await hung) instanceof ArxivHttpError);
      assert.equal(s.requests.length, 4);
    } finally {
      await s.close().catch(() => {});
    }
  });
});
