/**
 * Keyword search over the papers_fts FTS5 index: BM25 relevance (title weighted above authors
 * above abstract), exact titles first, AND widened to OR for long or unlucky queries, filters,
 * sorting, pagination and highlight segments.
 *
 * Cost model (measured on the 118k corpus): FTS5 walks a posting list at ~0.1 µs a paper, but
 * bm25() costs a fixed ~1-3 ms a query (it counts every phrase's papers) plus ~1-3 µs a ranked
 * paper. "learning" matches 40k papers, and ranking them all takes ~60-100 ms. So every query
 * ranks a bounded candidate set: in AND mode its CANDIDATES newest text matches (inside the date
 * range when one is given), in OR mode the OR_CANDIDATES papers holding the most weight of the
 * rare words; `total` counts within that set and `capped` tells the caller matches were left
 * out. Filters are applied to the candidates, so a rare category combined with a very common
 * word finds only that category's papers among the newest matches (documented trade-off).
 * Other costs kept off the hot path: exact titles are an indexed equality (papers.title_key),
 * only the page's rows are read in full, and the candidate counts double as `total`.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Selectable } from 'kysely';
import { isPostgres } from '../db/dialect.ts';
import type { Database, PapersTable } from '../db/schema.ts';
import { type Paper, paperFromRow } from '../store/papers.ts';
import { addDays, isValidDate } from '../time.ts';
import { type Segment, highlightTerms, highlightText, holdsEvery, snippet } from './highlight.ts';
import { weightedTop } from './weighted.ts';
import { type Clause, clauseToFts, contentClauses, ftsExpression, parseQuery } from './query.ts';
import { searchPapersPostgres } from './lexical-pg.ts';

export type { Segment } from './highlight.ts';

/** How results are ordered. */
export type SearchSort = 'relevance' | 'date' | 'upvotes';

/** A keyword search request. */
export interface SearchOptions {
  q: string;
  /** An arXiv category the paper carries (primary or cross-listed), e.g. `cs.CL`. */
  category?: string;
  /** Inclusive published_at date range, YYYY-MM-DD. */
  from?: string;
  to?: string;
  sort?: SearchSort;
  offset?: number;
  limit?: number;
}

/** One result. */
export interface SearchHit {
  paper: Paper;
  /** BM25 score, higher is better (FTS5's bm25() negated); 0 for an exact-title match, which is first regardless. */
  score: number;
  /** From daily_entries, 0 if the paper was never featured. */
  upvotes: number;
  titleSegments: Segment[];
  /** The whole abstract. */
  summarySegments: Segment[];
  /** About 300 characters of the abstract around the best match. */
  snippetSegments: Segment[];
}

/** A page of results. */
export interface SearchResult {
  /** Papers matching, counted within the candidate set (exact unless `capped`). */
  total: number;
  hits: SearchHit[];
  /** True when the text matched more than CANDIDATES papers and only the newest were searched. */
  capped: boolean;
}

/** A search option the caller should reject with a 400 (the message names the option). */
export class SearchOptionError extends Error {}

/** Column weights for bm25(): a word in the title counts most, then an author name, then the abstract. */
export const WEIGHTS = { title: 10, abstract: 1, authors: 4 } as const;
/** Most text matches ranked per query; bounds the cost of common-word queries (see the file comment). */
export const CANDIDATES = 1000;
/**
 * Papers ranked by bm25() in OR mode, chosen by the weight of the rare words they hold. Fewer
 * than CANDIDATES: the weight order already puts a description's paper near the top (300 and
 * 1000 found the same papers in the benchmark), and every candidate costs a bm25() call.
 */
export const OR_CANDIDATES = 300;
/** Largest page size. */
export const MAX_LIMIT = 200;
/** An AND query finding fewer papers than this is widened to OR. */
const MIN_STRICT = 10;
/** Queries with this many content words or more (descriptions, not keywords) always use OR. */
const LONG_QUERY = 5;
/**
 * A word in more than this many papers is dropped from OR queries when rarer words remain. An
 * absolute number because the point is cost: an OR walks every posting list it names, and
 * "model" alone lists 87k of the 118k corpus papers (about 5% is the cut there).
 */
const COMMON_DF = 5000;
/** OR queries use at most this many of the rarest words. */
const MAX_OR_CLAUSES = 8;
/**
 * When a query has fewer than two rare words, word frequencies are counted up to this many
 * papers (then cached) rather than COMMON_DF, so that the ones filling in are the least common:
 * counted only to COMMON_DF they all tied, and "However using" (34k and 56k papers) was chosen
 * over "cost diversity" (12k, 19k) by word order: slower (longer lists) and worse matches.
 */
const DF_COUNT_CAP = 4 * COMMON_DF;

const BM25 = sql.raw(`bm25(papers_fts, ${WEIGHTS.title}, ${WEIGHTS.abstract}, ${WEIGHTS.authors})`);

/** A paper row with its upvotes and raw score, as both databases' result queries return it. */
export type HitRow = Selectable<PapersTable> & { hit_upvotes: number; hit_score: number };

/** A whole number option clamped to [min, max]; absent or not finite → fallback. */
export function intOption(v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(v)));
}

/** A YYYY-MM-DD option; throws SearchOptionError (a 400 for callers) when malformed. */
export function dateOption(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (!isValidDate(v)) throw new SearchOptionError(`${name}: expected a date as YYYY-MM-DD, got ${JSON.stringify(v.slice(0, 40))}`);
  return v;
}

/** Searches papers by keyword. Any `q` is safe; an empty or punctuation-only `q` finds nothing. */
export async function searchPapers(db: Kysely<Database>, o: SearchOptions): Promise<SearchResult> {
  // PostgreSQL has its own text index (tsvector); same contract, see lexical-pg.ts.
  if (isPostgres(db)) return searchPapersPostgres(db, o);
  const limit = intOption(o.limit, 20, 1, MAX_LIMIT);
  const offset = intOption(o.offset, 0, 0, 1_000_000);
  const from = dateOption('from', o.from);
  const to = dateOption('to', o.to);
  const sort: SearchSort = o.sort === 'date' || o.sort === 'upvotes' ? o.sort : 'relevance';
  const category = typeof o.category === 'string' && o.category.trim() !== '' ? o.category.trim() : undefined;
  const empty: SearchResult = { total: 0, hits: [], capped: false };
  if (from && to && from > to) return empty;

  const q = parseQuery(o.q);
  const content = contentClauses(q);
  if (content.length === 0) return empty;
  const p = await plan(db, content, q.negative);

  // Filters. A date range also narrows the FTS5 rowid range: papers are numbered as they
  // arrive, so nums follow dates closely; published_at is still checked exactly.
  const filters: RawBuilder<unknown>[] = [];
  let rowidRange = sql``;
  if (from || to) {
    if (from) filters.push(sql`p.published_at >= ${from}`);
    if (to) filters.push(sql`p.published_at < ${addDays(to, 1)}`);
    const r = await sql<{ lo: number | null; hi: number | null }>`
      SELECT min(num) AS lo, max(num) AS hi FROM papers p WHERE ${sql.join(filters, sql` AND `)}`.execute(db);
    const row = r.rows[0];
    if (!row || row.lo === null || row.hi === null) return empty;
    rowidRange = sql` AND rowid BETWEEN ${row.lo} AND ${row.hi}`;
  }
  if (category) filters.push(sql`instr(p.categories, ${JSON.stringify(category)}) > 0`);

  const pins = sort === 'relevance' && q.negative.length === 0 ? await exactTitles(db, q.words, filters) : [];
  const pinNums = pins.map((p) => p.num);

  const c = await candidates(db, p, rowidRange, new Set(pinNums));
  // The window filtered, pins left out (they are shown apart); papers joined only when a filter needs them.
  const where = [...filters, ...(pinNums.length > 0 ? [sql`x.r NOT IN (${sql.join(pinNums)})`] : [])];
  const whereSql = where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const joinPapers = filters.length > 0 || sort === 'date' ? sql`JOIN papers p ON p.num = x.r` : sql``;
  // Without filters the candidates are counted already (less the pins among them).
  const counted =
    filters.length === 0 && c.known !== undefined
      ? c.known - pinNums.filter(c.holds).length
      : Number(
          (await sql<{ n: number }>`SELECT count(*) AS n FROM ${c.window(false)} ${joinPapers} ${whereSql}`.execute(db)).rows[0]?.n ?? 0,
        );
  const total = pins.length + counted;

  // Exact titles come first; the window fills the rest of the page.
  const { pinPage, rest, restOffset } = splitPage(pins, offset, limit);
  let rows: HitRow[] = pinPage;
  if (rest > 0 && restOffset < total - pins.length) {
    // In OR mode papers holding every word (tier 0) come before those holding some.
    const tier =
      c.strictNums && c.strictNums.length > 0
        ? sql`CASE WHEN x.r IN (SELECT value FROM json_each(${JSON.stringify(c.strictNums)})) THEN 0 ELSE 1 END`
        : sql`1`;
    const keys = sort === 'date' ? ['d DESC', 'r DESC'] : sort === 'upvotes' ? ['u DESC', 's ASC', 'r DESC'] : ['t ASC', 's ASC', 'r DESC'];
    // The page is chosen on the window's keys alone and only its rows are read in full: reading
    // every candidate's whole row before sorting cost more than ranking them.
    const r = await sql<HitRow>`
      SELECT p.*, coalesce(e.upvotes, 0) AS hit_upvotes, y.s AS hit_score FROM (
        SELECT x.r AS r, x.s AS s, ${tier} AS t,
          ${sort === 'upvotes' ? sql`coalesce(e.upvotes, 0)` : sql`0`} AS u,
          ${sort === 'date' ? sql`p.published_at` : sql`''`} AS d
        FROM ${c.window(true)} ${sort === 'upvotes' ? sql`JOIN papers p ON p.num = x.r LEFT JOIN daily_entries e ON e.paper_id = p.id` : joinPapers}
        ${whereSql}
        ORDER BY ${sql.raw(keys.join(', '))} LIMIT ${rest} OFFSET ${restOffset}) y
      JOIN papers p ON p.num = y.r LEFT JOIN daily_entries e ON e.paper_id = p.id
      ORDER BY ${sql.raw(keys.map((k) => `y.${k}`).join(', '))}`.execute(db);
    rows = [...pinPage, ...r.rows];
  }

  // bm25() is lower-is-better; callers get higher-is-better.
  const hits = toHits(rows, content, (r) => -r.hit_score);
  return { total, hits, capped: c.capped };
}

/** How a page splits between the pinned exact titles and the ranked window after them. */
export function splitPage<T>(pins: T[], offset: number, limit: number): { pinPage: T[]; rest: number; restOffset: number } {
  const pinPage = pins.slice(offset, offset + limit);
  return { pinPage, rest: limit - pinPage.length, restOffset: Math.max(0, offset - pins.length) };
}

/** Result rows as hits, highlighted with the query's terms (shared by both databases' searches). */
export function toHits(rows: HitRow[], content: Clause[], scoreOf: (r: HitRow) => number): SearchHit[] {
  const terms = highlightTerms(content);
  return rows.map((r): SearchHit => {
    const { hit_upvotes, hit_score: _score, ...paperRow } = r;
    let summary: Segment[] | undefined;
    return {
      paper: paperFromRow(paperRow),
      score: scoreOf(r),
      upvotes: Number(hit_upvotes),
      titleSegments: highlightText(r.title, terms),
      // Computed on first read: pages show only the snippet, the HF API the whole abstract.
      get summarySegments() {
        return (summary ??= highlightText(r.abstract, terms));
      },
      snippetSegments: snippet(r.abstract, terms),
    };
  });
}

/** A query's candidate window (see candidates()). */
interface Candidates {
  /** The window as a subquery `x(r[, s])`, with bm25() as `s` when asked. */
  window: (withScore: boolean) => RawBuilder<unknown>;
  /** True when the text matched more papers than the window holds. */
  capped: boolean;
  /** Papers in the window when known without a query (no filters applied). */
  known?: number;
  /** Whether a paper matching every word is in the window (to count pins out of `known`). */
  holds: (num: number) => boolean;
  /** OR mode: the window's papers holding every content word, ranked first. */
  strictNums?: number[];
}

interface Plan {
  /** The FTS5 expression that ranks (bm25) and highlights nothing but candidates. */
  expr: string;
  /** All content words AND-ed: in OR mode such papers rank first. */
  strict: string;
  /** OR mode: the rarest clauses and their weights (idf) for choosing candidates. */
  rare?: Array<{ c: Clause; idf: number }>;
  /** The content clauses (the OR may use fewer). */
  content: Clause[];
  /** True when the query excludes words. */
  negated: boolean;
}

/**
 * AND of the content words; widened to OR when AND finds fewer than MIN_STRICT papers or the
 * text is long enough to be a description rather than keywords. The OR keeps only the rarest
 * words (at most MAX_OR_CLAUSES, none in more than COMMON_DF papers): a description's
 * distinctive words find its paper, while "model" or "learning" would make the OR match most
 * of the corpus for almost no BM25 weight.
 */
async function plan(db: Kysely<Database>, content: Clause[], negative: Clause[]): Promise<Plan> {
  const strict = ftsExpression(content, 'AND', negative);
  const base = { expr: strict, strict, content, negated: negative.length > 0 };
  if (content.length < 2) return base;
  if (content.length < LONG_QUERY && (await countText(db, strict, MIN_STRICT)) >= MIN_STRICT) return base;
  const rare = (await byRarity(db, content)).slice(0, MAX_OR_CLAUSES);
  return { ...base, expr: ftsExpression(rare.map((r) => r.c), 'OR', negative), rare };
}

/**
 * The candidate window, as a subquery `x(r[, s])`, whether it left matches out, how many papers
 * it holds when that is known without filters, and (OR mode) the candidates holding every word.
 * AND mode: the CANDIDATES newest matches (FTS5 walks a posting list backwards cheaply).
 * OR mode: the OR_CANDIDATES papers holding the most weight of the rare words (a paper with three
 * of them before one with one), merged from their posting lists (weighted.ts); this is what lets
 * a ten-word description find a paper of any age. bm25() then runs on those only.
 */
async function candidates(db: Kysely<Database>, p: Plan, rowidRange: RawBuilder<unknown>, pins: Set<number>): Promise<Candidates> {
  if (!p.rare) {
    // The CANDIDATES+1 newest matches: how many there are and the oldest (the first one left out).
    const over = await sql<{ n: number; lo: number | null }>`
      SELECT count(*) AS n, min(r) AS lo FROM (SELECT rowid AS r FROM papers_fts WHERE papers_fts MATCH ${p.expr}${rowidRange}
      ORDER BY rowid DESC LIMIT ${CANDIDATES + 1})`.execute(db);
    const n = Number(over.rows[0]?.n ?? 0);
    const lo = Number(over.rows[0]?.lo ?? 0);
    const capped = n > CANDIDATES;
    const window = (withScore: boolean) => sql`(
      SELECT rowid AS r${withScore ? sql`, ${BM25} AS s` : sql``} FROM papers_fts
      WHERE papers_fts MATCH ${p.expr}${rowidRange} ORDER BY rowid DESC LIMIT ${CANDIDATES}) x`;
    // A pin (its title holds every word) matches the AND; it is in the window unless older than it.
    return { window, capped, known: Math.min(n, CANDIDATES), holds: (num) => !capped || num > lo };
  }
  const rare = p.rare;
  // One row per rare clause: its matching rowids as a JSON array (cheap to hand over and parse).
  const lists = await sql<{ i: number; ids: string | null }>`${sql.join(
    rare.map(
      (r, i) => sql`SELECT ${i} AS i, (SELECT json_group_array(rowid) FROM papers_fts
        WHERE papers_fts MATCH ${clauseToFts(r.c)}${rowidRange}) AS ids`,
    ),
    sql` UNION ALL `,
  )}`.execute(db);
  const byClause = rare.map(() => [] as number[]);
  for (const row of lists.rows) byClause[row.i] = JSON.parse(row.ids ?? '[]') as number[];
  const { top, matched } = weightedTop(
    byClause,
    rare.map((r) => r.idf),
    OR_CANDIDATES,
  );
  const nums = JSON.stringify(top.map((t) => t.r));
  // "+rowid" keeps the IN out of FTS5's plan: FTS5 looks rowids up one by one very slowly, while
  // walking the OR's posting lists and testing membership costs ~0.1 µs a paper.
  const window = (withScore: boolean) => sql`(
    SELECT rowid AS r${withScore ? sql`, ${BM25} AS s` : sql``} FROM papers_fts
    WHERE papers_fts MATCH ${p.expr} AND +rowid IN (SELECT value FROM json_each(${nums}))) x`;
  // The strict tier: holding every rare word is necessary, and sufficient when no word was left
  // out of the OR; otherwise the left-out words are checked for those few (holdingEvery).
  // Pins are shown apart, so they need no check.
  const allRare = top.filter((t) => t.n === rare.length && !pins.has(t.r)).map((t) => t.r);
  let strictNums = allRare;
  if (allRare.length > 0 && rare.length < p.content.length) strictNums = await holdingEvery(db, allRare, p);
  // With exclusions the window can hold fewer papers than were merged, so it is counted instead.
  const known = p.negated ? undefined : Math.min(OR_CANDIDATES, matched);
  const inTop = new Set(top.map((t) => t.r));
  return { window, capped: matched > OR_CANDIDATES, known, holds: (num) => inTop.has(num), strictNums };
}

/**
 * Up to this many papers are checked on their text (~0.14 ms a paper: read and tokenize); FTS5's
 * full AND costs ~5 ms (~0.3 ms a word, even for a single paper), so it takes over beyond that.
 */
const TEXT_CHECK_MAX = 40;

/** The papers (of those holding every rare word) that hold every content word. */
async function holdingEvery(db: Kysely<Database>, nums: number[], p: Plan): Promise<number[]> {
  const list = JSON.stringify(nums);
  if (nums.length > TEXT_CHECK_MAX) {
    const r = await sql<{ r: number }>`
      SELECT rowid AS r FROM papers_fts WHERE papers_fts MATCH ${p.strict} AND +rowid IN (SELECT value FROM json_each(${list}))`.execute(db);
    return r.rows.map((row) => row.r);
  }
  const r = await sql<{ num: number; title: string; abstract: string; authors: string }>`
    SELECT num, title, abstract, authors FROM papers WHERE num IN (SELECT value FROM json_each(${list}))`.execute(db);
  return r.rows.filter((row) => holdsEvery([row.title, row.abstract, row.authors], p.content)).map((row) => row.num);
}

/** Number of papers matching a text expression, counting no further than `cap` (cheap: no bm25, no join). */
async function countText(db: Kysely<Database>, expr: string, cap: number): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*) AS n FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ${expr} LIMIT ${cap})`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

// Per-database cache of word frequencies (counted up to a cap, part of the key): they barely
// move as papers arrive, and a stale value only changes which words an OR query leaves out.
const dfCache = new WeakMap<object, Map<string, number>>();
const DF_CACHE_SIZE = 5000;

/**
 * The clauses ordered rarest first, without words found in more than COMMON_DF papers
 * ("model", "learning"): those add little to BM25 but make an OR match most of the corpus.
 * At least two clauses are kept.
 */
async function byRarity(db: Kysely<Database>, clauses: Clause[]): Promise<Array<{ c: Clause; idf: number }>> {
  const maxNum = await sql<{ n: number | null }>`SELECT max(num) AS n FROM papers`.execute(db);
  const papers = Math.max(1, Number(maxNum.rows[0]?.n ?? 0));
  const threshold = COMMON_DF;
  let cache = dfCache.get(db);
  if (!cache || cache.size > DF_CACHE_SIZE) dfCache.set(db, (cache = new Map()));
  const df = async (c: Clause, cap: number): Promise<number> => {
    const key = `${cap}:${clauseToFts(c)}`;
    let n = cache?.get(key);
    if (n === undefined) {
      n = await countText(db, clauseToFts(c), cap + 1);
      cache?.set(key, n);
    }
    return n;
  };
  const scored: Array<{ c: Clause; df: number }> = [];
  for (const c of clauses) scored.push({ c, df: await df(c, threshold) });
  // Fewer than two rare words: the common ones fill in, so which are least common matters and
  // they are counted further (only then: a deep count costs up to ~2 ms a word before caching).
  if (scored.filter((s) => s.df <= threshold).length < 2) {
    for (const s of scored) if (s.df > threshold) s.df = await df(s.c, DF_COUNT_CAP);
  }
  scored.sort((a, b) => a.df - b.df);
  const rare = scored.filter((s) => s.df <= threshold);
  // Counts stop at DF_COUNT_CAP, so the commonest words tie; they are dropped or last anyway.
  return (rare.length >= 2 ? rare : scored.slice(0, 2)).map((s) => ({ c: s.c, idf: Math.log(1 + papers / Math.max(1, s.df)) }));
}

/**
 * Papers (passing the filters) whose title is exactly these words, case, accents and punctuation
 * aside: an indexed equality on papers.title_key, which the store fills with the same tokenize().
 */
async function exactTitles(db: Kysely<Database>, words: string[], filters: RawBuilder<unknown>[]): Promise<HitRow[]> {
  const want = words.join(' ');
  if (want === '' || want.length > 2000) return [];
  const where = filters.length > 0 ? sql` AND ${sql.join(filters, sql` AND `)}` : sql``;
  // Score 0 (bm25's worst): a pin is first because it is the title, not because of its score.
  const r = await sql<HitRow>`
    SELECT p.*, coalesce(e.upvotes, 0) AS hit_upvotes, 0 AS hit_score
    FROM papers p LEFT JOIN daily_entries e ON e.paper_id = p.id
    WHERE p.title_key = ${want}${where} ORDER BY p.num DESC LIMIT 200`.execute(db);
  return r.rows;
}
