/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Organizations: `/orgs` lists them, `/orgs/{slug}` lists the papers submitted under one, newest first. */
import type { Context, Hono } from 'hono';
import { getOrganization, isOrganizationSlug, listOrganizations, organizationEntries, organizationSlug } from '../../store/orgs.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { EntryCard, Pager } from '../views/components.tsx';
import { renderPage } from '../views/page.tsx';
import { formatDay } from '../views/text.ts';
import { errorAnswer } from './errors.tsx';
import { parsePage } from './params.ts';

const PAGE_SIZE = 25;

/** The page of an organization name, or undefined for a blank name (no page). */
export function organizationPath(name: string): string | undefined {
  const slug = organizationSlug(name);
  return slug ? `/orgs/${slug}` : undefined;
}

async function orgsIndex(deps: AppDeps): Promise<Page> {
  const orgs = await listOrganizations(deps.db);
  return renderPage(deps, {
    title: 'Organizations',
    description: 'Organizations whose papers were featured in the Daily Papers',
    path: '/orgs',
    children: (
      <section class="orgs-page">
        <h1>Organizations</h1>
        {orgs.length === 0 ? <p class="empty">No paper has been submitted under an organization yet.</p> : null}
        <ul class="org-list">
          {orgs.map((o) => (
            <li>
              <a href={`/orgs/${o.slug}`}>{o.name}</a> · {o.papers} paper{o.papers === 1 ? '' : 's'} · latest {formatDay(o.latestFeedDate)}
            </li>
          ))}
        </ul>
      </section>
    ),
  });
}

async function orgPage(c: Context, deps: AppDeps, slug: string): Promise<Page | Response> {
  const page = parsePage(c.req.query('page'));
  if (page === null) return errorAnswer(c, deps, 400, 'The page number must be a positive whole number, like ?page=2.');
  const back = [{ href: '/orgs', label: 'All organizations' }];
  const org = await getOrganization(deps.db, slug);
  if (!org) return errorAnswer(c, deps, 404, 'There is no organization with that address.', back);
  const pages = Math.max(1, Math.ceil(org.papers / PAGE_SIZE));
  if (page > pages) return errorAnswer(c, deps, 404, `There is no page ${page}: ${org.name} has ${pages} page${pages === 1 ? '' : 's'} of papers.`, back);
  const entries = await organizationEntries(deps.db, org, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const path = `/orgs/${org.slug}`;
  const others = org.names.filter((n) => n !== org.name);
  return renderPage(deps, {
    title: org.name,
    description: `${org.papers} paper${org.papers === 1 ? '' : 's'} submitted under ${org.name}`,
    path: page > 1 ? `${path}?page=${page}` : path,
    children: (
      <section class="org-page">
        <h1>{org.name}</h1>
        <p class="meta">
          {org.papers} paper{org.papers === 1 ? '' : 's'} submitted to the Daily Papers under this organization, newest first
          {others.length > 0 ? ` (also written ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})` : ''} ·{' '}
          <a href="/orgs">all organizations</a>
        </p>
        <ol class="list">
          {entries.map((e) => (
            <EntryCard entry={e} showFeedDate />
          ))}
        </ol>
        <Pager page={page} pages={pages} href={(n) => (n > 1 ? `${path}?page=${n}` : path)} />
      </section>
    ),
  });
}

/** Registers `/orgs` and `/orgs/{slug}` (a name or a non-canonical slug redirects to the canonical one). */
export function registerOrgRoutes(app: Hono, deps: AppDeps): void {
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  app.get('/orgs', (c) => cache.serve(c, () => orgsIndex(deps)));
  app.get('/orgs/*', async (c) => {
    let raw: string;
    try {
      raw = decodeURIComponent(c.req.path.slice('/orgs/'.length));
    } catch {
      return errorAnswer(c, deps, 400, 'That organization address is not valid.');
    }
    if (!isOrganizationSlug(raw)) {
      const slug = organizationSlug(raw.slice(0, 1000));
      if (slug && slug !== raw) return c.redirect(`/orgs/${slug}`, 301);
      return errorAnswer(c, deps, 404, 'There is no organization with that address.', [{ href: '/orgs', label: 'All organizations' }]);
    }
    return cache.serve(c, () => orgPage(c, deps, raw));
  });
}
