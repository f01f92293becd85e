/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Author pages: `/authors/{name}` lists the papers whose author list holds exactly that name, newest first. */
import type { Context, Hono } from 'hono';
import { MAX_AUTHOR_NAME, papersByAuthor } from '../../store/authors.ts';
import { getEntriesForPapers } from '../../store/entries.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { Pager, PaperCard } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { errorAnswer } from './errors.tsx';
import { authorFollowFor } from './digest-settings.tsx';
import { authorFeedPath } from '../feed-links.ts';
import { parsePage } from './params.ts';

const PAGE_SIZE = 25;

/** The path of an author's page (any name; slashes and other reserved characters are encoded). */
export function authorPath(name: string): string {
  return `/authors/${encodeURIComponent(name)}`;
}

async function authorPage(c: Context, deps: AppDeps, name: string): Promise<Page | Response> {
  const page = parsePage(c.req.query('page'));
  if (page === null) return errorAnswer(c, deps, 400, 'The page number must be a positive whole number, like ?page=2.');
  if (name.trim() === '' || name.length > MAX_AUTHOR_NAME) return errorAnswer(c, deps, 400, `An author name has 1 to ${MAX_AUTHOR_NAME} characters.`);
  const { total, papers } = await papersByAuthor(deps.db, name, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const search = [{ href: `/search?q=${encodeURIComponent(`"${name}"`)}`, label: `Search for “${name}”` }];
  if (total === 0) return errorAnswer(c, deps, 404, `No paper here lists “${name}” as an author (names must match exactly).`, search);
  const pages = Math.ceil(total / PAGE_SIZE);
  if (page > pages) return errorAnswer(c, deps, 404, `There is no page ${page}: ${name} has ${pages} page${pages === 1 ? '' : 's'} of papers.`);
  const entries = await getEntriesForPapers(deps.db, papers.map((p) => p.id));
  const path = authorPath(name);
  const followButton = await authorFollowFor(c, deps, name, path);
  return renderPage(deps, {
    title: name,
    description: `${total} paper${total === 1 ? '' : 's'} by ${name}`,
    path: page > 1 ? `${path}?page=${page}` : path,
    children: (
      <section class="author-page">
        <h1>{name}</h1>
        <p class="meta">
          {total} paper{total === 1 ? '' : 's'} listing this author, newest first ·{' '}
          <a href={search[0]!.href}>search for the name</a>
          {' · '}
          <a href={authorFeedPath(name)}>Atom feed</a> {followButton}
        </p>
        <ol class="list">
          {papers.map((p) => (
            <PaperCard paper={p} upvotes={entries.get(p.id)?.upvotes} />
          ))}
        </ol>
        <Pager page={page} pages={pages} href={(n) => (n > 1 ? `${path}?page=${n}` : path)} />
      </section>
    ),
  });
}

/** Registers `/authors/{name}` (a wildcard, so a name with an encoded slash still reaches it). */
export function registerAuthorRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  app.get('/authors/*', async (c) => {
    let name: string;
    try {
      name = decodeURIComponent(c.req.path.slice('/authors/'.length));
    } catch {
      return errorAnswer(c, deps, 400, 'That author address is not valid; names in addresses are percent-encoded.');
    }
    return cache.serve(c, () => authorPage(c, deps, name));
  });
}
