/** The Hono application: middleware, then every route group. Built once per process (and per test). */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { contextStorage } from 'hono/context-storage';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { registerHfApi } from './api/hf.ts';
import { createMailer } from '../mail/transport.ts';
import { authenticate } from './auth.ts';
import { csrfProtection } from './csrf.ts';
import type { AppDeps } from './deps.ts';
import { RateLimiter, useRateLimiter } from './rateLimit.ts';
import { registerAccountRoutes } from './routes/account.tsx';
import { securityHeaders } from './security.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { registerFeedRoutes } from './routes/feeds.tsx';
import { registerHealth } from './routes/health.ts';
import { registerNewOnArxivRoutes } from './routes/newOnArxiv.tsx';
import { registerPaperRoutes } from './routes/paper.tsx';
import { registerSearchRoutes } from './routes/search.tsx';
import { registerStatusRoutes } from './routes/status.tsx';
import { registerCollectionRoutes } from './routes/collections.tsx';
import { registerCollectionApi } from './api/v1-collections.ts';
import { registerOpenApi } from './api/openapi.ts';
import { registerCommentRoutes } from './routes/comments.tsx';
import { registerModerationRoutes } from './routes/moderation.tsx';
import { registerCommentsApi } from './api/v1-comments.ts';
import { registerLinkRoutes } from './routes/links.tsx';
import { registerClaimRoutes } from './routes/claims.tsx';
import { registerOrgRoutes } from './routes/orgs.tsx';
import { registerAuthorRoutes } from './routes/authors.tsx';
import { registerVoteApi } from './api/v1-votes.ts';
import { registerSubmitRoutes } from './routes/submit.tsx';
import { registerTrendingRoutes } from './routes/trending.tsx';
import { registerVoteRoutes } from './routes/votes.ts';
import { registerDigestApi } from './api/v1-digests.ts';
import { registerDigestRoutes } from './routes/digests.tsx';
import { registerAtomFeedRoutes } from './routes/atom-feeds.tsx';
import { registerDigestSettingsRoutes } from './routes/digest-settings.tsx';
import { registerSimilarApi } from './api/v1-similar.ts';
import { registerForYouRoutes } from './routes/for-you.tsx';
import { registerForYouApi } from './api/v1-foryou.ts';
import { errorAnswer, errorPage, notFoundPage, unavailablePage } from './routes/errors.tsx';

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

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
  app.use('*', securityHeaders(deps.config));
  // No form or API body of ours comes near 1 MiB (comments cap at 20,000 characters); refusing bigger
  // ones before they are read keeps an oversized upload from costing memory.
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => errorAnswer(c, deps, 413, 'The request body is too large (1 MiB at most).') }));
  // Accounts: the request context is reachable from views (the layout shows who is signed in), the
  // user is known before any route runs, and unsafe browser requests are checked for CSRF.
  deps.mailer ??= createMailer(deps.config, deps.log);
  app.use('*', contextStorage());
  app.use('*', useRateLimiter(deps.rateLimiter ?? new RateLimiter(deps.config.rateLimits)));
  app.use('*', authenticate(deps));
  app.use('*', csrfProtection(deps));

  registerHealth(app, deps);
  registerAccountRoutes(app, deps);
  registerAssetRoutes(app);
  registerHfApi(app, deps);
  registerSearchRoutes(app, deps);
  // Votes and submissions: `POST /papers/{id}/upvote`, the vote/submit API, /submit, /trending, /about/ranking.
  registerVoteRoutes(app, deps);
  registerVoteApi(app, deps);
  registerSubmitRoutes(app, deps);
  registerTrendingRoutes(app, deps);
  // Links, BibTeX and claims answer `/papers/{id}/{action}`: before the paper page's `/papers/*`.
  registerLinkRoutes(app, deps);
  registerClaimRoutes(app, deps);
  registerOrgRoutes(app, deps);
  registerAuthorRoutes(app, deps);
  registerPaperRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerNewOnArxivRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerCollectionRoutes(app, deps);
  registerCollectionApi(app, deps);
  registerOpenApi(app, deps);
  registerCommentRoutes(app, deps);
  registerModerationRoutes(app, deps);
  registerCommentsApi(app, deps);
  // Digests: subscribe/confirm/unsubscribe/feedback/view links and the settings API.
  registerDigestRoutes(app, deps);
  registerDigestApi(app, deps);
  // Atom feeds of every view (/feeds/…) and /settings/digest with the save-search and follow forms.
  registerAtomFeedRoutes(app, deps);
  registerDigestSettingsRoutes(app, deps);

  // Similar papers by embedding: GET /api/v1/papers/{id}/similar.
  registerSimilarApi(app, deps);

  // For you: /for-you (recommendations, interests, mutes), /feeds/for-you.atom and /api/v1/me/{for-you,interests,mutes,feedback}.
  registerForYouRoutes(app, deps);
  registerForYouApi(app, deps);

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
