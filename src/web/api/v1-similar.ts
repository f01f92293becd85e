/**
 * Similar papers API (v1): `GET /api/v1/papers/{id}/similar?limit=` — the papers nearest the paper
 * by embedding (src/search/similar.ts), best first, never the paper itself. Public, like the paper
 * page. Without vectors (no embedder configured, or it failed) the answer is 200 with an empty list
 * and a `reason`, so clients need no special case for instances that run keyword search only.
 */
import type { Hono } from 'hono';
import { parseArxivId } from '../../arxiv/ids.ts';
import { MAX_SIMILAR, similarPapers } from '../../search/similar.ts';
import { getPaper } from '../../store/papers.ts';
import type { AppDeps } from '../deps.ts';
import { paperPath } from '../views/text.ts';

/** Suggestions when `limit` is not given (as many as the paper page shows). */
export const DEFAULT_SIMILAR_LIMIT = 5;

/** Registers `GET /api/v1/papers/{id}/similar`. */
export function registerSimilarApi(app: Hono, deps: AppDeps): void {
  // Old-style ids keep their slash (`/api/v1/papers/hep-th/9901001/similar`), hence the `{.+}` id.
  app.get('/api/v1/papers/:id{.+}/similar', async (c) => {
    const raw = c.req.param('id') ?? '';
    const parsed = parseArxivId(raw);
    if (!parsed) return c.json({ error: `"${raw.slice(0, 80)}" is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.` }, 400);
    const limitRaw = c.req.query('limit') ?? '';
    const limit = limitRaw === '' ? DEFAULT_SIMILAR_LIMIT : /^\d{1,3}$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (!(limit >= 1 && limit <= MAX_SIMILAR)) return c.json({ error: `limit must be a whole number from 1 to ${MAX_SIMILAR}.` }, 400);
    const paper = await getPaper(deps.db, parsed.id);
    if (!paper) return c.json({ error: `arXiv:${parsed.id} is not in this instance.` }, 404);
    const result = await similarPapers(deps.db, deps.semantic, paper, { limit });
    if (result.reason) deps.log.warn({ paper_id: paper.id, reason: result.reason }, 'similar papers unavailable');
    const base = deps.config.baseUrl;
    return c.json({
      paperId: paper.id,
      model: deps.semantic?.embedderName() ?? null,
      papers: result.papers.map((s) => ({
        paperId: s.paper.id,
        title: s.paper.title,
        authors: s.paper.authors,
        categories: s.paper.categories,
        publishedAt: s.paper.publishedAt,
        score: Math.round(s.score * 10000) / 10000,
        cosine: Math.round(s.cosine * 10000) / 10000,
        url: `${base}${paperPath(s.paper.id)}`,
      })),
      ...(result.reason ? { reason: result.reason } : {}),
    });
  });
}
