/**
 * `/api/v1/collections`: the collection API, another rendering of src/store/collections.ts.
 * Authenticated by a personal API token (`Authorization: Bearer pb_…`) or a session cookie (then
 * writes need the `X-CSRF-Token` header). Errors are JSON `{"error"}`:
 *   400 bad input (body, collection id, arXiv id), 401 not signed in, 403 a write to someone else's
 *   public collection, 404 unknown collection — and someone else's private one, answered exactly like
 *   an unknown one so that its existence does not leak —, unknown paper, paper not in the collection,
 *   409 slug taken or a limit reached (collections per user, papers per collection).
 * Reading a public collection (`GET /api/v1/collections/{id}`) needs no credentials, like its page.
 * The shapes are described in src/web/api/openapi/collections.ts.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parseArxivId } from '../../arxiv/ids.ts';
import {
  addPaperToCollection,
  canView,
  type Collection,
  CollectionError,
  type CollectionItem,
  collectionPath,
  createCollection,
  deleteCollection,
  getCollection,
  listCollectionItems,
  listUserCollections,
  removePaperFromCollection,
  updateCollection,
} from '../../store/collections.ts';
import { getPaper } from '../../store/papers.ts';
import { getUserByHandle } from '../../store/users.ts';
import { requireUser } from '../auth.ts';
import type { AppDeps } from '../deps.ts';
import { paperPath } from '../views/text.ts';

/** A collection as the API shows it. */
export function collectionJson(baseUrl: string, col: Collection) {
  const url = `${baseUrl}${collectionPath(col)}`;
  return {
    id: col.id,
    slug: col.slug,
    name: col.name,
    description: col.description,
    public: col.isPublic,
    paperCount: col.paperCount,
    owner: { handle: col.ownerHandle, displayName: col.ownerName },
    createdAt: col.createdAt,
    updatedAt: col.updatedAt,
    url,
    jsonUrl: `${url}.json`,
    bibtexUrl: `${url}.bib`,
  };
}

/** A paper of a collection as the API shows it. */
export function collectionItemJson(baseUrl: string, it: CollectionItem) {
  return {
    paperId: it.paper.id,
    title: it.paper.title,
    authors: it.paper.authors,
    publishedAt: it.paper.publishedAt,
    addedAt: it.addedAt,
    note: it.note,
    url: `${baseUrl}${paperPath(it.paper.id)}`,
  };
}

function fail(c: Context, status: ContentfulStatusCode, error: string) {
  return c.json({ error }, status);
}

const STATUS_OF: Record<CollectionError['kind'], ContentfulStatusCode> = { invalid: 400, duplicate: 409, limit: 409 };

/** The request's JSON object body; `optional`: an empty body gives `{}`. A string is the refusal. */
async function jsonBody(c: Context, optional = false): Promise<Record<string, unknown> | string> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return 'The request body could not be read.';
  }
  if (text.trim() === '') return optional ? {} : 'Send a JSON object body, e.g. {"name": "Reading list"}.';
  if (text.length > 200_000) return 'The request body is too large.';
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  return 'The request body must be a JSON object, e.g. {"name": "Reading list"}.';
}

/** Type checks of the writable fields; a string is the refusal. */
function fields(body: Record<string, unknown>): { name?: unknown; description?: unknown; isPublic?: boolean; slug?: unknown } | string {
  if (body.name !== undefined && typeof body.name !== 'string') return '"name" must be a string.';
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') return '"description" must be a string or null.';
  if (body.public !== undefined && typeof body.public !== 'boolean') return '"public" must be true or false.';
  if (body.slug !== undefined && typeof body.slug !== 'string') return '"slug" must be a string.';
  return { name: body.name, description: body.description, isPublic: body.public as boolean | undefined, slug: body.slug };
}

/** Registers the collection API. */
export function registerCollectionApi(app: Hono, deps: AppDeps): void {
  const { db, config, log } = deps;
  const signedIn = requireUser(deps);

  app.use('/api/v1/collections', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use('/api/v1/collections/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  /** The collection in the path that the caller may see, or the refusal. */
  const visible = async (c: Context): Promise<Collection | Response> => {
    const raw = c.req.param('id') ?? '';
    if (!/^[1-9][0-9]{0,9}$/.test(raw)) return fail(c, 400, 'Collection ids are positive integers.');
    const col = await getCollection(db, Number(raw));
    if (!col || !canView(col, c.var.user?.id)) return fail(c, 404, 'There is no such collection, or it is private.');
    return col;
  };
  /** The collection in the path if the caller owns it (404 private / 403 public otherwise). */
  const owned = async (c: Context): Promise<Collection | Response> => {
    const col = await visible(c);
    if (col instanceof Response) return col;
    if (col.userId !== c.var.user!.id) return fail(c, 403, 'Only the owner of this collection can change it.');
    return col;
  };

  app.get('/api/v1/collections', signedIn, async (c) => {
    const me = c.var.user!;
    const handle = c.req.query('user');
    if (handle === undefined || handle.toLowerCase() === me.handle) {
      const mine = await listUserCollections(db, me.id);
      return c.json({ collections: mine.map((col) => collectionJson(config.baseUrl, col)) });
    }
    const owner = await getUserByHandle(db, handle.slice(0, 100));
    if (!owner) return fail(c, 404, 'There is no such user.');
    const theirs = await listUserCollections(db, owner.id, { publicOnly: true });
    return c.json({ collections: theirs.map((col) => collectionJson(config.baseUrl, col)) });
  });

  app.post('/api/v1/collections', signedIn, async (c) => {
    const body = await jsonBody(c);
    if (typeof body === 'string') return fail(c, 400, body);
    const f = fields(body);
    if (typeof f === 'string') return fail(c, 400, f);
    try {
      const col = await createCollection(db, c.var.user!.id, { name: f.name, description: f.description, isPublic: f.isPublic ?? false, slug: f.slug });
      log.info({ user_id: col.userId, collection_id: col.id }, 'collection created');
      c.header('Location', `/api/v1/collections/${col.id}`);
      return c.json(collectionJson(config.baseUrl, col), 201);
    } catch (err) {
      if (err instanceof CollectionError) return fail(c, STATUS_OF[err.kind], err.message);
      throw err;
    }
  });

  app.get('/api/v1/collections/:id', async (c) => {
    const col = await visible(c);
    if (col instanceof Response) return col;
    const items = await listCollectionItems(db, col.id);
    return c.json({ ...collectionJson(config.baseUrl, col), papers: items.map((it) => collectionItemJson(config.baseUrl, it)) });
  });

  app.patch('/api/v1/collections/:id', signedIn, async (c) => {
    const col = await owned(c);
    if (col instanceof Response) return col;
    const body = await jsonBody(c);
    if (typeof body === 'string') return fail(c, 400, body);
    const f = fields(body);
    if (typeof f === 'string') return fail(c, 400, f);
    try {
      return c.json(collectionJson(config.baseUrl, await updateCollection(db, col.id, f)));
    } catch (err) {
      if (err instanceof CollectionError) return fail(c, STATUS_OF[err.kind], err.message);
      throw err;
    }
  });

  app.delete('/api/v1/collections/:id', signedIn, async (c) => {
    const col = await owned(c);
    if (col instanceof Response) return col;
    await deleteCollection(db, col.id);
    log.info({ user_id: col.userId, collection_id: col.id }, 'collection deleted');
    return c.body(null, 204);
  });

  /** The paper in the path: 400 not an arXiv id, 404 not held here. */
  const pathPaper = async (c: Context) => {
    const parsed = parseArxivId(c.req.param('paperId') ?? '');
    if (!parsed) return fail(c, 400, 'Not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    const paper = await getPaper(db, parsed.id);
    if (!paper) return fail(c, 404, `arXiv:${parsed.id} is not in this instance.`);
    return paper;
  };

  // `{.+}`: old-style ids hold a slash (hep-th/9901001); `%2F` works too.
  app.put('/api/v1/collections/:id/papers/:paperId{.+}', signedIn, async (c) => {
    const col = await owned(c);
    if (col instanceof Response) return col;
    const paper = await pathPaper(c);
    if (paper instanceof Response) return paper;
    const body = await jsonBody(c, true);
    if (typeof body === 'string') return fail(c, 400, body);
    if (body.note !== undefined && body.note !== null && typeof body.note !== 'string') return fail(c, 400, '"note" must be a string or null.');
    try {
      const r = await addPaperToCollection(db, col.id, paper.id, body.note);
      return c.json({ paperId: paper.id, added: r.added, addedAt: r.addedAt, note: r.note }, r.added ? 201 : 200);
    } catch (err) {
      if (err instanceof CollectionError) return fail(c, STATUS_OF[err.kind], err.message);
      throw err;
    }
  });

  app.delete('/api/v1/collections/:id/papers/:paperId{.+}', signedIn, async (c) => {
    const col = await owned(c);
    if (col instanceof Response) return col;
    const parsed = parseArxivId(c.req.param('paperId') ?? '');
    if (!parsed) return fail(c, 400, 'Not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    if (!(await removePaperFromCollection(db, col.id, parsed.id))) return fail(c, 404, `arXiv:${parsed.id} is not in this collection.`);
    return c.body(null, 204);
  });
}
