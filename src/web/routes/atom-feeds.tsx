/**
 * Atom feeds of every view, all under `/feeds/`:
 * - `/feeds/daily.atom`: the most recently featured papers (newest feed day first);
 * - `/feeds/trending.atom`: the first page of /trending;
 * - `/feeds/search.atom?q=&category=&from=&to=&sort=`: any search (the /search parameters; newest
 *   first unless `sort` says otherwise, since a feed is read for what is new);
 * - `/feeds/collections/{handle}/{slug}.atom`: a public collection (a private one is 404, as its page);
 * - `/feeds/authors/{name}.atom`, `/feeds/categories/{category}.atom`: what a follow would bring;
 * - `/feeds/me.atom?token=pbf_…`: a reader's private feed (their digest sources and personal picks), opened by the secret
 *   token made in /settings/digest. The token is in the query, not the path, because request logs
 *   record the path only. A bad token is a 404, like an unknown page, and nothing is cached.
 * Public feeds may be cached by readers and proxies for a few minutes.
 */
import type { Context, Hono } from 'hono';
import { personalFeedPapers } from '../../digest/feed-sources.ts';
import type { RecommendSemantic } from '../../foryou/recommend.ts';
import { SearchOptionError, searchPapers } from '../../search/lexical.ts';
import { MAX_AUTHOR_NAME, papersByAuthor } from '../../store/authors.ts';
import { papersInCategory } from '../../store/category-papers.ts';
import { canView, collectionPath, getCollectionBySlug, listCollectionItems } from '../../store/collections.ts';
import { latestFeedDate, listEntries } from '../../store/entries.ts';
import { userFromFeedToken } from '../../store/feed-tokens.ts';
import type { Paper } from '../../store/papers.ts';
import { feedDateAt } from '../../store/submissions.ts';
import { addDays, isValidDate } from '../../time.ts';
import { ATOM_CONTENT_TYPE, type AtomEntry, type AtomFeed, renderAtom } from '../atom.ts';
import type { AppDeps } from '../deps.ts';
import { authorFeedPath, categoryFeedPath, searchFeedPath } from '../feed-links.ts';
import { paperPath } from '../views/text.ts';
import { authorPath } from './authors.tsx';
import { errorAnswer } from './errors.tsx';
import { parseCategory, queryString } from './params.ts';
import { nowOf } from './submit.tsx';
import { TRENDING_DAYS } from './trending.tsx';

/** Entries per feed: enough for a reader polling daily, small enough to fetch often. */
export const FEED_SIZE = 50;
/** Seconds public feeds may be cached. */
const PUBLIC_MAX_AGE = 300;
const SEARCH_SORTS = ['relevance', 'date', 'upvotes'] as const;

function absolute(deps: AppDeps, path: string): string {
  return `${deps.config.baseUrl}${path}`;
}

/** A paper as an Atom entry; `updated` overrides the paper's own time (e.g. when it was featured). */
function paperEntry(deps: AppDeps, paper: Paper, o: { updated?: string; note?: string } = {}): AtomEntry {
  const url = absolute(deps, paperPath(paper.id));
  return {
    id: url,
    title: paper.title,
    url,
    updated: o.updated ?? paper.updatedAt,
    published: paper.publishedAt,
    authors: paper.authors,
    summary: o.note ? `${o.note}\n\n${paper.abstract}` : paper.abstract,
    categories: paper.categories,
  };
}

/** The feed's `updated`: its newest entry, so an unchanged feed keeps the same document. */
function newest(entries: AtomEntry[], fallback: Date): string {
  let max = '';
  for (const e of entries) {
    const t = Date.parse(e.updated);
    if (!Number.isNaN(t)) {
      const iso = new Date(t).toISOString();
      if (iso > max) max = iso;
    }
  }
  return max || fallback.toISOString();
}

function respond(c: Context, deps: AppDeps, f: Omit<AtomFeed, 'updated' | 'id'> & { id?: string }, privateFeed = false): Response {
  const feed: AtomFeed = { ...f, id: f.id ?? f.selfUrl, updated: newest(f.entries, nowOf(deps)) };
  c.header('Content-Type', ATOM_CONTENT_TYPE);
  c.header('Cache-Control', privateFeed ? 'private, no-store' : `public, max-age=${PUBLIC_MAX_AGE}`);
  // A private feed's URL holds the token: keep it out of search engines should it ever be published.
  if (privateFeed) c.header('X-Robots-Tag', 'noindex');
  return c.body(renderAtom(feed));
}

/** The feed-date of "today" for the site, as the pages compute it. */
function today(deps: AppDeps): string {
  return feedDateAt(nowOf(deps), deps.config.feedTimezone, deps.config.feedCutoffHour);
}

/** The part of the path after `prefix` without the `.atom` suffix, percent-decoded; null when malformed. */
function feedName(c: Context, prefix: string): string | null {
  const rest = c.req.path.slice(prefix.length);
  if (!rest.endsWith('.atom')) return null;
  try {
    return decodeURIComponent(rest.slice(0, -'.atom'.length));
  } catch {
    return null;
  }
}

type SearchFeedParams = { q: string; category?: string; from?: string; to?: string; sort: (typeof SEARCH_SORTS)[number] };

function parseSearchFeed(c: Context): SearchFeedParams | string {
  const q = (c.req.query('q') ?? '').trim();
  if (q === '') return 'A search feed needs the words to search for: /feeds/search.atom?q=reward+models';
  if (q.length > 500) return 'The search text is too long; keep it under 500 characters.';
  const category = parseCategory(c.req.query('category'));
  if (category === null) return 'The category must look like an arXiv category, such as cs.CL or hep-th.';
  const dates: { from?: string; to?: string } = {};
  for (const key of ['from', 'to'] as const) {
    const v = (c.req.query(key) ?? '').trim();
    if (v === '') continue;
    if (!isValidDate(v)) return `The “${key}” date must be written YYYY-MM-DD, like 2025-09-10.`;
    dates[key] = v;
  }
  if (dates.from && dates.to && dates.from > dates.to) return 'The “from” date must not be after the “to” date.';
  const raw = c.req.query('sort') ?? '';
  const sort = raw === '' ? 'date' : (SEARCH_SORTS as readonly string[]).includes(raw) ? (raw as SearchFeedParams['sort']) : null;
  if (!sort) return 'Sort by relevance, date or upvotes.';
  return { q, category, ...dates, sort };
}

/** Personal picks in the private feed. */
const PICKS = 10;

/**
 * The reader's personal picks (src/foryou, when an embedder is configured), or none. Loaded lazily and
 * guarded: the recommender is optional, and its failure must not take the rest of the feed down.
 */
async function personalPicksOf(deps: AppDeps, userId: number): Promise<{ paperId: string; reason: string }[]> {
  // `semantic` is in AppDeps once the semantic service is wired (src/search/semantic.ts); absent: no picks.
  const semantic = (deps as AppDeps & { semantic?: RecommendSemantic }).semantic;
  if (!semantic) return [];
  try {
    const { personalPicks } = await import('../../foryou/recommend.ts');
    return await personalPicks(deps.db, semantic, userId, { limit: PICKS, log: deps.log });
  } catch (err) {
    deps.log.warn({ err: (err as Error).message, user_id: userId }, 'personal picks left out of the private feed');
    return [];
  }
}

/** Registers every Atom feed. */
export function registerAtomFeedRoutes(app: Hono, deps: AppDeps): void {
  const base = deps.config.baseUrl;

  app.get('/feeds/daily.atom', async (c) => {
    const list = await listEntries(deps.db, { to: today(deps), sort: 'recent', limit: FEED_SIZE });
    return respond(c, deps, {
      title: 'Daily Papers',
      subtitle: 'Papers featured by the community, newest feed day first.',
      selfUrl: absolute(deps, '/feeds/daily.atom'),
      alternateUrl: `${base}/`,
      entries: list.items.map((e) => paperEntry(deps, e.paper, { updated: e.submittedAt, note: `Featured on ${e.feedDate} · ${e.upvotes} upvotes` })),
    });
  });

  app.get('/feeds/trending.atom', async (c) => {
    const to = (await latestFeedDate(deps.db, today(deps))) ?? today(deps);
    const list = await listEntries(deps.db, { from: addDays(to, -(TRENDING_DAYS - 1)), to, sort: 'trending', limit: FEED_SIZE });
    return respond(c, deps, {
      title: 'Trending papers',
      subtitle: 'Featured papers of the last week, ranked by upvotes with time decay.',
      selfUrl: absolute(deps, '/feeds/trending.atom'),
      alternateUrl: `${base}/trending`,
      entries: list.items.map((e) => paperEntry(deps, e.paper, { updated: e.submittedAt, note: `Featured on ${e.feedDate} · ${e.upvotes} upvotes` })),
    });
  });

  app.get('/feeds/search.atom', async (c) => {
    const p = parseSearchFeed(c);
    if (typeof p === 'string') return errorAnswer(c, deps, 400, p);
    let hits;
    try {
      hits = (await searchPapers(deps.db, { ...p, limit: FEED_SIZE })).hits;
    } catch (err) {
      if (err instanceof SearchOptionError) return errorAnswer(c, deps, 400, err.message);
      throw err;
    }
    const page = `/search${queryString({ q: p.q, category: p.category, from: p.from, to: p.to, sort: p.sort === 'relevance' ? undefined : p.sort })}`;
    return respond(c, deps, {
      title: `Search: ${p.q}${p.category ? ` in ${p.category}` : ''}`,
      selfUrl: absolute(deps, searchFeedPath(p)),
      alternateUrl: absolute(deps, page),
      entries: hits.map((h) => paperEntry(deps, h.paper)),
    });
  });

  app.get('/feeds/collections/:handle/:file', async (c) => {
    const file = c.req.param('file');
    const slug = file.endsWith('.atom') ? file.slice(0, -'.atom'.length) : null;
    const col = slug ? await getCollectionBySlug(deps.db, c.req.param('handle').slice(0, 100), slug.slice(0, 100)) : undefined;
    // Private collections answer exactly like missing ones, whoever asks: a feed URL is easily shared.
    if (!col || !canView(col, null)) return errorAnswer(c, deps, 404, 'There is no such public collection.');
    const items = await listCollectionItems(deps.db, col.id, { limit: FEED_SIZE });
    return respond(c, deps, {
      title: `${col.name} — a collection by @${col.ownerHandle}`,
      subtitle: col.description ?? undefined,
      selfUrl: absolute(deps, `/feeds/collections/${col.ownerHandle}/${col.slug}.atom`),
      alternateUrl: absolute(deps, collectionPath(col)),
      entries: items.map((it) => paperEntry(deps, it.paper, { updated: it.addedAt, note: it.note ?? undefined })),
    });
  });

  app.get('/feeds/authors/*', async (c) => {
    const name = feedName(c, '/feeds/authors/');
    if (name === null || name.trim() === '' || name.length > MAX_AUTHOR_NAME) {
      return errorAnswer(c, deps, 400, 'An author feed looks like /feeds/authors/Ada%20Lovelace.atom (the name percent-encoded).');
    }
    const { total, papers } = await papersByAuthor(deps.db, name, { limit: FEED_SIZE });
    if (total === 0) return errorAnswer(c, deps, 404, `No paper here lists “${name}” as an author (names must match exactly).`);
    return respond(c, deps, {
      title: `Papers by ${name}`,
      selfUrl: absolute(deps, authorFeedPath(name)),
      alternateUrl: absolute(deps, authorPath(name)),
      entries: papers.map((p) => paperEntry(deps, p)),
    });
  });

  app.get('/feeds/categories/:file', async (c) => {
    const file = c.req.param('file');
    const category = file.endsWith('.atom') ? parseCategory(file.slice(0, -'.atom'.length)) : null;
    if (!category) return errorAnswer(c, deps, 400, 'A category feed looks like /feeds/categories/cs.CL.atom.');
    const papers = await papersInCategory(deps.db, category, FEED_SIZE);
    return respond(c, deps, {
      title: `New papers in ${category}`,
      selfUrl: absolute(deps, categoryFeedPath(category)),
      alternateUrl: absolute(deps, `/search${queryString({ q: category, category, sort: 'date' })}`),
      entries: papers.map((p) => paperEntry(deps, p)),
    });
  });

  app.get('/feeds/me.atom', async (c) => {
    const token = c.req.query('token');
    const user = await userFromFeedToken(deps.db, token, nowOf(deps));
    if (!user) {
      c.header('Cache-Control', 'no-store');
      return errorAnswer(c, deps, 404, 'This private feed address is not valid: it was revoked or replaced. Make a new one in Settings → Digest and feeds.');
    }
    const picks = await personalFeedPapers(deps.db, user.id, { today: today(deps), extra: () => personalPicksOf(deps, user.id) });
    return respond(
      c,
      deps,
      {
        // The id must not contain the token (feed readers may show or share ids); it is per user.
        id: `${base}/feeds/me/${user.id}`,
        title: `Paperboy for @${user.handle}`,
        subtitle: 'Your digest as a feed: top papers, your saved searches and the authors and categories you follow.',
        selfUrl: absolute(deps, `/feeds/me.atom?token=${encodeURIComponent(token!)}`),
        alternateUrl: absolute(deps, '/settings/digest'),
        entries: picks.map((p) => paperEntry(deps, p.paper, { note: `Why: ${p.reasons.join('; ')}` })),
      },
      true,
    );
  });
}
