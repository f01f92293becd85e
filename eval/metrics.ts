/**
 * Ranking metrics exactly as the two published benchmarks compute them (docs/evaluation.md):
 * CSFCube's AP and NDCG%20 (aspire's rank_metrics.py) and the reviewer gold standard's pairwise
 * loss and easy/hard accuracies (Stelmakh et al., scoring.py).
 */
import { mulberry32 } from '../test/helpers/prng.ts';

/** A score for every candidate id; a higher score ranks first. */
export type Scores = Map<string, number>;

/** Candidates best first by score; a stable sort, so ties keep the candidates' given order. */
export function rankByScore(cands: string[], score: (id: string) => number): string[] {
  const scored = cands.map((id, i) => ({ id, i, s: score(id) }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.map((x) => x.id);
}

/** Average precision of graded relevances in rank order; relevant = grade >= `minGrade`; 0 when nothing is relevant. */
export function averagePrecision(grades: number[], minGrade = 2): number {
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < grades.length; i++) {
    if (grades[i]! >= minGrade) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return hits === 0 ? 0 : sum / hits;
}

/** DCG with linear gain where the first two ranks are undiscounted: g1 + sum_{i=2..k} g_i / log2(i). */
export function dcg(grades: number[], k: number): number {
  let s = 0;
  for (let i = 0; i < Math.min(k, grades.length); i++) s += i === 0 ? grades[0]! : grades[i]! / Math.log2(i + 1);
  return s;
}

/** NDCG at k = floor(pct * n) over the whole ranked list (CSFCube's NDCG%20 with pct 0.2); 0 when the ideal is 0. */
export function ndcgAtPct(grades: number[], pct = 0.2): number {
  const k = Math.floor(pct * grades.length);
  const ideal = dcg([...grades].sort((a, b) => b - a), k);
  return ideal === 0 ? 0 : dcg(grades, k) / ideal;
}

/** One CSFCube query ranked: its AP and NDCG%20 (fractions, not x100). */
export interface QueryMetrics {
  ap: number;
  ndcg20: number;
}

/** AP and NDCG%20 of a ranking, given each candidate's grade (missing ids count as grade 0). */
export function queryMetrics(ranked: string[], grade: Map<string, number>): QueryMetrics {
  const grades = ranked.map((id) => grade.get(id) ?? 0);
  return { ap: averagePrecision(grades), ndcg20: ndcgAtPct(grades) };
}

/** CSFCube's test value: the mean of the two fold means (not a flat mean), x100. Keys missing from `perQuery` are an error. */
export function foldMean(perQuery: Map<string, number>, fold1: string[], fold2: string[]): number {
  const mean = (keys: string[]) => {
    let s = 0;
    for (const k of keys) {
      const v = perQuery.get(k);
      if (v === undefined) throw new Error(`no metric for query ${k}`);
      s += v;
    }
    return s / keys.length;
  };
  return 100 * 0.5 * (mean(fold1) + mean(fold2));
}

/** One reviewer's judged papers: expertise (1–5) by paper id. */
export type Judgements = Map<string, number>;

/** Pairwise figures of one scorer over all reviewers. */
export interface PairwiseMetrics {
  /** Weighted disagreement: 0 perfect, 0.5 a constant scorer. */
  loss: number;
  /** Fraction of easy pairs (max e >= 4, min e <= 2) ordered correctly; ties count as wrong. */
  easy: number;
  /** Fraction of hard pairs (both e >= 4, different) ordered correctly; ties count as wrong. */
  hard: number;
  easyPairs: number;
  hardPairs: number;
}

/** Per-reviewer numerator/denominator pieces, kept so a bootstrap can resample reviewers. */
export interface ReviewerPairs {
  lossNum: number;
  lossDen: number;
  easyOk: number;
  easyN: number;
  hardOk: number;
  hardN: number;
}

/** The pairwise pieces of one reviewer: `score(paper)` is the scorer's affinity; papers it does not know are skipped. */
export function reviewerPairs(judged: Judgements, score: (paper: string) => number | undefined): ReviewerPairs {
  const items: { e: number; s: number }[] = [];
  for (const [paper, e] of judged) {
    const s = score(paper);
    if (s !== undefined && Number.isFinite(s)) items.push({ e, s });
  }
  const r: ReviewerPairs = { lossNum: 0, lossDen: 0, easyOk: 0, easyN: 0, hardOk: 0, hardN: 0 };
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const de = items[i]!.e - items[j]!.e;
      if (de === 0) continue;
      const ds = items[i]!.s - items[j]!.s;
      const w = Math.abs(de);
      r.lossDen += w;
      if (ds === 0) r.lossNum += w / 2;
      else if (ds * de < 0) r.lossNum += w;
      const correct = ds * de > 0;
      const hi = Math.max(items[i]!.e, items[j]!.e);
      const lo = Math.min(items[i]!.e, items[j]!.e);
      if (hi >= 4 && lo <= 2) {
        r.easyN++;
        if (correct) r.easyOk++;
      } else if (lo >= 4) {
        r.hardN++;
        if (correct) r.hardOk++;
      }
    }
  }
  return r;
}

/** Pools reviewers' pieces into the published figures (sums, not a mean of per-reviewer ratios). */
export function poolPairs(per: ReviewerPairs[]): PairwiseMetrics {
  const t = per.reduce(
    (a, r) => ({
      lossNum: a.lossNum + r.lossNum,
      lossDen: a.lossDen + r.lossDen,
      easyOk: a.easyOk + r.easyOk,
      easyN: a.easyN + r.easyN,
      hardOk: a.hardOk + r.hardOk,
      hardN: a.hardN + r.hardN,
    }),
    { lossNum: 0, lossDen: 0, easyOk: 0, easyN: 0, hardOk: 0, hardN: 0 },
  );
  return {
    loss: t.lossDen ? t.lossNum / t.lossDen : 0.5,
    easy: t.easyN ? t.easyOk / t.easyN : 0,
    hard: t.hardN ? t.hardOk / t.hardN : 0,
    easyPairs: t.easyN,
    hardPairs: t.hardN,
  };
}

/** Mean of each figure over profile versions (the published numbers average the 10 d_20_x versions). */
export function meanMetrics(runs: PairwiseMetrics[]): PairwiseMetrics {
  const m = (f: (r: PairwiseMetrics) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
  return { loss: m((r) => r.loss), easy: m((r) => r.easy), hard: m((r) => r.hard), easyPairs: m((r) => r.easyPairs), hardPairs: m((r) => r.hardPairs) };
}

/**
 * Paired bootstrap over reviewers of the loss difference a − b: resample reviewers with replacement
 * (same sample for both systems), pool, and return the observed difference, a 95% interval and the
 * fraction of samples where a is not better (loss a >= loss b) — a one-sided p-value for "a beats b".
 * `a[v][r]` / `b[v][r]`: pieces of reviewer r in profile version v; each sample averages the versions.
 */
export function pairedBootstrap(a: ReviewerPairs[][], b: ReviewerPairs[][], samples = 1000, seed = 1): { diff: number; lo: number; hi: number; p: number } {
  const n = a[0]!.length;
  const lossOf = (runs: ReviewerPairs[][], idx: number[]) => runs.reduce((s, run) => s + poolPairs(idx.map((i) => run[i]!)).loss, 0) / runs.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const diff = lossOf(a, all) - lossOf(b, all);
  const rnd = mulberry32(seed);
  const diffs: number[] = [];
  let notBetter = 0;
  for (let s = 0; s < samples; s++) {
    const idx = Array.from({ length: n }, () => Math.floor(rnd() * n));
    const d = lossOf(a, idx) - lossOf(b, idx);
    diffs.push(d);
    if (d >= 0) notBetter++;
  }
  diffs.sort((x, y) => x - y);
  return { diff, lo: diffs[Math.floor(0.025 * samples)]!, hi: diffs[Math.floor(0.975 * samples) - 1]!, p: notBetter / samples };
}
