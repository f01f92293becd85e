/**
 * Defence-in-depth checks for every test that renders user text:
 *
 *   import { assertNoExecutableMarkup, assertSameMarkup, benignTwin } from './helpers/xss.ts';
 *   assertNoExecutableMarkup(renderMarkdown(body));            // an HTML fragment (strict)
 *   assertNoExecutableMarkup(await res.text(), { page: true }); // a whole page of ours
 *   assertSameMarkup(hostilePage, benignPage);                  // user text added no element
 *
 * The HTML is tokenized as a browser would (./html-tokens.ts), so a check cannot be fooled by
 * spelling (`<ScRiPt>`, `<img/src=x/onerror=…>`, `java&#x09;script:`).
 */
import assert from 'node:assert/strict';
import { type HtmlToken, tokenizeHtml } from './html-tokens.ts';

export interface XssCheckOptions {
  /**
   * The HTML is a whole page of ours, not a user-text fragment: allows what our layout uses —
   * `<meta>` without `http-equiv`, `<link rel=canonical|stylesheet|icon|alternate>`, `<form>`
   * posting to a path on this site, `<script src="/assets/…">` without inline code.
   */
  page?: boolean;
  /**
   * Allows inline raster images (`data:image/png|gif|jpeg|webp`) in `<img src>`: they cannot run
   * script. Only for HTML made by others (a third-party Markdown client); ours has no <img>.
   */
  dataImages?: boolean;
}

/** Elements that run code, load active content, restyle the page, or submit or redirect it. */
const FORBIDDEN_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math',
  'base', 'form', 'meta', 'link', 'portal',
]);

/** Attributes a browser resolves as URLs (and may navigate to, load or run). */
const URL_ATTRS = new Set([
  'href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'background', 'data', 'codebase',
  'cite', 'lowsrc', 'dynsrc', 'ping', 'manifest', 'longdesc', 'usemap', 'icon', 'profile', 'archive',
  'classid', 'srcset', 'imagesrcset',
]);

const BAD_SCHEME = /^(?:javascript|vbscript|livescript|data):/;

/** A URL attribute's value as a browser reads its scheme: controls and whitespace gone, lower case. */
function schemeView(value: string): string {
  return value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
}

/** CSS as the style engine sees it: escapes decoded, comments and whitespace gone, lower case. */
function cssView(value: string): string {
  return value
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff) || 0xfffd))
    .replace(/\\(.)/gs, '$1')
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/[\s\u0000-\u001f]/g, '')
    .toLowerCase();
}

function pageAllows(tag: Extract<HtmlToken, { type: 'start' }>, tokens: HtmlToken[], index: number): boolean {
  const attr = (name: string) => tag.attrs.find((a) => a.name === name)?.value;
  switch (tag.name) {
    case 'meta':
      return attr('http-equiv') === undefined;
    case 'link':
      return ['canonical', 'stylesheet', 'icon', 'alternate'].includes((attr('rel') ?? '').trim().toLowerCase());
    case 'form': {
      const action = attr('action') ?? '';
      return /^\/(?![/\\])/.test(action);
    }
    case 'script': {
      const next = tokens[index + 1];
      const inline = next?.type === 'text' && next.rawOf === 'script' && next.text.trim() !== '';
      return /^\/assets\/[\w.-]+\.js$/.test(attr('src') ?? '') && !inline;
    }
    default:
      return false;
  }
}

/** Every executable or page-changing construct in the HTML, described; empty when there is none. */
export function findExecutableMarkup(html: string, options: XssCheckOptions = {}): string[] {
  const problems: string[] = [];
  const tokens = tokenizeHtml(html);
  const where = (offset: number) => JSON.stringify(html.slice(Math.max(0, offset - 20), offset + 80));
  tokens.forEach((t, index) => {
    if (t.type !== 'start') return;
    if (FORBIDDEN_ELEMENTS.has(t.name) && !(options.page && pageAllows(t, tokens, index))) {
      problems.push(`<${t.name}> element at ${where(t.offset)}`);
    }
    const isIconLink = options.page && t.name === 'link' && t.attrs.some((a) => a.name === 'rel' && a.value.trim().toLowerCase() === 'icon');
    for (const a of t.attrs) {
      if (a.name.startsWith('on')) problems.push(`event handler attribute ${a.name} on <${t.name}> at ${where(t.offset)}`);
      if (a.name === 'srcdoc') problems.push(`srcdoc attribute on <${t.name}> at ${where(t.offset)}`);
      if (a.name === 'style') {
        const css = cssView(a.value);
        if (/expression\(|javascript:|vbscript:|-moz-binding|behaviou?r:/.test(css)) {
          problems.push(`style attribute with script (${JSON.stringify(a.value.slice(0, 60))}) at ${where(t.offset)}`);
        }
      }
      if (URL_ATTRS.has(a.name)) {
        // srcset and imagesrcset hold several comma-separated candidates.
        const urls = a.name.endsWith('srcset') ? a.value.split(',') : [a.value];
        for (const url of urls) {
          const seen = schemeView(url);
          if (!BAD_SCHEME.test(seen)) continue;
          // Our own favicon is an inline SVG image; images cannot run script.
          if (isIconLink && a.name === 'href' && /^data:image\/(?:png|gif|jpeg|webp|svg\+xml)[;,]/.test(seen)) continue;
          if (options.dataImages && t.name === 'img' && a.name === 'src' && /^data:image\/(?:png|gif|jpeg|webp)[;,]/.test(seen)) continue;
          problems.push(`${a.name}=${JSON.stringify(url.slice(0, 60))} on <${t.name}> at ${where(t.offset)}`);
        }
      }
    }
  });
  return problems;
}

/** Fails when the HTML would run script (see findExecutableMarkup); `label` names the input in the message. */
export function assertNoExecutableMarkup(html: string, options: XssCheckOptions & { label?: string } = {}): void {
  const problems = findExecutableMarkup(html, options);
  if (problems.length > 0) {
    assert.fail(`${options.label ? `${options.label}: ` : ''}executable markup found:\n  ${problems.join('\n  ')}`);
  }
}

/** The elements of the HTML with their attribute names (no text, no values), in order. */
export function markupSkeleton(html: string): string[] {
  return tokenizeHtml(html).flatMap((t) => {
    if (t.type === 'start') return [`<${t.name}${t.attrs.map((a) => ` ${a.name}`).sort().join('')}>`];
    if (t.type === 'end') return [`</${t.name}>`];
    return [];
  });
}

/**
 * Fails unless both pages have the same elements and attribute names: rendered once with hostile
 * text and once with its benignTwin, a page must differ in text and attribute values only.
 */
export function assertSameMarkup(hostileHtml: string, benignHtml: string, label = ''): void {
  const a = markupSkeleton(hostileHtml);
  const b = markupSkeleton(benignHtml);
  const k = a.findIndex((tag, i) => tag !== b[i]);
  if (k >= 0 || a.length !== b.length) {
    const at = k >= 0 ? k : Math.min(a.length, b.length);
    assert.fail(
      `${label ? `${label}: ` : ''}user text changed the page's markup at element ${at}: ` +
        `${JSON.stringify(a.slice(Math.max(0, at - 2), at + 3))} vs ${JSON.stringify(b.slice(Math.max(0, at - 2), at + 3))}`,
    );
  }
}

/**
 * A harmless string shaped like `s`: every non-space UTF-16 unit becomes `x`, whitespace is kept,
 * so paragraph splits, excerpts and lengths come out the same on a page.
 */
export function benignTwin(s: string): string {
  return s.replace(/\S/g, 'x');
}
