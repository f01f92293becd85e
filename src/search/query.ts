/**
 * Turns what a person types into a search box into a structured query and SAFE FTS5 expressions.
 *
 * FTS5 has its own query language (AND/OR/NOT/NEAR, `col:`, `^`, `*`, parentheses) and raises
 * a syntax error on much ordinary text ("C++", "don't", an unbalanced quote). We never pass user
 * text through: we cut it into word tokens ourselves and emit every token inside double quotes,
 * where FTS5 treats it as a plain string for its tokenizer (porter stemming still applies).
 * What we do honour, like a web search box (and like PostgreSQL's websearch_to_tsquery):
 *   "quoted phrases"  (an unbalanced quote runs to the end of the text)
 *   -word / -"a phrase"  to exclude
 *   word*  prefix (3 characters or more, so "a*" cannot fan out over the whole index)
 *   GPT-4o, state-of-the-art, llama-3.1  words joined by - . / ' _ are searched as a phrase
 * Everything else (operators, `:`, `^`, brackets, emoji, control characters) is a separator.
 */

/** One unit of a query: a single word, a phrase of several words, or a word prefix. */
export interface Clause {
  /** Tokens as typed (letters and digits only), in order. */
  tokens: string[];
  prefix: boolean;
  /** True for a single word on the stop list; such words are left out of AND/OR matching. */
  stop: boolean;
}

/** A parsed query. */
export interface ParsedQuery {
  /** Clauses a paper should contain, in order, without duplicates (at most MAX_CLAUSES). */
  positive: Clause[];
  /** Clauses a paper must not contain. */
  negative: Clause[];
  /** Every word of the text, lower-cased and without diacritics: for exact-title comparison. */
  words: string[];
}

/** Work is bounded whatever the input: 10 kB of text becomes at most this many clauses. */
export const MAX_CLAUSES = 32;

// Unicode letters, digits, marks and private-use characters are token characters, as in FTS5's
// unicode61 tokenizer (categories L* N* Co); a token must hold at least one non-mark character.
const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const HAS_BASE = /[\p{L}\p{N}\p{Co}]/u;
// A word: tokens joined by single joiners that are part of names (GPT-4o, Llama-3.1, don't, A/B).
const WORD = /(-?)([\p{L}\p{N}\p{M}\p{Co}]+(?:[-.'’/_][\p{L}\p{N}\p{M}\p{Co}]+)*)(\*?)/gu;
const MIN_PREFIX = 3;

// Short English function words: they match nearly every abstract, cost the most to evaluate and
// carry almost no BM25 weight. Kept in quoted phrases, and used when a query has nothing else.
const STOP_WORDS = new Set(
  ('a an and are as at be been but by can do does for from had has have how i if in into is it its ' +
    'of on or our so such than that the their them then there these they this those to us via was ' +
    'we were what when where which while who why will with without you your not no nor near').split(' '),
);

/** Lower-cases and strips diacritics, as the FTS5 tokenizer (remove_diacritics 2) does. */
export function foldToken(t: string): string {
  return t.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The word tokens of a text, folded. */
export function tokenize(text: string): string[] {
  return (text.match(TOKEN) ?? []).filter((t) => HAS_BASE.test(t)).map(foldToken).filter((t) => t !== '');
}

/** The exact-title key: a title's folded tokens joined by single spaces (stored as papers.title_key). */
export function titleKey(title: string): string {
  return tokenize(title).join(' ');
}

function clause(tokens: string[], prefix: boolean): Clause | null {
  const ts = tokens.filter((t) => HAS_BASE.test(t));
  if (ts.length === 0) return null;
  const single = ts.length === 1;
  return {
    tokens: ts,
    prefix: prefix && single && (ts[0] ?? '').length >= MIN_PREFIX,
    stop: single && !prefix && STOP_WORDS.has(foldToken(ts[0] ?? '')),
  };
}

function clauseKey(c: Clause): string {
  return c.tokens.map(foldToken).join(' ') + (c.prefix ? '*' : '');
}

/** Parses user text; never throws. */
export function parseQuery(input: string): ParsedQuery {
  // NUL and other control characters are separators; lone surrogates cannot reach SQLite intact.
  const text = String(input ?? '').replace(/[\p{Cc}\p{Cs}]/gu, ' ');
  const positive: Clause[] = [];
  const negative: Clause[] = [];
  const seen = new Set<string>();
  const add = (c: Clause | null, negated: boolean) => {
    if (!c) return;
    const key = (negated ? '-' : '+') + clauseKey(c);
    if (seen.has(key)) return;
    seen.add(key);
    const list = negated ? negative : positive;
    if (list.length < MAX_CLAUSES) list.push(c);
  };
  // Split on double quotes: odd pieces are phrases (a trailing unbalanced one included).
  const pieces = text.split('"');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    if (i % 2 === 1) {
      // A phrase is negated when the text before its opening quote ends in "-".
      const before = pieces[i - 1] ?? '';
      const negated = /(^|\s)-$/.test(before);
      add(clause(piece.match(TOKEN) ?? [], false), negated);
      continue;
    }
    for (const m of piece.matchAll(WORD)) {
      const start = m.index ?? 0;
      // "-" negates only at the start of a word (after space or at the start), not in "e-mail".
      const negated = m[1] === '-' && (start === 0 || /\s/.test(piece[start - 1] ?? ' '));
      add(clause(m[2]?.match(TOKEN) ?? [], m[3] === '*'), negated);
    }
  }
  return { positive, negative, words: tokenize(text) };
}

/** One clause as FTS5 syntax: a double-quoted string (quotes inside doubled), optionally a prefix. */
export function clauseToFts(c: Clause): string {
  const body = c.tokens.join(' ').replace(/"/g, '""');
  return c.prefix ? `"${body}" *` : `"${body}"`;
}

/** Joins clauses with AND or OR and appends the exclusions; '' when there is nothing to match. */
export function ftsExpression(clauses: Clause[], op: 'AND' | 'OR', negative: Clause[] = []): string {
  if (clauses.length === 0) return '';
  const pos = clauses.map(clauseToFts).join(` ${op} `);
  if (negative.length === 0) return pos;
  // FTS5's NOT is binary ("a NOT b"); a query made only of exclusions cannot be expressed.
  return `(${pos}) NOT (${negative.map(clauseToFts).join(' OR ')})`;
}

/** The clauses worth matching: stop words are dropped unless the query has nothing else. */
export function contentClauses(q: ParsedQuery): Clause[] {
  const content = q.positive.filter((c) => !c.stop);
  return content.length > 0 ? content : q.positive;
}
