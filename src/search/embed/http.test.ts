/**
 * The HTTP embedder against a local server speaking the OpenAI embeddings format
 * (test/helpers/embeddings-server.ts): answers, batching, retries, timeouts and every kind of bad answer.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Config } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { startEmbeddingsServer, serverVector, type EmbeddingsServer } from '../../../test/helpers/embeddings-server.ts';
import { EmbedderError, dot, normalize, type Embedder } from './embedder.ts';
import { createHttpEmbedder } from './http.ts';

const log = createLogger('silent');
const KEY = 'sk-test-secret-key';
let server: EmbeddingsServer;
let embedder: Embedder;

function cfg(over: Partial<Config['embedder']> = {}): Config['embedder'] {
  return { kind: 'http', model: 'text-embedding-3-small', url: server.url, apiKey: KEY, timeoutMs: 2000, batch: 3, modelDir: './data/models', dtype: 'auto', ...over };
}

/** Expects an EmbedderError whose message matches, and that never shows the API key. */
async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EmbedderError, `not an EmbedderError: ${String(err)}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes(KEY), 'the API key leaked into the message');
    return true;
  });
}

before(async () => {
  server = await startEmbeddingsServer({ dim: 8, apiKey: KEY });
  embedder = await createHttpEmbedder(cfg(), log, { backoffMs: 10 });
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

describe('http embedder: normal answers', () => {
  test('is named after the model and probed its dimension at creation', () => {
    assert.equal(embedder.kind, 'http');
    assert.equal(embedder.name, 'http:text-embedding-3-small');
    assert.equal(embedder.dim, 8);
  });

  test('posts {model, input} with the bearer key and returns the normalised vectors in order', async () => {
    const texts = ['graph neural networks', 'protein folding'];
    const vs = await embedder.embed(texts, 'document');
    assert.equal(server.requests.length, 1);
    const [req] = server.requests;
    assert.equal(req!.path, '/v1/embeddings');
    assert.equal(req!.authorization, `Bearer ${KEY}`);
    assert.deepEqual(req!.body, { model: 'text-embedding-3-small', input: texts });
    for (let i = 0; i < texts.length; i++) {
      const expected = normalize(Float32Array.from(serverVector(texts[i]!, 8)));
      assert.ok(Math.abs(dot(vs[i]!, vs[i]!) - 1) < 1e-5);
      assert.ok(dot(vs[i]!, expected) > 0.99999, `vector ${i} is not the server's`);
    }
  });

  test('splits long lists into batches of cfg.batch and keeps the order', async () => {
    const texts = Array.from({ length: 7 }, (_, i) => `paper ${i}`);
    const vs = await embedder.embed(texts, 'document');
    assert.deepEqual(server.requests.map((r) => (r.body.input as string[]).length), [3, 3, 1]);
    assert.equal(vs.length, 7);
    for (let i = 0; i < 7; i++) assert.ok(dot(vs[i]!, normalize(Float32Array.from(serverVector(texts[i]!, 8)))) > 0.99999);
  });

  test('reorders answers by their index', async () => {
    server.next('reversed');
    const texts = ['a', 'b', 'c'];
    const vs = await embedder.embed(texts, 'document');
    for (let i = 0; i < 3; i++) assert.ok(dot(vs[i]!, normalize(Float32Array.from(serverVector(texts[i]!, 8)))) > 0.99999);
  });

  test('an empty list makes no request', async () => {
    assert.deepEqual(await embedder.embed([], 'query'), []);
    assert.equal(server.requests.length, 0);
  });
});

describe('http embedder: prefixes and keys', () => {
  let open: EmbeddingsServer;
  before(async () => {
    open = await startEmbeddingsServer({ dim: 4 });
  });
  after(() => open.close());

  test('nomic models get search_query:/search_document: prefixes; a trailing slash in the URL is fine; no key, no header', async () => {
    const nomic = await createHttpEmbedder(cfg({ model: 'nomic-embed-text', url: `${open.url}/`, apiKey: undefined }), log);
    assert.equal(nomic.dim, 4);
    await nomic.embed(['graph search'], 'query');
    await nomic.embed(['a paper'], 'document');
    const seen = open.requests.slice(-2);
    assert.deepEqual(seen.map((r) => r.body.input), [['search_query: graph search'], ['search_document: a paper']]);
    assert.deepEqual(seen.map((r) => r.authorization), [undefined, undefined]);
  });

  test('credentials in the URL are sent as Basic auth (fetch refuses them in URLs) and never appear in messages', async () => {
    const u = new URL(open.url);
    u.username = 'user';
    u.password = 'hunter2';
    const basic = await createHttpEmbedder(cfg({ url: u.toString(), apiKey: undefined }), log);
    assert.equal(open.requests.at(-1)!.authorization, `Basic ${Buffer.from('user:hunter2').toString('base64')}`);
    open.next({ status: 400 });
    await assert.rejects(basic.embed(['x'], 'document'), (err: Error) => {
      assert.match(err.message, /http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings answered 400/);
      assert.ok(!err.message.includes('hunter2'), err.message);
      return true;
    });
  });
});

describe('http embedder: errors and retries', () => {
  test('a refused key (401) fails at once with the server message and a hint, without retrying', async () => {
    await rejectsWith(createHttpEmbedder(cfg({ apiKey: 'sk-wrong' }), log, { backoffMs: 10 }), /answered 401: Incorrect API key provided \(check PAPERBOY_EMBEDDER_API_KEY\)/);
    assert.equal(server.requests.length, 1);
  });

  test('other 4xx answers are not retried either', async () => {
    server.next({ status: 400, body: JSON.stringify({ error: 'input too long' }) });
    await rejectsWith(embedder.embed(['x'], 'document'), /answered 400: input too long/);
    assert.equal(server.requests.length, 1);
  });

  test('a wrong URL (404) says which settings to check', async () => {
    await rejectsWith(createHttpEmbedder(cfg({ url: server.url.replace(/\/v1$/, '') }), log), /answered 404.*check PAPERBOY_EMBEDDER_URL/);
  });

  test('a 500 is retried and the next answer used', async () => {
    server.next({ status: 500 });
    const [v] = await embedder.embed(['retry me'], 'document');
    assert.equal(server.requests.length, 2);
    assert.ok(dot(v!, normalize(Float32Array.from(serverVector('retry me', 8)))) > 0.99999);
  });

  test('three 5xx answers give up with the last status', async () => {
    server.next({ status: 503, body: 'upstream overloaded' }, { status: 502 }, { status: 500, body: '{"error":{"message":"model crashed"}}' });
    await rejectsWith(embedder.embed(['x'], 'document'), /answered 500: model crashed \(after 3 attempts\)/);
    assert.equal(server.requests.length, 3);
  });

  // Backoff is set to 20 s here, so finishing within the test's timeout proves Retry-After: 1 was used instead.
  test('429 waits for Retry-After, then succeeds', { timeout: 10_000 }, async () => {
    const slow = await createHttpEmbedder(cfg(), log, { backoffMs: 20_000 });
    server.requests.length = 0;
    server.next({ status: 429, headers: { 'retry-after': '1' } });
    const vs = await slow.embed(['rate limited'], 'document');
    assert.equal(vs.length, 1);
    assert.equal(server.requests.length, 2);
  });

  test('a Retry-After longer than 30 s fails now instead of holding the caller', async () => {
    server.next({ status: 429, headers: { 'retry-after': '120' }, body: '{"error":{"message":"Rate limit reached"}}' });
    await rejectsWith(embedder.embed(['x'], 'document'), /Rate limit reached.*asks to wait 120 s/);
    assert.equal(server.requests.length, 1);
  });

  test('a hanging server times out after cfg.timeoutMs, is retried, and then gives up', async () => {
    const impatient = await createHttpEmbedder(cfg({ timeoutMs: 150 }), log, { backoffMs: 10 });
    server.requests.length = 0;
    server.next('hang');
    assert.equal((await impatient.embed(['x'], 'document')).length, 1);
    assert.equal(server.requests.length, 2);
    server.next('hang', 'hang', 'hang');
    await rejectsWith(impatient.embed(['x'], 'document'), /no answer from http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings after 3 attempts \(timed out after 150 ms\)/);
  });

  test('an unreachable server is a clear error at creation', async () => {
    const gone = await startEmbeddingsServer();
    const url = gone.url;
    await gone.close();
    await rejectsWith(createHttpEmbedder(cfg({ url }), log, { backoffMs: 10 }), /no answer from .* after 3 attempts \(ECONNREFUSED\)/);
  });
});

describe('http embedder: bad answers are rejected, not trusted', () => {
  const cases: Array<[Parameters<EmbeddingsServer['next']>[0], RegExp]> = [
    ['malformed-json', /unusable answer: not JSON/],
    ['no-data', /no "data" array/],
    ['one-missing', /2 embeddings for 3 texts/],
    ['wrong-dim', /item 2 has 7 dimensions, expected 8/],
    ['non-numeric', /item 0 has non-numeric or non-finite values/],
    ['repeated-index', /repeated index/],
  ];
  for (const [step, pattern] of cases) {
    test(`${step}`, async () => {
      server.next(step);
      await rejectsWith(embedder.embed(['a', 'b', 'c'], 'document'), pattern);
      assert.equal(server.requests.length, 1, 'a bad answer is not retried');
    });
  }

  test('a single vector of another dimension than the probed one', async () => {
    server.next('wrong-dim');
    await rejectsWith(embedder.embed(['alone'], 'document'), /7 dimensions, expected 8/);
  });
});
