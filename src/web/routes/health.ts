/** `/healthz`: 200 when the database answers, 503 otherwise (for load balancers and orchestrators). */
import { sql } from 'kysely';
import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

export function registerHealth(app: Hono, { db, log }: AppDeps): void {
  app.get('/healthz', async (c) => {
    try {
      await sql`SELECT 1`.execute(db);
      return c.json({ status: 'ok' });
    } catch (err) {
      log.warn({ err }, 'health check failed');
      return c.json({ status: 'unavailable', error: 'database unreachable' }, 503);
    }
  });
}
