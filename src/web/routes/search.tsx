import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

// Placeholder, being written.
export function registerSearchRoutes(_app: Hono, _deps: AppDeps): void {}
