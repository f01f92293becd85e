/**
 * Safe Markdown for comments and any other user-written text (markdown-it, CommonMark + GFM tables
 * and strikethrough). What it allows, and why:
 * - Raw HTML is never passed through (`html: false`): `<script>` shows as the text `<script>`.
 * - Links only to `http://`, `https://`, `mailto:` or a path on this site (`/papers/2501.12948`).
 *   Everything else (`javascript:`, `vbscript:`, `data:`, `file:`, relative paths, and obfuscations
 *   such as `java&#x09;script:` or ` JaVaScRiPt:`) stays plain text, because the check is an
 *   allow-list on the literal start of the normalized URL, not a deny-list of schemes.
 * - Every link gets `rel="nofollow ugc noopener"` (no SEO value for spam, no window.opener) and
 *   no `target`.
 * - Images become ordinary links to the image: an `<img>` would load from a third party when the
 *   page (or a mail) is opened, which is a tracking pixel and lets a commenter put arbitrary
 *   pictures on our pages. The reader can still follow the link.
 * - Headings are rendered as bold paragraphs: a comment must not shout, nor add headings to the
 *   page outline that screen readers navigate by.
 * - A newline is a line break (`<br>`), as in most comment boxes.
 * The output is an HTML fragment safe to insert as-is; wrap it in an element with `dir="auto"` so
 * right-to-left text and stray bidi controls stay inside the comment.
 */
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';

/** Longest comment accepted, in characters (code points). */
export const COMMENT_MAX_CHARS = 20_000;

/** The rel of every link in user text. */
export const USER_LINK_REL = 'nofollow ugc noopener';

/**
 * Whether a URL (as markdown-it hands it over: entities decoded, percent-encoded) may become a
 * link: it must literally start with `http://`, `https://` or `mailto:`, or be a path on this site.
 * A literal prefix leaves a browser no room to read another scheme into it.
 */
export function isAllowedLinkUrl(url: string): boolean {
  // Normalized URLs never hold raw whitespace or controls; one that does was not normalized.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return false;
  if (/^(?:https?:\/\/[^/\\]|mailto:[^/\\])/i.test(url)) return true;
  // `/path` but not `//host` or `/\host`, which browsers read as another host.
  return /^\/(?![/\\])/.test(url);
}

/** Image sources are shown as links to web addresses only. */
function isAllowedImageUrl(url: string): boolean {
  return isAllowedLinkUrl(url) && /^https?:\/\//i.test(url);
}

// `breaks`: a newline in a comment is a line break, as people expect from comment boxes (GitHub does the same).
const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
md.validateLink = isAllowedLinkUrl;

/** Plain text of inline tokens (an image's alt text, a link's label). */
function inlinePlain(tokens: Token[] | null): string {
  let out = '';
  for (const t of tokens ?? []) {
    if (t.type === 'text' || t.type === 'code_inline') out += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') out += ' ';
    else if (t.type === 'image') out += inlinePlain(t.children);
  }
  return out;
}

/**
 * After parsing: every link checked again and given its rel (defence in depth, whatever rule made
 * it), images turned into links (or into their alt text inside another link), code-fence language
 * names reduced to a plain word (they become a class name).
 */
md.core.ruler.push('paperboy_safe_links', (state) => {
  const Tok = state.Token;
  for (const block of state.tokens) {
    if (block.type === 'fence') {
      const lang = block.info.trim().split(/\s+/)[0] ?? '';
      block.info = /^[\w+#.-]{1,32}$/.test(lang) ? lang : '';
    }
    if (block.type !== 'inline' || !block.children) continue;
    const out: Token[] = [];
    let linkDepth = 0;
    for (const t of block.children) {
      if (t.type === 'link_open') {
        linkDepth++;
        const href = t.attrGet('href') ?? '';
        // An <a> without href is inert text; it keeps the open/close pair balanced.
        const title = t.attrGet('title');
        t.attrs = isAllowedLinkUrl(href) ? [['href', href], ...(title ? [['title', title] as [string, string]] : []), ['rel', USER_LINK_REL]] : null;
        out.push(t);
      } else if (t.type === 'link_close') {
        linkDepth = Math.max(0, linkDepth - 1);
        out.push(t);
      } else if (t.type === 'image') {
        const src = t.attrGet('src') ?? '';
        const alt = inlinePlain(t.children).trim();
        if (linkDepth > 0 || !isAllowedImageUrl(src)) {
          const text = new Tok('text', '', 0);
          text.content = alt;
          out.push(text);
          continue;
        }
        const open = new Tok('link_open', 'a', 1);
        open.attrs = [['href', src], ['rel', USER_LINK_REL], ['class', 'md-image']];
        const text = new Tok('text', '', 0);
        text.content = alt === '' ? src : `Image: ${alt}`;
        out.push(open, text, new Tok('link_close', 'a', -1));
      } else {
        out.push(t);
      }
    }
    block.children = out;
  }
});

md.renderer.rules.heading_open = () => '<p><strong>';
md.renderer.rules.heading_close = () => '</strong></p>\n';

/** Renders user Markdown to an HTML fragment that is safe to insert into a page or a mail as-is. */
export function renderMarkdown(src: string): string {
  return md.render(src);
}

/**
 * User Markdown as plain text, for mail text parts, feeds and snippets: paragraphs separated by a
 * blank line, list items by a newline, links as `label (url)`. With `max`, the text is flattened to
 * one line and cut at a word boundary with an ellipsis. Not escaped: escape it where it is used.
 */
export function markdownToText(src: string, max?: number): string {
  const blocks: string[] = [];
  let bullet = '';
  let quote = 0;
  const lists: Array<{ ordered: boolean; n: number }> = [];
  let row: string[] | null = null;
  let lastWasItem = false;
  // `tight` blocks (list items, table rows) follow one another after a single newline.
  const push = (text: string, tight: boolean) => {
    const prefix = '> '.repeat(quote);
    const body = text
      .split('\n')
      .map((l, i) => prefix + (i === 0 ? bullet : ' '.repeat(bullet.length)) + l)
      .join('\n');
    blocks.push((blocks.length === 0 ? '' : tight && lastWasItem ? '\n' : '\n\n') + body);
    bullet = '';
    lastWasItem = tight;
  };
  for (const t of md.parse(src, {})) {
    switch (t.type) {
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push({ ordered: t.type === 'ordered_list_open', n: Number(t.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        bullet = indent + (list?.ordered ? `${list.n++}. ` : '- ');
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close':
        if (row) push(row.join(' | '), true);
        row = null;
        break;
      case 'fence':
      case 'code_block':
        push(t.content.replace(/\n$/, ''), lists.length > 0);
        break;
      case 'inline': {
        const text = inlineText(t.children);
        if (row) row.push(text);
        else push(text, lists.length > 0);
        break;
      }
    }
  }
  const text = blocks.join('');
  if (max === undefined) return text;
  return cut(text.replace(/\s+/g, ' ').trim(), max);
}

/** Text of inline tokens with each link's address after its label. */
function inlineText(tokens: Token[] | null): string {
  let out = '';
  const hrefs: Array<{ href: string; start: number }> = [];
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'text':
      case 'code_inline':
        out += t.content;
        break;
      case 'softbreak':
        out += '\n';
        break;
      case 'hardbreak':
        out += '\n';
        break;
      case 'link_open':
        hrefs.push({ href: t.attrGet('href') ?? '', start: out.length });
        break;
      case 'link_close': {
        const link = hrefs.pop();
        if (!link || link.href === '') break;
        const label = out.slice(link.start);
        // An autolink's label is its address (a mail address without `mailto:`); don't say it twice.
        const plainHref = link.href.replace(/^mailto:/i, '');
        if (label !== link.href && label !== plainHref && `http://${label}` !== link.href) out += ` (${link.href})`;
        break;
      }
    }
  }
  return out;
}

function cut(flat: string, max: number): string {
  const chars = [...flat];
  if (chars.length <= max) return flat;
  const head = chars.slice(0, Math.max(0, max - 1)).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > head.length * 0.6 ? head.slice(0, space) : head).replace(/[\s,;:.]+$/, '')}…`;
}

/** What a comment body becomes once checked: the text to store, or a message the author can act on. */
export type CommentBodyCheck = { ok: true; body: string } | { ok: false; error: string };

/**
 * Checks and normalizes a comment body before it is stored: text, not blank, at most
 * COMMENT_MAX_CHARS characters. Line endings become `\n`; NUL and other control characters
 * (except tab and newline) are removed, since they are invisible and PostgreSQL cannot store NUL;
 * lone surrogates become U+FFFD.
 */
export function validateCommentBody(input: unknown): CommentBodyCheck {
  if (typeof input !== 'string') return { ok: false, error: 'The comment must be text.' };
  // Counting code points of a multi-megabyte body is wasted work: it is too long either way.
  if (input.length > COMMENT_MAX_CHARS * 4) return tooLong(input.length);
  const body = input
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    // A lone UTF-16 surrogate cannot be stored as UTF-8 nor put in a URL.
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/^\s*\n/, '')
    .trimEnd();
  if (body.trim() === '') return { ok: false, error: 'The comment is empty; write something before posting.' };
  const n = [...body].length;
  if (n > COMMENT_MAX_CHARS) return tooLong(n);
  return { ok: true, body };
}

function tooLong(n: number): CommentBodyCheck {
  return {
    ok: false,
    error: `The comment is too long (${n.toLocaleString('en-US')} characters); keep it under ${COMMENT_MAX_CHARS.toLocaleString('en-US')}.`,
  };
}
