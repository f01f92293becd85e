/** The Hono application: middleware, then every route group. Built once per process (and per test). */
import { Hono } from 'hono';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { registerHfApi } from './api/hf.ts';
import type { AppDeps } from './deps.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { registerFeedRoutes } from './routes/feeds.tsx';
import { registerHealth } from './routes/health.ts';
import { registerNewOnArxivRoutes } from './routes/newOnArxiv.tsx';
import { registerPaperRoutes } from './routes/paper.tsx';
import { registerSearchRoutes } from './routes/search.tsx';
import { errorPage, notFoundPage, unavailablePage } from './routes/errors.tsx';

/** Creates the application for the given dependencies. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  // One structured log line per request, with stable keys.
  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    deps.log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - start) * 10) / 10 },
      'request',
    );
  });
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    c.header('X-Frame-Options', 'DENY');
  });

  registerHealth(app, deps);
  registerAssetRoutes(app);
  registerHfApi(app, deps);
  registerSearchRoutes(app, deps);
  registerPaperRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerNewOnArxivRoutes(app, deps);

  app.notFound((c) => notFoundPage(c, deps));
  app.onError((err, c) => {
    if (isDatabaseUnavailable(err)) {
      // An outage, not a bug: one short warning per request (no stack) and a 503 so clients retry.
      deps.log.warn({ method: c.req.method, path: c.req.path, err: err.message }, 'database unavailable');
      return unavailablePage(c, deps);
    }
    deps.log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return errorPage(c, deps, err);
  });
  return app;
}
