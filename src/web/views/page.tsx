/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Renders a full page (layout + body) for a route, with the site-wide bits read from the database. */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DB } from '../../db/connect.ts';
import type { AppDeps } from '../deps.ts';
import type { Page } from '../pageCache.ts';
import { Layout, type LayoutProps, renderDocument } from './layout.tsx';
import { feedLinksFor } from '../feed-links.ts';

/** True when the database holds the shipped demo dataset (meta key `demo_data` = `true`). */
export async function isDemoData(db: DB): Promise<boolean> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'demo_data').executeTakeFirst();
  return row?.value === 'true';
}

export interface PageProps extends Omit<LayoutProps, 'demo' | 'canonical'> {
  /** Path (and query) of the canonical URL, joined to the configured base URL. */
  path?: string;
  status?: ContentfulStatusCode;
}

/** Renders a page through the layout; the demo note is shown when the data is the demo dataset. */
export async function renderPage(deps: AppDeps, { path, status = 200, ...props }: PageProps): Promise<Page> {
  const demo = await isDemoData(deps.db);
  const canonical = path === undefined ? undefined : `${deps.config.baseUrl}${path}`;
  // Every view offers its Atom feed for autodiscovery, derived from its path unless the route says otherwise.
  const feeds = props.feeds ?? feedLinksFor(path, props.noindex);
  const html = await renderDocument(<Layout {...props} demo={demo} canonical={canonical} feeds={feeds} />);
  return { status, html };
}
