/** The comment Markdown renderer: what it allows, what it turns into text, and the body check. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMENT_MAX_CHARS, isAllowedLinkUrl, markdownToText, renderMarkdown, validateCommentBody } from './markdown.ts';

describe('renderMarkdown', () => {
  it('renders ordinary Markdown: emphasis, code, lists, quotes, tables', () => {
    assert.equal(renderMarkdown('Hello **world** and `x < y`'), '<p>Hello <strong>world</strong> and <code>x &lt; y</code></p>\n');
    assert.equal(renderMarkdown('- a\n- b'), '<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n');
    assert.equal(renderMarkdown('> quoted'), '<blockquote>\n<p>quoted</p>\n</blockquote>\n');
    assert.match(renderMarkdown('| a |\n|---|\n| 1 |'), /<table>[\s\S]*<td>1<\/td>/);
    assert.equal(renderMarkdown('~~gone~~'), '<p><s>gone</s></p>\n');
    assert.equal(renderMarkdown('```python\nprint(1)\n```'), '<pre><code class="language-python">print(1)\n</code></pre>\n');
  });

  it('keeps line breaks', () => {
    assert.equal(renderMarkdown('first line\nsecond line'), '<p>first line<br>\nsecond line</p>\n');
  });

  it('shows raw HTML as text', () => {
    assert.equal(renderMarkdown('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    assert.equal(renderMarkdown('<b onclick="x()">hi</b>'), '<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;</p>\n');
  });

  it('links http(s), mailto and site paths with rel="nofollow ugc noopener" and no target', () => {
    assert.equal(
      renderMarkdown('[code](https://github.com/a/b)'),
      '<p><a href="https://github.com/a/b" rel="nofollow ugc noopener">code</a></p>\n',
    );
    assert.equal(renderMarkdown('[x](http://example.org/a?b=1&c=2)'), '<p><a href="http://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">x</a></p>\n');
    assert.equal(renderMarkdown('<me@example.org>'), '<p><a href="mailto:me@example.org" rel="nofollow ugc noopener">me@example.org</a></p>\n');
    assert.equal(renderMarkdown('[paper](/papers/2501.12948)'), '<p><a href="/papers/2501.12948" rel="nofollow ugc noopener">paper</a></p>\n');
    assert.doesNotMatch(renderMarkdown('[x](https://example.org)'), /target=/);
    assert.equal(
      renderMarkdown('[x](https://example.org "a \\"quoted\\" <title>")'),
      '<p><a href="https://example.org" title="a &quot;quoted&quot; &lt;title&gt;" rel="nofollow ugc noopener">x</a></p>\n',
    );
  });

  it('linkifies bare URLs, www. hosts and mail addresses', () => {
    assert.equal(
      renderMarkdown('see https://arxiv.org/abs/2501.12948 or www.example.org'),
      '<p>see <a href="https://arxiv.org/abs/2501.12948" rel="nofollow ugc noopener">https://arxiv.org/abs/2501.12948</a> or ' +
        '<a href="http://www.example.org" rel="nofollow ugc noopener">www.example.org</a></p>\n',
    );
  });

  it('keeps every other scheme, and obfuscated ones, as plain text', () => {
    for (const src of [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x]( javascript:alert(1))',
      '[x](java&#x09;script:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](javascript&colon;alert(1))',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html,hi)',
      '[x](file:///etc/passwd)',
      '[x](ftp://example.org/)',
      '[x](//evil.example/)',
      '[x](relative/path)',
      '<javascript:alert(1)>',
      '[x][r]\n\n[r]: javascript:alert(1)',
    ]) {
      const html = renderMarkdown(src);
      assert.doesNotMatch(html, /<a\b/, src);
    }
  });

  it('turns images into links to the image (no <img>, so no tracking pixel)', () => {
    assert.equal(
      renderMarkdown('![a chart](https://example.org/chart.png)'),
      '<p><a href="https://example.org/chart.png" rel="nofollow ugc noopener" class="md-image">Image: a chart</a></p>\n',
    );
    assert.equal(
      renderMarkdown('![](https://example.org/p.gif)'),
      '<p><a href="https://example.org/p.gif" rel="nofollow ugc noopener" class="md-image">https://example.org/p.gif</a></p>\n',
    );
    // Inside a link the image is its alt text (no nested links); a bad source leaves the text as written.
    assert.equal(renderMarkdown('[![logo](https://e.org/l.png)](https://e.org)'), '<p><a href="https://e.org" rel="nofollow ugc noopener">logo</a></p>\n');
    assert.equal(renderMarkdown('![x](data:image/png;base64,AAAA)'), '<p>![x](data:image/png;base64,AAAA)</p>\n');
    assert.equal(renderMarkdown('![x](/local.png)'), '<p>x</p>\n');
  });

  it('renders headings as bold paragraphs', () => {
    assert.equal(renderMarkdown('# Big\n\nSmall\n---'), '<p><strong>Big</strong></p>\n<p><strong>Small</strong></p>\n');
  });

  it('reduces a code fence language to a plain word', () => {
    assert.equal(renderMarkdown('```x" onclick="y\ncode\n```'), '<pre><code>code\n</code></pre>\n');
  });
});

describe('isAllowedLinkUrl', () => {
  it('allows only a literal http(s)/mailto prefix or a site path', () => {
    for (const ok of ['https://a.org', 'HTTP://a.org/x', 'mailto:a@b.org', '/papers/1', '/']) assert.ok(isAllowedLinkUrl(ok), ok);
    for (const bad of ['javascript:x', 'https:a.org', 'https:/\\a.org', '//a.org', '/\\a.org', ' https://a.org', 'java%09script:x', 'x', '#top', '']) {
      assert.ok(!isAllowedLinkUrl(bad), bad);
    }
  });
});

describe('markdownToText', () => {
  it('gives paragraphs, list items and links as text', () => {
    assert.equal(
      markdownToText('# Title\n\nSee [the code](https://github.com/a/b) &amp; **more**.\n\n- one\n- two\n\n> quoted\n\n```\n<b>x</b>\n```'),
      'Title\n\nSee the code (https://github.com/a/b) & more.\n\n- one\n- two\n\n> quoted\n\n<b>x</b>',
    );
    assert.equal(markdownToText('https://example.org and <a@b.org>'), 'https://example.org and a@b.org');
    assert.equal(markdownToText('1. a\n2. b'), '1. a\n2. b');
  });

  it('flattens and cuts at a word boundary with max', () => {
    assert.equal(markdownToText('one two three four five six', 15), 'one two three…');
    assert.equal(markdownToText('short\n\ntext', 50), 'short text');
    assert.ok([...markdownToText('x'.repeat(500), 100)].length <= 100);
  });
});

describe('validateCommentBody', () => {
  it('accepts text, normalizes line endings and removes control characters', () => {
    assert.deepEqual(validateCommentBody('Nice paper!\r\nThanks\u0000 \u0007 '), { ok: true, body: 'Nice paper!\nThanks' });
    assert.deepEqual(validateCommentBody('\n\n  indented code stays\n'), { ok: true, body: '  indented code stays' });
    assert.deepEqual(validateCommentBody('lone \ud800 and pair 😀'), { ok: true, body: 'lone \ufffd and pair 😀' });
  });

  it('refuses empty, non-text and too long bodies with a clear message', () => {
    assert.deepEqual(validateCommentBody('  \n\t'), { ok: false, error: 'The comment is empty; write something before posting.' });
    assert.deepEqual(validateCommentBody(42), { ok: false, error: 'The comment must be text.' });
    const tooLong = validateCommentBody('a'.repeat(COMMENT_MAX_CHARS + 1));
    assert.deepEqual(tooLong, { ok: false, error: 'The comment is too long (20,001 characters); keep it under 20,000.' });
    assert.equal(validateCommentBody('😀'.repeat(COMMENT_MAX_CHARS)).ok, true, 'the limit counts characters, not UTF-16 units');
    assert.equal(validateCommentBody('a'.repeat(10_000_000)).ok, false);
  });
});
