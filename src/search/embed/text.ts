/**
 * Tokenising for the built-in embedder (and anything that wants the same terms, e.g. the
 * evaluation's TF-IDF baseline): lower-cased, diacritics folded, Porter-stemmed words without
 * stopwords or bare numbers, plus optional bigrams of adjacent content words. A stopword or
 * punctuation between two words breaks the bigram, so "learning of representations" gives no
 * "learn represent" while "representation learning" gives "represent learn".
 */
import { porterStem } from '../porter.ts';

/** English function words plus words that carry no topic in an abstract ("propose", "paper"). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each either else etc ever every few for from ' +
    'further had has have having he her here hers herself him himself his how however i if in into is it its ' +
    'itself just may me might more most much must my myself neither no nor not now of off often on once only ' +
    'or other others otherwise our ours ourselves out over own per rather same shall she should since so some ' +
    'such than that the their theirs them themselves then there thereby therefore these they this those though ' +
    'through thus to too under until up upon us very via was we were what whatever when where whereas whether ' +
    'which while who whom whose why will with within without would yet you your yours yourself ' +
    // Frequent in every abstract, so they only add noise to topic similarity.
    'paper propose proposed proposes present presents presented show shows shown study studies work works ' +
    'approach approaches method methods result results new novel based using use used uses well also furthermore ' +
    'moreover additionally demonstrate demonstrates existing achieve achieves first two three one several many ' +
    'different various significantly significant extensive experiments experiment recent recently ' +
    'introduce introduces including include includes across towards toward among').split(' '),
);

/** One token of a text: its term (stem) and the word as written, for readable explanations. */
export interface Token {
  term: string;
  surface: string;
}

const WORD = /[\p{L}\p{N}]+/gu;
const HAS_LETTER = /\p{L}/u;
const SOFT_GAP = /^[\s\-'’]*$/;

/**
 * The content tokens of a text in order; `null` marks a break (stopword, number or punctuation
 * other than a hyphen or apostrophe inside a word) so bigrams never span it.
 */
export function contentTokens(text: string): (Token | null)[] {
  const out: (Token | null)[] = [];
  // Split on anything that is not a letter/digit; remember whether the gap was "soft" (a hyphen
  // or a single space) so "self-supervised learning" keeps its bigrams.
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const gap = text.slice(last, m.index);
    last = m.index + m[0].length;
    if (out.length > 0 && !SOFT_GAP.test(gap)) out.push(null);
    const tok = wordToken(m[0]);
    out.push(tok);
  }
  return out;
}

/** Word → token (or null for a stopword/number), cached: stemming dominates tokenising time otherwise. */
const cache = new Map<string, Token | null>();
const CACHE_LIMIT = 500_000;

function wordToken(word: string): Token | null {
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const folded = ASCII.test(word) ? word : word.normalize('NFKD').replace(/\p{M}/gu, '');
  const surface = folded.toLowerCase();
  let tok: Token | null = null;
  if (surface.length >= 2 && HAS_LETTER.test(surface) && !STOPWORDS.has(surface)) {
    const term = porterStem(surface);
    if (!STOPWORDS.has(term)) tok = { term, surface };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, tok);
  return tok;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The terms of a text: stemmed content words and, with `bigrams`, "a b" pairs of adjacent ones. */
export function textTerms(text: string, bigrams: boolean): string[] {
  const toks = contentTokens(text);
  const out: string[] = [];
  let prev: Token | null = null;
  for (const t of toks) {
    if (t === null) {
      prev = null;
      continue;
    }
    out.push(t.term);
    if (bigrams && prev !== null) out.push(`${prev.term} ${t.term}`);
    prev = t;
  }
  return out;
}

/** Each term of a text mapped to how it was first written there ("reward hack" → "reward hacking"). */
export function surfaceForms(text: string, bigrams: boolean): Map<string, string> {
  const out = new Map<string, string>();
  let prev: Token | null = null;
  for (const t of contentTokens(text)) {
    if (t === null) {
      prev = null;
      continue;
    }
    if (!out.has(t.term)) out.set(t.term, t.surface);
    if (bigrams && prev !== null) {
      const k = `${prev.term} ${t.term}`;
      if (!out.has(k)) out.set(k, `${prev.surface} ${t.surface}`);
    }
    prev = t;
  }
  return out;
}
