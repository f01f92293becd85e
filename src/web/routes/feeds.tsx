import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

// Placeholder, being written.
export function registerFeedRoutes(_app: Hono, _deps: AppDeps): void {}
