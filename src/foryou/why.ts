/**
 * Why a paper is recommended, in words a reader can check: the liked papers (or the standing
 * interest) it is closest to, and the terms it shares with them. The closeness comes from the model
 * (src/foryou/model.ts `nearestLiked`); the terms from the candidate's heaviest terms (the built-in
 * model's TF-IDF when available, else plain term counts) kept only when the liked texts have them too.
 */
import { surfaceForms, textTerms } from '../search/embed/text.ts';

/** A liked thing near the candidate: a paper (id and title) or a named interest, with its text. */
export interface NearLiked {
  cosine: number;
  text: string;
  paper?: { id: string; title: string };
  interest?: string;
}

/** The explanation shown on a card. */
export interface Why {
  papers: { id: string; title: string }[];
  terms: string[];
  interest?: string;
}

/** Explanation knobs. */
export interface WhyOptions {
  /** The heaviest terms of a text, as written (BuiltinModel#terms); absent: term counts. */
  termsOf?: (text: string, n: number) => string[];
  /** Liked papers named at most. */
  maxPapers?: number;
  /** Terms named at most. */
  maxTerms?: number;
  /** A liked paper further than this (cosine) is not named: "close to X" must be true. */
  minCosine?: number;
}

/** The term key of a word or phrase as written ("Reward Hacking" → "reward hack"). */
function termKey(surface: string): string {
  return textTerms(surface, false).join(' ');
}

/** A text's terms by weight, as written: bigrams first on ties (more telling), then by first occurrence. */
function countedTerms(text: string, n: number): string[] {
  const counts = new Map<string, number>();
  for (const t of textTerms(text, true)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const surface = surfaceForms(text, true);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (b[0].includes(' ') ? 1 : 0) - (a[0].includes(' ') ? 1 : 0))
    .slice(0, n)
    .map(([k]) => surface.get(k) ?? k);
}

/** Explains one recommendation from the candidate's text and the liked things nearest to it, closest first. */
export function explain(candidateText: string, near: NearLiked[], o: WhyOptions = {}): Why {
  const maxPapers = o.maxPapers ?? 2;
  const maxTerms = o.maxTerms ?? 4;
  const minCosine = o.minCosine ?? 0.2;
  const close = near.filter((n) => n.cosine >= minCosine).sort((a, b) => b.cosine - a.cosine);
  // The closest item decides whether this is "for your interest X" or "close to papers you liked".
  const interest = close[0]?.interest;
  const papers = close.filter((n) => n.paper).slice(0, maxPapers).map((n) => n.paper!);
  const basis = (interest ? close.filter((n) => n.interest === interest) : close.filter((n) => n.paper).slice(0, maxPapers)).map((n) => n.text);
  const liked = new Set<string>();
  for (const t of basis) for (const k of textTerms(t, true)) liked.add(k);
  const candidates = o.termsOf ? o.termsOf(candidateText, 25) : countedTerms(candidateText, 25);
  // Shared phrases first (more telling), then shared words a chosen phrase does not already cover
  // ("reward" adds nothing after "reward hacking").
  const shared = candidates.map((t) => ({ t, k: termKey(t) })).filter((x) => x.k && liked.has(x.k));
  const chosen: { t: string; k: string }[] = [];
  for (const phrase of [true, false]) {
    for (const x of shared) {
      if (chosen.length >= maxTerms) break;
      if (x.k.includes(' ') !== phrase || chosen.some((c) => c.k === x.k || c.k.split(' ').includes(x.k))) continue;
      chosen.push(x);
    }
  }
  const terms = chosen.map((c) => c.t);
  return interest ? { papers, terms, interest } : { papers, terms };
}

/** One line for a card, a feed entry or a digest: "close to “X” · shared terms: a, b". */
export function whyText(w: Why): string {
  const parts: string[] = [];
  if (w.interest) parts.push(`your interest “${w.interest}”`);
  if (w.papers.length) parts.push(`close to ${w.papers.map((p) => `“${p.title}”`).join(' and ')}`);
  if (w.terms.length) parts.push(`shared terms: ${w.terms.join(', ')}`);
  return parts.length ? parts.join(' · ') : 'close to what you liked';
}
