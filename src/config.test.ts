import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

test('defaults, and a bad value names the variable and what it accepts', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, './data/paperboy.db');
  assert.equal(c.feedTimezone, 'America/New_York');
  assert.throws(() => loadConfig({ PORT: '99999' }), (e: Error) => e instanceof ConfigError && /PORT=.*TCP port/.test(e.message));
  assert.throws(() => loadConfig({ PAPERBOY_FEED_TIMEZONE: 'Mars/Base' }), /PAPERBOY_FEED_TIMEZONE.*IANA time zone/);
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL.*accepts one of/);
  assert.throws(() => loadConfig({ PAPERBOY_DATABASE_URL: 'mysql://x/y' }), /PAPERBOY_DATABASE_URL/);
  assert.equal(c.vectorIndex, 'exact');
  assert.equal(loadConfig({ PAPERBOY_VECTOR_INDEX: 'int8' }).vectorIndex, 'int8');
  assert.throws(() => loadConfig({ PAPERBOY_VECTOR_INDEX: 'hnsw' }), /PAPERBOY_VECTOR_INDEX.*accepts exact or int8/);
  assert.equal(c.embedder.dtype, 'auto');
  assert.equal(loadConfig({ PAPERBOY_EMBEDDER_DTYPE: 'q8' }).embedder.dtype, 'q8');
  assert.throws(() => loadConfig({ PAPERBOY_EMBEDDER_DTYPE: 'int4' }), /PAPERBOY_EMBEDDER_DTYPE.*accepts auto, fp32, fp16 or q8/);
});

test('the base URL follows a port override only when PAPERBOY_BASE_URL is not set', () => {
  assert.equal(loadConfig({}, { port: 3000 }).baseUrl, 'http://localhost:3000');
  assert.equal(loadConfig({ PAPERBOY_BASE_URL: 'https://papers.example.org:8443/' }, { port: 3000 }).baseUrl, 'https://papers.example.org:8443');
});

test('`paperboy config` never shows a database password', () => {
  const shown = (url: string) => describeConfig({ PAPERBOY_DATABASE_URL: url }).find((v) => v.name === 'PAPERBOY_DATABASE_URL')!.value;
  for (const url of ['postgres://u:s3cret@db/x', 'postgres://:s3cret@db/x', 'postgres://u@db/x?password=s3cret', 'postgres://u:p%40s3cret@db/x']) {
    assert.doesNotMatch(shown(url), /s3cret/, url);
  }
  assert.equal(shown('./data/paperboy.db'), './data/paperboy.db');
});
