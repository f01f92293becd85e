/** safeHttpsUrl: the only gate for community-edited code and project links. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_URL_LENGTH, safeHttpsUrl } from './safe-url.ts';

describe('safeHttpsUrl', () => {
  it('accepts plain https links and returns them normalized', () => {
    assert.equal(safeHttpsUrl('https://github.com/deepseek-ai/DeepSeek-R1'), 'https://github.com/deepseek-ai/DeepSeek-R1');
    assert.equal(safeHttpsUrl('  https://Example.ORG  \n'), 'https://example.org/');
    assert.equal(safeHttpsUrl('HTTPS://example.org/a?b=1#c'), 'https://example.org/a?b=1#c');
    assert.equal(safeHttpsUrl('https://bücher.example/'), 'https://xn--bcher-kva.example/');
  });

  it('refuses other schemes, credentials, missing hosts, odd spellings and invisible characters', () => {
    for (const bad of [
      'http://example.org',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,x',
      'https:example.org',
      'https:/example.org',
      'https:\\\\example.org',
      'https://\\example.org',
      'https://',
      'https:///path',
      'https://user:pw@example.org/',
      'https://user@example.org/',
      'https://exa mple.org/',
      'https://example.org/a b',
      'https://example.org/\u0000',
      'https://example.org/\u202egnp',
      'https://exa\u200bmple.org/',
      '//example.org',
      'example.org',
      '',
      `https://example.org/${'a'.repeat(MAX_URL_LENGTH)}`,
    ]) {
      assert.equal(safeHttpsUrl(bad), null, JSON.stringify(bad));
    }
    assert.equal(safeHttpsUrl(undefined), null);
    assert.equal(safeHttpsUrl(42), null);
  });
});
