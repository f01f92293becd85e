/**
 * CSFCube (query-by-example "similar papers", Mysore et al. 2021): loading the released files and
 * scoring a system exactly as docs/evaluation.md says — candidates minus the query itself, a stable
 * sort, AP (grade >= 2) and NDCG%20, the mean of the two test-fold means, x100.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldMean, queryMetrics, rankByScore } from './metrics.ts';

/** The three annotated facets; "all" pools them. */
export const FACETS = ['background', 'method', 'result'] as const;
export type Facet = (typeof FACETS)[number];

/** A CSFCube paper: title and abstract sentences labelled with a facet. */
export interface CsfPaper {
  id: string;
  title: string;
  sentences: { facet: string; text: string }[];
}

/** A query's candidate pool and the experts' grades (0–3). */
export interface CsfQuery {
  cands: string[];
  grade: Map<string, number>;
}

/** Everything the evaluation reads from the CSFCube folder. */
export interface CsfData {
  papers: Map<string, CsfPaper>;
  queries: Record<Facet, Map<string, CsfQuery>>;
  /** `splits[facet|'all'].fold1_test` etc.: keys `<qpid>_<facet>`. */
  splits: Record<string, Record<string, string[]>>;
  /** The official SPECTER rankings (best first), when shipped. */
  specterRanked?: Record<Facet, Map<string, string[]>>;
}

/** Reads the CSFCube folder (throws with the missing file's name). */
export function loadCsfcube(dir: string): CsfData {
  const read = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`CSFCube file missing: ${p}`);
    return readFileSync(p, 'utf8');
  };
  const papers = new Map<string, CsfPaper>();
  for (const line of read('csfcube_papers_from_readable_annotations.jsonl').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { paper_id: string; title: string; abstract_sentences: { facet: string; text: string }[] };
    papers.set(String(r.paper_id), { id: String(r.paper_id), title: r.title, sentences: r.abstract_sentences });
  }
  const queries = {} as Record<Facet, Map<string, CsfQuery>>;
  for (const f of FACETS) {
    const raw = JSON.parse(read(`test-pid2anns-csfcube-${f}.json`)) as Record<string, { cands: string[]; relevance_adju: number[] }>;
    const m = new Map<string, CsfQuery>();
    for (const [q, a] of Object.entries(raw)) {
      const grade = new Map<string, number>();
      a.cands.forEach((c, i) => grade.set(c, a.relevance_adju[i]!));
      m.set(q, { cands: a.cands.map(String), grade });
    }
    queries[f] = m;
  }
  const splits = JSON.parse(read('evaluation_splits.json')) as CsfData['splits'];
  let specterRanked: CsfData['specterRanked'];
  const rankedFile = (f: Facet) => join(dir, 'sample_ranked_pools', `test-pid2pool-csfcube-specter-${f}-ranked.json`);
  if (FACETS.every((f) => existsSync(rankedFile(f)))) {
    specterRanked = {} as Record<Facet, Map<string, string[]>>;
    for (const f of FACETS) {
      const raw = JSON.parse(readFileSync(rankedFile(f), 'utf8')) as Record<string, [string, number][]>;
      specterRanked[f] = new Map(Object.entries(raw).map(([q, list]) => [q, list.map(([id]) => String(id))]));
    }
  }
  return { papers, queries, splits, specterRanked };
}

/** Title + abstract of a paper: what candidates are always represented by. */
export function csfDocText(p: CsfPaper): string {
  return `${p.title}\n\n${p.sentences.map((s) => s.text).join(' ')}`;
}

/** The sentences of one facet (objective counts as background), or '' when the paper has none. */
export function csfFacetText(p: CsfPaper, facet: Facet): string {
  return p.sentences
    .filter((s) => s.facet === facet || (facet === 'background' && s.facet === 'objective'))
    .map((s) => s.text)
    .join(' ');
}

/** A system: scores for the candidates of query `qid` under `facet` (higher = more similar). */
export type CsfScorer = (facet: Facet, qid: string, cands: string[]) => number[];

/** MAP and NDCG%20 (x100) per facet and for all facets. */
export interface CsfResult {
  map: Record<Facet | 'all', number>;
  ndcg20: Record<Facet | 'all', number>;
}

/** AP and NDCG%20 per query (keys `<qpid>_<facet>`), of rankings given per facet and query (the query is removed from its own ranking here). */
export interface CsfPerQuery {
  ap: Map<string, number>;
  ndcg20: Map<string, number>;
}

function perQueryOfRankings(data: CsfData, ranked: (facet: Facet, qid: string) => string[]): CsfPerQuery {
  const ap = new Map<string, number>();
  const ndcg20 = new Map<string, number>();
  for (const f of FACETS) {
    for (const [qid, q] of data.queries[f]) {
      const list = ranked(f, qid).filter((c) => c !== qid);
      const m = queryMetrics(list, q.grade);
      ap.set(`${qid}_${f}`, m.ap);
      ndcg20.set(`${qid}_${f}`, m.ndcg20);
    }
  }
  return { ap, ndcg20 };
}

/** The test value of per-query figures: per facet and for all facets, the mean of the two test-fold means. */
function aggregate(data: CsfData, pq: CsfPerQuery): CsfResult {
  const map = {} as CsfResult['map'];
  const ndcg20 = {} as CsfResult['ndcg20'];
  for (const k of [...FACETS, 'all'] as const) {
    const s = data.splits[k]!;
    map[k] = foldMean(pq.ap, s.fold1_test!, s.fold2_test!);
    ndcg20[k] = foldMean(pq.ndcg20, s.fold1_test!, s.fold2_test!);
  }
  return { map, ndcg20 };
}

/** Metrics of rankings given per facet and query (the query is removed from its own ranking here). */
export function csfMetricsOfRankings(data: CsfData, ranked: (facet: Facet, qid: string) => string[]): CsfResult {
  return aggregate(data, perQueryOfRankings(data, ranked));
}

/** Per-query figures of a scorer: every pool scored (candidates minus the query) and ranked with a stable sort. */
export function csfPerQuery(data: CsfData, scorer: CsfScorer): CsfPerQuery {
  return perQueryOfRankings(data, (f, qid) => {
    const cands = data.queries[f].get(qid)!.cands.filter((c) => c !== qid);
    const s = scorer(f, qid, cands);
    const byId = new Map(cands.map((c, i) => [c, s[i]!]));
    return rankByScore(cands, (id) => byId.get(id)!);
  });
}

/** Scores every pool with `scorer` (candidates minus the query), ranks with a stable sort, and measures. */
export function evaluateCsfcube(data: CsfData, scorer: CsfScorer): CsfResult {
  return aggregate(data, csfPerQuery(data, scorer));
}

/**
 * Parameters chosen without looking at the test queries: for each fold, the variant with the best
 * all-facet MAP on that fold's dev queries (the earlier one on a tie) scores that fold's test queries (in CSFCube each fold's
 * dev queries are the other fold's test queries, so this is two-fold cross-validation).
 */
export function csfCrossValidated(data: CsfData, variants: { label: string; perQuery: CsfPerQuery }[]): { result: CsfResult; picks: { fold1: string; fold2: string } } {
  if (variants.length === 0) throw new Error('csfCrossValidated: no variants');
  const all = data.splits.all!;
  const devMap = (v: CsfPerQuery, keys: string[]) => keys.reduce((a, k) => a + v.ap.get(k)!, 0) / keys.length;
  const pick = (dev: string[]) => variants.reduce((best, v) => (devMap(v.perQuery, dev) > devMap(best.perQuery, dev) ? v : best));
  const p1 = pick(all.fold1_dev!);
  const p2 = pick(all.fold2_dev!);
  // fold1_test and fold2_test are disjoint: each query takes its figures from its own fold's pick.
  const fold2 = new Set(all.fold2_test!);
  const merged: CsfPerQuery = { ap: new Map(), ndcg20: new Map() };
  for (const k of p1.perQuery.ap.keys()) {
    const from = fold2.has(k) ? p2.perQuery : p1.perQuery;
    merged.ap.set(k, from.ap.get(k)!);
    merged.ndcg20.set(k, from.ndcg20.get(k)!);
  }
  return { result: aggregate(data, merged), picks: { fold1: p1.label, fold2: p2.label } };
}

/** The self-check: the official SPECTER rankings must give MAP 34.23 / NDCG%20 53.28 on all facets. */
export function csfcubeSelfCheck(data: CsfData): { result: CsfResult; pass: boolean } {
  if (!data.specterRanked) throw new Error('CSFCube sample_ranked_pools/ (official SPECTER runs) missing: cannot self-check');
  const ranked = data.specterRanked;
  const result = csfMetricsOfRankings(data, (f, qid) => {
    const r = ranked[f].get(qid);
    if (!r) throw new Error(`official SPECTER run has no ranking for ${qid} (${f})`);
    return r;
  });
  const pass = result.map.all.toFixed(2) === '34.23' && result.ndcg20.all.toFixed(2) === '53.28';
  return { result, pass };
}

/** Published rows (all facets, test): MAP / NDCG%20. */
export const CSF_PUBLISHED: { name: string; map: number; ndcg20: number }[] = [
  { name: 'random', map: 12.2, ndcg20: 23.1 },
  { name: 'SPECTER', map: 34.23, ndcg20: 53.28 },
  { name: 'all-mpnet-base-v2', map: 34.64, ndcg20: 54.94 },
  { name: 'SPECTER-CoCite', map: 37.9, ndcg20: 58.16 },
  { name: 'tsAspire', map: 40.26, ndcg20: 60.71 },
  { name: 'otAspire', map: 40.79, ndcg20: 61.41 },
];
