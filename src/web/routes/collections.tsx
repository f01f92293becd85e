/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Collection pages and forms:
 *   GET  /collections                       your collections and a form to create one (signed in)
 *   GET  /u/{handle}/collections            a user's public collections (all of them for the owner)
 *   GET  /u/{handle}/collections/{slug}     a collection; `.json` a JSON Feed 1.1 listing, `.bib` BibTeX
 *   POST /collections                       create (optionally with a first paper: `paper_id`)
 *   POST /collections/add                   add `paper_id` to `collection_id` (the paper page's form)
 *   POST /collections/{id}/papers           add `paper_id` (the collection page's form)
 *   POST /collections/{id}/papers/remove    remove `paper_id`
 *   POST /collections/{id}/edit             rename, describe, set visibility
 *   POST /collections/{id}/visibility       `public=1|0`
 *   POST /collections/{id}/delete
 *
 * Who may see what: a public collection is visible to everyone, a private one to its owner only and
 * answers 404 to anyone else (exactly like a collection that does not exist, so existence does not
 * leak). Writes by someone else: 404 on a private collection for the same reason, 403 on a public one.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
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
  getCollectionBySlug,
  listCollectionItems,
  listUserCollections,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  publicCollectionsWithPaper,
  removePaperFromCollection,
  updateCollection,
  userCollectionIdsWithPaper,
} from '../../store/collections.ts';
import { getPaper } from '../../store/papers.ts';
import { getUserByHandle, type User } from '../../store/users.ts';
import { papersToBibtexFile } from '../../text/bibtex-file.ts';
import { requireUser, safeNextPath } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { CollectionList, HeldIn, SaveToCollection, Visibility } from '../views/collections.tsx';
import { Categories, PaperLinks } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { abstractParagraphs, arxivUrls, excerpt, formatDay, paperPath, shortAuthors } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { formBody, formText } from '../forms.ts';

/** Papers shown on a collection page and in its JSON listing (the newest). */
export const LISTING_LIMIT = 500;

/** Pages about one's own or private collections must not be kept by browsers or proxies. */
function noStore(c: Context): void {
  c.header('Cache-Control', 'private, no-store');
}

async function page(c: Context, deps: AppDeps, o: { title: string; body: Child; status?: ContentfulStatusCode; path?: string; noindex?: boolean }) {
  const p = await renderPage(deps, { title: o.title, description: o.title, path: o.path, noindex: o.noindex, status: o.status, children: o.body });
  return c.html(p.html, p.status);
}

/** The answer for a collection this viewer may not know about. */
function notFound(c: Context, deps: AppDeps) {
  return errorAnswer(c, deps, 404, 'There is no such collection, or it is private.');
}

/**
 * The collection `id` if `user` owns it; else the refusal (404 when they may not see it, 403 when it is
 * someone else's public collection).
 */
async function ownedCollection(c: Context, deps: AppDeps, rawId: string, user: User): Promise<Collection | Response> {
  const id = /^[1-9][0-9]{0,9}$/.test(rawId) ? Number(rawId) : NaN;
  const col = Number.isSafeInteger(id) ? await getCollection(deps.db, id) : undefined;
  if (!col || !canView(col, user.id)) return notFound(c, deps);
  if (col.userId !== user.id) return errorAnswer(c, deps, 403, 'Only the owner of this collection can change it.');
  return col;
}

/** The stored paper a form names, or the refusal (400 not an arXiv id, 404 not held here). */
async function formPaper(c: Context, deps: AppDeps, raw: string) {
  const parsed = parseArxivId(raw);
  if (!parsed) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
  const paper = await getPaper(deps.db, parsed.id);
  if (!paper) return errorAnswer(c, deps, 404, `arXiv:${parsed.id} is not in this instance (yet); open its paper page first.`);
  return paper;
}

function CreateForm({ error, name, description }: { error?: string; name?: string; description?: string }) {
  return (
    <form class="account-form" method="post" action="/collections">
      {csrfField()}
      <label>
        Name
        <input type="text" name="name" required maxlength={MAX_NAME_LENGTH} value={name ?? ''} />
      </label>
      <label>
        Description (optional)
        <textarea name="description" rows={3} maxlength={MAX_DESCRIPTION_LENGTH}>
          {description ?? ''}
        </textarea>
      </label>
      <label class="checkbox">
        <input type="checkbox" name="public" value="1" /> Public: anyone with the link can see it, and it is listed on your profile
      </label>
      {error ? <p class="form-error">{error}</p> : null}
      <button type="submit">Create collection</button>
    </form>
  );
}

function MyCollections({ user, collections, error, name, description }: { user: User; collections: Collection[]; error?: string; name?: string; description?: string }) {
  return (
    <div class="collections">
      <h1>Your collections</h1>
      {collections.length > 0 ? (
        <CollectionList collections={collections} showOwner={false} />
      ) : (
        <p class="sub">You have no collections yet. Create one here, or from any paper page.</p>
      )}
      <p class="sub">
        Your public collections: <a href={`/u/${user.handle}/collections`}>/u/{user.handle}/collections</a>
      </p>
      <h2>New collection</h2>
      <CreateForm error={error} name={name} description={description} />
    </div>
  );
}

function OwnerControls({ col, error }: { col: Collection; error?: string }) {
  return (
    <section class="collection-owner">
      <h2>Edit</h2>
      {error ? <p class="form-error">{error}</p> : null}
      <form class="account-form" method="post" action={`/collections/${col.id}/edit`}>
        {csrfField()}
        <label>
          Name
          <input type="text" name="name" required maxlength={MAX_NAME_LENGTH} value={col.name} />
        </label>
        <label>
          Description
          <textarea name="description" rows={3} maxlength={MAX_DESCRIPTION_LENGTH}>
            {col.description ?? ''}
          </textarea>
        </label>
        <label class="checkbox">
          <input type="checkbox" name="public" value="1" checked={col.isPublic} /> Public
        </label>
        <button type="submit">Save</button>
      </form>
      <form class="inline-form" method="post" action={`/collections/${col.id}/visibility`}>
        {csrfField()}
        <input type="hidden" name="public" value={col.isPublic ? '0' : '1'} />
        <button type="submit">{col.isPublic ? 'Make private' : 'Make public'}</button>
      </form>{' '}
      <form class="inline-form" method="post" action={`/collections/${col.id}/delete`}>
        {csrfField()}
        <button type="submit" class="danger">
          Delete collection
        </button>
      </form>
      <h2>Add a paper</h2>
      <form class="account-form" method="post" action={`/collections/${col.id}/papers`}>
        {csrfField()}
        <label>
          arXiv id or URL
          <input type="text" name="paper_id" required maxlength={300} placeholder="2509.08826" />
        </label>
        <label>
          Note (optional)
          <input type="text" name="note" maxlength={MAX_NOTE_LENGTH} />
        </label>
        <button type="submit">Add</button>
      </form>
    </section>
  );
}

function CollectionView({ col, items, isOwner, error }: { col: Collection; items: CollectionItem[]; isOwner: boolean; error?: string }) {
  const path = collectionPath(col);
  return (
    <div class="collection">
      <h1>{col.name}</h1>
      <p class="sub">
        <Visibility isPublic={col.isPublic} /> by <a href={`/u/${col.ownerHandle}/collections`}>@{col.ownerHandle}</a> · {col.paperCount}{' '}
        {col.paperCount === 1 ? 'paper' : 'papers'} · <a href={`${path}.json`}>JSON listing</a> · <a href={`${path}.bib`}>BibTeX</a>
      </p>
      {col.description ? abstractParagraphs(col.description).map((p) => <p class="collection-description">{p}</p>) : null}
      {items.length === 0 ? <p class="sub">No papers yet.</p> : null}
      <ol class="cards">
        {items.map((it) => (
          <li class="card">
            <article class="card-body">
              <h2>
                <a href={paperPath(it.paper.id)}>{it.paper.title}</a>
              </h2>
              <p class="meta">
                <span>{shortAuthors(it.paper.authors)}</span>
                <span>
                  added <time datetime={it.addedAt}>{formatDay(it.addedAt)}</time>
                </span>
              </p>
              {it.note ? (
                <p class="collection-note">
                  <strong>Note:</strong> {it.note}
                </p>
              ) : null}
              <p class="excerpt">{excerpt(it.paper.abstract)}</p>
              <div class="chips">
                <Categories categories={it.paper.categories} />
                <PaperLinks paper={it.paper} />
              </div>
              {isOwner ? (
                <form class="inline-form" method="post" action={`/collections/${col.id}/papers/remove`}>
                  {csrfField()}
                  <input type="hidden" name="paper_id" value={it.paper.id} />
                  <button type="submit" class="link-button">
                    Remove from collection
                  </button>
                </form>
              ) : null}
            </article>
          </li>
        ))}
      </ol>
      {isOwner ? <OwnerControls col={col} error={error} /> : null}
    </div>
  );
}

/**
 * The JSON listing of a collection: JSON Feed 1.1 (https://jsonfeed.org/version/1.1), newest first,
 * with the paper's arXiv id, note and added time under `_paperboy` (a JSON Feed extension key).
 */
export function collectionJsonFeed(baseUrl: string, col: Collection, items: CollectionItem[]) {
  const home = `${baseUrl}${collectionPath(col)}`;
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: `${col.name} · @${col.ownerHandle}`,
    home_page_url: home,
    feed_url: `${home}.json`,
    description: col.description ?? undefined,
    authors: [{ name: col.ownerName ?? `@${col.ownerHandle}`, url: `${baseUrl}/u/${col.ownerHandle}/collections` }],
    language: 'en',
    _paperboy: { collection_id: col.id, public: col.isPublic, paper_count: col.paperCount, updated_at: col.updatedAt },
    items: items.map((it) => ({
      id: `${baseUrl}${paperPath(it.paper.id)}`,
      url: `${baseUrl}${paperPath(it.paper.id)}`,
      external_url: arxivUrls(it.paper.id).abs,
      title: it.paper.title,
      content_text: it.paper.abstract,
      summary: it.note ?? undefined,
      date_published: it.addedAt,
      authors: it.paper.authors.map((name) => ({ name })),
      tags: it.paper.categories,
      _paperboy: { arxiv_id: it.paper.id, note: it.note, added_at: it.addedAt, published_at: it.paper.publishedAt },
    })),
  };
}

/** Registers the collection pages and forms. */
export function registerCollectionRoutes(app: Hono, deps: AppDeps): void {
  const { db, log } = deps;
  const signedIn = requireUser(deps);

  const myCollections = async (c: Context, extra: { error?: string; name?: string; description?: string; status?: ContentfulStatusCode } = {}) => {
    const user = c.var.user!;
    noStore(c);
    const collections = await listUserCollections(db, user.id);
    return page(c, deps, { title: 'Your collections', noindex: true, status: extra.status, body: <MyCollections user={user} collections={collections} {...extra} /> });
  };

  app.get('/collections', signedIn, (c) => myCollections(c));

  app.post('/collections', signedIn, async (c) => {
    const user = c.var.user!;
    const body = await formBody(c);
    const rawPaper = formText(body.paper_id);
    const paper = rawPaper ? await formPaper(c, deps, rawPaper) : undefined;
    if (paper instanceof Response) return paper;
    let col: Collection;
    try {
      col = await createCollection(db, user.id, { name: formText(body.name).slice(0, 10_000), description: formText(body.description).slice(0, 100_000), isPublic: formText(body.public) === '1' });
    } catch (err) {
      if (err instanceof CollectionError) return myCollections(c, { error: err.message, status: 400, name: formText(body.name).slice(0, MAX_NAME_LENGTH), description: formText(body.description).slice(0, MAX_DESCRIPTION_LENGTH) });
      throw err;
    }
    log.info({ user_id: user.id, collection_id: col.id }, 'collection created');
    if (paper) await addPaperToCollection(db, col.id, paper.id);
    return c.redirect(paper ? safeNextPath(formText(body.next) || collectionPath(col)) : collectionPath(col), 303);
  });

  const addPaper = async (c: Context, rawId: string) => {
    const user = c.var.user!;
    const body = await formBody(c);
    const col = await ownedCollection(c, deps, rawId, user);
    if (col instanceof Response) return col;
    const paper = await formPaper(c, deps, formText(body.paper_id));
    if (paper instanceof Response) return paper;
    try {
      const note = formText(body.note);
      await addPaperToCollection(db, col.id, paper.id, note === '' ? undefined : note);
    } catch (err) {
      if (err instanceof CollectionError) return errorAnswer(c, deps, 400, err.message);
      throw err;
    }
    return c.redirect(safeNextPath(formText(body.next) || collectionPath(col)), 303);
  };
  app.post('/collections/add', signedIn, async (c) => addPaper(c, formText((await formBody(c)).collection_id)));
  app.post('/collections/:id/papers', signedIn, (c) => addPaper(c, c.req.param('id')));

  app.post('/collections/:id/papers/remove', signedIn, async (c) => {
    const body = await formBody(c);
    const col = await ownedCollection(c, deps, c.req.param('id'), c.var.user!);
    if (col instanceof Response) return col;
    const parsed = parseArxivId(formText(body.paper_id));
    if (!parsed) return errorAnswer(c, deps, 400, 'That is not an arXiv id; ids look like 2509.08826 or hep-th/9901001.');
    if (!(await removePaperFromCollection(db, col.id, parsed.id))) return errorAnswer(c, deps, 404, `arXiv:${parsed.id} is not in this collection.`);
    return c.redirect(collectionPath(col), 303);
  });

  app.post('/collections/:id/edit', signedIn, async (c) => {
    const body = await formBody(c);
    const col = await ownedCollection(c, deps, c.req.param('id'), c.var.user!);
    if (col instanceof Response) return col;
    try {
      await updateCollection(db, col.id, { name: formText(body.name).slice(0, 10_000), description: formText(body.description).slice(0, 100_000), isPublic: formText(body.public) === '1' });
    } catch (err) {
      if (!(err instanceof CollectionError)) throw err;
      noStore(c);
      const items = await listCollectionItems(db, col.id, { limit: LISTING_LIMIT });
      return page(c, deps, { title: col.name, noindex: true, status: 400, body: <CollectionView col={col} items={items} isOwner error={err.message} /> });
    }
    return c.redirect(collectionPath(col), 303);
  });

  app.post('/collections/:id/visibility', signedIn, async (c) => {
    const body = await formBody(c);
    const col = await ownedCollection(c, deps, c.req.param('id'), c.var.user!);
    if (col instanceof Response) return col;
    const v = formText(body.public);
    if (v !== '0' && v !== '1') return errorAnswer(c, deps, 400, 'Visibility is public=1 or public=0.');
    await updateCollection(db, col.id, { isPublic: v === '1' });
    return c.redirect(collectionPath(col), 303);
  });

  app.post('/collections/:id/delete', signedIn, async (c) => {
    const col = await ownedCollection(c, deps, c.req.param('id'), c.var.user!);
    if (col instanceof Response) return col;
    await deleteCollection(db, col.id);
    log.info({ user_id: col.userId, collection_id: col.id }, 'collection deleted');
    return c.redirect('/collections', 303);
  });

  app.get('/u/:handle/collections', async (c) => {
    const owner = await getUserByHandle(db, c.req.param('handle').slice(0, 100));
    if (!owner) return errorAnswer(c, deps, 404, 'There is no such user.');
    const isOwner = c.var.user?.id === owner.id;
    if (isOwner) noStore(c);
    const collections = await listUserCollections(db, owner.id, { publicOnly: !isOwner });
    return page(c, deps, {
      title: `Collections of @${owner.handle}`,
      path: `/u/${owner.handle}/collections`,
      body: (
        <div class="collections">
          <h1>Collections of @{owner.handle}</h1>
          {collections.length > 0 ? <CollectionList collections={collections} showOwner={false} /> : <p class="sub">No public collections.</p>}
        </div>
      ),
    });
  });

  app.get('/u/:handle/collections/:slug', async (c) => {
    const m = /^(.*?)(\.json|\.bib)?$/.exec(c.req.param('slug'))!;
    const format = m[2] ?? '';
    const col = await getCollectionBySlug(db, c.req.param('handle').slice(0, 100), m[1]!.slice(0, 100));
    const viewer = c.var.user;
    if (!col || !canView(col, viewer?.id)) {
      // A .bib request is a download: answer in plain text too.
      if (format === '.bib') return c.text('There is no such collection, or it is private.\n', 404);
      return notFound(c, deps);
    }
    if (!col.isPublic) noStore(c);
    if (format === '.json') {
      const items = await listCollectionItems(db, col.id, { limit: LISTING_LIMIT });
      c.header('Content-Type', 'application/feed+json; charset=utf-8');
      return c.body(JSON.stringify(collectionJsonFeed(deps.config.baseUrl, col, items), null, 1));
    }
    if (format === '.bib') {
      const items = await listCollectionItems(db, col.id, { order: 'oldest' });
      c.header('Content-Type', 'text/plain; charset=utf-8');
      // The slug is [a-z0-9-]: safe in a header as it is.
      c.header('Content-Disposition', `attachment; filename="${col.ownerHandle}-${col.slug}.bib"`);
      return c.body(papersToBibtexFile(items.map((it) => it.paper)));
    }
    const isOwner = viewer?.id === col.userId;
    if (isOwner) noStore(c);
    const items = await listCollectionItems(db, col.id, { limit: LISTING_LIMIT });
    return page(c, deps, {
      title: col.name,
      path: collectionPath(col),
      noindex: !col.isPublic,
      body: <CollectionView col={col} items={items} isOwner={isOwner} />,
    });
  });
}

/**
 * The paper page's collections section: public collections that hold the paper, and for a signed-in
 * reader the "save to collection" forms.
 */
export async function collectionsSectionFor(c: Context, deps: AppDeps, paperId: string): Promise<Child> {
  const user = c.var.user;
  const [held, mine, holding] = await Promise.all([
    publicCollectionsWithPaper(deps.db, paperId),
    user ? listUserCollections(deps.db, user.id) : Promise.resolve([]),
    user ? userCollectionIdsWithPaper(deps.db, user.id, paperId) : Promise.resolve(new Set<number>()),
  ]);
  return (
    <>
      <HeldIn collections={held} />
      {user ? <SaveToCollection paperId={paperId} mine={mine} holding={holding} /> : null}
    </>
  );
}
