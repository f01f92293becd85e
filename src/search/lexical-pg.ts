/**
 * Keyword search on PostgreSQL, with exactly the contract of searchPapers (src/search/lexical.ts):
 * the same parsed query (query.ts), exact titles first, AND widened to OR for long or unlucky
 * queries, the same bounded candidate windows (so `total` and `capped` mean the same), filters,
 * sorting, pagination, and the same highlight segments.
 *
 * Matching uses papers.search_vector (a generated tsvector: title weight A, abstract and authors B,
 * GIN-indexed; see the initial migration) and ranks with ts_rank, title weighted five times the
 * abstract and authors. User text never reaches a tsquery parser as syntax: each parsed clause
 * (word, phrase, prefix) becomes phraseto_tsquery() of its word tokens, which accepts any text, or
 * for a prefix to_tsquery() of one token that holds only letters and digits plus `:*`. Clauses are
 * then combined with the tsquery operators && || !! in SQL, so no input can raise a syntax error.
 *
 * Each clause is matched in two configurations: 'english' (stemmed, as the title and abstract are
 * indexed) or 'simple' (as the authors are indexed), so "Hans" finds the author Hans although
 * English stemming turns the query word into "han".
 *
 * Highlighting is done in JavaScript with the shared helpers (highlight.ts), not ts_headline():
 * ts_headline re-parses every returned document, marks words by its own rules (English stemming,
 * not the Porter stems FTS5 and highlight.ts use) and returns text with inline markers that must be
 * parsed back (and that a title could itself contain). The shared helpers give segments identical
 * on both databases, which the pages, the API and their tests rely on.
 *
 * Known differences from SQLite (inherent to the two text-search engines): stop words are not indexed,
 * so the phrase "in-context learning" also matches "structured context learning"; PostgreSQL's parser
 * keeps "llama-3.1" as "llama" and "-3.1" where FTS5 sees three words, so such a phrase may not match;
 * accents are not folded ("résumé" does not find "resume"); ts_rank is not BM25 (OR mode weights it by
 * idf), so the order of similar results can differ.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { pgSafeText } from '../db/dialect.ts';
import type { Database, PapersTable } from '../db/schema.ts';
import { addDays } from '../time.ts';
// Values from lexical.ts are read only inside functions: lexical.ts imports this file too.
import {
  CANDIDATES,
  MAX_LIMIT,
  OR_CANDIDATES,
  dateOption,
  type HitRow,
  intOption,
  splitPage,
  toHits,
  type SearchOptions,
  type SearchResult,
  type SearchSort,
} from './lexical.ts';
import { type Clause, contentClauses, parseQuery } from './query.ts';
import { weightedTop } from './weighted.ts';

// The planning thresholds are lexical.ts's (kept equal so both databases widen and cut alike).
/** An AND query finding fewer papers than this is widened to OR. */
const MIN_STRICT = 10;
/** Queries with this many content words or more always use OR. */
const LONG_QUERY = 5;
/** A word in more than this many papers is dropped from OR queries when rarer words remain. */
const COMMON_DF = 5000;
/** How far common terms are counted when they must fill in for missing rare ones (see byRarity). */
const DF_COUNT_CAP = 4 * COMMON_DF;
/** OR queries use at most this many of the rarest words. */
const MAX_OR_CLAUSES = 8;

/** ts_rank weights for D, C, B, A: a title word (A) counts five times an abstract or author word (B). */
const AND_WEIGHTS = '{0.02, 0.05, 0.2, 1.0}';
/** OR mode's per-word weights: title twice the abstract (see candidates()). */
const OR_WEIGHTS = '{0.02, 0.05, 0.5, 1.0}';
const rank = (q: RawBuilder<unknown>, weights = AND_WEIGHTS) => sql`ts_rank(${weights}::float4[], search_vector, ${q})`;

/** Every papers column but search_vector (large, and not part of a Paper). */
const PAPER_COLUMNS = [
  'num', 'id', 'version', 'title', 'title_key', 'abstract', 'authors', 'categories', 'primary_category',
  'published_at', 'updated_at', 'comment', 'journal_ref', 'doi', 'license', 'code_url', 'project_url',
  'created_at', 'modified_at',
] as const satisfies ReadonlyArray<keyof PapersTable>;
const P_COLUMNS = sql.join(PAPER_COLUMNS.map((c) => sql.ref(`p.${c}`)));


/** A parsed clause with its tsquery as PostgreSQL's own text form (safe to cast back with ::tsquery). */
interface Term {
  c: Clause;
  q: string;
}

/** Searches papers by keyword on PostgreSQL; same options, result and guarantees as searchPapers. */
export async function searchPapersPostgres(db: Kysely<Database>, o: SearchOptions): Promise<SearchResult> {
  const df = dfCacheFor(db);
  if (db.isTransaction) return search(db, o, df);
  // The planner prices `search_vector @@ q` as cheap, but each test reads a ~2 kB TOASTed tsvector:
  // a sequential scan over 118k papers takes ~700 ms where the GIN index answers in a few. Every
  // query below is meant to be driven by an index (GIN, or the primary key), so say so, for this
  // transaction only.
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    return search(trx, o, df);
  });
}

async function search(db: Kysely<Database>, o: SearchOptions, df: DfCache): Promise<SearchResult> {
  const limit = intOption(o.limit, 20, 1, MAX_LIMIT);
  const offset = intOption(o.offset, 0, 0, 1_000_000);
  const from = dateOption('from', o.from);
  const to = dateOption('to', o.to);
  const sort: SearchSort = o.sort === 'date' || o.sort === 'upvotes' ? o.sort : 'relevance';
  const category = typeof o.category === 'string' && o.category.trim() !== '' ? pgSafeText(o.category.trim()) : undefined;
  const empty: SearchResult = { total: 0, hits: [], capped: false };
  if (from && to && from > to) return empty;

  const q = parseQuery(o.q);
  const content = contentClauses(q);
  if (content.length === 0) return empty;
  const texts = await tsqueryTexts(db, [...content, ...q.negative]);
  // A clause with no lexeme in either configuration can match nothing; PostgreSQL would ignore it.
  const pos = content.map((c, i) => ({ c, q: texts[i] ?? '' })).filter((t) => t.q !== '');
  const neg = q.negative.map((c, i) => ({ c, q: texts[content.length + i] ?? '' })).filter((t) => t.q !== '');
  if (pos.length === 0) return empty;
  const p = await plan(db, pos, neg, df);

  // The date range narrows the candidate windows themselves (published_at is indexed).
  const datesOn = (column: string) => {
    const out: RawBuilder<unknown>[] = [];
    if (from) out.push(sql`${sql.ref(column)} >= ${from}`);
    if (to) out.push(sql`${sql.ref(column)} < ${addDays(to, 1)}`);
    return out;
  };
  const dates = datesOn('published_at');
  const inDates = dates.length > 0 ? sql` AND ${sql.join(dates, sql` AND `)}` : sql``;

  // Filters on the candidates, as on SQLite (a category is looked for as its quoted JSON string).
  const filters: RawBuilder<unknown>[] = [];
  if (category) filters.push(sql`strpos(p.categories, ${JSON.stringify(category)}) > 0`);
  const pinFilters = [...datesOn('p.published_at'), ...filters];

  const pins = sort === 'relevance' && neg.length === 0 ? await exactTitles(db, q.words, pinFilters) : [];
  const pinNums = new Set(pins.map((r) => r.num));
  if (pinNums.size > 0) filters.push(sql`p.num <> ALL(${intArray([...pinNums])})`);

  // The window is a list of papers that really match, so counting it needs no text search again.
  const { nums, capped, score, strictNums } = await candidates(db, p, inDates, df);
  const window = intArray(nums);
  const counted =
    category === undefined
      ? nums.filter((n) => !pinNums.has(n)).length
      : Number(
          (
            await sql<{ n: number }>`
              SELECT count(*) AS n FROM papers p WHERE p.num = ANY(${window}) AND ${sql.join(filters, sql` AND `)}`.execute(db)
          ).rows[0]?.n ?? 0,
        );
  const total = pins.length + counted;

  // Exact titles come first; the window fills the rest of the page.
  const { pinPage, rest, restOffset } = splitPage(pins, offset, limit);
  let rows: HitRow[] = pinPage;
  if (rest > 0 && restOffset < total - pins.length) {
    const strictTier =
      strictNums && strictNums.length > 0 ? sql`CASE WHEN p.num = ANY(${intArray(strictNums)}) THEN 0 ELSE 1 END, ` : sql``;
    const order =
      sort === 'date'
        ? sql`p.published_at DESC, p.num DESC`
        : sort === 'upvotes'
          ? sql`hit_upvotes DESC, hit_score DESC, p.num DESC`
          : sql`${strictTier}hit_score DESC, p.num DESC`;
    // Ranking reads every window paper's tsvector (the main cost), so sorting by date skips it.
    const r = await sql<HitRow>`
      SELECT ${P_COLUMNS}, coalesce(e.upvotes, 0) AS hit_upvotes, ${sort === 'date' ? sql`0` : score} AS hit_score
      FROM papers p LEFT JOIN daily_entries e ON e.paper_id = p.id
      WHERE p.num = ANY(${window})${filters.length > 0 ? sql` AND ${sql.join(filters, sql` AND `)}` : sql``}
      ORDER BY ${order} LIMIT ${rest} OFFSET ${restOffset}`.execute(db);
    rows = [...pinPage, ...r.rows];
  }

  const hits = toHits(rows, content, (r) => Number(r.hit_score));
  return { total, hits, capped };
}

/** A PostgreSQL int[] parameter (a literal, so the driver's array handling does not matter). */
function intArray(nums: number[]): RawBuilder<unknown> {
  return sql`${`{${nums.map((n) => Math.trunc(n)).join(',')}}`}::int[]`;
}

// Letters and digits only: such a token plus ":*" is always valid to_tsquery input.
const PLAIN_TOKEN = /^[\p{L}\p{N}\p{M}]+$/u;

/** One clause as a tsquery expression over bound parameters; never raises, whatever the text. */
function clauseQuery(c: Clause): RawBuilder<unknown> {
  const text = pgSafeText(c.tokens.join(' '));
  if (c.prefix && PLAIN_TOKEN.test(text)) {
    const t = `${text}:*`;
    return sql`(to_tsquery('english', ${t}) || to_tsquery('simple', ${t}))`;
  }
  // phraseto_tsquery takes any text; for one word it is plainto_tsquery, for several it keeps their order.
  return sql`(phraseto_tsquery('english', ${text}) || phraseto_tsquery('simple', ${text}))`;
}

/** The tsquery text of each clause, in one round trip ('' when a clause has no lexeme). */
async function tsqueryTexts(db: Kysely<Database>, clauses: Clause[]): Promise<string[]> {
  const r = await sql<{ qs: string[] }>`SELECT ARRAY[${sql.join(clauses.map((c) => sql`${clauseQuery(c)}::text`))}]::text[] AS qs`.execute(db);
  return r.rows[0]?.qs ?? [];
}

/** Terms joined with && or ||, and the exclusions (!!) appended. */
function combine(terms: Term[], op: '&&' | '||', negative: Term[]): RawBuilder<unknown> {
  const pos = sql`(${sql.join(terms.map((t) => sql`${t.q}::tsquery`), sql.raw(` ${op} `))})`;
  if (negative.length === 0) return pos;
  return sql`(${pos} && !!(${sql.join(negative.map((t) => sql`${t.q}::tsquery`), sql` || `)}))`;
}

interface Plan {
  /** The tsquery that selects and ranks candidates. */
  expr: RawBuilder<unknown>;
  /** All content terms AND-ed (with the exclusions): in OR mode such papers rank first. */
  strict: RawBuilder<unknown>;
  /** OR mode: the rarest terms and their weights (idf) for choosing candidates. */
  rare?: Array<{ t: Term; idf: number }>;
  /** The content terms (the OR may use fewer). */
  terms: Term[];
  negated: boolean;
}

/** AND of the content terms, widened to an OR of the rarest ones exactly as lexical.ts decides. */
async function plan(db: Kysely<Database>, pos: Term[], neg: Term[], df: DfCache): Promise<Plan> {
  const strict = combine(pos, '&&', neg);
  const base = { expr: strict, strict, terms: pos, negated: neg.length > 0 };
  if (pos.length < 2) return base;
  if (pos.length < LONG_QUERY && (await countText(db, strict, MIN_STRICT)) >= MIN_STRICT) return base;
  const rare = (await byRarity(db, pos, df)).slice(0, MAX_OR_CLAUSES);
  return {
    ...base,
    expr: combine(
      rare.map((r) => r.t),
      '||',
      neg,
    ),
    rare,
  };
}

/** A query's candidate window. */
interface Candidates {
  /** The window's papers: all of them match the query (and the date range). */
  nums: number[];
  /** True when the text matched more papers than the window holds. */
  capped: boolean;
  /** The relevance score of a paper row (reads search_vector). */
  score: RawBuilder<unknown>;
  /** OR mode: the window's papers holding every content word, ranked first. */
  strictNums?: number[];
}

/**
 * The candidate window, as in lexical.ts: in AND mode the CANDIDATES newest matches; in OR mode the
 * OR_CANDIDATES papers holding the most weight of the rare words, merged in JavaScript from each
 * word's matches (weighted.ts). Ranking then reads the tsvectors of the window only.
 */
async function candidates(db: Kysely<Database>, p: Plan, inDates: RawBuilder<unknown>, df: DfCache): Promise<Candidates> {
  if (!p.rare) {
    // The planner misjudges phrases and correlated words, and its two plans differ a hundredfold:
    // walking the primary key newest first until enough papers match is right when most papers
    // match; a bitmap of the GIN matches, sorted, when few do. Word frequencies decide: when one
    // word is in at most COMMON_DF papers, so is the AND, and "num + 0" rules out the walk.
    const selective = (await Promise.all(p.terms.map((t) => docFrequency(db, t, df)))).some((df) => df <= COMMON_DF);
    const r = await sql<{ num: number }>`
      SELECT num FROM papers WHERE search_vector @@ ${p.expr}${inDates}
      ORDER BY ${selective ? sql`num + 0` : sql`num`} DESC LIMIT ${CANDIDATES + 1}`.execute(db);
    const nums = r.rows.map((row) => row.num);
    return { nums: nums.slice(0, CANDIDATES), capped: nums.length > CANDIDATES, score: rank(p.expr) };
  }
  const rare = p.rare;
  const lists = await sql<{ i: number; ids: number[] }>`${sql.join(
    rare.map((r, i) => sql`SELECT ${i}::int AS i, ARRAY(SELECT num FROM papers WHERE search_vector @@ ${r.t.q}::tsquery${inDates}) AS ids`),
    sql` UNION ALL `,
  )}`.execute(db);
  const byClause = rare.map(() => [] as number[]);
  for (const row of lists.rows) byClause[row.i] = row.ids ?? [];
  const { top, matched } = weightedTop(
    byClause,
    rare.map((r) => r.idf),
    OR_CANDIDATES,
  );
  let nums = top.map((t) => t.r);
  // Every merged paper holds a rare word; with exclusions some must still be dropped.
  if (p.negated && nums.length > 0) {
    const r = await sql<{ num: number }>`SELECT num FROM papers WHERE num = ANY(${intArray(nums)}) AND search_vector @@ ${p.expr}`.execute(db);
    nums = r.rows.map((row) => row.num);
  }
  // ts_rank knows nothing of how rare a word is (BM25's idf), so in OR mode, where papers hold
  // different words, each word's rank is weighted by its idf: a rare word outweighs common ones.
  // A title word counts only twice an abstract word here, as under BM25's saturation: otherwise a
  // common word in a title outweighs several rare words in an abstract.
  const score = sql`(${sql.join(
    rare.map((r) => sql`${r.idf}::float8 * ${rank(sql`${r.t.q}::tsquery`, OR_WEIGHTS)}`),
    sql` + `,
  )})`;
  // Holding every rare word is necessary for the strict tier, and sufficient when none was left out.
  const allRare = top.filter((t) => t.n === rare.length).map((t) => t.r);
  let strictNums = allRare;
  if (allRare.length > 0 && rare.length < p.terms.length) {
    const r = await sql<{ r: number }>`
      SELECT num AS r FROM papers WHERE num = ANY(${intArray(allRare)}) AND search_vector @@ ${p.strict}`.execute(db);
    strictNums = r.rows.map((row) => row.r);
  }
  return { nums, capped: matched > OR_CANDIDATES, score, strictNums };
}

/** Papers matching a tsquery, counted no further than `cap`. */
async function countText(db: Kysely<Database>, expr: RawBuilder<unknown>, cap: number): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*) AS n FROM (SELECT 1 FROM papers WHERE search_vector @@ ${expr} LIMIT ${cap}) t`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

// Per-database cache of word frequencies, as in lexical.ts (stale values only change which words an
// OR drops or which plan an AND takes). Keyed by the database, not the search's transaction.
type DfCache = Map<string, number>;
const dfCaches = new WeakMap<object, DfCache>();
const DF_CACHE_SIZE = 5000;

function dfCacheFor(db: Kysely<Database>): DfCache {
  let cache = dfCaches.get(db);
  if (!cache || cache.size > DF_CACHE_SIZE) dfCaches.set(db, (cache = new Map()));
  return cache;
}

/** Papers holding a term, counted up to `cap` + 1 (COMMON_DF by default: "common" is all it tells), cached. */
async function docFrequency(db: Kysely<Database>, t: Term, cache: DfCache, cap = COMMON_DF): Promise<number> {
  const key = `${cap}:${t.q}`;
  let df = cache.get(key);
  if (df === undefined) {
    df = await countText(db, sql`${t.q}::tsquery`, cap + 1);
    cache.set(key, df);
  }
  return df;
}

/**
 * The terms rarest first, without those in more than COMMON_DF papers; at least two are kept. With
 * fewer than two rare terms the common ones fill in, so they are counted further (DF_COUNT_CAP, as on
 * SQLite): counted only to COMMON_DF they all tie and the first common words of the text would win.
 */
async function byRarity(db: Kysely<Database>, terms: Term[], cache: DfCache): Promise<Array<{ t: Term; idf: number }>> {
  const maxNum = await sql<{ n: number | null }>`SELECT max(num) AS n FROM papers`.execute(db);
  const papers = Math.max(1, Number(maxNum.rows[0]?.n ?? 0));
  const scored: Array<{ t: Term; df: number }> = [];
  for (const t of terms) scored.push({ t, df: await docFrequency(db, t, cache) });
  if (scored.filter((s) => s.df <= COMMON_DF).length < 2) {
    for (const s of scored) if (s.df > COMMON_DF) s.df = await docFrequency(db, s.t, cache, DF_COUNT_CAP);
  }
  scored.sort((a, b) => a.df - b.df);
  const rare = scored.filter((s) => s.df <= COMMON_DF);
  return (rare.length >= 2 ? rare : scored.slice(0, 2)).map((s) => ({ t: s.t, idf: Math.log(1 + papers / Math.max(1, s.df)) }));
}

/** Papers (passing the filters) whose title_key is exactly these words: an indexed equality. */
async function exactTitles(db: Kysely<Database>, words: string[], filters: RawBuilder<unknown>[]): Promise<HitRow[]> {
  const want = pgSafeText(words.join(' '));
  if (want === '' || want.length > 2000) return [];
  const where = filters.length > 0 ? sql` AND ${sql.join(filters, sql` AND `)}` : sql``;
  const r = await sql<HitRow>`
    SELECT ${P_COLUMNS}, coalesce(e.upvotes, 0) AS hit_upvotes, 0 AS hit_score
    FROM papers p LEFT JOIN daily_entries e ON e.paper_id = p.id
    WHERE p.title_key = ${want}${where} ORDER BY p.num DESC LIMIT 200`.execute(db);
  return r.rows;
}
