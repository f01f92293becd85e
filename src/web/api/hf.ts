/**
 * The Hugging Face Papers read API, same paths and shapes, so existing clients work by changing
 * their base URL: `GET /api/daily_papers`, `/api/papers/search`, `/api/papers/{id}` and
 * `/papers/{id}.md`. Shapes and the keys we leave out are described in hf-shapes.ts.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parseArxivId } from '../../arxiv/ids.ts';
import { hybridSearch, SEARCH_MODES, type SearchMode } from '../../search/hybrid.ts';
import { type Entry, getEntriesForPapers, getEntryForPaper, listEntries } from '../../store/entries.ts';
import { type Paper, getPaper } from '../../store/papers.ts';
import type { AppDeps } from '../deps.ts';
import { parseDailyQuery, parseSearchQuery } from './hf-params.ts';
import { hfDailyItem, hfPaperDetail, hfSearchItem } from './hf-shapes.ts';
import { paperMarkdown } from './paper-markdown.ts';

// Answers change when votes arrive, so caches may hold them only briefly.
const CACHE_OK = 'public, max-age=60';

/**
 * CORS for every origin (HF clients run in browsers and send no credentials) and a short public
 * cache for successes; errors are not cached, so a paper imported a second later is found.
 */
const apiHeaders: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'OPTIONS') {
    return c.body(null, 204, {
      'Access-Control-Allow-Origin': '*',
      // POST: /api/papers/submit with a Bearer token (api/v1-votes.ts); no credentials are allowed cross-site.
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      'Access-Control-Max-Age': '86400',
    });
  }
  await next();
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Access-Control-Expose-Headers', 'X-Total-Count, X-Total-Capped');
  // Only reads may be cached; a submission's answer is personal.
  const read = c.req.method === 'GET' || c.req.method === 'HEAD';
  c.header('Cache-Control', read && c.res.status < 300 ? CACHE_OK : 'no-store');
};

function jsonError(c: Context, status: ContentfulStatusCode, message: string) {
  return c.json({ error: message }, status);
}

type Found = { paper: Paper; entry: Entry | undefined } | { status: 400 | 404; error: string };

/** Resolves the id in a path to a stored paper (versions and `arXiv:` prefixes normalised), or the error to answer. */
async function findPaper(deps: AppDeps, raw: string): Promise<Found> {
  const parsed = parseArxivId(raw);
  if (!parsed) return { status: 400, error: `"${raw.slice(0, 80)}" is not an arXiv id (expected e.g. 2501.12948 or hep-th/9901001)` };
  const paper = await getPaper(deps.db, parsed.id);
  if (!paper) return { status: 404, error: `Paper ${parsed.id} is not in this Paperboy instance` };
  return { paper, entry: await getEntryForPaper(deps.db, paper.id) };
}

/** Registers the HF-compatible routes; runs before the page routes so `/papers/{id}.md` wins over the HTML page. */
export function registerHfApi(app: Hono, deps: AppDeps): void {
  const { db, log } = deps;
  for (const path of ['/api/daily_papers', '/api/papers/*', '/papers/*']) {
    // `/papers/*` is wide: only the `.md` answers get the API headers.
    if (path === '/papers/*') {
      app.use(path, async (c, next) => (c.req.path.endsWith('.md') ? apiHeaders(c, next) : next()));
    } else {
      app.use(path, apiHeaders);
    }
  }

  app.get('/api/daily_papers', async (c) => {
    const parsed = parseDailyQuery((name) => c.req.query(name));
    if (!parsed.ok) return jsonError(c, 400, parsed.error);
    const { items, total } = await listEntries(db, parsed.value);
    // HF answers a bare array; the total lets clients page without probing for an empty page.
    c.header('X-Total-Count', String(total));
    return c.json(items.map(hfDailyItem));
  });

  // Registered before `/api/papers/{id}` so "search" is never read as an id.
  app.get('/api/papers/search', async (c) => {
    const parsed = parseSearchQuery((name) => c.req.query(name));
    if (!parsed.ok) return jsonError(c, 400, parsed.error);
    const { q, limit } = parsed.value;
    // An extension of ours: `mode` = hybrid (default; keyword alone without an embedder), keyword or vector.
    const mode = c.req.query('mode') || 'hybrid';
    if (!(SEARCH_MODES as readonly string[]).includes(mode)) return jsonError(c, 400, 'mode must be hybrid, keyword or vector');
    const result = await hybridSearch(db, deps.semantic, { q, limit, mode: mode as SearchMode }, deps.config.fusion);
    if (result.fallback && result.fallback.reason !== 'no-embedder') log.warn({ reason: result.fallback.reason, err: result.fallback.message }, 'hf search fell back to keywords');
    c.header('X-Search-Mode', result.mode);
    const entries = await getEntriesForPapers(db, result.hits.map((h) => h.paper.id));
    const items = result.hits.map((hit) => hfSearchItem(hit, entries.get(hit.paper.id)));
    log.debug({ q_length: q.length, hits: items.length, total: result.total }, 'hf search');
    // HF answers a bare array; the total is extra, and only a lower bound when the search was capped.
    c.header('X-Total-Count', String(result.total));
    if (result.capped) c.header('X-Total-Capped', 'true');
    return c.json(items);
  });

  // Old-style ids contain a slash (`/api/papers/hep-th/9901001`), so the id takes the rest of the path.
  app.get('/api/papers/:id{.+}', async (c) => {
    const found = await findPaper(deps, c.req.param('id'));
    if ('error' in found) return jsonError(c, found.status, found.error);
    return c.json(hfPaperDetail(found.paper, found.entry));
  });

  app.get('/papers/:id{.+\\.md}', async (c) => {
    const found = await findPaper(deps, c.req.param('id').slice(0, -'.md'.length));
    if ('error' in found) return jsonError(c, found.status, found.error);
    c.header('Content-Type', 'text/markdown; charset=utf-8');
    return c.body(paperMarkdown(found.paper, found.entry, deps.config.baseUrl));
  });
}
