/**
 * `npm run eval -- [RELEVANCE_DIR] [--corpus PATH] [--only csfcube|reviewers|corpus] [--tune]`
 *
 * Relevance of "similar papers", "for you" and search, measured as docs/evaluation.md says:
 * self-checks on the official runs first (CSFCube SPECTER → MAP 34.23 / NDCG%20 53.28; the five
 * released reviewer predictions → their published loss/easy/hard), then our systems next to TF-IDF
 * and BM25 computed in the same run and the published rows. RELEVANCE_DIR defaults to
 * ../shared/data/relevance, the corpus to ../shared/data/corpus/arxiv-listings-2025-2026.jsonl.gz
 * (the built-in model is trained on it once and cached in eval/.cache/). `--tune` also trains and
 * scores the built-in model's option variants. Prints tables; writes eval/results/*.json.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CORPUS, REPO_ROOT } from '../bench/lib/corpus.ts';
import { BUILTIN_DEFAULTS, type BuiltinOptions } from '../src/search/embed/builtin.ts';
import { fusedScores, SIMILARITY_DEFAULTS, type SimilarityParams } from '../src/search/similarity.ts';
import { runCorpusQueries } from './corpus-queries.ts';
import { CSF_PUBLISHED, type CsfResult, type CsfScorer, FACETS, csfCrossValidated, csfDocText, csfFacetText, csfPerQuery, csfcubeSelfCheck, evaluateCsfcube, loadCsfcube } from './csfcube.ts';
import { type PairwiseMetrics, type ReviewerPairs, pairedBootstrap } from './metrics.ts';
import { type CorpusPaper, cachedBuiltin, readCorpus } from './model-cache.ts';
import { formatTable, num, writeResults } from './report.ts';
import { REV_PUBLISHED, evaluateReviewers, loadReviewers, reviewerPieces, reviewerSelfCheck } from './reviewers.ts';
import { CsfVectors, csfSparseScorers, revMaxCosine, revSparseScorers, revUserModel, revVectors, weightedSum } from './systems.ts';

const log = (m: string) => process.stderr.write(`[eval] ${m}\n`);

/**
 * Option variants tried with --tune. Each trains on an even 20k sample of the corpus (maxDocs; the
 * rest is folded in) so seven variants fit in minutes on a shared 2-core machine; the "defaults @20k"
 * row is the reference they are compared with, and the full-corpus defaults are the main rows.
 */
const TUNE_SAMPLE = 20000;
const TUNE_VARIANTS: { label: string; opts: BuiltinOptions }[] = [
  { label: 'defaults @20k', opts: {} },
  { label: 'no bigrams', opts: { bigramShare: 0 } },
  { label: 'sigmaPower 0.5', opts: { sigmaPower: 0.5 } },
  { label: 'sigmaPower -0.5', opts: { sigmaPower: -0.5 } },
  { label: 'dim 128', opts: { dim: 128 } },
  { label: 'dim 384', opts: { dim: 384 } },
];

/**
 * The similarity parameters tried for the cross-validated row: sparse weight × feedback (documents,
 * weight). The shipped SIMILARITY_DEFAULTS are one of them.
 */
const SIMILARITY_GRID: SimilarityParams[] = [0.7, 0.75, 0.8, 0.85, 0.9].flatMap((sparseWeight) =>
  [[0, 0], [2, 0.5], [3, 0.3], [3, 0.5], [3, 1], [5, 0.3], [5, 0.5], [10, 1]].map(([feedbackDocs, feedbackWeight]) => ({ sparseWeight, feedbackDocs: feedbackDocs!, feedbackWeight: feedbackWeight! })),
);

interface Args {
  relevance: string;
  corpus: string;
  only?: string;
  tune: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const flagged = new Set(['--corpus', '--only'].flatMap((f) => (argv.includes(f) ? [argv[argv.indexOf(f) + 1]] : [])));
  const positional = argv.find((a) => !a.startsWith('--') && !flagged.has(a));
  return {
    relevance: resolve(positional ?? join(REPO_ROOT, '..', 'shared', 'data', 'relevance')),
    corpus: resolve(value('--corpus') ?? process.env.PAPERBOY_BENCH_CORPUS ?? DEFAULT_CORPUS),
    only: value('--only'),
    tune: argv.includes('--tune'),
  };
}

/** One CSFCube table row. */
interface CsfRow {
  system: string;
  kind: 'self-check' | 'published' | 'baseline' | 'ours' | 'tuning';
  result?: CsfResult;
  published?: { map: number; ndcg20: number };
}

function csfTable(rows: CsfRow[]): string {
  const head = ['CSFCube (test, x100)', 'kind', ...FACETS.flatMap((f) => [`${f} MAP`, `${f} NDCG%20`]), 'all MAP', 'all NDCG%20'];
  const body = rows.map((r) => [
    r.system,
    r.kind,
    ...FACETS.flatMap((f) => [num(r.result?.map[f]), num(r.result?.ndcg20[f])]),
    num(r.result?.map.all ?? r.published?.map),
    num(r.result?.ndcg20.all ?? r.published?.ndcg20),
  ]);
  return formatTable(head, body);
}

/** One reviewer table row. */
interface RevRow {
  system: string;
  kind: 'self-check' | 'published' | 'baseline' | 'ours';
  metrics: Partial<PairwiseMetrics>;
  /** Paired bootstrap of loss(system) − loss(TF-IDF merged). */
  vsTfidf?: { diff: number; lo: number; hi: number; p: number };
  note?: string;
}

function revTable(rows: RevRow[]): string {
  const head = ['Reviewers (d_20, mean of 10)', 'kind', 'loss', 'easy', 'hard', 'Δloss vs TF-IDF [95% CI]', 'p', 'note'];
  const body = rows.map((r) => [
    r.system,
    r.kind,
    num(r.metrics.loss, 4),
    num(r.metrics.easy, 4),
    num(r.metrics.hard, 4),
    r.vsTfidf ? `${r.vsTfidf.diff >= 0 ? '+' : ''}${r.vsTfidf.diff.toFixed(4)} [${r.vsTfidf.lo.toFixed(3)}, ${r.vsTfidf.hi.toFixed(3)}]` : '',
    r.vsTfidf ? r.vsTfidf.p.toFixed(3) : '',
    r.note ?? '',
  ]);
  return formatTable(head, body);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const want = (s: string) => !args.only || args.only === s;
  const csfDir = join(args.relevance, 'csfcube');
  const revDir = join(args.relevance, 'reviewer-goldstandard');
  if ((want('csfcube') && !existsSync(csfDir)) || (want('reviewers') && !existsSync(revDir))) {
    process.stderr.write(`eval: relevance data not found under ${args.relevance} (expected csfcube/ and reviewer-goldstandard/)\nUsage: npm run eval -- ../shared/data/relevance\n`);
    return 1;
  }
  const needCorpus = want('csfcube') || want('reviewers') || want('corpus');
  if (needCorpus && !existsSync(args.corpus)) {
    process.stderr.write(`eval: corpus not found at ${args.corpus}; pass --corpus PATH (the 118k arxiv-listings-2025-2026.jsonl.gz)\n`);
    return 1;
  }
  const report: Record<string, unknown> = { date: new Date().toISOString(), relevance: args.relevance, corpus: args.corpus, builtinDefaults: BUILTIN_DEFAULTS };
  const out: string[] = [];
  let failed = false;

  log(`reading the corpus ${args.corpus}`);
  const corpus: CorpusPaper[] = await readCorpus(args.corpus);
  const trained = cachedBuiltin(args.corpus, corpus, {}, log);
  const model = trained.model;
  report.builtin = { name: model.name, dim: model.dim, vocabulary: model.vocabularySize, corpusSize: model.corpusSize, trainSeconds: trained.trainSeconds, cache: trained.file };

  if (want('csfcube')) {
    log('CSFCube');
    const data = loadCsfcube(csfDir);
    const rows: CsfRow[] = [];
    const check = csfcubeSelfCheck(data);
    if (!check.pass) failed = true;
    rows.push({ system: `official SPECTER run → 34.23 / 53.28 ${check.pass ? 'PASS' : 'FAIL'}`, kind: 'self-check', result: check.result });
    for (const p of CSF_PUBLISHED) rows.push({ system: p.name, kind: 'published', published: p });
    const sparse = csfSparseScorers(data);
    for (const [name, scorer] of Object.entries(sparse)) rows.push({ system: name.replace('-', ' '), kind: 'baseline', result: evaluateCsfcube(data, scorer) });
    const vecs = new CsfVectors(data, model);
    rows.push({ system: 'builtin abstract', kind: 'ours', result: evaluateCsfcube(data, vecs.cosine('abstract')) });
    rows.push({ system: 'builtin facet', kind: 'ours', result: evaluateCsfcube(data, vecs.cosine('facet')) });
    for (const beta of [0.3, 0.5]) rows.push({ system: `builtin facet ${beta} + abstract ${(1 - beta).toFixed(1)}`, kind: 'ours', result: evaluateCsfcube(data, vecs.facetBlend(beta)) });
    for (const w of [0.3, 0.5, 0.7]) {
      const fused = weightedSum([
        { scorer: sparse['tfidf-abstract'], weight: w },
        { scorer: vecs.cosine('abstract'), weight: 1 - w },
      ]);
      rows.push({ system: `fused ${w} tfidf + ${(1 - w).toFixed(1)} builtin, abstract`, kind: 'ours', result: evaluateCsfcube(data, fused) });
    }
    // The shipped form (src/search/similarity.ts), with the facet's sentences as the query (text and
    // vector; candidates stay whole abstracts), its first round alone, and its parameters chosen on the dev folds.
    const similarity =
      (p: SimilarityParams, query: 'abstract' | 'facet' = 'abstract'): CsfScorer =>
      (f, qid, cands) => {
        const paper = data.papers.get(qid)!;
        const text = query === 'facet' ? csfFacetText(paper, f) || csfDocText(paper) : csfDocText(paper);
        return fusedScores(
          { text, vector: vecs.queryVec(qid, f, query) },
          cands.map((c) => ({ text: csfDocText(data.papers.get(c)!), vector: vecs.docVec(c) })),
          p,
        );
      };
    const d = SIMILARITY_DEFAULTS;
    rows.push({ system: `similarity.ts as shipped (${d.sparseWeight} tfidf, feedback ${d.feedbackDocs} × ${d.feedbackWeight})`, kind: 'ours', result: evaluateCsfcube(data, similarity(d)) });
    rows.push({ system: 'similarity.ts as shipped, facet sentences as the query', kind: 'ours', result: evaluateCsfcube(data, similarity(d, 'facet')) });
    rows.push({ system: `similarity.ts first round only (${d.sparseWeight} tfidf)`, kind: 'ours', result: evaluateCsfcube(data, similarity({ ...d, feedbackDocs: 0 })) });
    const grid = SIMILARITY_GRID.map((p) => ({ label: `${p.sparseWeight} tfidf, feedback ${p.feedbackDocs} × ${p.feedbackWeight}`, perQuery: csfPerQuery(data, similarity(p)) }));
    const cv = csfCrossValidated(data, grid);
    rows.push({ system: `similarity.ts cross-validated (fold 1: ${cv.picks.fold1}; fold 2: ${cv.picks.fold2})`, kind: 'ours', result: cv.result });
    if (args.tune) {
      for (const v of TUNE_VARIANTS) {
        const t = cachedBuiltin(args.corpus, corpus, { maxDocs: TUNE_SAMPLE, ...v.opts }, log);
        const tv = new CsfVectors(data, t.model);
        rows.push({ system: `tune ${v.label}: abstract`, kind: 'tuning', result: evaluateCsfcube(data, tv.cosine('abstract')) });
        rows.push({ system: `tune ${v.label}: facet`, kind: 'tuning', result: evaluateCsfcube(data, tv.cosine('facet')) });
      }
    }
    report.csfcube = rows;
    out.push(csfTable(rows));
  }

  if (want('reviewers')) {
    log('reviewer gold standard');
    const data = loadReviewers(revDir);
    const rows: RevRow[] = [];
    for (const c of reviewerSelfCheck(data)) {
      if (!c.pass) failed = true;
      rows.push({ system: `released ${c.label}`, kind: 'self-check', metrics: c.got, note: `want ${c.want.loss.toFixed(4)}/${c.want.easy.toFixed(4)}/${c.want.hard.toFixed(4)} ${c.pass ? 'PASS' : 'FAIL'}` });
    }
    for (const p of REV_PUBLISHED) rows.push({ system: p.name, kind: 'published', metrics: p });
    const sparse = revSparseScorers(data);
    const base = reviewerPieces(data, sparse['tfidf-merged']);
    const measured = (system: string, kind: RevRow['kind'], pieces: ReviewerPairs[][]): RevRow => ({
      system,
      kind,
      metrics: evaluateReviewers(pieces),
      vsTfidf: system === 'tfidf merged' ? undefined : pairedBootstrap(pieces, base, 1000, 7),
    });
    rows.push(measured('tfidf merged', 'baseline', base));
    rows.push(measured('tfidf max', 'baseline', reviewerPieces(data, sparse['tfidf-max'])));
    rows.push(measured('bm25 merged', 'baseline', reviewerPieces(data, sparse['bm25-merged'])));
    const vecs = revVectors(data, model);
    rows.push(measured('builtin max-cosine', 'ours', reviewerPieces(data, revMaxCosine(vecs))));
    for (const alpha of [0.25, 0.5, 1]) {
      rows.push(measured(`builtin trainUserModel alpha ${alpha}`, 'ours', reviewerPieces(data, revUserModel(data, vecs, { alpha, implicitCount: 200 }))));
    }
    report.reviewers = rows;
    out.push(revTable(rows));
  }

  if (want('corpus')) {
    log('corpus retrieval queries');
    const res = await runCorpusQueries({ corpusPath: args.corpus, corpus, model, log });
    report.corpusQueries = res.report;
    out.push(res.table);
  }

  const file = writeResults(report);
  process.stdout.write(`\n${out.join('\n\n')}\n\nbuilt-in model ${model.name} (dim ${model.dim}, ${model.vocabularySize} terms, trained on ${model.corpusSize} papers)\nResults: ${file} (and eval/results/latest.json)\n`);
  if (failed) process.stderr.write('eval: a SELF-CHECK FAILED: the metric code does not reproduce the published figures; do not trust the rows above.\n');
  return failed ? 1 : 0;
}

process.exitCode = await main();
