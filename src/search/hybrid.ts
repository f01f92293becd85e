/**
 * Hybrid search: the keyword ranking (searchPapers, BM25 / ts_rank) and the vector ranking (cosine
 * to the query's embedding) fused by reciprocal rank fusion (fusion.ts, weights from
 * PAPERBOY_SEARCH_FUSION). Same options, filters and pagination as keyword search, plus `mode`:
 * 'hybrid' (default), 'keyword' (the switch that turns vectors off) or 'vector' (meaning only).
 *
 * Graceful fallback: when no embedder is configured, its vectors are not loaded, or embedding the
 * query fails or takes longer than `timeoutMs`, the keyword search answers alone and the result says
 * so in `fallback` (pages show a notice, the API a field), so search never fails because of vectors.
 *
 * Both rankings are cut at a depth (the page's end rounded up to WINDOW, at most MAX_DEPTH) and
 * fused; `total` counts the fused window, so it is a lower bound (`capped`) whenever the vector
 * list was cut, which is nearly always: every paper has *some* similarity to any query.
 * Filters (category, dates) apply to vector hits by over-fetching nearest neighbours and checking
 * them in SQL, widening up to MAX_VECTOR_SCAN neighbours: a rare category finds only those among
 * the MAX_VECTOR_SCAN nearest papers (the same kind of trade-off as keyword search's candidate
 * windows). Exclusions (-word) remove vector hits holding the word too. Exact titles stay first.
 */
import { type Kysely, sql } from 'kysely';
import type { FusionWeights } from '../config.ts';
import { isPostgres, pgSafeText } from '../db/dialect.ts';
import type { Database } from '../db/schema.ts';
import { addDays } from '../time.ts';
import { holdsEvery } from './highlight.ts';
import { rrf } from './fusion.ts';
import {
  dateOption,
  type HitRow,
  intOption,
  MAX_LIMIT,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  searchPapers,
  toHits,
} from './lexical.ts';
import { contentClauses, parseQuery, titleKey } from './query.ts';
import type { Semantic } from './semantic.ts';
import type { Neighbour, VectorIndex } from './vector-index.ts';

/** Which rankings answer a search. */
export type SearchMode = 'hybrid' | 'keyword' | 'vector';
/** Every mode, for validating parameters. */
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'keyword', 'vector'];

/** A hybrid search request: keyword search's options plus the mode and the embedding deadline. */
export interface HybridOptions extends SearchOptions {
  mode?: SearchMode;
  /** How long the query's embedding may take before keyword search answers alone; default QUERY_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** One result; `score` is the fused score in hybrid mode, the cosine in vector mode. */
export interface HybridHit extends SearchHit {
  /** 1-based rank in the keyword ranking, when it found the paper. */
  keywordRank?: number;
  /** 1-based rank in the vector ranking, when it found the paper. */
  vectorRank?: number;
  /** Cosine similarity of the paper to the query, when the vector ranking found it. */
  similarity?: number;
}

/** Why vectors did not take part although they were asked for. */
export type FallbackReason = 'no-embedder' | 'embedder-failed' | 'timeout';

/** A page of results and how it was produced. */
export interface HybridResult extends SearchResult {
  hits: HybridHit[];
  /** The mode that produced the results: 'keyword' after a fallback. */
  mode: SearchMode;
  /** Set when hybrid or vector search was asked for and keyword search answered instead. */
  fallback?: { reason: FallbackReason; message: string };
}

/** Default deadline for embedding the query: a search page should not wait on a slow embedder. */
export const QUERY_TIMEOUT_MS = 2000;
/** Rankings are cut at a multiple of this depth, so `total` stays put while paging through it. */
export const WINDOW = 100;
/** Deepest fused ranking (50 pages of 20, the search page's limit). */
export const MAX_DEPTH = 1000;
/** Most nearest neighbours checked against filters before giving up on finding more. */
export const MAX_VECTOR_SCAN = 20_000;
/** Ids checked per SQL statement (well under both databases' bound-parameter limits). */
const CHUNK = 500;

/** Searches by keyword, meaning or both (see the file comment). Throws SearchOptionError like searchPapers. */
export async function hybridSearch(
  db: Kysely<Database>,
  semantic: Semantic | undefined,
  o: HybridOptions,
  fusion: FusionWeights,
): Promise<HybridResult> {
  const mode: SearchMode = o.mode ?? 'hybrid';
  if (mode === 'keyword') return { ...(await searchPapers(db, o)), mode: 'keyword' };

  // Validated exactly as keyword search does, so both modes refuse the same input.
  const limit = intOption(o.limit, 20, 1, MAX_LIMIT);
  const offset = intOption(o.offset, 0, 0, 1_000_000);
  const from = dateOption('from', o.from);
  const to = dateOption('to', o.to);
  const category = typeof o.category === 'string' && o.category.trim() !== '' ? o.category.trim() : undefined;
  const q = parseQuery(o.q);
  const content = contentClauses(q);
  const empty: HybridResult = { total: 0, hits: [], capped: false, mode };
  if ((from && to && from > to) || content.length === 0) return empty;

  const fallback = async (reason: FallbackReason, message: string): Promise<HybridResult> => ({
    ...(await searchPapers(db, o)),
    mode: 'keyword',
    fallback: { reason, message },
  });
  const index = semantic?.available() ? semantic.index() : undefined;
  if (!semantic || !index || index.size === 0) return fallback('no-embedder', 'Search by meaning is not available on this instance; keyword results are shown.');

  const depth = Math.min(MAX_DEPTH, Math.ceil((offset + limit) / WINDOW) * WINDOW);
  // The query's embedding and the keyword ranking are independent: run them together.
  const keywordP = mode === 'hybrid' ? keywordRanking(db, o, depth) : Promise.resolve(undefined);
  keywordP.catch(() => {}); // awaited below; this only stops an early rejection being reported as unhandled
  const vector = await embedWithDeadline(semantic, q.positive.map((c) => c.tokens.join(' ')).join(' '), o.timeoutMs ?? QUERY_TIMEOUT_MS);
  if ('reason' in vector) {
    await keywordP;
    return fallback(vector.reason, vector.message);
  }
  const keyword = await keywordP;

  const near = await vectorRanking(db, index, vector.v, depth, { from, to, category });
  let vecHits = near.hits;
  if (q.negative.length > 0 && vecHits.length > 0) {
    // Exclusions hold for vector hits too: a paper holding an excluded word is dropped.
    const rows = await hitRows(db, vecHits.map((n) => n.id));
    vecHits = vecHits.filter((n) => {
      const r = rows.get(n.id);
      return r !== undefined && !q.negative.some((c) => holdsEvery([r.title, r.abstract, r.authors], [c]));
    });
  }
  const similarity = new Map(vecHits.map((n) => [n.id, n.score]));
  const vectorRank = new Map(vecHits.map((n, i) => [n.id, i + 1]));
  const keywordHits = new Map((keyword?.hits ?? []).map((h) => [h.paper.id, h]));
  const keywordRank = new Map((keyword?.hits ?? []).map((h, i) => [h.paper.id, i + 1]));

  // The fused ranking; exact-title matches (keyword search pins them) stay first, as in keyword search.
  let ranked: Array<{ id: string; score: number }>;
  if (mode === 'vector') {
    ranked = vecHits.map((n) => ({ id: n.id, score: n.score }));
  } else {
    const fused = rrf(
      [
        { ids: [...keywordHits.keys()], weight: fusion.keyword },
        { ids: vecHits.map((n) => n.id), weight: fusion.vector },
      ],
      fusion.k,
    );
    const want = q.words.join(' ');
    const pinned = new Set((keyword?.hits ?? []).filter((h) => titleKey(h.paper.title) === want).map((h) => h.paper.id));
    ranked = [...fused.filter((f) => pinned.has(f.id)), ...fused.filter((f) => !pinned.has(f.id))];
  }

  // Sorting by date or upvotes reorders the fused window (the most relevant papers, newest first).
  let rows: Map<string, HitRow> | undefined;
  if (o.sort === 'date' || o.sort === 'upvotes') {
    rows = await hitRows(db, ranked.map((r) => r.id));
    const pos = new Map(ranked.map((r, i) => [r.id, i]));
    const key = (id: string) => rows!.get(id);
    ranked = ranked.filter((r) => rows!.has(r.id));
    ranked.sort((a, b) => {
      const ra = key(a.id)!;
      const rb = key(b.id)!;
      const primary =
        o.sort === 'date'
          ? rb.published_at.localeCompare(ra.published_at)
          : Number(rb.hit_upvotes) - Number(ra.hit_upvotes);
      return primary || pos.get(a.id)! - pos.get(b.id)!;
    });
  }

  const page = ranked.slice(offset, offset + limit);
  const missing = page.filter((r) => !keywordHits.has(r.id) && !rows?.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    const more = await hitRows(db, missing);
    rows = new Map([...(rows ?? []), ...more]);
  }
  const onPage = new Map(page.map((r) => [r.id, r.score]));
  const pageRows = [...(rows?.values() ?? [])].filter((r) => onPage.has(r.id) && !keywordHits.has(r.id));
  const built = new Map(toHits(pageRows, content, (r) => onPage.get(r.id) ?? 0).map((h) => [h.paper.id, h]));
  const hits: HybridHit[] = [];
  for (const r of page) {
    const kh = keywordHits.get(r.id);
    const base: SearchHit | undefined = kh ?? built.get(r.id);
    if (!base) continue; // deleted between the ranking and the read
    // Keep the keyword hit's lazy summarySegments getter: copy with descriptors, then set the fused score.
    const hit = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base)) as HybridHit;
    hit.score = r.score;
    const kr = keywordRank.get(r.id);
    const vr = vectorRank.get(r.id);
    if (kr !== undefined) hit.keywordRank = kr;
    if (vr !== undefined) {
      hit.vectorRank = vr;
      hit.similarity = similarity.get(r.id)!;
    }
    hits.push(hit);
  }
  return { total: ranked.length, hits, capped: near.cut || (keyword?.capped ?? false), mode };
}

/** The keyword ranking to `depth`, by relevance (sorting happens after fusion), with its hits. */
async function keywordRanking(db: Kysely<Database>, o: SearchOptions, depth: number): Promise<SearchResult> {
  const hits: SearchHit[] = [];
  let capped = false;
  let total = 0;
  while (hits.length < depth) {
    const r = await searchPapers(db, { ...o, sort: 'relevance', offset: hits.length, limit: Math.min(MAX_LIMIT, depth - hits.length) });
    hits.push(...r.hits);
    capped ||= r.capped;
    total = r.total;
    if (r.hits.length === 0 || hits.length >= r.total) break;
  }
  return { total, hits, capped };
}

/** The query's vector, or why there is none (failure or deadline). */
async function embedWithDeadline(
  semantic: Semantic,
  text: string,
  timeoutMs: number,
): Promise<{ v: Float32Array } | { reason: FallbackReason; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(1, timeoutMs));
  });
  try {
    const embedding = semantic.queryVector(text);
    embedding.catch(() => {}); // a late failure after the deadline is not an unhandled rejection
    const v = await Promise.race([embedding, deadline]);
    if (v === 'timeout') return { reason: 'timeout', message: `Search by meaning took longer than ${timeoutMs} ms; keyword results are shown.` };
    return { v };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { reason: 'embedder-failed', message: `Search by meaning failed (${why.slice(0, 200)}); keyword results are shown.` };
  } finally {
    clearTimeout(timer);
  }
}

interface Filters {
  from?: string;
  to?: string;
  category?: string;
}

/** The nearest papers passing the filters, best first, up to `depth`; `cut` when more would pass. */
async function vectorRanking(
  db: Kysely<Database>,
  index: VectorIndex,
  q: Float32Array,
  depth: number,
  f: Filters,
): Promise<{ hits: Neighbour[]; cut: boolean }> {
  if (!f.from && !f.to && !f.category) return { hits: index.search(q, depth), cut: index.size > depth };
  // Over-fetch, check the filters in SQL, widen eightfold while too few pass (ties keep insertion
  // order in the index, so each wider search extends the previous one).
  const out: Neighbour[] = [];
  let checked = 0;
  let k = Math.max(4 * depth, 400);
  for (;;) {
    const near = index.search(q, Math.min(k, index.size));
    const fresh = near.slice(checked);
    const pass = await passingFilters(db, fresh.map((n) => n.id), f);
    for (const n of fresh) if (pass.has(n.id)) out.push(n);
    checked = near.length;
    if (out.length >= depth) return { hits: out.slice(0, depth), cut: true };
    if (checked >= index.size) return { hits: out, cut: false };
    if (k >= MAX_VECTOR_SCAN) return { hits: out, cut: true };
    k = Math.min(MAX_VECTOR_SCAN, k * 8);
  }
}

/** The ids (of those given) whose papers pass the filters, checked as keyword search checks them. */
async function passingFilters(db: Kysely<Database>, ids: string[], f: Filters): Promise<Set<string>> {
  const pass = new Set<string>();
  const pg = isPostgres(db);
  for (let i = 0; i < ids.length; i += CHUNK) {
    let query = db.selectFrom('papers').select('id').where('id', 'in', ids.slice(i, i + CHUNK));
    if (f.from) query = query.where('published_at', '>=', f.from);
    if (f.to) query = query.where('published_at', '<', addDays(f.to, 1));
    if (f.category) {
      // A category is looked for as its quoted JSON string in the categories array, like lexical.ts.
      const quoted = JSON.stringify(pg ? pgSafeText(f.category) : f.category);
      query = query.where(pg ? sql<boolean>`strpos(categories, ${quoted}) > 0` : sql<boolean>`instr(categories, ${quoted}) > 0`);
    }
    for (const r of await query.execute()) pass.add(r.id);
  }
  return pass;
}

/** Paper rows with their feed upvotes, shaped as keyword search's result rows (for toHits). */
export async function hitRows(db: Kysely<Database>, ids: string[]): Promise<Map<string, HitRow>> {
  const out = new Map<string, HitRow>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('papers as p')
      .leftJoin('daily_entries as e', 'e.paper_id', 'p.id')
      .select([
        'p.num', 'p.id', 'p.version', 'p.title', 'p.title_key', 'p.abstract', 'p.authors', 'p.categories',
        'p.primary_category', 'p.published_at', 'p.updated_at', 'p.comment', 'p.journal_ref', 'p.doi',
        'p.license', 'p.code_url', 'p.project_url', 'p.created_at', 'p.modified_at', 'p.upvotes',
        sql<number>`coalesce(e.upvotes, 0)`.as('hit_upvotes'),
        sql<number>`0`.as('hit_score'),
      ])
      .where('p.id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.id, r as HitRow);
  }
  return out;
}
