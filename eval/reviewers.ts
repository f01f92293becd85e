/**
 * The reviewer gold standard (Stelmakh et al. 2023, "papers for you" from a person's own papers):
 * loading the released files and scoring a system as docs/evaluation.md says — for each of the 10
 * d_20_x profile versions score every reviewer's judged papers from their profile papers, pool the
 * pairwise loss and easy/hard accuracies over all reviewers, then average the versions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Judgements, type PairwiseMetrics, type ReviewerPairs, meanMetrics, poolPairs, reviewerPairs } from './metrics.ts';

/** A paper of the benchmark (judged or in a profile). */
export interface RevPaper {
  id: string;
  title: string;
  abstract: string;
}

/** Everything the evaluation reads from the reviewer gold-standard folder. */
export interface RevData {
  papers: Map<string, RevPaper>;
  /** Judged papers and expertise, by reviewer id. */
  judgements: Map<string, Judgements>;
  /** `profiles[x]` for d_20_x: reviewer id → profile paper ids. */
  profiles: Map<string, Map<string, string[]>>;
  /** Released predictions: system → version → reviewer → paper → score. */
  reference?: Record<string, Record<string, Record<string, Record<string, number>>>>;
}

/** Reads the folder (throws with the missing file's name). */
export function loadReviewers(dir: string): RevData {
  const read = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`reviewer gold-standard file missing: ${p}`);
    return readFileSync(p, 'utf8');
  };
  const papers = new Map<string, RevPaper>();
  for (const line of read('papers.jsonl').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { title?: string; abstract?: string | null; ssId?: string | null };
    // The one judged paper without a Semantic Scholar id is called `no_ss` in evaluations.csv.
    const id = r.ssId ?? 'no_ss';
    papers.set(id, { id, title: r.title ?? '', abstract: r.abstract ?? '' });
  }
  // evaluations.csv is tab-separated despite its name: ParticipantID, Paper1..10, Expertise1..10.
  const judgements = new Map<string, Judgements>();
  const lines = read('evaluations.csv').split('\n').filter((l) => l.trim());
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    const j: Judgements = new Map();
    for (let i = 0; i < 10; i++) {
      const paper = cells[1 + i]?.trim();
      const e = Number.parseFloat(cells[11 + i] ?? '');
      if (paper && Number.isFinite(e)) j.set(paper, e);
    }
    judgements.set(cells[0]!.trim(), j);
  }
  const rawProfiles = JSON.parse(read('d_20_profiles.json')) as Record<string, Record<string, string[]>>;
  const profiles = new Map(Object.entries(rawProfiles).map(([v, m]) => [v, new Map(Object.entries(m))]));
  const refPath = join(dir, 'reference_predictions_d20_judged.json');
  const reference = existsSync(refPath) ? (JSON.parse(readFileSync(refPath, 'utf8')) as RevData['reference']) : undefined;
  return { papers, judgements, profiles, reference };
}

/** Profile versions in order d_20_1 … d_20_10. */
export function versions(data: RevData): string[] {
  return [...data.profiles.keys()].sort((a, b) => Number(a.split('_').pop()) - Number(b.split('_').pop()));
}

/** A system: for one reviewer's profile papers, the affinity of each judged paper (same order). */
export type RevScorer = (profile: string[], judged: string[], reviewer: string) => number[];

/** Per-version, per-reviewer pairwise pieces of a scorer (kept for the paired bootstrap). */
export function reviewerPieces(data: RevData, scorer: RevScorer): ReviewerPairs[][] {
  const reviewers = [...data.judgements.keys()];
  return versions(data).map((v) => {
    const prof = data.profiles.get(v)!;
    return reviewers.map((r) => {
      const judged = [...data.judgements.get(r)!.keys()];
      const s = scorer(prof.get(r) ?? [], judged, r);
      const byId = new Map(judged.map((p, i) => [p, s[i]!]));
      return reviewerPairs(data.judgements.get(r)!, (p) => byId.get(p));
    });
  });
}

/** Mean over the profile versions of the pooled loss / easy / hard. */
export function evaluateReviewers(pieces: ReviewerPairs[][]): PairwiseMetrics {
  return meanMetrics(pieces.map(poolPairs));
}

/** Published self-check figures of the released predictions (loss / easy / hard). */
export const REV_REFERENCE: Record<string, { label: string; loss: number; easy: number; hard: number }> = {
  tpms: { label: 'TPMS', loss: 0.2811, easy: 0.8004, hard: 0.6218 },
  elmo: { label: 'ELMo', loss: 0.3447, easy: 0.7027, hard: 0.5722 },
  specter: { label: 'SPECTER', loss: 0.2689, easy: 0.8525, hard: 0.5667 },
  specter_mfr: { label: 'SPECTER+MFR', loss: 0.2384, easy: 0.8789, hard: 0.6 },
  acl: { label: 'ACL', loss: 0.2958, easy: 0.7847, hard: 0.617 },
};

/** Published loss of systems we cannot rerun (title + abstract). */
export const REV_PUBLISHED: { name: string; loss: number; easy?: number; hard?: number }[] = [
  { name: 'TPMS (TF-IDF, merged profile)', loss: 0.28 },
  { name: 'SPECTER (max cosine)', loss: 0.27 },
  { name: 'SPECTER+MFR', loss: 0.24 },
  { name: 'SPECTER2 (max)', loss: 0.22, easy: 0.89, hard: 0.61 },
  { name: 'SciNCL', loss: 0.22 },
  { name: 'SPECTER2+SciNCL', loss: 0.21 },
];

/** The pieces of one released system's predictions (papers it did not score are skipped). */
export function referencePieces(data: RevData, system: string): ReviewerPairs[][] {
  const ref = data.reference?.[system];
  if (!ref) throw new Error(`no released predictions for ${system}`);
  return versions(data).map((v) => [...data.judgements].map(([r, j]) => reviewerPairs(j, (p) => ref[v]?.[r]?.[p])));
}

/** The self-check: each released system must reproduce its published loss/easy/hard to 4 decimals. */
export function reviewerSelfCheck(data: RevData): { system: string; label: string; got: PairwiseMetrics; want: (typeof REV_REFERENCE)[string]; pass: boolean }[] {
  if (!data.reference) throw new Error('reference_predictions_d20_judged.json missing: cannot self-check');
  return Object.entries(REV_REFERENCE).map(([system, want]) => {
    const got = evaluateReviewers(referencePieces(data, system));
    const same = (a: number, b: number) => a.toFixed(4) === b.toFixed(4);
    return { system, label: want.label, got, want, pass: same(got.loss, want.loss) && same(got.easy, want.easy) && same(got.hard, want.hard) };
  });
}
