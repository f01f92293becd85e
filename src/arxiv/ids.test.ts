import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeArxivId, parseArxivId } from './ids.ts';

test('new-style ids, with versions, prefixes and URLs', () => {
  assert.deepEqual(parseArxivId('2509.08826'), { id: '2509.08826', version: null });
  assert.deepEqual(parseArxivId('2509.08826v3'), { id: '2509.08826', version: 3 });
  assert.deepEqual(parseArxivId('arXiv:2509.08826v1'), { id: '2509.08826', version: 1 });
  assert.deepEqual(parseArxivId('0704.0001'), { id: '0704.0001', version: null });
  assert.equal(normalizeArxivId('https://arxiv.org/abs/2509.08826v2'), '2509.08826');
  assert.equal(normalizeArxivId('https://arxiv.org/pdf/2509.08826v2.pdf'), '2509.08826');
  assert.equal(normalizeArxivId('http://export.arxiv.org/abs/2509.08826?context=cs'), '2509.08826');
  assert.equal(normalizeArxivId('https://huggingface.co/papers/2509.08826'), '2509.08826');
  assert.equal(normalizeArxivId('  2509.08826  '), '2509.08826');
});

test('old-style ids keep the archive and drop the subject class', () => {
  assert.deepEqual(parseArxivId('hep-th/9901001'), { id: 'hep-th/9901001', version: null });
  assert.deepEqual(parseArxivId('math.GT/0309136v2'), { id: 'math/0309136', version: 2 });
  assert.equal(normalizeArxivId('https://arxiv.org/abs/astro-ph/0601001v1'), 'astro-ph/0601001');
});

test('invalid ids are rejected', () => {
  for (const bad of ['', 'abc', '2509.0882', '2513.08826', '0612.1234', '1412.12345', '1501.1234', '2509.088260',
    'hep-th/99013', 'hep-th/9913001', '../../etc/passwd', '2509.08826v', 'x'.repeat(1000), '<script>']) {
    assert.equal(parseArxivId(bad), null, bad);
  }
});
