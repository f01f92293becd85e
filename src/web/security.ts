/**
 * Security headers on every answer. The Content-Security-Policy allows scripts, styles, fonts and
 * fetches from this site only: no inline script or style (the stylesheet is a hashed file under
 * /assets, see views/stylesheet.ts), so injected markup cannot run. Images may also be data: URLs
 * (the favicon). HSTS is sent only when the base URL is https, so a plain-http development site
 * never pins browsers to https.
 */
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';

/** The Content-Security-Policy sent with every answer. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Middleware that sets the security headers (after the route ran, so every answer gets them). */
export function securityHeaders(config: Pick<Config, 'baseUrl'>): MiddlewareHandler {
  const https = config.baseUrl.startsWith('https:');
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    // For browsers that predate frame-ancestors.
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (https) c.header('Strict-Transport-Security', 'max-age=31536000');
  };
}
