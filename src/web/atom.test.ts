/**
 * renderAtom: every hostile input (test/fixtures/hostile-inputs.ts) as a title, author, summary,
 * category and URL gives a valid Atom document that reads back as the same text (minus the characters
 * XML forbids); required elements are present; unreadable times never make the document invalid.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOSTILE_INPUTS } from '../../test/fixtures/hostile-inputs.ts';
import { asFeedText, parseAtom } from '../../test/helpers/atom.ts';
import { type AtomFeed, renderAtom, xmlText } from './atom.ts';

function feedWith(text: string): AtomFeed {
  return {
    id: `https://papers.example/feeds/x?q=${text}`,
    title: text,
    subtitle: text,
    selfUrl: `https://papers.example/feeds/search.atom?q=${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}&sort=date`,
    alternateUrl: `https://papers.example/search?q=${text}`,
    updated: '2026-02-04T10:00:00Z',
    entries: [
      {
        id: `https://papers.example/papers/${text}`,
        title: text,
        url: 'https://papers.example/papers/2602.00001',
        updated: '2026-02-04T09:00:00.000Z',
        published: '2026-02-03',
        authors: [text, 'Ada Lovelace'],
        summary: text,
        categories: [text, 'cs.CL'],
      },
    ],
  };
}

describe('renderAtom', () => {
  for (const h of HOSTILE_INPUTS) {
    it(`escapes ${h.name}`, () => {
      const xml = renderAtom(feedWith(h.input));
      const f = parseAtom(xml, h.name);
      const want = asFeedText(h.input);
      assert.equal(f.title, want);
      assert.equal(f.entries.length, 1);
      const e = f.entries[0]!;
      assert.equal(e.title, want);
      assert.equal(e.summary, want);
      assert.deepEqual(e.authors, [want, 'Ada Lovelace']);
      assert.deepEqual(e.categories, [want, 'cs.CL']);
      assert.equal(f.self, `https://papers.example/feeds/search.atom?q=${encodeURIComponent(h.input.replace(/[\ud800-\udfff]/g, ''))}&sort=date`);
      // Nothing of the input survives as markup: the only elements are Atom's own.
      const tags = new Set([...xml.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => m[1]));
      for (const t of tags) assert.ok(['feed', 'id', 'title', 'subtitle', 'updated', 'link', 'author', 'name', 'generator', 'entry', 'published', 'category', 'summary'].includes(t!), `unexpected element <${t}>`);
    });
  }

  it('drops every character XML 1.0 forbids, keeps tab, newline and astral characters', () => {
    assert.equal(xmlText('a\u0000b\u0008c\u000bd\u001fe\ufffef\uffffg\ud800h\udc00i'), 'abcdefghi');
    assert.equal(xmlText('t\ta\nb 🙂 é'), 't\ta\nb 🙂 é');
    assert.equal(xmlText(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });

  it('writes the required elements and RFC 3339 times, falling back for unreadable ones', () => {
    const xml = renderAtom({
      id: 'https://p.example/feeds/daily.atom',
      title: 'Daily',
      selfUrl: 'https://p.example/feeds/daily.atom',
      alternateUrl: 'https://p.example/',
      updated: 'not a time',
      entries: [{ id: 'https://p.example/papers/1', title: 'One', url: 'https://p.example/papers/1', updated: 'garbage', authors: [], summary: '' }],
    });
    const f = parseAtom(xml);
    assert.equal(f.updated, '1970-01-01T00:00:00.000Z');
    // An entry's unreadable time takes the feed's, never an invalid value.
    assert.equal(f.entries[0]!.updated, f.updated);
    assert.deepEqual(f.entries[0]!.authors, []); // the feed-level author covers it
    assert.match(xml, /<author><name>Paperboy<\/name><\/author>/);
    assert.equal(f.alternate, 'https://p.example/');
  });

  it('renders an empty feed', () => {
    const f = parseAtom(renderAtom({ id: 'urn:x', title: 'Nothing', selfUrl: 'https://p.example/f', alternateUrl: 'https://p.example/', updated: '2026-01-01T00:00:00Z', entries: [] }));
    assert.equal(f.entries.length, 0);
    assert.equal(f.title, 'Nothing');
  });
});
