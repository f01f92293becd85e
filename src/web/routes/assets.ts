/** Static assets: the stylesheet and the client script under content-hashed URLs, cached by browsers for a year. */
import type { Hono } from 'hono';
import { appScript } from '../views/script.ts';
import { stylesheet } from '../views/stylesheet.ts';

/** Registers `/assets/style.<hash>.css`. */
export function registerAssetRoutes(app: Hono): void {
  app.get('/assets/:file{style\\.[0-9a-f]+\\.css}', (c) => {
    const current = c.req.param('file') === `style.${stylesheet.hash}.css`;
    c.header('Content-Type', 'text/css; charset=utf-8');
    // The current hash never changes content, so it is immutable; an old hash (a page rendered
    // before a deploy) still gets today's CSS, but only briefly cached.
    c.header('Cache-Control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    c.header('ETag', `"${stylesheet.hash}"`);
    if (c.req.header('If-None-Match') === `"${stylesheet.hash}"`) return c.body(null, 304);
    return c.body(stylesheet.css);
  });

  // The client script, the same way (views/script.ts).
  app.get('/assets/:file{app\\.[0-9a-f]+\\.js}', (c) => {
    const current = c.req.param('file') === `app.${appScript.hash}.js`;
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    c.header('ETag', `"${appScript.hash}"`);
    if (c.req.header('If-None-Match') === `"${appScript.hash}"`) return c.body(null, 304);
    return c.body(appScript.js);
  });
}
