/** The fixed-window rate limiter, on a fake clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config.ts';
import { RateLimiter } from './rateLimit.ts';

const rules = loadConfig({ PAPERBOY_RATE_LIMITS: 'vote=3/10s,comment=off' }).rateLimits;

test('allows the limit per window, refuses with the seconds left, and opens again in the next window', () => {
  let now = 1_000_000;
  const rl = new RateLimiter(rules, () => now);
  assert.deepEqual(rl.hit('vote', 'u1'), { ok: true, remaining: 2 });
  assert.deepEqual(rl.hit('vote', 'u1'), { ok: true, remaining: 1 });
  now += 2500;
  assert.deepEqual(rl.hit('vote', 'u1'), { ok: true, remaining: 0 });
  assert.deepEqual(rl.hit('vote', 'u1'), { ok: false, retryAfterSeconds: 8 });
  now += 7400;
  assert.deepEqual(rl.hit('vote', 'u1'), { ok: false, retryAfterSeconds: 1 }, 'refused hits do not extend the window');
  now += 100;
  assert.equal(rl.hit('vote', 'u1').ok, true, 'a new window');
});

test('keys and actions are counted apart; an action set to off is unlimited', () => {
  const rl = new RateLimiter(rules, () => 0);
  for (let i = 0; i < 3; i++) rl.hit('vote', 'a');
  assert.equal(rl.hit('vote', 'a').ok, false);
  assert.equal(rl.hit('vote', 'b').ok, true);
  assert.equal(rl.hit('submit', 'a').ok, true);
  for (let i = 0; i < 1000; i++) assert.equal(rl.hit('comment', 'a').ok, true);
});

test('memory stays bounded under a flood of distinct keys', () => {
  const rl = new RateLimiter(rules, () => 0, 100);
  for (let i = 0; i < 10_000; i++) rl.hit('vote', `k${i}`);
  const size = (rl as unknown as { windows: Map<string, unknown> }).windows.size;
  assert.ok(size <= 100, `size ${size}`);
});

test('defaults and the PAPERBOY_RATE_LIMITS syntax', () => {
  const d = loadConfig({}).rateLimits;
  assert.deepEqual(d.signin, { limit: 5, windowMs: 15 * 60_000 });
  assert.deepEqual(d.vote, { limit: 120, windowMs: 60_000 });
  assert.equal(rules.comment, null);
  assert.deepEqual(rules.vote, { limit: 3, windowMs: 10_000 });
  assert.deepEqual(rules.submit, d.submit, 'unnamed actions keep their default');
  for (const bad of ['vote', 'vote=3', 'vote=3/10', 'vote=3/10y', 'nope=1/1m', 'vote=0/1m', 'vote=1/0s']) {
    assert.throws(() => loadConfig({ PAPERBOY_RATE_LIMITS: bad }), /PAPERBOY_RATE_LIMITS/, bad);
  }
});
