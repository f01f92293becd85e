/**
 * Highlight segments: text split into plain and matched runs, the shape the Hugging Face API
 * returns as highlightedTitle / highlightedSummary and pages render as <mark>.
 *
 * Done in JavaScript rather than with FTS5's highlight(): that function re-reads and re-tokenizes
 * each row inside the ranking cursor, and looking rows up by rowid in FTS5 costs milliseconds
 * each on a large index. We tokenize and stem the same way FTS5 does (unicode61 folding, then
 * Porter), so "hacks" is marked for the query "hacking" just as FTS5 matched it.
 */
import { porterStem } from './porter.ts';
import { type Clause, foldToken } from './query.ts';

/** A run of text, highlighted or not. */
export interface Segment {
  type: 'text' | 'highlight';
  text: string;
}

/** What to mark: stems of single words, folded prefixes, and phrases as stem sequences. */
export interface HighlightTerms {
  stems: Set<string>;
  prefixes: string[];
  phrases: string[][];
}

interface Token {
  start: number;
  end: number;
  folded: string;
  /** Filled on first use (stemAt): most tokens are ruled out by their first letter alone. */
  stem?: string;
}

const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const ASCII_WORD = /^[A-Za-z0-9]+$/;

// Highlighting stems every word of 20 titles and abstracts per search, and Porter plus Unicode
// folding cost microseconds a word (most of a search's time before this cache). The vocabulary
// of paper abstracts repeats heavily, so a bounded memo of folded word -> stem pays off at once.
const STEM_CACHE_SIZE = 50_000;
let stemCache = new Map<string, string>();

function fold(raw: string): string {
  return ASCII_WORD.test(raw) ? raw.toLowerCase() : foldToken(raw);
}

function stemFolded(folded: string): string {
  let stem = stemCache.get(folded);
  if (stem === undefined) {
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache = new Map();
    stem = porterStem(folded);
    stemCache.set(folded, stem);
  }
  return stem;
}

const stemOf = (raw: string): string => stemFolded(fold(raw));

function stemAt(t: Token): string {
  return (t.stem ??= stemFolded(t.folded));
}

/** The terms to mark for a query's clauses. */
export function highlightTerms(clauses: Clause[]): HighlightTerms {
  const terms: HighlightTerms = { stems: new Set(), prefixes: [], phrases: [] };
  for (const c of clauses) {
    if (c.prefix) terms.prefixes.push(foldToken(c.tokens[0] ?? ''));
    else if (c.tokens.length === 1) terms.stems.add(stemOf(c.tokens[0] ?? ''));
    else terms.phrases.push(c.tokens.map(stemOf));
  }
  return terms;
}

// The abstract is tokenized for the full highlight and again for the snippet: remember the last text.
let lastText: string | undefined;
let lastTokens: Token[] = [];

function tokens(text: string): Token[] {
  if (text === lastText) return lastTokens;
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    const folded = fold(m[0]);
    out.push({ start, end: start + m[0].length, folded });
  }
  lastText = text;
  lastTokens = out;
  return out;
}

/**
 * Whether the texts (the columns of one paper) together hold every clause, matched as FTS5
 * matches them: a word by its stem, a prefix against stems, a phrase within one text.
 */
export function holdsEvery(texts: string[], clauses: Clause[]): boolean {
  // Only tokens starting like some clause word can match (see matches()); the rest stay unstemmed.
  const firsts = new Set(clauses.flatMap((c) => c.tokens.map((t) => fold(t).charAt(0))));
  const stems = texts.map((text) => tokens(text).map((t) => (firsts.has(t.folded.charAt(0)) || firsts.has('') ? stemAt(t) : '')));
  return clauses.every((c) => {
    if (c.prefix) {
      const prefix = fold(c.tokens[0] ?? '');
      return stems.some((ss) => ss.some((s) => s.startsWith(prefix)));
    }
    const want = c.tokens.map(stemOf);
    return stems.some((ss) => ss.some((_, i) => want.every((w, k) => ss[i + k] === w)));
  });
}

/** Indexes of the tokens that match, each with the key of the term it matched. */
function matches(toks: Token[], terms: HighlightTerms): Map<number, string> {
  const hit = new Map<number, string>();
  // Porter rewrites only suffixes, so a stem starts with its word's first letter: a token whose
  // first letter starts no term cannot match, and stemming it (most of highlighting's cost) is skipped.
  const firsts = new Set<string>();
  for (const s of terms.stems) firsts.add(s.charAt(0));
  for (const p of terms.prefixes) firsts.add(p.charAt(0));
  for (const ph of terms.phrases) firsts.add((ph[0] ?? '').charAt(0));
  const anyFirst = firsts.has('');
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Token;
    if (!anyFirst && !firsts.has(t.folded.charAt(0))) continue;
    const stem = stemAt(t);
    if (terms.stems.has(stem)) hit.set(i, stem);
    else if (terms.prefixes.some((p) => t.folded.startsWith(p) || stem.startsWith(p))) hit.set(i, `${t.folded}*`);
    for (const phrase of terms.phrases) {
      if (phrase.every((s, k) => { const u = toks[i + k]; return u !== undefined && stemAt(u) === s; })) {
        for (let k = 0; k < phrase.length; k++) hit.set(i + k, phrase.join(' '));
      }
    }
  }
  return hit;
}

function pushSeg(out: Segment[], type: Segment['type'], text: string): void {
  if (text === '') return;
  const last = out[out.length - 1];
  if (last && last.type === type && type === 'text') last.text += text;
  else out.push({ type, text });
}

/** Segments of text[from, to) with matched tokens highlighted (one segment per matched word). */
function segmentRange(text: string, toks: Token[], hit: Map<number, string>, from: number, to: number): Segment[] {
  const out: Segment[] = [];
  let at = from;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Token;
    if (!hit.has(i) || t.start < from || t.end > to) continue;
    pushSeg(out, 'text', text.slice(at, t.start));
    pushSeg(out, 'highlight', text.slice(t.start, t.end));
    at = t.end;
  }
  pushSeg(out, 'text', text.slice(at, to));
  return out;
}

/** The whole text as segments; concatenated they equal `text` exactly. */
export function highlightText(text: string, terms: HighlightTerms): Segment[] {
  const toks = tokens(text);
  return segmentRange(text, toks, matches(toks, terms), 0, text.length);
}

/**
 * About `size` characters of text around its densest cluster of matched terms (the start of the
 * text when nothing matches), cut at word boundaries, with "…" where it was cut.
 */
export function snippet(text: string, terms: HighlightTerms, size = 300): Segment[] {
  const toks = tokens(text);
  const hit = matches(toks, terms);
  if (text.length <= size) return segmentRange(text, toks, hit, 0, text.length);
  // Best window: the one starting a little before a match that covers the most distinct terms.
  let bestStart = 0;
  let bestScore = -1;
  for (const i of hit.keys()) {
    const start = Math.max(0, (toks[i] as Token).start - Math.floor(size / 5));
    const seen = new Set<string>();
    for (const [j, key] of hit) {
      const t = toks[j] as Token;
      if (t.start >= start && t.end <= start + size) seen.add(key);
    }
    if (seen.size > bestScore) {
      bestScore = seen.size;
      bestStart = start;
    }
  }
  let from = Math.min(bestStart, Math.max(0, text.length - size));
  let to = Math.min(text.length, from + size);
  // Snap inwards to whitespace so no word is cut in half.
  if (from > 0) {
    const ws = text.slice(from).search(/\s/);
    if (ws >= 0 && ws < 40) from += ws + 1;
  }
  if (to < text.length) {
    const ws = text.slice(from, to).search(/\s\S*$/);
    if (ws > 0) to = from + ws;
  }
  const body = segmentRange(text, toks, hit, from, to).map((s) => ({ ...s, text: s.text.replace(/\s+/g, ' ') }));
  const out: Segment[] = [];
  if (from > 0) pushSeg(out, 'text', '… ');
  for (const s of body) pushSeg(out, s.type, s.text);
  if (to < text.length) pushSeg(out, 'text', ' …');
  return out;
}
