import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abstractParagraphs, excerpt, formatDay, paperPath, safeHttpUrl, shortAuthors } from './text.ts';

describe('page text helpers', () => {
  it('excerpts collapse hard wraps and cut at a word boundary', () => {
    const text = 'Reward Models (RMs) are critical for improving\ngeneration models via Reinforcement Learning (RL), yet the RM scaling paradigm';
    assert.equal(excerpt(text, 500), text.replace(/\n/g, ' '));
    const short = excerpt(text, 60);
    assert.ok(short.length <= 61);
    assert.ok(short.endsWith('…'));
    assert.ok(text.replace(/\n/g, ' ').startsWith(short.slice(0, -1)));
    assert.ok(!/\s…$/.test(short));
  });

  it('splits abstracts only at blank or indented lines', () => {
    assert.deepEqual(abstractParagraphs('  one line\nwrapped here\n  Second paragraph\nwrapped.\n\nThird.'), [
      'one line wrapped here',
      'Second paragraph wrapped.',
      'Third.',
    ]);
  });

  it('shortens long author lists with et al.', () => {
    assert.equal(shortAuthors(['A', 'B', 'C', 'D']), 'A, B, C, D');
    assert.equal(shortAuthors(['A', 'B', 'C', 'D', 'E']), 'A, B, C et al.');
    assert.equal(shortAuthors([]), '');
  });

  it('lets only http(s) URLs into links', () => {
    assert.equal(safeHttpUrl('https://github.com/x/y'), 'https://github.com/x/y');
    assert.equal(safeHttpUrl('javascript:alert(1)'), undefined);
    assert.equal(safeHttpUrl(' JavaScript:alert(1)'), undefined);
    assert.equal(safeHttpUrl('data:text/html,<b>'), undefined);
    assert.equal(safeHttpUrl('not a url'), undefined);
    assert.equal(safeHttpUrl(null), undefined);
  });

  it('formats dates and paper paths', () => {
    assert.equal(formatDay('2025-09-10'), 'Sep 10, 2025');
    assert.equal(formatDay('2006-01-02T14:57:58Z'), 'Jan 2, 2006');
    assert.equal(paperPath('hep-th/9901001'), '/papers/hep-th/9901001');
    assert.equal(paperPath('2509.08826'), '/papers/2509.08826');
  });
});
