/**
 * A small HTML tokenizer for tests, following the WHATWG tokenizer where it matters for XSS checks:
 * tag and attribute states (unquoted, quoted, missing whitespace, `/` between attributes, `=` as
 * the first character of a name), comments (including `<!-->` and `--!>`), bogus comments, raw
 * text and RCDATA elements (`<script>`, `<style>`, `<title>`, `<textarea>`, `<noscript>`…) and
 * character references in attribute values (decoded by `entities`, with the spec's attribute rules).
 * It does not build a tree: a test asks "which elements and attributes would a browser create",
 * which the token stream answers. A tag cut off by the end of input is dropped, as browsers do.
 */
import { decodeHTMLAttribute } from 'entities';

export interface HtmlAttr {
  /** Lower-cased, as browsers store it. */
  name: string;
  /** The value after character references are decoded. */
  value: string;
}

export type HtmlToken =
  | { type: 'start'; name: string; attrs: HtmlAttr[]; selfClosing: boolean; offset: number }
  | { type: 'end'; name: string; offset: number }
  | { type: 'text'; text: string; offset: number; rawOf?: string };

/** Elements whose content is text up to their end tag (with scripting enabled, as in a browser). */
const RAW_TEXT = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'title', 'textarea']);

const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\f';
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

/** Splits HTML into start tags, end tags and text, the way a browser's tokenizer would. */
export function tokenizeHtml(input: string): HtmlToken[] {
  // Input stream preprocessing: CR and CRLF become LF.
  const html = input.replace(/\r\n?/g, '\n');
  const n = html.length;
  const out: HtmlToken[] = [];
  let i = 0;
  const text = (from: number, to: number, rawOf?: string) => {
    if (to > from) out.push({ type: 'text', text: html.slice(from, to), offset: from, ...(rawOf ? { rawOf } : {}) });
  };

  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(i, n);
      break;
    }
    const c = html[lt + 1];
    if (c === '!') {
      text(i, lt);
      i = skipMarkupDeclaration(html, lt + 2);
    } else if (c === '?') {
      text(i, lt);
      i = skipBogusComment(html, lt + 1);
    } else if (c === '/') {
      const c2 = html[lt + 2];
      if (isAlpha(c2)) {
        text(i, lt);
        const tag = readTag(html, lt + 2);
        if (!tag) return out; // cut off by the end of input: dropped
        out.push({ type: 'end', name: tag.name, offset: lt });
        i = tag.end;
      } else if (c2 === '>') {
        text(i, lt);
        i = lt + 3;
      } else if (c2 === undefined) {
        text(i, n);
        break;
      } else {
        text(i, lt);
        i = skipBogusComment(html, lt + 2);
      }
    } else if (isAlpha(c)) {
      text(i, lt);
      const tag = readTag(html, lt + 1);
      if (!tag) return out;
      out.push({ type: 'start', name: tag.name, attrs: tag.attrs, selfClosing: tag.selfClosing, offset: lt });
      i = tag.end;
      if (tag.name === 'plaintext') {
        text(i, n, 'plaintext');
        break;
      }
      // `<script/>` still opens a script element: the self-closing flag means nothing on HTML elements.
      if (RAW_TEXT.has(tag.name)) {
        const close = findRawTextEnd(html, i, tag.name);
        text(i, close, tag.name);
        i = close;
      }
    } else {
      // A `<` that starts no tag is text; keep scanning after it.
      text(i, lt + 1);
      i = lt + 1;
    }
  }
  return out;
}

/** Where `</name` followed by whitespace, `/` or `>` starts, or the end of input. */
function findRawTextEnd(html: string, from: number, name: string): number {
  const lower = html.toLowerCase();
  let at = from;
  for (;;) {
    const k = lower.indexOf(`</${name}`, at);
    if (k < 0) return html.length;
    const after = html[k + 2 + name.length];
    if (after === undefined || isWs(after) || after === '/' || after === '>') return k;
    at = k + 1;
  }
}

/** After `<!`: a comment, a doctype or a bogus comment; returns the index after it. */
function skipMarkupDeclaration(html: string, from: number): number {
  if (html.startsWith('--', from)) {
    const body = from + 2;
    // `<!-->` and `<!--->` close at once.
    if (html[body] === '>') return body + 1;
    if (html.startsWith('->', body)) return body + 2;
    const a = html.indexOf('-->', body);
    const b = html.indexOf('--!>', body);
    if (a < 0 && b < 0) return html.length;
    if (b < 0 || (a >= 0 && a < b)) return a + 3;
    return b + 4;
  }
  return skipBogusComment(html, from);
}

function skipBogusComment(html: string, from: number): number {
  const gt = html.indexOf('>', from);
  return gt < 0 ? html.length : gt + 1;
}

interface ReadTag {
  name: string;
  attrs: HtmlAttr[];
  selfClosing: boolean;
  end: number;
}

/** Reads a tag from its name's first character; undefined when input ends inside it. */
function readTag(html: string, from: number): ReadTag | undefined {
  const n = html.length;
  let i = from;
  while (i < n && !isWs(html[i]) && html[i] !== '/' && html[i] !== '>') i++;
  const name = html.slice(from, i).toLowerCase().replace(/\0/g, '\ufffd');
  const attrs: HtmlAttr[] = [];
  let selfClosing = false;
  for (;;) {
    while (i < n && isWs(html[i])) i++;
    if (i >= n) return undefined;
    const c = html[i];
    if (c === '>') return { name, attrs, selfClosing, end: i + 1 };
    if (c === '/') {
      i++;
      if (html[i] === '>') {
        selfClosing = true;
        return { name, attrs, selfClosing, end: i + 1 };
      }
      continue;
    }
    // Attribute name; a leading `=` belongs to the name.
    const nameStart = i;
    if (c === '=') i++;
    while (i < n && !isWs(html[i]) && html[i] !== '/' && html[i] !== '>' && html[i] !== '=') i++;
    const attrName = html.slice(nameStart, i).toLowerCase();
    while (i < n && isWs(html[i])) i++;
    let raw = '';
    if (html[i] === '=') {
      i++;
      while (i < n && isWs(html[i])) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        if (close < 0) return undefined;
        raw = html.slice(i + 1, close);
        i = close + 1;
      } else {
        const start = i;
        while (i < n && !isWs(html[i]) && html[i] !== '>') i++;
        raw = html.slice(start, i);
      }
    }
    attrs.push({ name: attrName, value: decodeHTMLAttribute(raw) });
  }
}
