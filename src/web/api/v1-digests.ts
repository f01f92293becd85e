/**
 * Digest settings API (session + X-CSRF-Token, or Bearer token; JSON errors `{"error"}`):
 * - `GET /api/v1/me/subscription`, `PUT /api/v1/me/subscription {cadence, hour, timezone, include, active?}`
 * - `GET /api/v1/me/saved-searches`, `POST /api/v1/me/saved-searches {query, name?, filters?}`,
 *   `DELETE /api/v1/me/saved-searches/{id}`
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createSavedSearch, deleteSavedSearch, listSavedSearches, parseSavedSearch, type SavedSearch, SavedSearchError } from '../../store/saved-searches.ts';
import {
  DEFAULT_SETTINGS,
  getUserSubscription,
  isActive,
  parseSettings,
  saveUserSubscription,
  type Subscription,
  SubscriptionError,
} from '../../store/subscriptions.ts';
import { requireUser } from '../auth.ts';
import type { AppDeps } from '../deps.ts';

function jsonError(c: Context, status: ContentfulStatusCode, error: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error }, status);
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** The API shape of a subscription (or of the defaults when there is none). */
function subscriptionJson(s: Subscription | undefined) {
  const settings = s ?? DEFAULT_SETTINGS;
  return {
    subscribed: s !== undefined,
    active: s ? isActive(s) : false,
    cadence: settings.cadence,
    hour: settings.hour,
    timezone: settings.timezone,
    include: settings.include,
    disabledReason: s?.disabledReason ?? null,
  };
}

function savedSearchJson(s: SavedSearch) {
  return { id: s.id, name: s.name, query: s.query, filters: s.filters, createdAt: s.createdAt };
}

/** Registers the digest settings API. */
export function registerDigestApi(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);
  const now = () => (deps.now ? deps.now() : new Date());

  app.get('/api/v1/me/subscription', signedIn, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(subscriptionJson(await getUserSubscription(deps.db, c.var.user!.id)));
  });

  app.put('/api/v1/me/subscription', signedIn, async (c) => {
    const user = c.var.user!;
    const body = await jsonBody(c);
    const existing = await getUserSubscription(deps.db, user.id);
    let settings;
    try {
      settings = parseSettings(body, existing ?? DEFAULT_SETTINGS);
    } catch (err) {
      if (err instanceof SubscriptionError) return jsonError(c, 400, err.message);
      throw err;
    }
    const active = (body as { active?: unknown }).active;
    if (active !== undefined && typeof active !== 'boolean') return jsonError(c, 400, 'active must be true or false.');
    const saved = await saveUserSubscription(deps.db, user, settings, { active: active ?? true, now: now() });
    c.header('Cache-Control', 'no-store');
    return c.json(subscriptionJson(saved));
  });

  app.get('/api/v1/me/saved-searches', signedIn, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ savedSearches: (await listSavedSearches(deps.db, c.var.user!.id)).map(savedSearchJson) });
  });

  app.post('/api/v1/me/saved-searches', signedIn, async (c) => {
    try {
      const input = parseSavedSearch(await jsonBody(c));
      const s = await createSavedSearch(deps.db, c.var.user!.id, input, now());
      c.header('Cache-Control', 'no-store');
      return c.json(savedSearchJson(s), 201);
    } catch (err) {
      if (err instanceof SavedSearchError) return jsonError(c, err.status, err.message);
      throw err;
    }
  });

  app.delete('/api/v1/me/saved-searches/:id', signedIn, async (c) => {
    const raw = c.req.param('id');
    if (!/^[1-9]\d{0,15}$/.test(raw)) return jsonError(c, 400, 'The id is a positive integer from GET /api/v1/me/saved-searches.');
    const deleted = await deleteSavedSearch(deps.db, c.var.user!.id, Number(raw));
    if (!deleted) return jsonError(c, 404, 'No saved search of yours has this id.');
    return c.body(null, 204);
  });
}
