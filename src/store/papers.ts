/** Paper rows: batched idempotent upserts and look-ups. Every function takes `db` (or a transaction) first. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PapersTable } from '../db/schema.ts';
import { titleKey } from '../search/query.ts';

/** A paper as parsed from any arXiv source, before it is stored. */
export interface PaperInput {
  id: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  /** Primary first. */
  categories: string[];
  /** ISO 8601 date-time of the first version. */
  publishedAt: string;
  /** ISO 8601 date-time of the latest version. */
  updatedAt: string;
  comment?: string | null;
  journalRef?: string | null;
  doi?: string | null;
  license?: string | null;
  codeUrl?: string | null;
  projectUrl?: string | null;
}

/** A stored paper. */
export interface Paper extends Required<PaperInput> {
  num: number;
  primaryCategory: string | null;
  createdAt: string;
  modifiedAt: string;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

type Row = Selectable<PapersTable>;

/** Maps a row to the domain shape (JSON columns decoded). */
export function paperFromRow(r: Row): Paper {
  return {
    num: r.num,
    id: r.id,
    version: r.version,
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors) as string[],
    categories: JSON.parse(r.categories) as string[],
    primaryCategory: r.primary_category,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    comment: r.comment,
    journalRef: r.journal_ref,
    doi: r.doi,
    license: r.license,
    codeUrl: r.code_url,
    projectUrl: r.project_url,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

// Lone UTF-16 surrogates (possible in JSON input) survive JSON columns but make encodeURIComponent
// throw when a page links an author or category; stored as U+FFFD, no page can fail on them.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ANY_SURROGATE = /[\ud800-\udfff]/;
// The quick test first: the full pattern is slow, and almost no arXiv text holds a surrogate at all.
// NUL is dropped as well: PostgreSQL text cannot hold it ("invalid byte sequence"), so a direct caller
// would fail on PostgreSQL only; the importers already strip it.
const wellFormed = (s: string) => {
  const t = s.includes('\0') ? s.replaceAll('\0', '') : s;
  return ANY_SURROGATE.test(t) ? t.replace(LONE_SURROGATE, '\ufffd') : t;
};
const wellFormedOrNull = (s: string | null | undefined) => (s == null ? null : wellFormed(s));

/** The columns an arXiv source owns; code and project links belong to the community and are kept. */
function sourceColumns(p: PaperInput) {
  return {
    version: p.version,
    title: wellFormed(p.title),
    title_key: titleKey(wellFormed(p.title)),
    abstract: wellFormed(p.abstract),
    authors: JSON.stringify(p.authors.map(wellFormed)),
    categories: JSON.stringify(p.categories.map(wellFormed)),
    primary_category: wellFormedOrNull(p.categories[0]),
    published_at: p.publishedAt,
    updated_at: p.updatedAt,
    comment: wellFormedOrNull(p.comment),
    journal_ref: wellFormedOrNull(p.journalRef),
    doi: wellFormedOrNull(p.doi),
    license: wellFormedOrNull(p.license),
  };
}

type SourceColumns = ReturnType<typeof sourceColumns>;

function sameSource(row: Row, next: SourceColumns): boolean {
  for (const key of Object.keys(next) as Array<keyof SourceColumns>) {
    if (row[key] !== next[key]) return false;
  }
  return true;
}

const CHUNK = 400;

/**
 * Inserts new papers and updates stored ones when the input is a newer version (or the same
 * version with changed metadata). An older version never overwrites a newer one, and identical
 * input changes nothing, so importing the same file twice is a no-op. Call inside a transaction.
 */
export async function upsertPapers(db: Kysely<Database>, papers: PaperInput[], now = new Date().toISOString()): Promise<UpsertResult> {
  const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
  // Within a batch the later of two equal versions wins and an older version never replaces a
  // newer one, so a file that lists a paper twice behaves exactly like two imports.
  const byId = new Map<string, PaperInput>();
  for (const p of papers) {
    const seen = byId.get(p.id);
    if (!seen || p.version >= seen.version) byId.set(p.id, p);
  }
  const unique = [...byId.values()];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const existing = await db.selectFrom('papers').selectAll().where('id', 'in', chunk.map((p) => p.id)).execute();
    const stored = new Map(existing.map((r) => [r.id, r]));
    const fresh: Array<SourceColumns & { id: string; code_url: string | null; project_url: string | null; created_at: string; modified_at: string }> = [];
    for (const p of chunk) {
      const cols = sourceColumns(p);
      const row = stored.get(p.id);
      if (!row) {
        fresh.push({ id: p.id, ...cols, code_url: wellFormedOrNull(p.codeUrl), project_url: wellFormedOrNull(p.projectUrl), created_at: now, modified_at: now });
        continue;
      }
      // A source that knows only a later version (e.g. an OAI record) must not move the first-version
      // date back, nor an older listing the last-update date: the earliest first date and the latest
      // update are kept, and compared with, so re-importing any mix of files in any order is a no-op.
      const published_at = row.published_at < cols.published_at ? row.published_at : cols.published_at;
      const updated_at = row.updated_at > cols.updated_at ? row.updated_at : cols.updated_at;
      if (p.version < row.version || sameSource(row, { ...cols, published_at, updated_at })) {
        result.unchanged++;
        continue;
      }
      await db
        .updateTable('papers')
        .set({
          ...cols,
          published_at,
          updated_at,
          code_url: row.code_url ?? wellFormedOrNull(p.codeUrl),
          project_url: row.project_url ?? wellFormedOrNull(p.projectUrl),
          modified_at: now,
        })
        .where('id', '=', p.id)
        .execute();
      result.updated++;
    }
    if (fresh.length > 0) {
      await db.insertInto('papers').values(fresh).execute();
      result.inserted += fresh.length;
    }
  }
  return result;
}

/** One paper by canonical id, or undefined. */
export async function getPaper(db: Kysely<Database>, id: string): Promise<Paper | undefined> {
  const row = await db.selectFrom('papers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? paperFromRow(row) : undefined;
}

/** Papers by id, in the order asked (missing ids are left out). */
export async function getPapers(db: Kysely<Database>, ids: string[]): Promise<Paper[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('papers').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, paperFromRow(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Number of stored papers. */
export async function countPapers(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('papers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
