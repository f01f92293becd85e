/**
 * "For you" API (Bearer token or session + X-CSRF-Token; JSON errors `{"error"}`):
 * - `GET /api/v1/me/for-you?limit=&interest=&since=`: recommendations with why
 * - `GET|POST /api/v1/me/interests`, `DELETE /api/v1/me/interests/{id}`
 * - `GET|POST /api/v1/me/mutes`, `DELETE /api/v1/me/mutes/{id}`
 * - `POST /api/v1/me/feedback {paperId, kind: more|not_interested|clear}`
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parseArxivId } from '../../arxiv/ids.ts';
import { forYou } from '../../foryou/recommend.ts';
import { EmbedderError } from '../../search/embed/embedder.ts';
import { clearPaperFeedback, setPaperFeedback } from '../../store/feedback.ts';
import { createCollectionInterest, createTextInterest, deleteInterest, type Interest, InterestError, listInterests } from '../../store/interests.ts';
import { addMute, listMutes, type Mute, MuteError, removeMute } from '../../store/mutes.ts';
import { getPaper, getPapers } from '../../store/papers.ts';
import { requireUser } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { recentSince, semanticOf } from '../routes/for-you.tsx';

function jsonError(c: Context, status: ContentfulStatusCode, error: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

async function jsonObject(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const v = await c.req.json();
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function interestJson(i: Interest) {
  return { id: i.id, name: i.name, kind: i.kind, text: i.body, collectionId: i.collectionId, embedded: i.vector !== null, createdAt: i.createdAt };
}

function muteJson(m: Mute) {
  return { id: m.id, kind: m.kind, value: m.value, createdAt: m.createdAt };
}

const ID = /^[1-9]\d{0,9}$/;

/** Registers the For-you API. */
export function registerForYouApi(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);
  const now = () => (deps.now ? deps.now() : new Date());
  const log = { warn: (o: object, msg: string) => deps.log.warn(o, msg) };

  app.get('/api/v1/me/for-you', signedIn, async (c) => {
    const rawLimit = c.req.query('limit');
    const limit = rawLimit === undefined ? 30 : /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= 100)) return jsonError(c, 400, 'limit is a whole number from 1 to 100.');
    const rawInterest = c.req.query('interest');
    if (rawInterest !== undefined && !ID.test(rawInterest)) return jsonError(c, 400, 'interest is an id from GET /api/v1/me/interests.');
    const interestId = rawInterest === undefined ? undefined : Number(rawInterest);
    const user = c.var.user!;
    if (interestId !== undefined && !(await listInterests(deps.db, user.id)).some((i) => i.id === interestId)) return jsonError(c, 404, 'You have no interest with this id.');
    const rawSince = c.req.query('since');
    if (rawSince !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(rawSince) || Number.isNaN(Date.parse(rawSince)))) return jsonError(c, 400, 'since is a date such as 2026-05-01.');
    const since = rawSince ?? recentSince(now());
    const r = await forYou(deps.db, semanticOf(deps), user.id, { limit, since, interestId, log });
    const papers = new Map((await getPapers(deps.db, r.items.map((x) => x.paperId))).map((p) => [p.id, p]));
    c.header('Cache-Control', 'no-store');
    return c.json({
      status: r.status,
      items: r.items.map((x) => ({ paperId: x.paperId, title: papers.get(x.paperId)?.title ?? null, score: Math.round(x.score * 1e4) / 1e4, why: x.why })),
    });
  });

  app.get('/api/v1/me/interests', signedIn, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ interests: (await listInterests(deps.db, c.var.user!.id)).map(interestJson) });
  });

  app.post('/api/v1/me/interests', signedIn, async (c) => {
    const body = await jsonObject(c);
    if (!body) return jsonError(c, 400, 'Send a JSON object: {"name", "text"} or {"collectionId", "name"?}.');
    const user = c.var.user!;
    try {
      let i: Interest;
      if (body.collectionId !== undefined) i = await createCollectionInterest(deps.db, user.id, { name: body.name, collectionId: body.collectionId }, now());
      else {
        let embedding: { vector: Float32Array; model: string } | undefined;
        const semantic = semanticOf(deps);
        const model = semantic?.available() ? semantic.embedderName() : undefined;
        if (model && typeof body.text === 'string' && body.text.trim().length >= 20) {
          try {
            const [v] = await semantic!.embedDocuments([body.text.trim()]);
            if (v) embedding = { vector: v, model };
          } catch (err) {
            if (!(err instanceof EmbedderError)) throw err;
            deps.log.warn({ err: err.message }, 'interest saved without embedding');
          }
        }
        i = await createTextInterest(deps.db, user.id, { name: body.name, body: body.text }, embedding, now());
      }
      c.header('Cache-Control', 'no-store');
      return c.json(interestJson(i), 201);
    } catch (err) {
      if (err instanceof InterestError) return jsonError(c, err.status, err.message);
      throw err;
    }
  });

  app.delete('/api/v1/me/interests/:id', signedIn, async (c) => {
    const raw = c.req.param('id');
    if (!ID.test(raw)) return jsonError(c, 400, 'The id is a positive integer from GET /api/v1/me/interests.');
    if (!(await deleteInterest(deps.db, c.var.user!.id, Number(raw)))) return jsonError(c, 404, 'You have no interest with this id.');
    return c.body(null, 204);
  });

  app.get('/api/v1/me/mutes', signedIn, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ mutes: (await listMutes(deps.db, c.var.user!.id)).map(muteJson) });
  });

  app.post('/api/v1/me/mutes', signedIn, async (c) => {
    const body = await jsonObject(c);
    if (!body) return jsonError(c, 400, 'Send a JSON object {"kind": "author|category|keyword", "value"}.');
    try {
      const m = await addMute(deps.db, c.var.user!.id, body.kind, body.value, now());
      c.header('Cache-Control', 'no-store');
      return c.json(muteJson(m), 201);
    } catch (err) {
      if (err instanceof MuteError) return jsonError(c, 400, err.message);
      throw err;
    }
  });

  app.delete('/api/v1/me/mutes/:id', signedIn, async (c) => {
    const raw = c.req.param('id');
    if (!ID.test(raw)) return jsonError(c, 400, 'The id is a positive integer from GET /api/v1/me/mutes.');
    if (!(await removeMute(deps.db, c.var.user!.id, Number(raw)))) return jsonError(c, 404, 'You have no mute with this id.');
    return c.body(null, 204);
  });

  app.post('/api/v1/me/feedback', signedIn, async (c) => {
    const body = await jsonObject(c);
    const parsed = typeof body?.paperId === 'string' ? parseArxivId(body.paperId) : null;
    if (!parsed) return jsonError(c, 400, 'Send {"paperId": "2509.08826", "kind": "more|not_interested|clear"}.');
    const kind = body!.kind;
    if (kind !== 'more' && kind !== 'not_interested' && kind !== 'clear') return jsonError(c, 400, 'kind is "more", "not_interested" or "clear".');
    if (!(await getPaper(deps.db, parsed.id))) return jsonError(c, 404, `Paper ${parsed.id} is not in this Paperboy instance.`);
    const user = c.var.user!;
    if (kind === 'clear') await clearPaperFeedback(deps.db, user.id, parsed.id);
    else await setPaperFeedback(deps.db, user.id, parsed.id, kind, now());
    c.header('Cache-Control', 'no-store');
    return c.json({ paperId: parsed.id, feedback: kind === 'clear' ? null : kind });
  });
}
