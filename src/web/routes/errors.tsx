/** 404 / 400 / 500 answers: JSON `{"error"}` under /api, a page elsewhere. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../deps.ts';

function wantsJson(c: Context): boolean {
  return c.req.path.startsWith('/api/') || c.req.path.endsWith('.json');
}

/** An error answer with a message a person can act on. */
export function errorAnswer(c: Context, _deps: AppDeps, status: ContentfulStatusCode, message: string) {
  if (wantsJson(c)) return c.json({ error: message }, status);
  // Replaced by the styled layout once the views land.
  return c.html(`<!doctype html><title>${status}</title><h1>${status}</h1><p>${escapeHtml(message)}</p>`, status);
}

export function notFoundPage(c: Context, deps: AppDeps) {
  return errorAnswer(c, deps, 404, 'Not found');
}

export function errorPage(c: Context, deps: AppDeps, _err: Error) {
  return errorAnswer(c, deps, 500, 'Something went wrong on our side; it has been logged.');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
