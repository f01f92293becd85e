/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** 404 / 400 / 500 / 503 answers: JSON `{"error"}` under /api, a styled page elsewhere. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../deps.ts';
import { Layout } from '../views/layout.tsx';

function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || c.req.path.endsWith('.json');
}

/** A link offered on an error page (nearest dates, the paper on arXiv…). */
export interface ErrorLink {
  href: string;
  label: string;
}

const HEADINGS: Partial<Record<number, string>> = {
  400: 'That address is not quite right',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  413: 'Too large',
  429: 'Slow down',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** How long clients are asked to wait (Retry-After) while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 15;

/**
 * An error answer with a message a person can act on, and optional links to go on from.
 * Synchronous and without database access, so it still works when the database is the problem.
 */
export function errorAnswer(c: Context, deps: AppDeps, status: ContentfulStatusCode, message: string, links: ErrorLink[] = []) {
  if (wantsJson(c)) return c.json({ error: message }, status);
  const heading = HEADINGS[status] ?? 'Error';
  const node = (
    <Layout title={`${status} ${heading}`} description={message} noindex>
      <section class="notice">
        <p class="error-code">Error {status}</p>
        <h1>{heading}</h1>
        <p>{message}</p>
        {links.length > 0 ? (
          <ul>
            {links.map((l) => (
              <li>
                <a href={l.href}>{l.label}</a>
              </li>
            ))}
          </ul>
        ) : null}
        <p>
          <a href="/">Latest papers</a> · <a href="/search">Search</a>
        </p>
      </section>
    </Layout>
  );
  const html = node.toString();
  // The error layout has no async components, so rendering is synchronous; guard in case that changes.
  if (typeof html !== 'string') {
    deps.log.error({ path: c.req.path }, 'error page rendered asynchronously');
    return c.text(message, status);
  }
  return c.html(`<!doctype html>${html}`, status);
}

/** The 404 answer for a path no route knows. */
export function notFoundPage(c: Context, deps: AppDeps) {
  return errorAnswer(c, deps, 404, `There is no page at ${c.req.path}.`);
}

/** The 500 answer; the error itself is logged by the caller and never shown. */
export function errorPage(c: Context, deps: AppDeps, _err: Error) {
  return errorAnswer(c, deps, 500, 'Something went wrong on our side; it has been logged.');
}

/**
 * The 503 answer while the database cannot be reached: the reader did nothing wrong and should try
 * again; Retry-After tells crawlers and API clients when. Renders without the database.
 */
export function unavailablePage(c: Context, deps: AppDeps) {
  c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  return errorAnswer(c, deps, 503, 'Paperboy cannot reach its database right now; please try again in a minute.');
}
